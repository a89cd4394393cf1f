/**
 * upgrade.ts: WebSocket (and other Upgrade) handshakes on proxy paths. The same authentication and
 * membership check as HTTP; a container that is not ready is started and the handshake held. The
 * handshake goes to the app with its query and Sec-WebSocket-* headers (subprotocols) intact; on
 * 101 the two sockets are piped both ways (raw bytes, no frame parsing), otherwise the app's answer
 * — or the proxy's failure status — goes back as a plain HTTP response. An open connection lasts
 * only as long as the access that opened it: after any withdrawal (logout, deactivation, a removed
 * membership) each is checked again and closed when its caller no longer gets in.
 */
import http from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { NotFoundError, PorticoError } from '../core/errors.ts';
import type { Services } from '../core/services.ts';
import type { ProxyAuth, ProxyCaller } from './auth.ts';
import { logUpstream, socketFailure, upstreamError } from './failure.ts';
import type { ForwardDeps } from './forward.ts';
import { clientAddress, forwardHeaders } from './headers.ts';
import { PREFIX, parseTarget, upstreamPath } from './path.ts';
import type { AppOrigins } from './app-origin.ts';
import { fromElsewhere, RESERVED } from './app-entry.ts';
import type { Scope } from './response-headers.ts';
import { flatHeaders, responseHeaders } from './response-headers.ts';
import type { Route, Routes } from './routes.ts';
import type { Starter } from './starter.ts';
import { readOnlyRefusal } from './read-only.ts';
import { startRefusal } from './start-policy.ts';
import { ClientFrames } from './ws-activity.ts';
import { actorName } from '../core/auth/actor.ts';

const NOT_FOUND = new NotFoundError('E_CONTAINER_NOT_FOUND', 'container not found');
const UNAUTHENTICATED = new PorticoError('E_UNAUTHENTICATED', 401, 'authentication required');
const ON_APP_ORIGIN = new PorticoError('E_FORBIDDEN', 403, "apps are served on their own origin: connect there (open the app's link in a browser first)");
const HANDSHAKE_TIMEOUT_MS = 30_000;
const UPGRADE_WITH_BODY = new PorticoError('E_BAD_REQUEST', 400, 'an Upgrade request cannot carry a body (Content-Length or Transfer-Encoding)');

/** Where is where a handshake came: the gateway's origin, an app origin's root, or its prefix there. */
type Where = 'gateway' | 'root' | 'prefix';

/** Live is one piped connection; `seen` is its client's data frames (or, for other protocols, bytes) at the last sample. */
interface Live { client: Duplex; upstream: Socket; id: number; frames: ClientFrames | null; seen: number; allowed: () => boolean }

function headLines(statusLine: string, flat: string[]): string {
  let out = statusLine + '\r\n';
  for (let i = 0; i < flat.length; i += 2) out += flat[i] + ': ' + flat[i + 1] + '\r\n';
  return out + '\r\n';
}

/** createUpgrader builds the upgrade handler; `onOpen(+1/-1)` follows open connections. */
export function createUpgrader(svc: Services, o: { routes: Routes; auth: ProxyAuth; starter: Starter; deps: ForwardDeps; origins: AppOrigins; onOpen: (delta: number) => void }) {
  const live = new Set<Live>();
  // After a withdrawal (once the change is written: bump may come first), every connection is checked again.
  let recheck: NodeJS.Immediate | null = null;
  svc.store.accessRevision.onBump(() => {
    recheck ??= setImmediate(() => {
      recheck = null;
      for (const l of live) if (!l.allowed()) { l.client.destroy(); l.upstream.destroy(); }
    });
  });
  // What the client sends counts as access (its data frames: not the pongs a browser sends on its own),
  // sampled before each flush instead of per message; what the app pushes does not (docs/persistence.md).
  svc.accessRecorder.beforeFlush(() => {
    for (const l of live) {
      const n = l.frames ? l.frames.dataFrames : l.upstream.bytesWritten;
      if (n !== l.seen) { l.seen = n; svc.accessRecorder.touch(l.id); }
    }
  });

  function connect(req: IncomingMessage, client: Duplex, head: Buffer, route: Route, caller: ProxyCaller, rest: string, where: Where, app: string | null): void {
    const origin = new URL(route.origin!);
    const scope: Scope = where === 'root' ? route.atRoot : where === 'prefix' ? route.atPrefix : route;
    // At an origin's root the target reaches the app unchanged; under the prefix, the rest after it.
    const path = where === 'root' ? rest : upstreamPath(req.url!, rest, route.stripPrefix);
    const headers = forwardHeaders(req.rawHeaders, {
      upgrade: true, dropAuthorization: caller.viaToken, trustProxy: o.deps.trustProxy,
      clientIp: clientAddress(req.socket.remoteAddress), proto: (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http',
      prefix: scope.stripPrefix && scope.prefix !== '' ? scope.prefix : null,
      viewer: { user: caller.user.username, role: o.routes.viewerRole(route, caller.user) },
    });
    const authorization = req.headers.authorization;
    const cookie = caller.viaToken ? undefined : req.headers.cookie;
    const uuid = route.uuid;
    const allowed = () => {
      const now = resolve(authorization, cookie, app);
      const r = o.routes.get(uuid);
      return now !== null && now.user.id === caller.user.id && r !== null && o.routes.allows(r, now.user);
    };
    const up = http.request({ host: origin.hostname.replace(/^\[|\]$/g, ''), port: Number(origin.port || 80), method: req.method, path, headers, agent: false, setHost: false });
    up.setTimeout(HANDSHAKE_TIMEOUT_MS, () => up.destroy(Object.assign(new Error('no answer to the handshake'), { code: 'UND_ERR_HEADERS_TIMEOUT' })));
    const onClientClose = () => up.destroy();
    client.once('close', onClientClose);

    up.on('upgrade', (res, upstream, upHead) => {
      client.off('close', onClientClose);
      up.setTimeout(0);
      upstream.setTimeout(0);
      if (client.destroyed) { upstream.destroy(); return; }
      const statusLine = `HTTP/1.1 ${res.statusCode} ${res.statusMessage || 'Switching Protocols'}`;
      const flat = responseHeaders(flatHeaders(res.headers), scope);
      flat.push('connection', 'Upgrade', 'upgrade', String(res.headers.upgrade ?? 'websocket'));
      client.write(headLines(statusLine, flat), 'latin1'); // header strings carry bytes as latin1 (as Node parsed them)
      if (upHead.length) client.write(upHead);
      const frames = String(res.headers.upgrade ?? 'websocket').toLowerCase() === 'websocket' ? new ClientFrames() : null;
      if (head.length) { upstream.write(head); frames?.push(head); }
      upstream.setNoDelay(true);
      (client as Socket).setNoDelay?.(true);
      const l: Live = { client, upstream, id: route.id, frames, seen: frames ? frames.dataFrames : upstream.bytesWritten, allowed };
      if (frames) client.on('data', (chunk: Buffer) => frames.push(chunk));
      live.add(l);
      o.onOpen(1);
      svc.accessRecorder.websocket(route.id, route.uuid, actorName(caller.user));
      if (route.ownerId !== null) svc.live.ws(route.id, caller.user.id, caller.user.username, client);
      let closed = false;
      const close = () => {
        if (closed) return;
        closed = true;
        live.delete(l);
        o.onOpen(-1);
        client.destroy();
        upstream.destroy();
      };
      upstream.on('error', close).on('close', close);
      client.on('error', close).on('close', close);
      upstream.pipe(client);
      client.pipe(upstream);
    });

    up.on('response', (res) => {
      // The app declined the upgrade: pass its answer on (close-delimited) and hang up.
      client.off('close', onClientClose);
      const flat = responseHeaders(flatHeaders(res.headers), scope);
      const cleaned: string[] = [];
      for (let i = 0; i < flat.length; i += 2) if (flat[i] !== 'content-length') cleaned.push(flat[i], flat[i + 1]);
      cleaned.push('connection', 'close');
      client.write(headLines(`HTTP/1.1 ${res.statusCode} ${res.statusMessage ?? ''}`, cleaned), 'latin1');
      res.pipe(client);
      res.on('error', () => client.destroy());
    });

    up.on('error', (err) => {
      client.off('close', onClientClose);
      if (client.destroyed) return;
      logUpstream(o.deps.logger, err, { uuid: route.uuid, title: route.title, method: 'UPGRADE', path });
      socketFailure(client, upstreamError(err, route.title));
    });
    up.end();
  }

  function resolve(authorization: string | undefined, cookie: string | undefined, app: string | null): ProxyCaller | null {
    return app !== null ? o.auth.resolveApp(authorization, cookie, app) : o.auth.resolve(authorization, cookie);
  }

  function upgrade(req: IncomingMessage, client: Duplex, head: Buffer): void {
    client.on('error', () => client.destroy());
    // The handshake goes to the app without a body, which would leave the app waiting for it.
    const cl = req.headers['content-length'];
    if ((cl !== undefined && cl !== '0') || req.headers['transfer-encoding'] !== undefined) { socketFailure(client, UPGRADE_WITH_BODY); return; }
    const url = req.url!;
    const app = o.origins.appOf(req.headers.host);
    let uuid: string;
    let rest: string;
    let where: Where;
    if (app !== null && !url.startsWith(PREFIX)) {
      if (url.startsWith(RESERVED)) { socketFailure(client, NOT_FOUND); return; }
      uuid = app;
      rest = url;
      where = 'root';
    } else {
      const target = parseTarget(url);
      if (target === null || (app !== null && target.uuid !== app)) { socketFailure(client, NOT_FOUND); return; }
      uuid = target.uuid;
      rest = target.rest.length === 0 || target.rest.charCodeAt(0) === 63 ? '/' + target.rest : target.rest;
      where = app !== null ? 'prefix' : 'gateway';
    }
    // Another origin's page opening this app's WebSocket does not get the viewer's cookie counted.
    const cookie = app !== null && fromElsewhere(req.headers['sec-fetch-site'] as string | undefined, 'websocket', req.method) ? undefined : req.headers.cookie;
    const caller = resolve(req.headers.authorization, cookie, app);
    if (caller === null) { socketFailure(client, UNAUTHENTICATED); return; }
    // With app origins on, a browser's WebSocket belongs on the app's origin, never on the gateway's.
    if (app === null && o.origins.enabled && !caller.viaToken) { socketFailure(client, ON_APP_ORIGIN); return; }
    const route = o.routes.get(uuid);
    if (route === null || !o.routes.allows(route, caller.user)) { socketFailure(client, NOT_FOUND); return; }
    if (o.routes.isReady(route)) { connect(req, client, head, route, caller, rest, where, app); return; }
    const inFlight = o.starter.current(route.id) !== undefined;
    const refusal = readOnlyRefusal(svc, route, caller.user, inFlight) ?? startRefusal(route, false, req.headers['sec-fetch-mode'] as string | undefined, inFlight);
    if (refusal) { socketFailure(client, refusal); return; }
    const s = o.starter.join(route, actorName(caller.user));
    const release = o.starter.hold(s);
    client.once('close', release);
    s.promise.then(() => {
      release();
      client.off('close', release);
      if (client.destroyed) return;
      if (s.error) { socketFailure(client, s.error); return; }
      const fresh = o.routes.get(uuid);
      if (fresh === null || !o.routes.isReady(fresh)) { socketFailure(client, new PorticoError('E_START_FAILED', 503, 'the container stopped again')); return; }
      connect(req, client, head, fresh, caller, rest, where, app);
    });
  }

  return {
    upgrade(req: IncomingMessage, client: Duplex, head: Buffer): void {
      try {
        upgrade(req, client, head);
      } catch (err) {
        svc.logger.error('proxy: unexpected error in upgrade', { err, url: req.url });
        socketFailure(client, new PorticoError('E_INTERNAL', 500, 'internal error'));
      }
    },
    close(): void {
      for (const l of live) { l.client.destroy(); l.upstream.destroy(); }
    },
  };
}
