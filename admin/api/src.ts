/**
 * src.ts: the SRC Container API (issue 16 item 6; docs/src-api.md) on top of per-user app
 * instances: every endpoint of the SRC document under /src/<facility>/ (the facility id is
 * PORTICO_SRC_FACILITY), with its query parameters, its names (IMAGE--USER: the catalogue app's
 * slug and the user's name, which is the instance's title) and the Docker CLI's JSON shapes. Solo
 * mode: created apps are not started; node endpoints describe the one engine. Token auth as the
 * rest of the API. Site admins act on every app; other users only on their own (USER is them).
 */
import { NotFoundError, PorticoError, badRequest, forbidden } from '../../gateway/core/errors.ts';
import type { Services } from '../../gateway/core/services.ts';
import type { Container, ContainerAction, User } from '../../gateway/core/types.ts';
import type { ContainerStats } from '../../gateway/core/engine/engine.ts';
import { UPTIME_DURATIONS, uptimeRaw } from '../../gateway/core/containers/uptime.ts';
import type { UptimeDuration } from '../../gateway/core/containers/uptime.ts';
import { maskInspect } from '../../gateway/core/containers/inspect-mask.ts';
import { sendJson } from '../../gateway/http/respond.ts';
import type { Ctx, Router } from '../../gateway/http/router.ts';
import { requireCaller, requireWritable } from './guard.ts';
import { parseImageRef } from './ops.ts';
import { DEFAULT_POLICY, policyKey } from '../../gateway/core/apps/policy.ts';
import { imageRows, nodeInfo, nodeStatus, psRow, soloNode, statsRow } from './src-format.ts';

/** SRC_ACTIONS maps the SRC's POST endpoints on an app to Portico's actions. */
const SRC_ACTIONS: Record<string, ContainerAction> = {
  'start-app': 'start', 'stop-app': 'stop', 'pause-app': 'pause', 'unpause-app': 'unpause',
  'restart-app': 'restart', 'kill-app': 'kill', 'delete-app': 'delete', 'hard-reset-app': 'reset',
};

/** SRC_NAME is an SRC name part: letters, digits, '-' and '_'; a user name has no double dash and does not start with one. */
const PART = /^[A-Za-z0-9_-]{1,150}$/;

/** parseAppName splits IMAGE--USER at its last double dash (a user name holds none). */
export function parseAppName(name: string): { image: string; user: string } | null {
  const at = name.lastIndexOf('--');
  if (at <= 0) return null;
  const image = name.slice(0, at);
  const user = name.slice(at + 2);
  if (!PART.test(image) || !PART.test(user) || user.startsWith('-') || user.includes('--')) return null;
  return { image, user };
}

/** registerSrcApi adds the SRC Container API's endpoints. */
export function registerSrcApi(router: Router, svc: Services): void {
  const { store, engine, config } = svc;
  const base = (p: string) => `/src/:facility/${p}`;

  function begin(ctx: Ctx): User {
    const caller = requireCaller(svc, ctx.req);
    if (ctx.params.facility !== config.srcFacility) throw new NotFoundError('E_NOT_FOUND', `unknown facility ${JSON.stringify(ctx.params.facility)}: this site is ${JSON.stringify(config.srcFacility)}`);
    return caller.user;
  }

  function param(ctx: Ctx, name: string): string {
    const v = ctx.url.searchParams.get(name);
    if (v === null || v === '') throw badRequest(`the query parameter ${name} is required`);
    return v;
  }

  /** apps lists the instances the caller may see, by SRC name. */
  function apps(user: User): Container[] {
    const rows = user.isAdmin ? store.apps.allInstances(100_000, 0) : store.apps.instancesOfUser(user.id);
    // An instance under a grant's non-default policy is titled IMAGE--USER [policy]: no SRC name, not listed.
    return rows.map((r) => r.container).filter((c) => c.lastAction !== 'delete' && c.publicSession === null && parseAppName(c.title) !== null);
  }

  function app(user: User, name: string): Container {
    if (!parseAppName(name)) throw badRequest(`invalid app name ${JSON.stringify(name)}: IMAGE--USER (letters, digits, '-', '_'; the user without a double dash)`);
    const c = apps(user).find((x) => x.title === name);
    if (!c) throw new NotFoundError('E_CONTAINER_NOT_FOUND', `no app ${JSON.stringify(name)} on facility ${config.srcFacility}`);
    return c;
  }

  async function stats(c: Container): Promise<ContainerStats | null> {
    if (!c.dockerId || (c.state !== 'running' && c.state !== 'paused')) return null;
    return engine.stats(c.dockerId).catch(() => null);
  }

  async function node(): Promise<ReturnType<typeof soloNode>> {
    if (!engine.engineInfo) throw new PorticoError('E_NOT_IMPLEMENTED', 501, `the ${engine.kind} engine cannot describe its nodes`);
    return soloNode(await engine.engineInfo());
  }

  for (const [path, action] of Object.entries(SRC_ACTIONS)) {
    router.on('POST', base(path), async (ctx) => {
      const user = begin(ctx);
      requireWritable(svc, user);
      const c = app(user, param(ctx, 'name'));
      // The SRC's rule: a paused app is unpaused, not started.
      if (action === 'start' && c.state === 'paused') throw new PorticoError('E_INVALID_STATE', 409, `${c.title} is paused: unpause it (unpause-app) instead`);
      const done = await svc.containers.perform(c.id, action, user.username);
      sendJson(ctx.res, 200, { name: c.title, action: path, state: action === 'delete' ? 'deleted' : done.state });
    });
  }

  router.on('POST', base('create-app'), (ctx) => {
    const caller = begin(ctx);
    requireWritable(svc, caller);
    const image = param(ctx, 'image');
    const username = param(ctx, 'user');
    const name = `${image}--${username}`;
    if (!parseAppName(name) || parseAppName(name)!.user !== username) throw badRequest(`invalid image or user name: ${JSON.stringify(name)} is not IMAGE--USER (letters, digits, '-', '_'; the user without a double dash or a leading dash)`);
    if (!caller.isAdmin && username !== caller.username) throw forbidden('only site administrators create apps for other users');
    const target = store.users.byUsername(username);
    if (!target || !target.active) throw new PorticoError('E_USER_NOT_FOUND', 404, `no active user ${JSON.stringify(username)}`);
    const a = store.apps.bySlug(image);
    // "The image must have already been requested and approved": approved is in the catalogue.
    if (!a || !a.enabled) throw new NotFoundError('E_APP_NOT_FOUND', `no approved image ${JSON.stringify(image)}: request it (request-image), then a site admin adds it to the catalogue`);
    // SRC names one app per (image, user): the grant's default policy (no home, view or volume) when the user has several.
    const choices = svc.apps.grants.choicesFor(target).filter((ch) => ch.app.id === a.id);
    const choice = choices.find((ch) => ch.policyKey === policyKey(DEFAULT_POLICY)) ?? choices[0];
    if (!choice) throw forbidden(`${image} is not granted to ${username}`);
    if (apps(caller).some((c) => c.title === name)) throw new PorticoError('E_CONFLICT', 409, `the app ${name} already exists`);
    const { container } = svc.apps.instances.open(target, choice);
    sendJson(ctx.res, 201, { name: container.title, state: container.state, link: `/containers/proxy/${container.uuid}/` });
  });

  router.on('GET', base('get-users'), (ctx) => {
    const user = begin(ctx);
    const names = new Set(apps(user).map((c) => parseAppName(c.title)?.user).filter((u): u is string => !!u));
    sendJson(ctx.res, 200, [...names].sort());
  });

  router.on('GET', base('get-app-names'), (ctx) => {
    const user = begin(ctx);
    sendJson(ctx.res, 200, apps(user).map((c) => c.title));
  });

  router.on('GET', base('get-app-status'), async (ctx) => {
    const user = begin(ctx);
    const name = ctx.url.searchParams.get('name');
    const row = async (c: Container) => {
      const raw = c.dockerId ? await engine.inspectRaw(c.dockerId) : null;
      return raw ? psRow(raw) : { ID: '', Image: `${c.repository}:${c.tag}`, Names: c.title, State: 'created', Status: 'Created (not yet made on the engine)' };
    };
    if (name) { sendJson(ctx.res, 200, await row(app(user, name))); return; }
    sendJson(ctx.res, 200, await Promise.all(apps(user).map(row)));
  });

  router.on('GET', base('get-app-stats'), async (ctx) => {
    const user = begin(ctx);
    const name = ctx.url.searchParams.get('name');
    const row = async (c: Container) => statsRow(c.dockerId ?? '', c.dockerName ?? c.title, await stats(c));
    if (name) { sendJson(ctx.res, 200, await row(app(user, name))); return; }
    sendJson(ctx.res, 200, await Promise.all(apps(user).map(row)));
  });

  router.on('GET', base('get-app-info'), async (ctx) => {
    const user = begin(ctx);
    const c = app(user, param(ctx, 'name'));
    const raw = c.dockerId ? await engine.inspectRaw(c.dockerId) : null;
    if (!raw) throw new PorticoError('E_INVALID_STATE', 409, `${c.title} has no container on the engine yet: start it first`);
    sendJson(ctx.res, 200, maskInspect(raw, c));
  });

  router.on('GET', base('get-node-names'), async (ctx) => {
    begin(ctx);
    sendJson(ctx.res, 200, [(await node()).hostname]);
  });

  router.on('GET', base('get-node-status'), async (ctx) => {
    begin(ctx);
    const n = await node();
    const hostname = ctx.url.searchParams.get('hostname');
    if (!hostname) { sendJson(ctx.res, 200, [nodeStatus(n)]); return; }
    if (hostname !== n.hostname) throw new NotFoundError('E_NOT_FOUND', `no node ${JSON.stringify(hostname)}`);
    sendJson(ctx.res, 200, nodeStatus(n));
  });

  router.on('GET', base('get-node-info'), async (ctx) => {
    begin(ctx);
    const n = await node();
    const hostname = param(ctx, 'hostname');
    if (hostname !== n.hostname) throw new NotFoundError('E_NOT_FOUND', `no node ${JSON.stringify(hostname)}`);
    sendJson(ctx.res, 200, nodeInfo(n));
  });

  router.on('GET', base('get-uptime-summary'), (ctx) => {
    const user = begin(ctx);
    const c = app(user, param(ctx, 'name'));
    const duration = param(ctx, 'duration') as UptimeDuration;
    if (!Object.hasOwn(UPTIME_DURATIONS, duration)) throw badRequest('duration must be "hour", "day", "week", or "month"');
    sendJson(ctx.res, 200, uptimeRaw(store, c.id, duration));
  });

  router.on('POST', base('request-image'), async (ctx) => {
    const user = begin(ctx);
    if (!user.isAdmin) throw forbidden('only site administrators pull images');
    requireWritable(svc, user);
    const ref = parseImageRef(param(ctx, 'image'));
    try {
      await engine.pullImage(ref, () => {});
    } catch (err) {
      throw err instanceof PorticoError ? err : new PorticoError('E_IMAGE_PULL_FAILED', 502, (err as Error).message);
    }
    svc.audit.record({ actor: user.username, action: 'image.pull', object: { type: 'site', title: ref }, detail: { via: 'src' } });
    sendJson(ctx.res, 200, { image: ref, status: 'pulled', next: 'a site admin adds it to the catalogue (portico app scan) to approve it' });
  });

  router.on('GET', base('get-images'), async (ctx) => {
    const user = begin(ctx);
    if (!user.isAdmin) throw forbidden('only site administrators list images');
    const counts = new Map<string, number>();
    for (const c of store.containers.all()) if (c.imageId) counts.set(c.imageId, (counts.get(c.imageId) ?? 0) + 1);
    const images = await engine.listImages();
    sendJson(ctx.res, 200, images.flatMap((img) => imageRows(img, counts.get(img.id) ?? 0)));
  });
}
