/**
 * index.ts: the UI surface: static files and every page module, sharing one renderer, one live hub
 * (numbered state changes for the event streams) and one image-pull tracker.
 */
import type { Services } from '../../gateway/core/services.ts';
import { NotFoundError } from '../../gateway/core/errors.ts';
import type { Router } from '../../gateway/http/router.ts';
import { createRenderer } from './render.ts';
import { registerStatic } from './static.ts';
import { registerHome } from './home.ts';
import { registerIdentityUi } from './identity.ts';
import type { UiDeps } from './pages.ts';
import { htmlRoute, sendPageError, wantsHtml } from './pages.ts';
import { createLiveHub } from './live-hub.ts';
import { createImagePulls } from './image-pulls.ts';
import { registerProjects } from './projects.ts';
import { registerProjectSettings } from './project-settings.ts';
import { registerContainerList } from './container-list.ts';
import { registerContainerForm } from './container-form.ts';
import { registerContainerDetail } from './container-detail.ts';
import { registerContainerStats } from './container-stats.ts';
import { registerContainerLog } from './container-log-view.ts';
import { registerContainerActions } from './container-actions.ts';
import { registerLiveStreams } from './live-stream.ts';
import { registerSiteAdmin } from './siteadmin.ts';
import { registerSiteAdminDocker } from './siteadmin-docker.ts';
import { registerSiteAdminVolumes } from './siteadmin-volumes.ts';
import { registerSiteAdminImageHosts } from './siteadmin-image-hosts.ts';
import { registerSiteAdminImages } from './siteadmin-images.ts';
import { registerSiteAdminHosts } from './siteadmin-hosts.ts';
import { registerTemplatePages } from './template-pages.ts';
import { registerFilePages } from './file-pages.ts';
import { registerContainerPrefill } from './container-pickers.ts';
import { registerSiteAdminBulk } from './siteadmin-bulk.ts';
import { registerKioscRedirects } from './kiosc-redirects.ts';
import { registerSharePages } from './shares.ts';
import { registerAppPages } from './apps-pages.ts';
import { registerAppAdmin } from './apps-admin.ts';
import { createBranding } from '../../gateway/core/branding.ts';
import { registerBranding } from './branding.ts';
import { registerSharing } from './sharing.ts';

/** registerUi adds every UI route. */
export function registerUi(router: Router, svc: Services): void {
  const branding = createBranding(svc.store.settings);
  const ui = createRenderer({ site: (data, req) => ({
    readOnly: svc.siteMode.readOnly(), embeddedFiles: svc.config.embeddedFiles, brand: branding.current(),
    // The header's project switcher: the projects the caller is a member of (one indexed query).
    switcher: data.caller && !ui.isFragmentRequest(req) ? svc.store.projects.ofUser(data.caller.user.id).filter((p) => !p.deletingAt).slice(0, 50) : null,
  }) });
  const d: UiDeps = {
    svc, ui,
    hub: createLiveHub(svc.bus),
    // A pulled image that carries app labels joins the catalogue (docs/apps.md).
    pulls: createImagePulls(svc.engine, svc.imageHosts.authFor, (ref) => { svc.apps.catalogue.scanIfApp(ref).catch((err) => svc.logger.warn('reading the labels of a pulled image failed', { image: ref, err })); }),
    on: (method, path, handler) => { router.on(method, path, htmlRoute(svc, ui, handler)); },
  };
  registerStatic(router);
  registerHome(router, svc, ui);
  registerIdentityUi(router, svc, ui);
  registerProjects(d);
  registerProjectSettings(d);
  registerTemplatePages(d.on, svc, ui);
  registerFilePages(d.on, svc, ui);
  registerContainerPrefill(d.on, svc, ui);
  registerContainerList(d);
  // The form routes come before the generic POST /containers/:uuid/:action.
  registerContainerForm(d);
  registerContainerDetail(d);
  registerContainerStats(d);
  registerContainerLog(d);
  registerLiveStreams(d);
  registerContainerActions(d);
  registerSiteAdmin(d);
  registerSiteAdminDocker(d);
  registerSiteAdminVolumes(d);
  registerSiteAdminImageHosts(d);
  registerSiteAdminImages(d);
  registerSiteAdminHosts(d);
  registerSiteAdminBulk(d);
  // The catalogue admin's /apps/admin routes come before /apps/:app/open and the public link.
  registerAppAdmin(d);
  registerAppPages(d);
  registerKioscRedirects(d);
  registerBranding(d.on, svc, ui, branding);
  registerSharing(d);
  registerSharePages(d);
  // Browsers get an HTML 404 page for unknown paths; API clients keep the JSON error.
  router.fallback((ctx) => {
    const err = new NotFoundError('E_NOT_FOUND', `no such page: ${ctx.url.pathname}`);
    if (!wantsHtml(ctx.req, ctx.url.pathname)) throw err;
    sendPageError(svc, ui, ctx.req, ctx.res, err);
  });
}
