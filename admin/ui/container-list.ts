/**
 * container-list.ts: a project's containers (Kiosc 1.6.1): title, image, created, state with the
 * mismatch bell, the eye button and the controls menu, paginated; states follow live over SSE.
 */
import { can } from '../../gateway/core/auth/roles.ts';
import type { Container } from '../../gateway/core/types.ts';
import type { UiDeps } from './pages.ts';
import { doneFlash, pageData, requirePageUser } from './pages.ts';
import { projectShell } from './projects.ts';
import { pageParam, pager } from './pager.ts';
import { rowView } from './container-view.ts';
import type { RowView, Viewer } from './container-view.ts';
import { formatCursor } from './live-hub.ts';
import type { GroupOf } from './container-group.ts';

/** PAGE_SIZE is how many containers one list page shows. */
export const PAGE_SIZE = 50;

/** rowsFor builds the row views of `list` for `viewer`; a site-admin list gives `groupOf` to name each row's project or app. */
export function rowsFor(d: UiDeps, list: Container[], viewer: Viewer, groupOf?: GroupOf): RowView[] {
  return list.map((c) => rowView(c, viewer, d.svc.containers.queue.busy(c.id), groupOf ? groupOf(c) : null));
}

/** registerContainerList adds GET /projects/:project/containers. */
export function registerContainerList(d: UiDeps): void {
  d.on('GET', '/projects/:project/containers', (ctx) => {
    const caller = requirePageUser(d.svc, ctx.req, ctx.res);
    const pa = d.svc.access.project(caller.user, ctx.params.project, 'container.view');
    // The cursor is taken before reading, so a change racing the render is replayed, never lost.
    const since = formatCursor(d.hub.cursor());
    const page = pageParam(ctx.url);
    const { count, results } = d.svc.store.containers.list({ projectId: pa.project.id, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
    // An archived project offers only what a guest gets: the server refuses the rest anyway.
    const viewer: Viewer = pa.project.archived ? { isAdmin: false, role: 'guest', csrf: caller.session?.csrf ?? '' } : { isAdmin: caller.user.isAdmin, role: pa.role, csrf: caller.session?.csrf ?? '' };
    d.ui.page(ctx.req, ctx.res, 'pages/containers', pageData(caller, `Containers · ${pa.project.title}`, {
      ...projectShell(pa, 'containers'),
      rows: rowsFor(d, results, viewer),
      pager: pager(ctx.url, page, PAGE_SIZE, count),
      canCreate: !pa.project.archived && can(caller.user.isAdmin, pa.role, 'container.create'),
      since,
      flash: doneFlash(ctx.url),
    }));
  });
}
