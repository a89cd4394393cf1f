/**
 * home.ts: the home page: the caller's projects as cards (all of them for site admins) with their
 * description, container counts and running apps, and "Create project" with the next steps for
 * whoever may create one (PORTICO_PROJECT_CREATORS). The page is built from sections
 * (templates/partials/home-*.eta), so a further section (the app catalogue's tiles) slots in.
 */
import type { Services } from '../../gateway/core/services.ts';
import type { User } from '../../gateway/core/types.ts';
import type { Router } from '../../gateway/http/router.ts';
import type { Caller } from '../../gateway/core/auth/authenticate.ts';
import type { Renderer } from './render.ts';
import { publicPrefix } from '../../gateway/core/containers/spec.ts';
import { pageData, requirePageUser } from './pages.ts';
import { sharedWithMe } from './shares.ts';
import { HOME_TILES, myApps, tilesFor } from './apps-view.ts';

function homeTiles(svc: Services, user: User) {
  const { tiles, count } = tilesFor(svc, user, { limit: HOME_TILES });
  return { tiles, tileCount: count, tilePager: null };
}

/** homeProjects is the caller's projects with their role and summary (site admins: every project). */
export function homeProjects(svc: Services, caller: Caller) {
  const projects = caller.user.isAdmin
    ? svc.store.projects.all().filter((p) => !p.deletingAt).map((p) => ({ ...p, role: svc.store.projects.roleOf(p.id, caller.user.id) ?? 'site admin' }))
    : svc.store.projects.ofUser(caller.user.id);
  const summaries = svc.store.summaries.of(projects.map((p) => p.id));
  return projects.map((p) => {
    const sum = summaries.get(p.id)!;
    return { ...p, summary: { ...sum, apps: sum.apps.map((a) => ({ ...a, href: publicPrefix(a) })) } };
  });
}

/** mayCreateProject tells whether the caller may create a project of their own. */
export function mayCreateProject(svc: Services, caller: Caller): boolean {
  return (caller.user.isAdmin || svc.config.projectCreators === 'all') && svc.siteMode.allowsChangesBy(caller.user);
}

/** registerHome adds GET /. */
export function registerHome(router: Router, svc: Services, ui: Renderer): void {
  router.on('GET', '/', (ctx) => {
    const caller = requirePageUser(svc, ctx.req, ctx.res);
    const projects = homeProjects(svc, caller);
    ui.page(ctx.req, ctx.res, 'pages/home', pageData(caller, 'Projects', {
      projects, canCreate: mayCreateProject(svc, caller), deleted: ctx.url.searchParams.get('deleted') === '1',
      // The app tiles and "My apps" (docs/apps.md), in their own partial.
      ...homeTiles(svc, caller.user), mine: myApps(svc, caller.user),
      // Session sharing (docs/sharing.md): instances shared with the caller, in their own partial.
      sharedWithMe: sharedWithMe(svc, ctx.req, caller),
    }));
  });
}
