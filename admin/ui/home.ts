/**
 * home.ts: the home page: the caller's projects (all of them for site admins).
 */
import type { Services } from '../../gateway/core/services.ts';
import type { User } from '../../gateway/core/types.ts';
import type { Router } from '../../gateway/http/router.ts';
import type { Renderer } from './render.ts';
import { pageData, requirePageUser } from './pages.ts';
import { sharedWithMe } from './shares.ts';
import { HOME_TILES, myApps, tilesFor } from './apps-view.ts';

function homeTiles(svc: Services, user: User) {
  const { tiles, count } = tilesFor(svc, user, { limit: HOME_TILES });
  return { tiles, tileCount: count, tilePager: null };
}

/** registerHome adds GET /. */
export function registerHome(router: Router, svc: Services, ui: Renderer): void {
  router.on('GET', '/', (ctx) => {
    const caller = requirePageUser(svc, ctx.req, ctx.res);
    const projects = caller.user.isAdmin
      ? svc.store.projects.all().filter((p) => !p.deletingAt).map((p) => ({ ...p, role: svc.store.projects.roleOf(p.id, caller.user.id) ?? 'site admin' }))
      : svc.store.projects.ofUser(caller.user.id);
    ui.page(ctx.req, ctx.res, 'pages/home', pageData(caller, 'Projects', {
      projects, deleted: ctx.url.searchParams.get('deleted') === '1',
      // The app tiles and "My apps" (docs/apps.md), in their own partial.
      ...homeTiles(svc, caller.user), mine: myApps(svc, caller.user),
      // Session sharing (docs/sharing.md): instances shared with the caller, in their own partial.
      sharedWithMe: sharedWithMe(svc, ctx.req, caller),
    }));
  });
}
