/**
 * template-pages.ts: the container-template pages (Kiosc 1.7), project-wide under
 * /projects/<uuid>/templates and site-wide under /templates: list (with Kiosc's copy dropdown),
 * details, create, update, delete (with confirmation) and duplicate. Rules are the template
 * service's; this module maps forms to it.
 */
import { requireNotArchived } from '../../gateway/core/projects/archive.ts';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Caller } from '../../gateway/core/auth/authenticate.ts';
import { NotFoundError, PorticoError, ValidationError, badRequest } from '../../gateway/core/errors.ts';
import type { Services } from '../../gateway/core/services.ts';
import type { ContainerTemplate } from '../../gateway/core/types.ts';
import { readForm } from '../../gateway/http/body.ts';
import type { Handler } from '../../gateway/http/router.ts';
import { checkCsrf, requireWritable } from '../api/guard.ts';
import type { Renderer } from './render.ts';
import { addReadyMade, READY_MADE } from '../../gateway/core/templates/ready-made.ts';
import { pageData, redirect, requirePageUser } from './pages.ts';
import { projectShell } from './projects.ts';
import { templateHost } from '../../gateway/core/hosts/choose.ts';
import { hostChoice, hostName } from './host-choice.ts';
import { TEMPLATE_FIELDS, TEMPLATE_GROUPS, templateInput, templateValues, settingsValues } from './template-fields.ts';

/** Route registers one UI route (the UI's `on`, whose errors answer as HTML). */
export type Route = (method: string, path: string, handler: Handler) => void;

/** Scope is where a template page lives: the site, or one project. */
interface Scope {
  projectId: number | null;
  base: string;
  canEdit: boolean;
  heading: string;
  shell: Record<string, unknown>;
}

/** templateLabel is how a template appears in dropdowns, as in Kiosc: "[Site-wide] Title (repository:tag)". */
export function templateLabel(t: ContainerTemplate): string {
  const image = t.settings.repository ? ` (${t.settings.repository}:${t.settings.tag})` : '';
  return t.projectId === null ? `[Site-wide] ${t.title}${image}` : `[Project-wide] ${t.projectTitle} / ${t.title}${image}`;
}

const DONE: Record<string, string> = {
  created: 'Created container template', updated: 'Updated container template', duplicated: 'Created container template',
  copied: 'Created container template', deleted: 'Deleted the container template.',
  'ready-made': 'Added the ready-made templates that were not here yet.',
};

/** registerTemplatePages adds the template pages. */
export function registerTemplatePages(on: Route, svc: Services, ui: Renderer): void {
  const { templates, access } = svc;

  function scopeOf(caller: Caller, projectUuid: string | undefined): Scope {
    if (projectUuid === undefined) {
      return { projectId: null, base: '/templates', canEdit: caller.user.isAdmin, heading: 'Site-wide container templates', shell: {} };
    }
    const pa = access.project(caller.user, projectUuid, 'template.view');
    return {
      projectId: pa.project.id, base: `/projects/${pa.project.uuid}/templates`, heading: 'Container templates',
      canEdit: !pa.project.archived && templates.canEditScope(caller.user, pa.project.id), shell: projectShell(pa, 'templates'),
    };
  }

  /** templateIn returns a template of this scope (another scope's template is not found here). */
  function templateIn(scope: Scope, caller: Caller, uuid: string, edit: boolean): ContainerTemplate {
    const t = edit ? templates.edit(caller.user, uuid) : templates.view(caller.user, uuid);
    if (t.projectId !== scope.projectId) throw new NotFoundError('E_TEMPLATE_NOT_FOUND', 'template not found');
    return t;
  }

  function requireEdit(scope: Scope): void {
    const project = scope.projectId === null ? null : svc.store.projects.byId(scope.projectId);
    if (project) requireNotArchived(project);
    if (!scope.canEdit) throw new PorticoError('E_FORBIDDEN', 403, scope.projectId === null ? 'only site admins change site-wide templates' : 'your role does not allow changing templates');
  }

  async function postedForm(caller: Caller, req: IncomingMessage): Promise<Record<string, string>> {
    const form = await readForm(req, svc.config.maxJsonBody);
    checkCsrf(caller, req, form.csrf_token ?? null);
    requireWritable(svc, caller.user);
    return form;
  }

  function flash(url: URL, caller: Caller): { kind: string; text: string } | undefined {
    const code = url.searchParams.get('done');
    if (!code || !Object.hasOwn(DONE, code)) return undefined;
    if (code === 'ready-made' && url.searchParams.has('none')) return { kind: 'ok', text: 'The ready-made templates are all here already: nothing added.' };
    // Names come from the database, never from the URL.
    const named = (key: string) => {
      const uuid = url.searchParams.get(key);
      try { return uuid ? templates.view(caller.user, uuid).title : null; } catch { return null; }
    };
    const title = named('t');
    const from = named('from');
    if (code === 'deleted' || !title) return { kind: 'ok', text: DONE[code] };
    return { kind: 'ok', text: `${DONE[code]} '${title}'${from ? ` from '${from}'` : ''}.` };
  }

  function list(req: IncomingMessage, res: ServerResponse, url: URL, caller: Caller, scope: Scope, extra: Record<string, unknown> = {}, status = 200): void {
    const rows = scope.projectId === null ? templates.site() : templates.ofProject(scope.projectId);
    const copyable = scope.projectId !== null && scope.canEdit
      ? templates.visible(caller.user).filter((t) => t.projectId !== scope.projectId).map((t) => ({ uuid: t.uuid, label: templateLabel(t) }))
      : [];
    const titles = new Set(rows.map((t) => t.title));
    const readyMissing = scope.projectId === null && scope.canEdit ? READY_MADE.map((r) => r.title).filter((x) => !titles.has(x)) : [];
    ui.page(req, res, 'pages/templates', pageData(caller, scope.heading, {
      ...scope.shell, scope, rows, copyable, readyMissing, flash: flash(url, caller), ...extra,
    }), status);
  }

  function form(req: IncomingMessage, res: ServerResponse, caller: Caller, scope: Scope, f: { t: ContainerTemplate | null; values: Record<string, string>; errors: Record<string, string> }, status = 200): void {
    const heading = f.t ? `Update ${f.t.title}` : 'Create container template';
    const host = hostChoice(svc.hosts, caller.user, {
      selected: f.values.host ?? '', error: f.errors.host, none: 'The default host at each creation (now {default})',
      help: 'Where containers made from this template run, whoever makes them (site admins choose). Changing it moves no container made before.',
    });
    ui.page(req, res, 'pages/template-form', pageData(caller, heading, {
      ...scope.shell, scope, heading, fields: TEMPLATE_FIELDS, groups: TEMPLATE_GROUPS, values: f.values, errors: f.errors, hostChoice: host,
      action: f.t ? `${scope.base}/${f.t.uuid}/update` : `${scope.base}/create`, cancel: f.t ? `${scope.base}/${f.t.uuid}` : scope.base,
    }), status);
  }

  /**
   * hostOf reads the form's host as the API reads `host` (a site admin's; 403 for anyone else,
   * a field error for an unknown host), before anything is stored.
   */
  function hostOf(caller: Caller, body: Record<string, string>): number | null | undefined {
    return templateHost(svc.hosts, caller.user, 'host' in body ? { host: body.host } : {});
  }

  /** stored applies a host read by hostOf to a template just saved. */
  function stored(t: ContainerTemplate, host: number | null | undefined): ContainerTemplate {
    if (host === undefined || host === t.hostId) return t;
    svc.store.templates.setHost(t.id, host);
    return { ...t, hostId: host };
  }

  function fieldErrors(err: unknown): Record<string, string> {
    if (err instanceof ValidationError) return err.fields;
    if (err instanceof PorticoError && err.code === 'E_DUPLICATE_TITLE') return { title: 'is already used by another template here' };
    throw err;
  }

  // Site admins add the ready-made site templates (idempotent: a taken title is skipped).
  on('POST', '/templates/ready-made', async (ctx) => {
    const caller = requirePageUser(svc, ctx.req, ctx.res);
    await postedForm(caller, ctx.req);
    const scope = scopeOf(caller, undefined);
    requireEdit(scope);
    const added = addReadyMade(templates);
    redirect(ctx.req, ctx.res, added.length ? `${scope.base}?done=ready-made` : `${scope.base}?done=ready-made&none=1`);
  });

  for (const prefix of ['/projects/:project/templates', '/templates']) {
    const scopeFor = (caller: Caller, params: Record<string, string>) => scopeOf(caller, params.project);

    on('GET', prefix, (ctx) => {
      const caller = requirePageUser(svc, ctx.req, ctx.res);
      list(ctx.req, ctx.res, ctx.url, caller, scopeFor(caller, ctx.params));
    });

    on('GET', `${prefix}/create`, (ctx) => {
      const caller = requirePageUser(svc, ctx.req, ctx.res);
      const scope = scopeFor(caller, ctx.params);
      requireEdit(scope);
      const defaults = templates.defaults();
      form(ctx.req, ctx.res, caller, scope, { t: null, values: settingsValues('', defaults), errors: {} });
    });

    on('POST', `${prefix}/create`, async (ctx) => {
      const caller = requirePageUser(svc, ctx.req, ctx.res);
      const body = await postedForm(caller, ctx.req);
      const scope = scopeFor(caller, ctx.params);
      requireEdit(scope);
      const input = templateInput(body);
      let t: ContainerTemplate;
      try {
        const host = hostOf(caller, body);
        t = stored(templates.create(scope.projectId, input), host);
      } catch (err) {
        form(ctx.req, ctx.res, caller, scope, { t: null, values: { ...input, host: body.host ?? '' }, errors: fieldErrors(err) }, 400);
        return;
      }
      redirect(ctx.req, ctx.res, `${scope.base}?done=created&t=${t.uuid}`);
    });

    on('GET', `${prefix}/:template`, (ctx) => {
      const caller = requirePageUser(svc, ctx.req, ctx.res);
      const scope = scopeFor(caller, ctx.params);
      const t = templateIn(scope, caller, ctx.params.template, false);
      ui.page(ctx.req, ctx.res, 'pages/template', pageData(caller, t.title, {
        ...scope.shell, scope, t, environment: JSON.stringify(t.settings.environment, null, 2), flash: flash(ctx.url, caller), hostName: hostName(svc.hosts, t.hostId),
      }));
    });

    on('GET', `${prefix}/:template/update`, (ctx) => {
      const caller = requirePageUser(svc, ctx.req, ctx.res);
      const scope = scopeFor(caller, ctx.params);
      const t = templateIn(scope, caller, ctx.params.template, true);
      form(ctx.req, ctx.res, caller, scope, { t, values: { ...templateValues(t), host: hostName(svc.hosts, t.hostId) }, errors: {} });
    });

    on('POST', `${prefix}/:template/update`, async (ctx) => {
      const caller = requirePageUser(svc, ctx.req, ctx.res);
      const body = await postedForm(caller, ctx.req);
      const scope = scopeFor(caller, ctx.params);
      const t = templateIn(scope, caller, ctx.params.template, true);
      const input = templateInput(body);
      try {
        const host = hostOf(caller, body);
        stored(templates.update(t, input), host);
      } catch (err) {
        form(ctx.req, ctx.res, caller, scope, { t, values: { ...templateValues(t), host: hostName(svc.hosts, t.hostId), ...input, ...('host' in body ? { host: body.host } : {}) }, errors: fieldErrors(err) }, 400);
        return;
      }
      redirect(ctx.req, ctx.res, `${scope.base}/${t.uuid}?done=updated&t=${t.uuid}`);
    });

    on('GET', `${prefix}/:template/delete`, (ctx) => {
      const caller = requirePageUser(svc, ctx.req, ctx.res);
      const scope = scopeFor(caller, ctx.params);
      const t = templateIn(scope, caller, ctx.params.template, true);
      ui.page(ctx.req, ctx.res, 'pages/template-delete', pageData(caller, `Delete ${t.title}`, { ...scope.shell, scope, t }));
    });

    on('POST', `${prefix}/:template/delete`, async (ctx) => {
      const caller = requirePageUser(svc, ctx.req, ctx.res);
      await postedForm(caller, ctx.req);
      const scope = scopeFor(caller, ctx.params);
      templates.remove(templateIn(scope, caller, ctx.params.template, true));
      redirect(ctx.req, ctx.res, `${scope.base}?done=deleted`);
    });

    on('POST', `${prefix}/:template/duplicate`, async (ctx) => {
      const caller = requirePageUser(svc, ctx.req, ctx.res);
      await postedForm(caller, ctx.req);
      const scope = scopeFor(caller, ctx.params);
      const source = templateIn(scope, caller, ctx.params.template, true);
      const t = templates.duplicate(source);
      redirect(ctx.req, ctx.res, `${scope.base}?done=duplicated&t=${t.uuid}&from=${source.uuid}`);
    });
  }

  on('POST', '/projects/:project/templates/copy', async (ctx) => {
    const caller = requirePageUser(svc, ctx.req, ctx.res);
    const body = await postedForm(caller, ctx.req);
    const target = access.project(caller.user, ctx.params.project, 'template.edit').project;
    if (!body.template) throw badRequest('choose a template to copy');
    // Only a template the caller can see: site-wide, or of a project the caller belongs to.
    const source = templates.view(caller.user, body.template);
    const t = templates.copy(source, target.id);
    redirect(ctx.req, ctx.res, `/projects/${target.uuid}/templates?done=copied&t=${t.uuid}&from=${source.uuid}`);
  });
}
