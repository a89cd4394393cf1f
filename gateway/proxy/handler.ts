/**
 * handler.ts: the proxy's request handler. For /containers/proxy/<uuid>/…, or any path on an app's
 * own origin (<uuid>.<apps domain>, app-origin.ts): authenticate (cached), find the route (cached),
 * check membership (cached), then forward — or, for a container that is not running and answering
 * yet, start it: a browser navigation gets the waiting page, any other request is held until the
 * app answers. With app origins on, a browser on the gateway's origin is sent through the sign-in
 * handshake to the app's (app-entry.ts) instead. No URL parsing and no database on the hot path.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { NotFoundError, PorticoError } from '../core/errors.ts';
import type { Services } from '../core/services.ts';
import { ConnMemo, createProxyAuth } from './auth.ts';
import type { ProxyCaller } from './auth.ts';
import { scanHeaders } from './headers.ts';
import type { Scanned } from './headers.ts';
import { sendFailure } from './failure.ts';
import type { Explained } from './failure.ts';
import { can } from '../core/auth/roles.ts';
import { containerRole } from '../core/apps/access.ts';
import { forward } from './forward.ts';
import { fastForward } from './fast-forward.ts';
import type { FrontConn } from '../http/front.ts';
import type { RequestHead } from '../http/request-head.ts';
import type { ForwardDeps, Via } from './forward.ts';
import type { Scope } from './response-headers.ts';
import { createAppOrigins } from './app-origin.ts';
import { createAppEntry, fromElsewhere, isSecure, RESERVED } from './app-entry.ts';
import { createHandshake } from '../core/auth/app-handshake.ts';
import { createAppSessionStore } from '../core/auth/app-sessions.ts';
import { sessionId } from './auth.ts';
import { createProxyMetrics } from './metrics.ts';
import { PREFIX, lobbyTarget, parseTarget, statusTarget, upstreamPath } from './path.ts';
import { createRoutes } from './routes.ts';
import type { Route } from './routes.ts';
import { createStarter } from './starter.ts';
import type { Start } from './starter.ts';
import { createUpgrader } from './upgrade.ts';
import { sendStartFailurePage, sendWaitingPage, streamStatus } from './waiting-page.ts';
import type { PageLinks } from './waiting-page.ts';
import { readOnlyRefusal } from './read-only.ts';
import { startRefusal } from './start-policy.ts';
import { createBranding } from '../core/branding.ts';
import { actorName } from '../core/auth/actor.ts';

/** PorticoProxy is the ProxyHandler plus its shutdown. */
export interface PorticoProxy {
  /** ownsHost tells whether a Host names an app's own origin (all of whose requests are the proxy's). */
  ownsHost(host: string | undefined): boolean;
  handle(req: IncomingMessage, res: ServerResponse): void;
  /**
   * fast forwards a request the listener's fast path took (gateway/http/front.ts) when it is the
   * plain case — an authenticated, permitted caller and a running app that answers — and returns
   * false otherwise, having written nothing: `handle` then answers it through Node's server.
   */
  fast(head: RequestHead, conn: FrontConn): boolean;
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** openWebSockets counts live proxied WebSockets. */
  openWebSockets(): number;
  close(): Promise<void>;
}

const NOT_FOUND = new NotFoundError('E_CONTAINER_NOT_FOUND', 'container not found');
const UNAUTHENTICATED = new PorticoError('E_UNAUTHENTICATED', 401, 'authentication required: log in, or send "Authorization: token <token>"');
const WAITING_LEASE_MS = 15_000;
const VIEW_ONLY = new PorticoError('E_FORBIDDEN', 403, 'this instance is shared with you to view: only GET, HEAD and OPTIONS requests (and WebSockets) reach it');

/** isNavigation tells a browser page load (which gets the waiting page or a login redirect) from fetch/XHR/API calls. */
export function isNavigation(method: string | undefined, fetchMode: string | undefined, accept: string | undefined): boolean {
  if (method !== 'GET') return false;
  if (fetchMode !== undefined) return fetchMode === 'navigate';
  return accept !== undefined && accept.includes('text/html');
}

function navigation(req: IncomingMessage, s?: Scanned): boolean {
  return s ? isNavigation(req.method, s.fetchMode, s.accept) : isNavigation(req.method, req.headers['sec-fetch-mode'] as string | undefined, req.headers.accept);
}

function redirect(res: ServerResponse, status: number, location: string): void {
  res.writeHead(status, { location, 'content-length': 0, 'cache-control': 'no-store' });
  res.end();
}

/** createProxy builds the proxy over the services. */
export function createProxy(svc: Services): PorticoProxy {
  const routes = createRoutes(svc);
  // The site title heads the proxy's own pages: read when one is answered, at most every few seconds.
  const branding = createBranding(svc.store.settings);
  let brandAt = 0;
  let brandTitle = '';
  const brand = (): string => {
    if (Date.now() - brandAt > 5_000) { brandTitle = branding.current().title; brandAt = Date.now(); }
    return brandTitle;
  };
  const origins = createAppOrigins(svc.config);
  const appSessions = createAppSessionStore(svc.store.db, svc.config.sessionIdleMinutes * 60_000);
  const auth = createProxyAuth(svc, undefined, appSessions);
  const entry = createAppEntry({
    config: svc.config, origins, handshake: createHandshake(), appSessions,
    isSignedIn: (req, uuid) => auth.resolveApp(undefined, req.headers.cookie, uuid) !== null,
  });
  let openWs = 0;
  const metrics = createProxyMetrics(svc.metrics, () => openWs);
  const starter = createStarter(svc, routes, metrics);
  const deps: ForwardDeps = { logger: svc.logger, recorder: svc.accessRecorder, metrics, trustProxy: svc.config.trustProxy };
  const upgrader = createUpgrader(svc, { routes, auth, starter, deps, origins, onOpen: (d) => { openWs += d; } });
  // After a withdrawal, the HTTP connections to instances are checked again, like WebSockets (upgrade.ts):
  // a user who no longer gets in loses the sockets that carried their requests (a revoked share: docs/sharing.md).
  let recheck: NodeJS.Immediate | null = null;
  svc.store.accessRevision.onBump(() => {
    recheck ??= setImmediate(() => {
      recheck = null;
      svc.live.each((containerId, userId) => {
        const c = svc.store.containers.byId(containerId);
        const route = c ? routes.get(c.uuid) : null;
        const user = svc.store.users.byId(userId);
        if (route === null || user === null || !user.active || !routes.allows(route, user)) svc.live.cut(containerId, userId);
      });
    });
  });

  /** homeOf is the gateway's front page as a page answered to `req` links it (absolute on an app origin). */
  function homeOf(req: IncomingMessage): string {
    return origins.appOf(req.headers.host) !== null ? origins.gatewayUrl(req.headers.host, isSecure(svc.config, req)) + '/' : '/';
  }

  /**
   * pageLinks are the ways back from a waiting or failure page: home, and the app's project (one
   * read; never on a proxied request); an app instance's is My apps, since its hidden 'apps' project opens for nobody.
   */
  function pageLinks(req: IncomingMessage, route: Route): PageLinks {
    const home = homeOf(req);
    const project = svc.store.projects.byId(route.projectId);
    if (project?.kind === 'apps') return { home, back: `${home}apps/mine`, backLabel: 'Back to My apps', brand: brand() };
    return { home, back: project ? `${home}projects/${project.uuid}/containers` : home, brand: brand() };
  }

  /**
   * admit authenticates and authorises; it answers the refusal itself and returns null then.
   * `app` is the uuid of the app origin the request came to (null: the gateway's origin), whose
   * own cookie is the only one that counts there; `path` is what a signed-out browser comes back to.
   */
  function admit(req: IncomingMessage, res: ServerResponse, uuid: string, s?: Scanned, app: string | null = null, path = ''): { caller: ProxyCaller; route: Route } | null {
    const authorization = s ? s.authorization : req.headers.authorization;
    let cookie = s ? s.cookie : req.headers.cookie;
    if (app !== null && fromElsewhere(s ? s.fetchSite : req.headers['sec-fetch-site'] as string | undefined, s ? s.fetchMode : req.headers['sec-fetch-mode'] as string | undefined, req.method)) cookie = undefined;
    const caller = app !== null ? auth.resolveApp(authorization, cookie, app) : auth.resolve(authorization, cookie);
    if (caller === null) {
      // The same answer whether or not the container exists: nothing leaks to anonymous callers.
      if (!navigation(req, s)) sendFailure(res, UNAUTHENTICATED, false, { 'www-authenticate': 'Token' });
      else if (app !== null) entry.toGateway(req, res, app, path);
      else redirect(res, 302, `/login?next=${encodeURIComponent(req.url!)}`);
      return null;
    }
    const route = routes.get(uuid);
    if (route === null || !routes.allows(route, caller.user)) {
      sendFailure(res, NOT_FOUND, navigation(req, s), undefined, undefined, homeOf(req), brand());
      return null;
    }
    if (route.ownerId !== null) {
      if (!routes.mayAct(route, caller.user, req.method)) { sendFailure(res, VIEW_ONLY, navigation(req, s)); return null; }
      svc.live.http(route.id, caller.user.id, caller.user.username, req.socket);
    }
    return { caller, route };
  }

  /** mayReadLog tells whether `user` may see the container's log, and so the app's last lines on a failure. */
  function mayReadLog(route: Route, user: ProxyCaller['user']): boolean {
    return user.isAdmin || can(false, containerRole(svc.store, route, user.id), 'container.logs');
  }

  function explained(s: Start, showLog: boolean): Explained | undefined {
    if (!s.detail) return undefined;
    return showLog ? { hints: s.detail.hints, log: s.detail.log } : { hints: s.detail.hints };
  }

  function held(req: IncomingMessage, res: ServerResponse, s: Start, route: Route, caller: ProxyCaller, then: () => void): void {
    const release = starter.hold(s);
    res.once('close', release);
    s.promise.then(() => {
      release();
      if (res.destroyed) return;
      if (s.error) sendFailure(res, s.error, false, undefined, explained(s, mayReadLog(route, caller.user)));
      else then();
    });
  }

  function status(req: IncomingMessage, res: ServerResponse, uuid: string, app: string | null = null): void {
    const ok = admit(req, res, uuid, undefined, app, '/');
    if (ok === null) return;
    const { route, caller } = ok;
    const inFlight = starter.current(route.id) !== undefined;
    // A start that just failed is reported below, not refused: the waiting page needs its reason.
    const refusal = routes.isReady(route) ? null
      : readOnlyRefusal(svc, route, caller.user, inFlight)
        ?? startRefusal(route, false, req.headers['sec-fetch-mode'] as string | undefined, inFlight || starter.recentFailure(route.id) !== undefined);
    if (refusal) { sendFailure(res, refusal, false); return; }
    const s = starter.current(route.id) ?? starter.recentFailure(route.id) ?? (routes.isReady(route) ? null : starter.join(route, actorName(caller.user)));
    if (s === null) {
      streamStatus(res, null, () => {});
      return;
    }
    streamStatus(res, s, s.settled ? () => {} : starter.hold(s), { name: caller.user.username, showLog: mayReadLog(route, caller.user) });
  }

  /**
   * lobby answers Kiosc's lobby link (it showed the container's state, started it and went on to
   * the app) with a temporary redirect to the app's link, which starts the app itself: temporary,
   * because the link follows container_path. The caller is checked first, so the redirect tells
   * nothing about a container to anyone who may not open it.
   */
  function lobby(req: IncomingMessage, res: ServerResponse, uuid: string): void {
    const ok = admit(req, res, uuid);
    if (ok !== null) redirect(res, 302, PREFIX + ok.route.uuid + '/' + ok.route.containerPath);
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const app = origins.appOf(req.headers.host);
    if (app !== null) { handleApp(req, res, app); return; }
    const t0 = performance.now();
    const url = req.url!;
    const target = parseTarget(url);
    if (target === null) {
      const get = req.method === 'GET' || req.method === 'HEAD';
      const uuid = statusTarget(url);
      const lobbyUuid = uuid === null ? lobbyTarget(url) : null;
      if (uuid !== null && get) status(req, res, uuid);
      else if (lobbyUuid !== null && get) lobby(req, res, lobbyUuid);
      else sendFailure(res, NOT_FOUND, navigation(req));
      return;
    }
    if (target.rest.length === 0 || target.rest.charCodeAt(0) === 63) {
      // /containers/proxy/<uuid>?q → /containers/proxy/<uuid>/?q, so relative links resolve inside the app.
      redirect(res, 308, PREFIX + target.uuid + '/' + target.rest);
      return;
    }
    const scanned = scanHeaders(req.rawHeaders, false, deps.trustProxy);
    const ok = admit(req, res, target.uuid, scanned);
    if (ok === null) return;
    const { caller, route } = ok;
    if (origins.enabled && !caller.viaToken) {
      // A browser: the app is served on its own origin, never on this one. An app configured for
      // the prefix (strip_prefix false: a base URL) is sent to the prefix there, the rest to the root.
      const there = route.stripPrefix ? target.rest : PREFIX + route.uuid + target.rest;
      entry.toApp(req, res, route.uuid, there, caller.user.id, sessionId(scanned.cookie)!);
      return;
    }
    serve(req, res, route, caller, scanned, url, target.rest, route, t0);
  }

  /** handleApp serves a request on the origin of app `app`: at its root, or under its own prefix there. */
  function handleApp(req: IncomingMessage, res: ServerResponse, app: string): void {
    const t0 = performance.now();
    const url = req.url!;
    if (url.startsWith(RESERVED)) { entry.exchange(req, res, app, navigation(req)); return; }
    let rest = url;
    let scope: 'root' | 'prefix' = 'root';
    if (url.startsWith(PREFIX)) {
      // Apps built with __KIOSC_URL_PREFIX__ link under /containers/proxy/<uuid>/: served here as before.
      const target = parseTarget(url);
      if (target === null || target.uuid !== app) {
        if (statusTarget(url) === app && (req.method === 'GET' || req.method === 'HEAD')) status(req, res, app, app);
        else sendFailure(res, NOT_FOUND, navigation(req), undefined, undefined, homeOf(req), brand());
        return;
      }
      if (target.rest.length === 0 || target.rest.charCodeAt(0) === 63) { redirect(res, 308, PREFIX + app + '/' + target.rest); return; }
      rest = target.rest;
      scope = 'prefix';
    }
    const scanned = scanHeaders(req.rawHeaders, false, deps.trustProxy);
    const ok = admit(req, res, app, scanned, app, rest);
    if (ok === null) return;
    serve(req, res, ok.route, ok.caller, scanned, url, rest, scope === 'root' ? ok.route.atRoot : ok.route.atPrefix, t0);
  }

  /** appPath is the path the app sees for `rest` (what follows the prefix, or the whole target at an origin's root). */
  function appPath(route: Route, url: string, rest: string, scope: Scope): string {
    // At the origin's root the target reaches the app unchanged; container_path only shapes the link (as in Kiosc).
    return scope.prefix !== '' ? upstreamPath(url, rest, route.stripPrefix) : rest;
  }

  /** serve forwards an admitted request, starting the app first when it is not ready. */
  function serve(req: IncomingMessage, res: ServerResponse, route: Route, caller: ProxyCaller, scanned: Scanned, url: string, rest: string, scope: Scope, t0: number): void {
    const via: Via = { scope, user: caller.user.username, actor: actorName(caller.user), role: routes.viewerRole(route, caller.user) };
    if (routes.isReady(route)) {
      forward(req, res, route, appPath(route, url, rest, scope), scanned, caller.viaToken, via, deps, t0);
      return;
    }
    const inFlight = starter.current(route.id) !== undefined;
    const refusal = readOnlyRefusal(svc, route, caller.user, inFlight) ?? startRefusal(route, navigation(req, scanned), scanned.fetchMode, inFlight);
    if (refusal) { sendFailure(res, refusal, navigation(req, scanned), undefined, undefined, homeOf(req), brand()); return; }
    const nav = navigation(req, scanned);
    if (nav && starter.current(route.id) === undefined) {
      // A start that just failed is shown once to each user who got its waiting page but not the
      // failure (a reload without JavaScript lands here); the next load tries again. A cancelled
      // wait (no detail) is no failure to show.
      const failed = starter.recentFailure(route.id);
      const who = caller.user.username;
      if (failed?.detail && failed.pagedBy.has(who) && !failed.seenBy.has(who)) {
        failed.seenBy.add(who);
        sendStartFailurePage(res, failed, mayReadLog(route, caller.user), url, pageLinks(req, route));
        return;
      }
    }
    const s = starter.join(route, actorName(caller.user));
    if (nav) {
      s.pagedBy.add(caller.user.username);
      starter.lease(s, WAITING_LEASE_MS);
      sendWaitingPage(res, s, pageLinks(req, route));
      return;
    }
    held(req, res, s, route, caller, () => {
      const fresh = routes.get(route.uuid);
      if (fresh === null || !routes.isReady(fresh)) {
        sendFailure(res, new PorticoError('E_START_FAILED', 503, `"${route.title}" stopped again before the request could be sent`), false);
        return;
      }
      const freshScope = scope === route.atRoot ? fresh.atRoot : scope === route.atPrefix ? fresh.atPrefix : fresh;
      forward(req, res, fresh, appPath(fresh, url, rest, freshScope), scanned, caller.viaToken, { ...via, scope: freshScope }, deps, t0);
    });
  }

  /** instanceFast checks a view share's method on the fast path (a refusal is `handle`'s to answer) and counts the connection. */
  function instanceFast(route: Route, caller: ProxyCaller, method: string, conn: FrontConn): boolean {
    if (!routes.mayAct(route, caller.user, method)) return false;
    svc.live.http(route.id, caller.user.id, caller.user.username, conn.socket);
    return true;
  }

  /** memoOf is the connection's caller memo (auth.ts ConnMemo), made on its first request. */
  function memoOf(conn: FrontConn): ConnMemo {
    return (conn.memo ??= new ConnMemo()) as ConnMemo;
  }

  function fast(head: RequestHead, conn: FrontConn): boolean {
    const t0 = performance.now();
    const url = head.target;
    if (origins.enabled) return fastOrigins(head, conn, t0);
    const target = parseTarget(url);
    if (target === null || target.rest.length === 0 || target.rest.charCodeAt(0) === 63) return false;
    const scanned = scanHeaders(head.headers, false, deps.trustProxy);
    const caller = auth.resolveConn(memoOf(conn), scanned.authorization, scanned.cookie, null);
    if (caller === null) return false;
    const route = routes.get(target.uuid);
    if (route === null || !routes.isReady(route) || !routes.allows(route, caller.user)) return false;
    if (route.ownerId !== null && !instanceFast(route, caller, head.method, conn)) return false;
    fastForward(conn, head.method, route, upstreamPath(url, target.rest, route.stripPrefix), scanned, caller.viaToken, { scope: route, user: caller.user.username, actor: actorName(caller.user), role: routes.viewerRole(route, caller.user) }, deps, t0);
    return true;
  }

  /** fastOrigins is `fast` with app origins on: the front then reads every target, so anything but the plain case is declined. */
  function fastOrigins(head: RequestHead, conn: FrontConn, t0: number): boolean {
    const url = head.target;
    const scanned = scanHeaders(head.headers, false, deps.trustProxy);
    const app = origins.appOf(scanned.host);
    let uuid: string;
    let rest = url;
    let scope: 'root' | 'prefix' | 'gateway' = 'root';
    if (app === null || url.startsWith(PREFIX)) {
      if (!url.startsWith(PREFIX)) return false;
      const target = parseTarget(url);
      if (target === null || target.rest.length === 0 || target.rest.charCodeAt(0) === 63) return false;
      if (app !== null && target.uuid !== app) return false;
      uuid = target.uuid;
      rest = target.rest;
      scope = app === null ? 'gateway' : 'prefix';
    } else {
      if (url.startsWith(RESERVED)) return false;
      uuid = app;
    }
    const cookie = app !== null && fromElsewhere(scanned.fetchSite, scanned.fetchMode, head.method) ? undefined : scanned.cookie;
    const caller = auth.resolveConn(memoOf(conn), scanned.authorization, cookie, app);
    // On the gateway's origin only API clients are proxied; a browser goes through the handshake (handle).
    if (caller === null || (app === null && !caller.viaToken)) return false;
    const route = routes.get(uuid);
    if (route === null || !routes.isReady(route) || !routes.allows(route, caller.user)) return false;
    if (route.ownerId !== null && !instanceFast(route, caller, head.method, conn)) return false;
    const s = scope === 'root' ? route.atRoot : scope === 'prefix' ? route.atPrefix : route;
    fastForward(conn, head.method, route, appPath(route, url, rest, s), scanned, caller.viaToken, { scope: s, user: caller.user.username, actor: actorName(caller.user), role: routes.viewerRole(route, caller.user) }, deps, t0);
    return true;
  }

  return {
    ownsHost: (host) => origins.appOf(host) !== null,
    fast(head, conn) {
      try {
        return fast(head, conn);
      } catch (err) {
        svc.logger.error('proxy: unexpected error on the fast path', { err, url: head.target });
        return false;
      }
    },
    handle(req, res) {
      try {
        handle(req, res);
      } catch (err) {
        svc.logger.error('proxy: unexpected error', { err, url: req.url });
        sendFailure(res, new PorticoError('E_INTERNAL', 500, 'internal error'), false);
      }
    },
    upgrade: upgrader.upgrade,
    openWebSockets: () => openWs,
    async close() {
      starter.close();
      upgrader.close();
      await routes.close();
    },
  };
}
