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
import { groupsOf } from './container-group.ts';

/** requireAdmin returns the caller when it is a site admin; others get the 403 page. */
export function requireAdmin(d: UiDeps, req: IncomingMessage, res: ServerResponse): Caller {
  const caller = requirePageUser(d.svc, req, res);
  if (!caller.user.isAdmin) throw forbidden('the site-admin pages are for site administrators only');
  return caller;
}

/** stateCounts is the site-admin summary: the number of containers in each state, most first, and the total. */
export function stateCounts(d: UiDeps): { summary: Array<{ state: string; n: number }>; total: number } {
  const byState = d.svc.store.containers.countByState();
  return {
    summary: Object.entries(byState).sort((a, b) => b[1] - a[1]).map(([s, n]) => ({ state: s, n })),
    total: Object.values(byState).reduce((a, b) => a + b, 0),
  };
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
    const { count, results } = store.containers.list({
      projectId: project?.id, state, search: q || undefined, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE,
    });
    d.ui.page(ctx.req, ctx.res, 'pages/siteadmin', pageData(caller, 'Containers and Docker', {
      tab: 'containers',
      // Per-user app instances name their app, not the hidden 'apps' project nobody opens (docs/apps.md).
      rows: rowsFor(d, results, { isAdmin: true, role: null, csrf: caller.session?.csrf ?? '' }, groupsOf(store)),
      pager: pager(ctx.url, page, PAGE_SIZE, count),
      filter: { q, state: state ?? '', project: project?.uuid ?? '' },
      filtered: Boolean(q || state || project),
      states: CONTAINER_STATES.filter((s) => s !== 'deleted'),
      projects: projects.map((p) => ({ uuid: p.uuid, title: p.title })),
      ...stateCounts(d),
      since,
      bulk: bulkActions(d.svc.config.maxInactivityDays),
      flash: doneFlash(ctx.url),
    }));
  });
}
