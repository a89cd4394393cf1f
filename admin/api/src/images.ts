/**
 * images.ts (SRC API): request-image and get-images. Requesting an image is a site admin's pull
 * through Portico's pull path (the image host's credentials for its registry, masked in errors),
 * after which the image is approved: registered in the app catalogue from its labels, under the
 * slug that create-app's `image` names. get-images lists the catalogue's apps the caller may
 * create (a site admin: all) in `docker images` rows plus CreatedContainerCount and App.
 */
import { PorticoError, badRequest, forbidden } from '../../../gateway/core/errors.ts';
import type { Services } from '../../../gateway/core/services.ts';
import type { Router } from '../../../gateway/http/router.ts';
import { sendJson } from '../../../gateway/http/respond.ts';
import { maskCredentials } from '../../../gateway/core/image-hosts/service.ts';
import type { SrcApps } from '../../../gateway/core/apps/src-names.ts';
import { parseImageRef } from '../ops.ts';
import { SRC_PREFIX, optionalParam, requiredParam, srcCaller } from './context.ts';
import { imageRow } from './docker-format.ts';

/** PULL_TIMEOUT_MS bounds a request-image's pull (the SRC client waits for the answer). */
const PULL_TIMEOUT_MS = 15 * 60_000;

/** registerSrcImages adds request-image and get-images. */
export function registerSrcImages(router: Router, svc: Services, apps: SrcApps): void {
  const { engine, store } = svc;

  router.on('POST', `${SRC_PREFIX}/request-image`, async (ctx) => {
    const user = srcCaller(svc, ctx, true);
    if (!user.isAdmin) throw forbidden('only site administrators pull and approve images: ask one to request it');
    const input = requiredParam(ctx, 'image', 'the image to pull, repository[:tag]');
    const registry = optionalParam(ctx, 'registry');
    if (/^-/.test(input)) throw badRequest('an image reference cannot start with "-"');
    const ref = registry !== null ? svc.imageHosts.qualify(parseImageRef(input), registry) : parseImageRef(input);
    const creds = svc.imageHosts.authFor(ref);
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), PULL_TIMEOUT_MS);
    ctx.res.on('close', () => { if (!ctx.res.writableFinished) abort.abort(); });
    svc.logger.info('image pull requested', { image: ref, user: user.username, imageHost: creds?.host ?? null, via: 'src' });
    try {
      await engine.pullImage(ref, () => {}, abort.signal, creds?.auth);
    } catch (err) {
      const raw = err instanceof PorticoError ? err : new PorticoError('E_IMAGE_PULL_FAILED', 502, (err as Error).message);
      throw creds ? new PorticoError(raw.code, raw.status, `${maskCredentials(raw.message, creds.auth)} (sent the credentials of image host ${creds.host})`) : raw;
    } finally {
      clearTimeout(timer);
    }
    const scanned = await svc.apps.catalogue.scan(ref);
    sendJson(ctx.res, scanned.created ? 201 : 200, {
      image: ref, app: scanned.app.slug, status: 'pulled', created: scanned.created, label_problems: scanned.problems,
    });
  });

  router.on('GET', `${SRC_PREFIX}/get-images`, async (ctx) => {
    const user = srcCaller(svc, ctx);
    const catalogue = user.isAdmin ? store.apps.all() : [...new Map(svc.apps.grants.choicesFor(user).map((ch) => [ch.app.id, ch.app])).values()];
    const counts = new Map<string, number>();
    for (const a of apps.all(user)) counts.set(a.image, (counts.get(a.image) ?? 0) + 1);
    const local = await engine.listImages();
    const info = (ref: string) => local.find((i) => i.tags.includes(ref)) ?? null;
    sendJson(ctx.res, 200, catalogue.map((a) => imageRow(a.image, a.slug, info(a.image), counts.get(a.slug) ?? 0)));
  });
}
