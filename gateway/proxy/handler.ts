/**
 * handler.ts: the proxy's request handler. For /containers/proxy/<uuid>/…: authenticate (cached),
 * find the route (cached), check membership (cached), then forward — or, for a container that is
 * not running and answering yet, start it: a browser navigation gets the waiting page, any other
 * request is held until the app answers. No URL parsing and no database on the hot path.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { NotFoundError, PorticoError } from '../core/errors.ts';
import type { Services } from '../core/services.ts';
import { createProxyAuth } from './auth.ts';
import type { ProxyCaller } from './auth.ts';
import { scanHeaders } from './headers.ts';
import type { Scanned } from './headers.ts';
import { sendFailure } from './failure.ts';
import type { Explained } from './failure.ts';
import { can } from '../core/auth/roles.ts';
import { forward } from './forward.ts';
import { fastForward } from './fast-forward.ts';
import type { FrontConn } from '../http/front.ts';
import type { RequestHead } from '../http/request-head.ts';
import type { ForwardDeps } from './forward.ts';
import { createProxyMetrics } from './metrics.ts';
import { PREFIX, lobbyTarget, parseTarget, statusTarget, upstreamPath } from './path.ts';
import { createRoutes } from './routes.ts';
import type { Route } from './routes.ts';
import { createStarter } from './starter.ts';
import type { Start } from './starter.ts';
import { createUpgrader } from './upgrade.ts';
import { sendStartFailurePage, sendWaitingPage, streamStatus } from './waiting-page.ts';
import { readOnlyRefusal } from './read-only.ts';
import { startRefusal } from './start-policy.ts';

/** PorticoProxy is the ProxyHandler plus its shutdown. */
export interface PorticoProxy {
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
  const auth = createProxyAuth(svc);
  let openWs = 0;
  const metrics = createProxyMetrics(svc.metrics, () => openWs);
  const starter = createStarter(svc, routes, metrics);
  const deps: ForwardDeps = { logger: svc.logger, recorder: svc.accessRecorder, metrics, trustProxy: svc.config.trustProxy };
  const upgrader = createUpgrader(svc, { routes, auth, starter, deps, onOpen: (d) => { openWs += d; } });

  /** admit authenticates and authorises; it answers the refusal itself and returns null then. */
  function admit(req: IncomingMessage, res: ServerResponse, uuid: string, s?: Scanned): { caller: ProxyCaller; route: Route } | null {
    const caller = s ? auth.resolve(s.authorization, s.cookie) : auth.resolve(req.headers.authorization, req.headers.cookie);
    if (caller === null) {
      // The same answer whether or not the container exists: nothing leaks to anonymous callers.
      if (navigation(req, s)) redirect(res, 302, `/login?next=${encodeURIComponent(req.url!)}`);
      else sendFailure(res, UNAUTHENTICATED, false, { 'www-authenticate': 'Token' });
      return null;
    }
    const route = routes.get(uuid);
    if (route === null || !routes.allows(route, caller.user)) {
      sendFailure(res, NOT_FOUND, navigation(req, s));
      return null;
    }
    return { caller, route };
  }

  /** mayReadLog tells whether `user` may see the container's log, and so the app's last lines on a failure. */
  function mayReadLog(route: Route, user: ProxyCaller['user']): boolean {
    return user.isAdmin || can(false, svc.store.projects.roleOf(route.projectId, user.id), 'container.logs');
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

  function status(req: IncomingMessage, res: ServerResponse, uuid: string): void {
    const ok = admit(req, res, uuid);
    if (ok === null) return;
    const { route, caller } = ok;
    const inFlight = starter.current(route.id) !== undefined;
    // A start that just failed is reported below, not refused: the waiting page needs its reason.
    const refusal = routes.isReady(route) ? null
      : readOnlyRefusal(svc, route, caller.user, inFlight)
        ?? startRefusal(route, false, req.headers['sec-fetch-mode'] as string | undefined, inFlight || starter.recentFailure(route.id) !== undefined);
    if (refusal) { sendFailure(res, refusal, false); return; }
    const s = starter.current(route.id) ?? starter.recentFailure(route.id) ?? (routes.isReady(route) ? null : starter.join(route, caller.user.username));
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
    if (routes.isReady(route)) {
      forward(req, res, route, upstreamPath(url, target.rest, route.stripPrefix), scanned, caller.viaToken, caller.user.username, deps, t0);
      return;
    }
    const inFlight = starter.current(route.id) !== undefined;
    const refusal = readOnlyRefusal(svc, route, caller.user, inFlight) ?? startRefusal(route, navigation(req, scanned), scanned.fetchMode, inFlight);
    if (refusal) { sendFailure(res, refusal, navigation(req, scanned)); return; }
    const nav = navigation(req, scanned);
    if (nav && starter.current(route.id) === undefined) {
      // A start that just failed is shown once to each user who got its waiting page but not the
      // failure (a reload without JavaScript lands here); the next load tries again. A cancelled
      // wait (no detail) is no failure to show.
      const failed = starter.recentFailure(route.id);
      const who = caller.user.username;
      if (failed?.detail && failed.pagedBy.has(who) && !failed.seenBy.has(who)) {
        failed.seenBy.add(who);
        sendStartFailurePage(res, failed, mayReadLog(route, caller.user), url);
        return;
      }
    }
    const s = starter.join(route, caller.user.username);
    if (nav) {
      s.pagedBy.add(caller.user.username);
      starter.lease(s, WAITING_LEASE_MS);
      sendWaitingPage(res, s);
      return;
    }
    held(req, res, s, route, caller, () => {
      const fresh = routes.get(target.uuid);
      if (fresh === null || !routes.isReady(fresh)) {
        sendFailure(res, new PorticoError('E_START_FAILED', 503, `"${route.title}" stopped again before the request could be sent`), false);
        return;
      }
      forward(req, res, fresh, upstreamPath(url, target.rest, fresh.stripPrefix), scanned, caller.viaToken, caller.user.username, deps, t0);
    });
  }

  function fast(head: RequestHead, conn: FrontConn): boolean {
    const t0 = performance.now();
    const url = head.target;
    const target = parseTarget(url);
    if (target === null || target.rest.length === 0 || target.rest.charCodeAt(0) === 63) return false;
    const scanned = scanHeaders(head.headers, false, deps.trustProxy);
    const caller = auth.resolve(scanned.authorization, scanned.cookie);
    if (caller === null) return false;
    const route = routes.get(target.uuid);
    if (route === null || !routes.isReady(route) || !routes.allows(route, caller.user)) return false;
    fastForward(conn, head.method, route, upstreamPath(url, target.rest, route.stripPrefix), scanned, caller.viaToken, caller.user.username, deps, t0);
    return true;
  }

  return {
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
