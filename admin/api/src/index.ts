/**
 * index.ts (SRC API): the SRC Container API (issue 16 item 6; docs/src-api.md) on top of per-user
 * app instances, at its document's paths under /src-api: /src-api/<FACILITY_ID>/<endpoint>, the
 * facility being PORTICO_SRC_FACILITY. The base URL answers the plain-text outline of the
 * endpoints, as the SRC's does. Token auth as the rest of the API; a user acts on their own apps,
 * a site admin on everyone's; images and nodes are a site admin's.
 */
import type { Services } from '../../../gateway/core/services.ts';
import type { Router } from '../../../gateway/http/router.ts';
import { createSrcApps } from '../../../gateway/core/apps/src-names.ts';
import { SRC_PREFIX, srcCaller } from './context.ts';
import { registerSrcAppActions } from './app-actions.ts';
import { registerSrcAppQueries } from './app-queries.ts';
import { registerSrcImages } from './images.ts';
import { registerSrcNodes } from './nodes.ts';

/** SRC_OUTLINE is the plain-text outline served at the base URL: one endpoint a line. */
export const SRC_OUTLINE = [
  'POST start-app?name=IMAGE--USER', 'POST stop-app?name=IMAGE--USER', 'POST pause-app?name=IMAGE--USER',
  'POST unpause-app?name=IMAGE--USER', 'POST restart-app?name=IMAGE--USER', 'POST kill-app?name=IMAGE--USER',
  'POST create-app?image=IMAGE&user=USER', 'POST delete-app?name=IMAGE--USER', 'POST hard-reset-app?name=IMAGE--USER',
  'GET get-users', 'GET get-app-names', 'GET get-app-status[?name=IMAGE--USER]', 'GET get-app-stats[?name=IMAGE--USER]',
  'GET get-app-info?name=IMAGE--USER', 'GET get-node-names', 'GET get-node-status[?hostname=HOSTNAME]',
  'GET get-node-info?hostname=HOSTNAME', 'GET get-uptime-summary?name=IMAGE--USER&duration=hour|day|week|month',
  'POST request-image?image=IMAGE[&registry=IMAGE_HOST]', 'GET get-images',
];

/** registerSrcApi adds the SRC Container API's routes. */
export function registerSrcApi(router: Router, svc: Services): void {
  const apps = createSrcApps(svc.store);
  router.on('GET', SRC_PREFIX, (ctx) => {
    srcCaller(svc, ctx);
    const base = `/src-api/${svc.config.srcFacility}/`;
    const body = `SRC Container API, facility ${svc.config.srcFacility} (Portico; docs/src-api.md)\n\n${SRC_OUTLINE.map((l) => l.replace(' ', ` ${base}`)).join('\n')}\n`;
    ctx.res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' });
    ctx.res.end(body);
  });
  registerSrcAppActions(router, svc, apps);
  registerSrcAppQueries(router, svc, apps);
  registerSrcNodes(router, svc);
  registerSrcImages(router, svc, apps);
}
