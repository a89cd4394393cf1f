/**
 * upgrade.ts: WebSocket (and other Upgrade) handshakes on proxy paths. The same authentication and
 * membership check as HTTP; a container that is not ready is started and the handshake held. The
 * handshake goes to the app with its query and Sec-WebSocket-* headers (subprotocols) intact; on
 * 101 the two sockets are piped both ways (raw bytes, no frame parsing), otherwise the app's answer
 * — or the proxy's failure status — goes back as a plain HTTP response.
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
import { parseTarget, upstreamPath } from './path.ts';
import { flatHeaders, responseHeaders } from './response-headers.ts';
import type { Route, Routes } from './routes.ts';
import type { Starter } from './starter.ts';
import { readOnlyRefusal } from './read-only.ts';
import { startRefusal } from './start-policy.ts';
import { ClientFrames } from './ws-activity.ts';

const NOT_FOUND = new NotFoundError('E_CONTAINER_NOT_FOUND', 'container not found');
const UNAUTHENTICATED = new PorticoError('E_UNAUTHENTICATED', 401, 'authentication required');
const HANDSHAKE_TIMEOUT_MS = 30_000;
const UPGRADE_WITH_BODY = new PorticoError('E_BAD_REQUEST', 400, 'an Upgrade request cannot carry a body (Content-Length or Transfer-Encoding)');

/** Live is one piped connection; `seen` is its client's data frames (or, for other protocols, bytes) at the last sample. */
interface Live { client: Duplex; upstream: Socket; id: number; frames: ClientFrames | null; seen: number }

function headLines(statusLine: string, flat: string[]): string {
  let out = statusLine + '\r\n';
  for (let i = 0; i < flat.length; i += 2) out += flat[i] + ': ' + flat[i + 1] + '\r\n';
  return out + '\r\n';
}

/** createUpgrader builds the upgrade handler; `onOpen(+1/-1)` follows open connections. */
export function createUpgrader(svc: Services, o: { routes: Routes; auth: ProxyAuth; starter: Starter; deps: ForwardDeps; onOpen: (delta: number) => void }) {
  const live = new Set<Live>();
  // What the client sends counts as access (its data frames: not the pongs a browser sends on its own),
  // sampled before each flush instead of per message; what the app pushes does not (docs/persistence.md).
  svc.accessRecorder.beforeFlush(() => {
    for (const l of live) {
      const n = l.frames ? l.frames.dataFrames : l.upstream.bytesWritten;
      if (n !== l.seen) { l.seen = n; svc.accessRecorder.touch(l.id); }
    }
  });

  function connect(req: IncomingMessage, client: Duplex, head: Buffer, route: Route, caller: ProxyCaller, rest: string): void {
    const origin = new URL(route.origin!);
    const path = upstreamPath(req.url!, rest, route.stripPrefix);
    const headers = forwardHeaders(req.rawHeaders, {
      upgrade: true, dropAuthorization: caller.viaToken, trustProxy: o.deps.trustProxy,
      clientIp: clientAddress(req.socket.remoteAddress), proto: (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http',
      prefix: route.stripPrefix ? route.prefix : null,
    });
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
      const flat = responseHeaders(flatHeaders(res.headers), route);
      flat.push('connection', 'Upgrade', 'upgrade', String(res.headers.upgrade ?? 'websocket'));
      client.write(headLines(statusLine, flat), 'latin1'); // header strings carry bytes as latin1 (as Node parsed them)
      if (upHead.length) client.write(upHead);
      const frames = String(res.headers.upgrade ?? 'websocket').toLowerCase() === 'websocket' ? new ClientFrames() : null;
      if (head.length) { upstream.write(head); frames?.push(head); }
      upstream.setNoDelay(true);
      (client as Socket).setNoDelay?.(true);
      const l: Live = { client, upstream, id: route.id, frames, seen: frames ? frames.dataFrames : upstream.bytesWritten };
      if (frames) client.on('data', (chunk: Buffer) => frames.push(chunk));
      live.add(l);
      o.onOpen(1);
      svc.accessRecorder.websocket(route.id, route.uuid, caller.user.username);
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
      const flat = responseHeaders(flatHeaders(res.headers), route);
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

  function upgrade(req: IncomingMessage, client: Duplex, head: Buffer): void {
    client.on('error', () => client.destroy());
    // The handshake goes to the app without a body, which would leave the app waiting for it.
    const cl = req.headers['content-length'];
    if ((cl !== undefined && cl !== '0') || req.headers['transfer-encoding'] !== undefined) { socketFailure(client, UPGRADE_WITH_BODY); return; }
    const target = parseTarget(req.url!);
    if (target === null) { socketFailure(client, NOT_FOUND); return; }
    const caller = o.auth.resolve(req.headers.authorization, req.headers.cookie);
    if (caller === null) { socketFailure(client, UNAUTHENTICATED); return; }
    const route = o.routes.get(target.uuid);
    if (route === null || !o.routes.allows(route, caller.user)) { socketFailure(client, NOT_FOUND); return; }
    const rest = target.rest.length === 0 || target.rest.charCodeAt(0) === 63 ? '/' + target.rest : target.rest;
    if (o.routes.isReady(route)) { connect(req, client, head, route, caller, rest); return; }
    const inFlight = o.starter.current(route.id) !== undefined;
    const refusal = readOnlyRefusal(svc, route, caller.user, inFlight) ?? startRefusal(route, false, req.headers['sec-fetch-mode'] as string | undefined, inFlight);
    if (refusal) { socketFailure(client, refusal); return; }
    const s = o.starter.join(route, caller.user.username);
    const release = o.starter.hold(s);
    client.once('close', release);
    s.promise.then(() => {
      release();
      client.off('close', release);
      if (client.destroyed) return;
      if (s.error) { socketFailure(client, s.error); return; }
      const fresh = o.routes.get(target.uuid);
      if (fresh === null || !o.routes.isReady(fresh)) { socketFailure(client, new PorticoError('E_START_FAILED', 503, 'the container stopped again')); return; }
      connect(req, client, head, fresh, caller, rest);
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
