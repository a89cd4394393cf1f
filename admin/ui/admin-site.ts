/**
 * admin-site.ts: the site administration overview (/admin) with the read-only switch, and the
 * user and project pages it links to (admin-users.ts, admin-projects.ts). Site admins only.
 */
import type { Services } from '../../gateway/core/services.ts';
import type { Router } from '../../gateway/http/router.ts';
import { readPageForm, requireSiteAdmin } from './forms.ts';
import { pageData, redirect, requirePageUser } from './pages.ts';
import type { Renderer } from './render.ts';

/** registerAdminSite adds GET /admin and POST /admin/read-only. */
export function registerAdminSite(router: Router, svc: Services, ui: Renderer): void {
  router.on('GET', '/admin', (ctx) => {
    const caller = requirePageUser(svc, ctx.req, ctx.res);
    requireSiteAdmin(caller);
    ui.page(ctx.req, ctx.res, 'pages/admin-site', pageData(caller, 'Users and projects', {
      readOnly: svc.siteMode.readOnly(), users: svc.store.users.count(), projects: svc.store.projects.all().length,
    }));
  });

  router.on('POST', '/admin/read-only', async (ctx) => {
    const { caller, form } = await readPageForm(svc, ctx);
    requireSiteAdmin(caller);
    const on = form.read_only === 'on';
    svc.siteMode.setReadOnly(on);
    svc.logger.info('read-only mode switched', { on, by: caller.user.username });
    redirect(ctx.req, ctx.res, '/admin');
  });
}
