/**
 * apps.ts: the app platform's REST API (docs/apps.md). Token auth as the rest; the catalogue and
 * the grants are a site admin's, every user lists and opens what is granted to them, and an
 * instance's owner (or a site admin) acts on it:
 *   GET    /api/apps                         the caller's choices (site admins: ?all=1 for the whole catalogue)
 *   POST   /api/apps                         define an app (site admins)
 *   POST   /api/apps/scan                    read one image's labels ({image}) or every local image's ({})
 *   GET    /api/apps/:app                    one app (UUID or slug)
 *   PATCH  /api/apps/:app                    override fields, public, enabled (site admins)
 *   DELETE /api/apps/:app                    remove an app without instances (site admins)
 *   GET    /api/apps/:app/icon               its icon (PNG, JPEG or SVG, with safe headers)
 *   GET    /api/apps/:app/grants             its grants (site admins)
 *   POST   /api/apps/:app/grants             grant it to {user} or {project} with a policy (site admins)
 *   DELETE /api/apps/grants/:grant           revoke a grant (site admins)
 *   POST   /api/apps/:app/open               the caller's instance ({policy_key, env, start})
 *   GET    /api/instances                    the caller's instances (site admins: ?all=1)
 *   POST   /api/instances/:instance/:action  start, stop, restart or delete an instance
 */
import type { IncomingMessage } from 'node:http';
import { NotFoundError, PorticoError, ValidationError, badRequest, conflict } from '../../gateway/core/errors.ts';
import type { Services } from '../../gateway/core/services.ts';
import type { User } from '../../gateway/core/types.ts';
import { readJson } from '../../gateway/http/body.ts';
import { sendJson } from '../../gateway/http/respond.ts';
import type { Router } from '../../gateway/http/router.ts';
import { ACTION_PERMISSIONS } from '../../gateway/core/auth/roles.ts';
import { iconHeaders } from '../../gateway/core/apps/icon.ts';
import { isInstance } from '../../gateway/core/apps/access.ts';
import type { App } from '../../gateway/core/apps/types.ts';
import { requireCaller, requireWritable } from './guard.ts';
import { serializeApp, serializeChoice, serializeGrant, serializeInstance, serializeInstanceOf } from './serialize-apps.ts';

const INSTANCE_ACTIONS = new Set(['start', 'stop', 'restart', 'delete'] as const);
type InstanceAction = 'start' | 'stop' | 'restart' | 'delete';

/** requireSiteAdmin refuses everyone but site admins (the catalogue's administrators). */
export function requireSiteAdmin(user: User): void {
  if (!user.isAdmin) throw new PorticoError('E_FORBIDDEN', 403, 'only site administrators manage the app catalogue');
}

async function body(svc: Services, req: IncomingMessage): Promise<Record<string, unknown>> {
  const b = await readJson(req, svc.config.maxJsonBody);
  if (b === undefined || b === null) return {};
  if (typeof b !== 'object' || Array.isArray(b)) throw badRequest('the body must be a JSON object');
  return b as Record<string, unknown>;
}

/** visibleApp resolves an app the caller may see: site admins every app, others an enabled one granted to them (404 otherwise). */
export function visibleApp(svc: Services, user: User, ref: string): App {
  const app = svc.apps.catalogue.find(ref);
  if (user.isAdmin) return app;
  if (!app.enabled || !svc.apps.grants.choicesFor(user).some((c) => c.app.id === app.id)) {
    throw new NotFoundError('E_APP_NOT_FOUND', `no app ${JSON.stringify(ref.slice(0, 100))} in the catalogue`);
  }
  return app;
}

/** registerAppApi adds the app platform's routes to `router`. */
export function registerAppApi(router: Router, svc: Services): void {
  const { apps, store } = svc;

  router.on('GET', '/api/apps', (ctx) => {
    const { user } = requireCaller(svc, ctx.req);
    if (ctx.url.searchParams.get('all') === '1') {
      requireSiteAdmin(user);
      sendJson(ctx.res, 200, { count: store.apps.count(), results: store.apps.all().map((a) => serializeApp(a, true)) });
      return;
    }
    const mine = new Map(apps.instances.mine(user).map((r) => [`${r.container.appId}|${r.container.policyKey}`, r.container]));
    const results = apps.grants.choicesFor(user).map((ch) => serializeChoice(ch, mine.get(`${ch.app.id}|${ch.policyKey}`) ?? null, user.isAdmin));
    sendJson(ctx.res, 200, { count: results.length, results });
  });

  router.on('POST', '/api/apps', async (ctx) => {
    const { user } = requireCaller(svc, ctx.req);
    requireSiteAdmin(user);
    requireWritable(svc, user);
    const app = await apps.catalogue.define(await body(svc, ctx.req));
    sendJson(ctx.res, 201, serializeApp(app, true));
  });

  router.on('POST', '/api/apps/scan', async (ctx) => {
    const { user } = requireCaller(svc, ctx.req);
    requireSiteAdmin(user);
    requireWritable(svc, user);
    const b = await body(svc, ctx.req);
    if (b.image !== undefined && typeof b.image !== 'string') throw new ValidationError({ image: 'must be an image reference' });
    const results = typeof b.image === 'string' ? [await apps.catalogue.scan(b.image)] : await apps.catalogue.scanAll();
    sendJson(ctx.res, 200, { count: results.length, results: results.map((r) => ({ ...serializeApp(r.app, true), created: r.created })) });
  });

  router.on('GET', '/api/apps/:app', (ctx) => {
    const { user } = requireCaller(svc, ctx.req);
    const app = visibleApp(svc, user, ctx.params.app);
    const choices = apps.grants.choicesFor(user).filter((c) => c.app.id === app.id)
      .map((ch) => serializeChoice(ch, store.apps.instanceOf(user.id, app.id, ch.policyKey), user.isAdmin));
    sendJson(ctx.res, 200, { ...serializeApp(app, user.isAdmin), choices });
  });

  router.on('PATCH', '/api/apps/:app', async (ctx) => {
    const { user } = requireCaller(svc, ctx.req);
    requireSiteAdmin(user);
    requireWritable(svc, user);
    const app = apps.catalogue.find(ctx.params.app);
    sendJson(ctx.res, 200, serializeApp(apps.catalogue.update(app, await body(svc, ctx.req)), true));
  });

  router.on('DELETE', '/api/apps/:app', (ctx) => {
    const { user } = requireCaller(svc, ctx.req);
    requireSiteAdmin(user);
    requireWritable(svc, user);
    const app = apps.catalogue.find(ctx.params.app);
    const left = store.apps.instancesOfApp(app.id).length;
    if (left) throw conflict(`${app.slug} still has ${left} instance${left === 1 ? '' : 's'}: delete them first (or disable the app)`);
    store.apps.remove(app.id);
    ctx.res.writeHead(204).end();
  });

  router.on('GET', '/api/apps/:app/icon', (ctx) => {
    // A public app's icon is shown on its public page, to visitors who are not logged in.
    const caller = svc.auth.authenticate(ctx.req.headers);
    const app = store.apps.byUuid(ctx.params.app) ?? store.apps.bySlug(ctx.params.app);
    if (!caller && !(app?.public && app.enabled)) throw new PorticoError('E_UNAUTHENTICATED', 401, 'authentication required: log in, or send "Authorization: token <token>"');
    const visible = app && ((app.public && app.enabled) || (caller && visibleApp(svc, caller.user, app.uuid)));
    const icon = visible ? store.apps.icon(app.id) : null;
    if (!icon) throw new NotFoundError('E_NOT_FOUND', 'no such icon');
    ctx.res.writeHead(200, iconHeaders(icon.type, icon.bytes.length));
    ctx.res.end(ctx.req.method === 'HEAD' ? undefined : icon.bytes);
  });

  router.on('GET', '/api/apps/:app/grants', (ctx) => {
    const { user } = requireCaller(svc, ctx.req);
    requireSiteAdmin(user);
    const app = apps.catalogue.find(ctx.params.app);
    const results = store.apps.grantsOfApp(app.id).map((g) => serializeGrant(g, app.uuid));
    sendJson(ctx.res, 200, { count: results.length, results });
  });

  router.on('POST', '/api/apps/:app/grants', async (ctx) => {
    const { user } = requireCaller(svc, ctx.req);
    requireSiteAdmin(user);
    requireWritable(svc, user);
    const app = apps.catalogue.find(ctx.params.app);
    const b = await body(svc, ctx.req);
    const to = granteeOf(b);
    const { grant, created } = apps.grants.grant(app, to, b, user.username);
    sendJson(ctx.res, created ? 201 : 200, serializeGrant(grant, app.uuid));
  });

  router.on('DELETE', '/api/apps/grants/:grant', (ctx) => {
    const { user } = requireCaller(svc, ctx.req);
    requireSiteAdmin(user);
    requireWritable(svc, user);
    apps.grants.revoke(ctx.params.grant);
    ctx.res.writeHead(204).end();
  });

  router.on('POST', '/api/apps/:app/open', async (ctx) => {
    const { user } = requireCaller(svc, ctx.req);
    requireWritable(svc, user);
    const app = visibleApp(svc, user, ctx.params.app);
    const b = await body(svc, ctx.req);
    if (b.policy_key !== undefined && typeof b.policy_key !== 'string') throw new ValidationError({ policy_key: 'must be text' });
    const choice = apps.grants.choice(user, app, (b.policy_key as string | undefined) ?? null);
    const opened = apps.instances.open(user, choice, b.env);
    let c = opened.container;
    if (b.start === true) c = await svc.containers.ensureRunning(c.id, user.username);
    sendJson(ctx.res, opened.created ? 201 : 200, { ...serializeInstanceOf(c), app: app.uuid, policy_key: choice.policyKey, created: opened.created });
  });

  router.on('GET', '/api/instances', (ctx) => {
    const { user } = requireCaller(svc, ctx.req);
    const all = ctx.url.searchParams.get('all') === '1';
    if (all) requireSiteAdmin(user);
    const rows = all ? store.apps.allInstances(10_000, 0) : apps.instances.mine(user);
    const names = new Map<number, string | null>();
    const ownerName = (id: number | null) => {
      if (id === null) return null;
      if (!names.has(id)) names.set(id, store.users.byId(id)?.username ?? null);
      return names.get(id)!;
    };
    const results = rows.map((r) => serializeInstance(r, ownerName(r.container.ownerUserId)));
    sendJson(ctx.res, 200, { count: results.length, results });
  });

  router.on('POST', '/api/instances/:instance/:action', async (ctx) => {
    const { user } = requireCaller(svc, ctx.req);
    const action = ctx.params.action as InstanceAction;
    if (!INSTANCE_ACTIONS.has(action)) throw new NotFoundError('E_NOT_FOUND', `no instance action ${JSON.stringify(ctx.params.action.slice(0, 40))} (start, stop, restart, delete)`);
    requireWritable(svc, user);
    const { container } = svc.access.container(user, ctx.params.instance, ACTION_PERMISSIONS[action]);
    if (!isInstance(container)) throw new NotFoundError('E_CONTAINER_NOT_FOUND', 'no such instance');
    const after = action === 'start' ? await svc.containers.ensureRunning(container.id, user.username) : await svc.containers.perform(container.id, action, user.username);
    if (action === 'delete') { ctx.res.writeHead(204).end(); return; }
    sendJson(ctx.res, 200, serializeInstanceOf(after));
  });
}

function granteeOf(b: Record<string, unknown>): { user: string } | { project: string } {
  if (typeof b.user === 'string' && b.user && b.project === undefined) return { user: b.user };
  if (typeof b.project === 'string' && b.project && b.user === undefined) return { project: b.project };
  throw new ValidationError({ user: 'give exactly one of user (a user name) or project (a project UUID or title)' });
}
