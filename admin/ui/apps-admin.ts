/**
 * apps-admin.ts: the catalogue for site admins (docs/apps.md): every app with its label problems,
 * a scan of the local images, an app defined by hand, an app's overrides and flags (public,
 * enabled), and its grants (to a user or a project, with a policy) with revoke.
 */
import { PorticoError, ValidationError } from '../../gateway/core/errors.ts';
import { describePolicy } from '../../gateway/core/apps/policy.ts';
import type { Ctx } from '../../gateway/http/router.ts';
import type { Caller } from '../../gateway/core/auth/authenticate.ts';
import { readPageForm, requireSiteAdmin } from './forms.ts';
import type { UiDeps } from './pages.ts';
import { pageData, redirect, requirePageUser } from './pages.ts';

const DONE: Record<string, string> = {
  scanned: 'Images scanned.', defined: 'App added.', saved: 'App saved.', granted: 'Granted.', revoked: 'Grant revoked.',
};

/** registerAppAdmin adds the catalogue pages for site admins. */
export function registerAppAdmin(d: UiDeps): void {
  const { svc, ui } = d;
  const { store } = svc;

  function admin(ctx: Ctx): Caller {
    const caller = requirePageUser(svc, ctx.req, ctx.res);
    requireSiteAdmin(caller);
    return caller;
  }
  const notice = (ctx: Ctx) => { const k = ctx.url.searchParams.get('done') ?? ''; return Object.hasOwn(DONE, k) ? DONE[k] : null; };

  d.on('GET', '/apps/admin', (ctx) => {
    const caller = admin(ctx);
    const apps = store.apps.all().map((a) => ({
      uuid: a.uuid, slug: a.slug, title: a.title, image: a.image, source: a.source, public: a.public, enabled: a.enabled,
      problems: a.labelProblems, iconUrl: a.iconType ? `/api/apps/${a.uuid}/icon` : null,
    }));
    ui.page(ctx.req, ctx.res, 'pages/apps-admin', pageData(caller, 'App catalogue', { apps, instances: store.apps.instanceCount(), notice: notice(ctx), volumes: svc.config.apps.volumes }));
  });

  d.on('POST', '/apps/admin/scan', async (ctx) => {
    const { caller, form } = await readPageForm(svc, ctx);
    requireSiteAdmin(caller);
    if (form.image) await svc.apps.catalogue.scan(form.image);
    else await svc.apps.catalogue.scanAll();
    redirect(ctx.req, ctx.res, '/apps/admin?done=scanned');
  });

  d.on('POST', '/apps/admin/define', async (ctx) => {
    const { caller, form } = await readPageForm(svc, ctx);
    requireSiteAdmin(caller);
    const app = await svc.apps.catalogue.define({ image: form.image, ...(form.title ? { title: form.title } : {}), ...(form.port ? { port: form.port } : {}) });
    redirect(ctx.req, ctx.res, `/apps/admin/${app.uuid}?done=defined`);
  });

  d.on('GET', '/apps/admin/:app', (ctx) => {
    const caller = admin(ctx);
    const app = svc.apps.catalogue.find(ctx.params.app);
    const grants = store.apps.grantsOfApp(app.id).map((g) => ({ uuid: g.uuid, to: g.username ? `user ${g.username}` : `project ${g.projectTitle}`, policy: describePolicy(g.policy), by: g.createdBy }));
    ui.page(ctx.req, ctx.res, 'pages/apps-admin-app', pageData(caller, app.title, {
      app, env: JSON.stringify(app.settings.env), grants, notice: notice(ctx), volumes: svc.config.apps.volumes,
      instances: store.apps.instancesOfApp(app.id).length,
    }));
  });

  d.on('POST', '/apps/admin/:app', async (ctx) => {
    const { caller, form } = await readPageForm(svc, ctx);
    requireSiteAdmin(caller);
    const app = svc.apps.catalogue.find(ctx.params.app);
    // Empty fields go back to what the labels say.
    svc.apps.catalogue.update(app, {
      title: form.title === app.labelTitle ? null : form.title || null,
      description: form.description === app.labelDescription ? null : form.description || null,
      port: form.port && Number(form.port) !== app.labelSettings.port ? form.port : null,
      path: form.path !== undefined && form.path !== app.labelSettings.path ? form.path : null,
      readiness_path: form.readiness_path !== undefined && form.readiness_path !== app.labelSettings.readinessPath ? form.readiness_path : null,
      env: form.env && form.env !== JSON.stringify(app.labelSettings.env) ? form.env : null,
      public: form.public === 'on', enabled: form.enabled === 'on',
    });
    redirect(ctx.req, ctx.res, `/apps/admin/${app.uuid}?done=saved`);
  });

  d.on('POST', '/apps/admin/:app/grants', async (ctx) => {
    const { caller, form } = await readPageForm(svc, ctx);
    requireSiteAdmin(caller);
    const app = svc.apps.catalogue.find(ctx.params.app);
    const to = form.kind === 'project' ? { project: form.grantee } : { user: form.grantee };
    if (!form.grantee) throw new ValidationError({ grantee: 'name a user or a project' });
    svc.apps.grants.grant(app, to, { allow_home: form.allow_home, allow_view: form.allow_view, allow_env: form.allow_env, volume: form.volume || null }, caller.user.username);
    redirect(ctx.req, ctx.res, `/apps/admin/${app.uuid}?done=granted`);
  });

  d.on('POST', '/apps/admin/:app/grants/:grant/revoke', async (ctx) => {
    const { caller } = await readPageForm(svc, ctx);
    requireSiteAdmin(caller);
    const app = svc.apps.catalogue.find(ctx.params.app);
    const g = store.apps.grantByUuid(ctx.params.grant);
    if (!g || g.appId !== app.id) throw new PorticoError('E_NOT_FOUND', 404, 'no such grant');
    svc.apps.grants.revoke(g.uuid);
    redirect(ctx.req, ctx.res, `/apps/admin/${app.uuid}?done=revoked`);
  });
}
