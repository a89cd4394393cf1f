/**
 * siteadmin.ts: the site-admin page's Containers tab (Kiosc 1.9.1): every container of every
 * project, searchable and filterable by state and project, paginated through the store (fast with
 * 10,000 containers), with live states. Site admins only.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Caller } from '../../gateway/core/auth/authenticate.ts';
import { isUuid } from '../../gateway/core/auth/access.ts';
import { forbidden } from '../../gateway/core/errors.ts';
import { CONTAINER_STATES } from '../../gateway/core/types.ts';
import type { ContainerState } from '../../gateway/core/types.ts';
import type { UiDeps } from './pages.ts';
import { doneFlash, pageData, requirePageUser } from './pages.ts';
import { pageParam, pager } from './pager.ts';
import { PAGE_SIZE, rowsFor } from './container-list.ts';
import { formatCursor } from './live-hub.ts';
import { bulkActions } from './bulk-view.ts';

/** requireAdmin returns the caller when it is a site admin; others get the 403 page. */
export function requireAdmin(d: UiDeps, req: IncomingMessage, res: ServerResponse): Caller {
  const caller = requirePageUser(d.svc, req, res);
  if (!caller.user.isAdmin) throw forbidden('the site-admin pages are for site administrators only');
  return caller;
}

/** registerSiteAdmin adds GET /siteadmin. */
export function registerSiteAdmin(d: UiDeps): void {
  const { store } = d.svc;
  d.on('GET', '/siteadmin', (ctx) => {
    const caller = requireAdmin(d, ctx.req, ctx.res);
    const since = formatCursor(d.hub.cursor());
    const q = (ctx.url.searchParams.get('q') ?? '').trim().slice(0, 200);
    const rawState = ctx.url.searchParams.get('state') ?? '';
    const state = (CONTAINER_STATES as readonly string[]).includes(rawState) ? rawState as ContainerState : undefined;
    const rawProject = ctx.url.searchParams.get('project') ?? '';
    const project = isUuid(rawProject) ? store.projects.byUuid(rawProject) : null;
    const page = pageParam(ctx.url);
    const projects = store.projects.all();
    const titles = new Map(projects.map((p) => [p.id, p.title]));
    const { count, results } = store.containers.list({
      projectId: project?.id, state, search: q || undefined, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE,
    });
    // Per-user app instances live in the hidden 'apps' project, which project lists leave out (docs/apps.md).
    for (const c of results) if (!titles.has(c.projectId) && c.appId !== null) titles.set(c.projectId, 'Apps (per-user instances)');
    const byState = store.containers.countByState();
    d.ui.page(ctx.req, ctx.res, 'pages/siteadmin', pageData(caller, 'Site admin', {
      tab: 'containers',
      rows: rowsFor(d, results, { isAdmin: true, role: null, csrf: caller.session?.csrf ?? '' }, titles),
      pager: pager(ctx.url, page, PAGE_SIZE, count),
      filter: { q, state: state ?? '', project: project?.uuid ?? '' },
      filtered: Boolean(q || state || project),
      states: CONTAINER_STATES.filter((s) => s !== 'deleted'),
      projects: projects.map((p) => ({ uuid: p.uuid, title: p.title })),
      summary: Object.entries(byState).sort((a, b) => b[1] - a[1]).map(([s, n]) => ({ state: s, n })),
      total: Object.values(byState).reduce((a, b) => a + b, 0),
      since,
      bulk: bulkActions(d.svc.config.maxInactivityDays),
      flash: doneFlash(ctx.url),
    }));
  });
}
