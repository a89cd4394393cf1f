/**
 * templates.ts: the container-template REST API, on the container API's scheme. The scope slot is a
 * project UUID (project-wide) or the word `site` (site-wide); single templates are addressed by UUID:
 *   GET    /containers/api/templates/<project|site>            list
 *   POST   /containers/api/templates/create/<project|site>     create
 *   POST   /containers/api/templates/copy/<project>            copy {"template": uuid} into a project
 *   GET    /containers/api/templates/detail/<template>         detail
 *   PATCH  /containers/api/templates/update/<template>         update (partial)
 *   DELETE /containers/api/templates/delete/<template>         delete
 *   POST   /containers/api/templates/duplicate/<template>      duplicate within its scope
 */
import { badRequest, forbidden } from '../../gateway/core/errors.ts';
import type { Services } from '../../gateway/core/services.ts';
import type { User } from '../../gateway/core/types.ts';
import { readJson } from '../../gateway/http/body.ts';
import { templateHost } from '../../gateway/core/hosts/choose.ts';
import type { ContainerTemplate } from '../../gateway/core/types.ts';
import { sendJson } from '../../gateway/http/respond.ts';
import type { Router } from '../../gateway/http/router.ts';
import { withBasicAuth } from './basic-auth.ts';
import { requireCaller, requireWritable } from './guard.ts';
import { serializeTemplate } from './serialize-templates.ts';
import { pageOf } from './paging.ts';

/** SITE is the scope slot that names the site-wide templates. */
export const SITE = 'site';

/** registerTemplateApi adds the template API routes to `router`. */
export function registerTemplateApi(router: Router, svc: Services): void {
  // A template's host (docs/container-hosts.md) is stored apart from its settings.
  const withHost = (t: ContainerTemplate, hostId: number | null): ContainerTemplate => {
    svc.store.templates.setHost(t.id, hostId);
    return { ...t, hostId };
  };
  const api = withBasicAuth(router, svc);
  const { access, templates, config } = svc;

  /** scope resolves the scope slot: null for site-wide, else the project (404 for non-members). */
  function scope(user: User, slot: string, edit: boolean): number | null {
    if (slot === SITE) {
      if (edit && !user.isAdmin) throw forbidden('only site admins change site-wide templates');
      return null;
    }
    return access.project(user, slot, edit ? 'template.edit' : 'template.view').project.id;
  }

  api.on('GET', '/containers/api/templates/:scope', (ctx) => {
    const caller = requireCaller(svc, ctx.req);
    const projectId = scope(caller.user, ctx.params.scope, false);
    const list = projectId === null ? templates.site() : templates.ofProject(projectId);
    sendJson(ctx.res, 200, pageOf(ctx, svc.config, list.map(serializeTemplate)));
  });

  api.on('GET', '/containers/api/templates/detail/:template', (ctx) => {
    const caller = requireCaller(svc, ctx.req);
    sendJson(ctx.res, 200, serializeTemplate(templates.view(caller.user, ctx.params.template)));
  });

  api.on('POST', '/containers/api/templates/create/:scope', async (ctx) => {
    const caller = requireCaller(svc, ctx.req);
    const projectId = scope(caller.user, ctx.params.scope, true);
    requireWritable(svc, caller.user);
    const body = await readJson(ctx.req, config.maxJsonBody);
    const host = templateHost(svc.hosts, caller.user, body);
    let made = templates.create(projectId, body);
    if (host !== undefined) made = withHost(made, host);
    sendJson(ctx.res, 201, serializeTemplate(made));
  });

  api.on('PATCH', '/containers/api/templates/update/:template', async (ctx) => {
    const caller = requireCaller(svc, ctx.req);
    const t = templates.edit(caller.user, ctx.params.template);
    requireWritable(svc, caller.user);
    const body = await readJson(ctx.req, config.maxJsonBody);
    const host = templateHost(svc.hosts, caller.user, body);
    let saved = templates.update(t, body);
    if (host !== undefined) saved = withHost(saved, host);
    sendJson(ctx.res, 200, serializeTemplate(saved));
  });

  api.on('DELETE', '/containers/api/templates/delete/:template', (ctx) => {
    const caller = requireCaller(svc, ctx.req);
    const t = templates.edit(caller.user, ctx.params.template);
    requireWritable(svc, caller.user);
    templates.remove(t);
    ctx.res.writeHead(204).end();
  });

  api.on('POST', '/containers/api/templates/duplicate/:template', (ctx) => {
    const caller = requireCaller(svc, ctx.req);
    const t = templates.edit(caller.user, ctx.params.template);
    requireWritable(svc, caller.user);
    sendJson(ctx.res, 201, serializeTemplate(templates.duplicate(t)));
  });

  api.on('POST', '/containers/api/templates/copy/:project', async (ctx) => {
    const caller = requireCaller(svc, ctx.req);
    if (ctx.params.project === SITE) throw badRequest('templates are copied into a project; duplicate a site-wide template instead');
    const target = access.project(caller.user, ctx.params.project, 'template.edit').project;
    requireWritable(svc, caller.user);
    const body = await readJson(ctx.req, config.maxJsonBody) as Record<string, unknown>;
    if (typeof body?.template !== 'string') throw badRequest('send {"template": "<template uuid>"}');
    // The source must be visible to the caller: site-wide, or of a project the caller belongs to (404 otherwise).
    const source = templates.view(caller.user, body.template);
    sendJson(ctx.res, 201, serializeTemplate(templates.copy(source, target.id)));
  });
}
