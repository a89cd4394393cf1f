/**
 * kiosc-redirects.ts: Kiosc's UI pages, as people bookmarked them, answer with a permanent
 * redirect (301) to Portico's page for the same thing: /containers/detail/<uuid>,
 * /containertemplates/…, /kioscadmin/…, /project/<uuid> and so on. A path that names only what the
 * target names is mapped without a look-up (the target checks access itself); a project
 * template's page needs its project, so it is looked up for a logged-in caller who may see it.
 * Kiosc's project container list, /containers/<project>, shares its shape with Portico's
 * container page and is answered there (container-detail.ts).
 */
import type { ServerResponse } from 'node:http';
import { NotFoundError } from '../../gateway/core/errors.ts';
import { isUuid } from '../../gateway/core/auth/access.ts';
import type { Ctx } from '../../gateway/http/router.ts';
import type { UiDeps } from './pages.ts';
import { requirePageUser } from './pages.ts';

/** movedPermanently answers 301 to `location` (a path Portico builds, never one taken from the request). */
export function movedPermanently(res: ServerResponse, location: string): void {
  res.writeHead(301, { location, 'content-length': 0 });
  res.end();
}

function uuidParam(ctx: Ctx, name: string): string {
  const v = (ctx.params[name] ?? '').toLowerCase();
  if (!isUuid(v)) throw new NotFoundError('E_NOT_FOUND', `no such page: ${ctx.url.pathname}`);
  return v;
}

/** KIOSC_CONTAINER_PAGES maps /containers/<page>/<container> to Portico's page of that container. */
const KIOSC_CONTAINER_PAGES: Record<string, (uuid: string) => string> = {
  detail: (u) => `/containers/${u}`,
  update: (u) => `/containers/${u}/update`,
  delete: (u) => `/containers/${u}/delete`,
  // Kiosc ran these on GET; Portico's actions are buttons (POST) on the container's page.
  start: (u) => `/containers/${u}`,
  stop: (u) => `/containers/${u}`,
  pause: (u) => `/containers/${u}`,
  unpause: (u) => `/containers/${u}`,
  restart: (u) => `/containers/${u}`,
};

/** KIOSC_TEMPLATE_PAGES maps /containertemplates/<scope>/<page>/<template> to the page under a template base. */
const KIOSC_TEMPLATE_PAGES: Record<string, (base: string, uuid: string) => string> = {
  detail: (b, u) => `${b}/${u}`,
  update: (b, u) => `${b}/${u}/update`,
  delete: (b, u) => `${b}/${u}/delete`,
  duplicate: (b, u) => `${b}/${u}`,
};

/** FIXED maps Kiosc pages without a uuid to Portico's. */
const FIXED: Record<string, string> = {
  '/containertemplates/site': '/templates',
  '/containertemplates/site/create': '/templates/create',
  '/kioscadmin': '/siteadmin',
  '/kioscadmin/overview': '/siteadmin',
  '/containerlist': '/',
};

/** registerKioscRedirects adds the GET routes of Kiosc's UI paths. */
export function registerKioscRedirects(d: UiDeps): void {
  for (const [from, to] of Object.entries(FIXED)) d.on('GET', from, (ctx) => movedPermanently(ctx.res, to));

  for (const [page, to] of Object.entries(KIOSC_CONTAINER_PAGES)) {
    d.on('GET', `/containers/${page}/:container`, (ctx) => movedPermanently(ctx.res, to(uuidParam(ctx, 'container'))));
  }
  d.on('GET', '/containers/create/:project', (ctx) => movedPermanently(ctx.res, `/projects/${uuidParam(ctx, 'project')}/containers/create`));

  for (const [page, to] of Object.entries(KIOSC_TEMPLATE_PAGES)) {
    d.on('GET', `/containertemplates/site/${page}/:template`, (ctx) => movedPermanently(ctx.res, to('/templates', uuidParam(ctx, 'template'))));
    d.on('GET', `/containertemplates/project/${page}/:template`, (ctx) => {
      const uuid = uuidParam(ctx, 'template');
      const caller = requirePageUser(d.svc, ctx.req, ctx.res);
      const t = d.svc.templates.view(caller.user, uuid);
      movedPermanently(ctx.res, to(t.projectUuid ? `/projects/${t.projectUuid}/templates` : '/templates', t.uuid));
    });
  }
  d.on('GET', '/containertemplates/project/:project', (ctx) => movedPermanently(ctx.res, `/projects/${uuidParam(ctx, 'project')}/templates`));
  d.on('GET', '/containertemplates/project/create/:project', (ctx) => movedPermanently(ctx.res, `/projects/${uuidParam(ctx, 'project')}/templates/create`));
  d.on('GET', '/containertemplates/project/copy/:project', (ctx) => movedPermanently(ctx.res, `/projects/${uuidParam(ctx, 'project')}/templates`));

  // SODAR's project pages (projectroles), which Kiosc's menus linked to.
  d.on('GET', '/project/:project', (ctx) => movedPermanently(ctx.res, `/projects/${uuidParam(ctx, 'project')}`));
  d.on('GET', '/project/members/:project', (ctx) => movedPermanently(ctx.res, `/projects/${uuidParam(ctx, 'project')}/members`));
}
