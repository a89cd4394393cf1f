/**
 * siteadmin-images.ts: deleting and pruning images on the site-admin Docker page. Delete shows
 * what uses the image first and is refused while anything does (409, the users named); prune
 * previews the dangling, unused images it would remove, then removes exactly those that still
 * qualify (gateway/core/containers/images.ts). On the engine of the page's container host
 * (`?host=`, siteadmin-host.ts), counting only that host's users. Site admins only, CSRF on every POST.
 */
import type { ImageInfo } from '../../gateway/core/engine/engine.ts';
import { deleteImage, findImage, inUse, prunable, pruneImages, usedByText } from '../../gateway/core/containers/images.ts';
import type { ImageUse } from '../../gateway/core/containers/images.ts';
import { PorticoError, badRequest } from '../../gateway/core/errors.ts';
import { readForm } from '../../gateway/http/body.ts';
import { checkCsrf, requireWritable } from '../api/guard.ts';
import type { UiDeps } from './pages.ts';
import { pageData } from './pages.ts';
import { requireAdmin } from './siteadmin.ts';
import { fmtDate } from './container-view.ts';
import { hostScope, withQ } from './siteadmin-host.ts';
import type { HostScope } from './siteadmin-host.ts';

/** mb writes an image size as the Docker page does. */
export function mb(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

/** imageRow is one image as the Docker page's table and the confirmation show it. */
export function imageRow(u: ImageUse, scope: Pick<HostScope, 'q'> = { q: '' }) {
  const i = u.image;
  const shortId = i.id.replace(/^sha256:/, '').slice(0, 12);
  return {
    shortId, id: i.id, tags: i.tags, size: mb(i.size), created: fmtDate(i.createdAt),
    containers: u.containers.map((c) => ({ ...c, href: `/containers/${c.uuid}` })),
    templates: u.templates.map((t) => ({ ...t, href: t.projectUuid ? `/projects/${t.projectUuid}/templates/${t.uuid}` : `/templates/${t.uuid}` })),
    engineContainers: u.engineContainers,
    used: inUse(u), usedBy: usedByText(u), deleteHref: withQ(scope, `/siteadmin/images/${shortId}/delete`),
  };
}

const brief = (i: ImageInfo) => ({ shortId: i.id.replace(/^sha256:/, '').slice(0, 12), size: mb(i.size), created: fmtDate(i.createdAt) });

function imageId(raw: string): string {
  if (!/^(sha256:)?[0-9a-f]{12,64}$/.test(raw)) throw badRequest('an image id is 12 to 64 hexadecimal digits');
  return raw.replace(/^sha256:/, '');
}

/** registerSiteAdminImages adds the image delete confirmation and action, and the prune preview and action. */
export function registerSiteAdminImages(d: UiDeps): void {
  const { svc } = d;
  /** on is the page's host: its engine, and which records count there. */
  const on = (url: URL) => {
    const scope = hostScope(svc, url, '/siteadmin/docker');
    return { scope, deps: { store: svc.store, engine: scope.engine, onHost: scope.onHost } };
  };
  const hostData = (scope: HostScope) => ({ hq: scope.q, hostName: scope.host.name, hostBuiltin: scope.host.builtin });
  // A short id is matched by prefix against the engine's images, so the page links stay short.
  const resolve = async (deps: ReturnType<typeof on>['deps'], raw: string) => {
    const id = imageId(raw);
    const all = await deps.engine.listImages();
    const hits = all.filter((i) => i.id.replace(/^sha256:/, '').startsWith(id));
    if (hits.length > 1) throw badRequest(`image id ${id} is ambiguous: give more digits`);
    return findImage(deps, hits[0]?.id ?? id);
  };

  d.on('GET', '/siteadmin/images/:id/delete', async (ctx) => {
    const caller = requireAdmin(d, ctx.req, ctx.res);
    const { scope, deps } = on(ctx.url);
    const img = imageRow(await resolve(deps, ctx.params.id), scope);
    d.ui.page(ctx.req, ctx.res, 'pages/siteadmin-image', pageData(caller, `Delete image ${img.tags[0] ?? img.shortId}`, { tab: 'docker', mode: 'delete', img, ...hostData(scope) }));
  });

  d.on('POST', '/siteadmin/images/:id/delete', async (ctx) => {
    const caller = requireAdmin(d, ctx.req, ctx.res);
    const form = await readForm(ctx.req, svc.config.maxJsonBody);
    checkCsrf(caller, ctx.req, form.csrf_token ?? null);
    requireWritable(svc, caller.user);
    const { scope, deps } = on(ctx.url);
    const u = await resolve(deps, ctx.params.id);
    try {
      const gone = await deleteImage(deps, u.image.id);
      svc.logger.info('image deleted', { image: gone.id, tags: gone.tags, host: scope.host.name, by: caller.user.username });
      d.ui.page(ctx.req, ctx.res, 'pages/siteadmin-image', pageData(caller, 'Image deleted', {
        tab: 'docker', mode: 'deleted', img: imageRow(u, scope), ...hostData(scope),
        flash: { kind: 'ok', text: `Deleted image ${gone.tags.join(', ') || brief(gone).shortId} (${mb(gone.size)})${scope.host.builtin ? '' : ` on ${scope.host.name}`}.` },
      }));
    } catch (err) {
      if (!(err instanceof PorticoError) || err.status !== 409) throw err;
      d.ui.page(ctx.req, ctx.res, 'pages/siteadmin-image', pageData(caller, 'Image in use', {
        tab: 'docker', mode: 'delete', img: imageRow(await resolve(deps, ctx.params.id), scope), ...hostData(scope), flash: { kind: 'bad', text: `Not deleted: ${err.message}` },
      }), 409);
    }
  });

  d.on('GET', '/siteadmin/images/prune', async (ctx) => {
    const caller = requireAdmin(d, ctx.req, ctx.res);
    const { scope, deps } = on(ctx.url);
    const images = (await prunable(deps)).map(brief);
    d.ui.page(ctx.req, ctx.res, 'pages/siteadmin-image', pageData(caller, 'Prune images', { tab: 'docker', mode: 'prune', images, ...hostData(scope) }));
  });

  d.on('POST', '/siteadmin/images/prune', async (ctx) => {
    const caller = requireAdmin(d, ctx.req, ctx.res);
    const form = await readForm(ctx.req, svc.config.maxJsonBody);
    checkCsrf(caller, ctx.req, form.csrf_token ?? null);
    requireWritable(svc, caller.user);
    const { scope, deps } = on(ctx.url);
    const r = await pruneImages(deps);
    svc.logger.info('images pruned', { removed: r.removed.length, failed: r.failed.length, bytes: r.bytes, host: scope.host.name, by: caller.user.username });
    d.ui.page(ctx.req, ctx.res, 'pages/siteadmin-image', pageData(caller, 'Images pruned', {
      tab: 'docker', mode: 'pruned', images: r.removed.map(brief), failed: r.failed.map((f) => ({ ...brief(f.image), error: f.error })), ...hostData(scope),
      flash: { kind: r.failed.length ? 'bad' : 'ok', text: `Removed ${r.removed.length} dangling image(s)${scope.host.builtin ? '' : ` on ${scope.host.name}`}, ${mb(r.bytes)} freed${r.failed.length ? `; ${r.failed.length} could not be removed` : ''}.` },
    }), r.failed.length ? 409 : 200);
  });
}
