/**
 * admin-sodar.ts: the site-admin page of the SODAR sync (/admin/sodar): where the site syncs from
 * (secret masked), the last sync's time, result and problems, and a button that syncs now.
 * Site admins only; the button is a POST with the CSRF token.
 */
import type { Services } from '../../gateway/core/services.ts';
import type { Router } from '../../gateway/http/router.ts';
import { readPageForm, requireSiteAdmin } from './forms.ts';
import { pageData, redirect, requirePageUser } from './pages.ts';
import type { Renderer } from './render.ts';
import { fmtDate } from './container-view.ts';

/** registerAdminSodar adds GET /admin/sodar and POST /admin/sodar/sync. */
export function registerAdminSodar(router: Router, svc: Services, ui: Renderer): void {
  router.on('GET', '/admin/sodar', (ctx) => {
    const caller = requirePageUser(svc, ctx.req, ctx.res);
    requireSiteAdmin(caller);
    const c = svc.config.sodar;
    const last = svc.sodar.last();
    ui.page(ctx.req, ctx.res, 'pages/admin-sodar', pageData(caller, 'SODAR sync', {
      active: svc.sodar.active, sourceUrl: c.sourceUrl ?? '', secretSet: c.sourceSecret !== null,
      periodic: svc.sodar.active && c.syncEnabled, interval: c.intervalMinutes, allowLocalUsers: c.allowLocalUsers, defaultAdmin: c.defaultAdmin,
      synced: svc.store.sodar.syncedProjects().length,
      last: last ? { ...last, when: fmtDate(last.at, true), problems: last.report?.problems ?? [] } : null,
    }));
  });

  router.on('POST', '/admin/sodar/sync', async (ctx) => {
    const { caller } = await readPageForm(svc, ctx);
    requireSiteAdmin(caller);
    await svc.sodar.run(caller.user.username);
    redirect(ctx.req, ctx.res, '/admin/sodar');
  });
}
