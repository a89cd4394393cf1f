/**
 * app-queries.ts (SRC API): the GET endpoints on apps: get-users, get-app-names, get-app-status
 * (docker ps), get-app-stats (docker stats), get-app-info (docker inspect, secrets masked) and
 * get-uptime-summary ({time: running} from Portico's uptime samples). A user sees their own apps;
 * a site admin everyone's. Without `name`, status and stats list every app the caller sees.
 */
import { PorticoError, badRequest } from '../../../gateway/core/errors.ts';
import type { Services } from '../../../gateway/core/services.ts';
import type { Router } from '../../../gateway/http/router.ts';
import { sendJson } from '../../../gateway/http/respond.ts';
import { UPTIME_DURATIONS, uptimeRaw } from '../../../gateway/core/containers/uptime.ts';
import type { UptimeDuration } from '../../../gateway/core/containers/uptime.ts';
import { maskInspect } from '../../../gateway/core/containers/inspect-mask.ts';
import type { SrcApp, SrcApps } from '../../../gateway/core/apps/src-names.ts';
import { SRC_PREFIX, optionalParam, requiredParam, srcCaller } from './context.ts';
import { psRow, psRowUnmade, statsRow } from './docker-format.ts';

const NAME = 'the app\'s name, IMAGE--USER';

/** registerSrcAppQueries adds the SRC's GET endpoints on apps. */
export function registerSrcAppQueries(router: Router, svc: Services, apps: SrcApps): void {
  const { engine, store } = svc;

  async function status(a: SrcApp): Promise<Record<string, string>> {
    const c = a.container;
    const raw = c.dockerId ? await engine.inspectRaw(c.dockerId) : null;
    return raw ? psRow(raw, a.name) : psRowUnmade(a.name, `${c.repository}:${c.tag}`, c.createdAt);
  }

  async function stats(a: SrcApp): Promise<Record<string, string>> {
    const c = a.container;
    const live = c.dockerId && (c.state === 'running' || c.state === 'paused') ? await engine.stats(c.dockerId).catch(() => null) : null;
    return statsRow(c.dockerId ?? '', a.name, live);
  }

  router.on('GET', `${SRC_PREFIX}/get-users`, (ctx) => {
    const user = srcCaller(svc, ctx);
    sendJson(ctx.res, 200, [...new Set(apps.all(user).map((a) => a.user))].sort());
  });

  router.on('GET', `${SRC_PREFIX}/get-app-names`, (ctx) => {
    const user = srcCaller(svc, ctx);
    sendJson(ctx.res, 200, apps.all(user).map((a) => a.name));
  });

  router.on('GET', `${SRC_PREFIX}/get-app-status`, async (ctx) => {
    const user = srcCaller(svc, ctx);
    const name = optionalParam(ctx, 'name');
    if (name !== null) { sendJson(ctx.res, 200, await status(apps.find(user, name))); return; }
    sendJson(ctx.res, 200, await Promise.all(apps.all(user).map(status)));
  });

  router.on('GET', `${SRC_PREFIX}/get-app-stats`, async (ctx) => {
    const user = srcCaller(svc, ctx);
    const name = optionalParam(ctx, 'name');
    if (name !== null) { sendJson(ctx.res, 200, await stats(apps.find(user, name))); return; }
    sendJson(ctx.res, 200, await Promise.all(apps.all(user).map(stats)));
  });

  router.on('GET', `${SRC_PREFIX}/get-app-info`, async (ctx) => {
    const user = srcCaller(svc, ctx);
    const a = apps.find(user, requiredParam(ctx, 'name', NAME));
    const raw = a.container.dockerId ? await engine.inspectRaw(a.container.dockerId) : null;
    // Portico makes an instance's engine container at its first start.
    if (!raw) throw new PorticoError('E_INVALID_STATE', 409, `${a.name} has no container on the engine yet: it is made at its first start (start-app)`);
    sendJson(ctx.res, 200, maskInspect(raw, a.container));
  });

  router.on('GET', `${SRC_PREFIX}/get-uptime-summary`, (ctx) => {
    const user = srcCaller(svc, ctx);
    const a = apps.find(user, requiredParam(ctx, 'name', NAME));
    const duration = requiredParam(ctx, 'duration', '"hour", "day", "week" or "month"');
    if (!Object.hasOwn(UPTIME_DURATIONS, duration)) throw badRequest(`duration must be "hour", "day", "week" or "month", got ${JSON.stringify(duration.slice(0, 40))}`);
    // The SRC's keys are seconds-precise times without a zone (here UTC).
    const out: Record<string, boolean> = {};
    for (const [at, up] of Object.entries(uptimeRaw(store, a.container.id, duration as UptimeDuration))) out[at.slice(0, 19)] = up;
    sendJson(ctx.res, 200, out);
  });
}
