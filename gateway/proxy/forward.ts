/**
 * forward.ts: streams one HTTP request to an app and its answer back, on the route's pool of
 * keep-alive sockets (raw-upstream.ts; no intermediate streams). Bodies are never buffered: the
 * request body is the IncomingMessage itself, and the response is written chunk by chunk, pausing
 * the upstream socket when the client cannot keep up (backpressure).
 *
 * Zero copy: the answer's bytes arrive as views into the upstream connection's read buffer. A
 * Content-Length body goes straight to the client's socket after the head (ServerResponse would
 * cork each write until the next tick and so hold the view); a write the kernel takes whole leaves
 * nothing behind, and the read buffer is reused. A body Node frames itself (chunked) goes through
 * ServerResponse, and its views are reported KEPT.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { AccessRecorder } from '../core/containers/access-recorder.ts';
import type { Logger } from '../core/log.ts';
import { clientAddress, finishHeaders } from './headers.ts';
import type { Scanned } from './headers.ts';
import { responseHeaders } from './response-headers.ts';
import type { Scope } from './response-headers.ts';
import type { Route } from './routes.ts';
import { logUpstream, sendFailure, upstreamError } from './failure.ts';
import type { ProxyMetrics } from './metrics.ts';
import { afterWrite, KEPT, PAUSE } from './raw-upstream.ts';
import type { UpstreamHandler } from './raw-upstream.ts';

/** ForwardDeps are the shared parts every forwarded request uses. */
export interface ForwardDeps {
  logger: Logger;
  recorder: AccessRecorder;
  metrics: ProxyMetrics;
  trustProxy: boolean;
}

/** Via is how one request reaches its app: the rewrites of where it was served (the route itself on the gateway's origin) and who is viewing. */
export interface Via { scope: Scope; user: string; role: string }

class ForwardHandler implements UpstreamHandler {
  private readonly req: IncomingMessage;
  private readonly res: ServerResponse;
  private readonly route: Route;
  private readonly deps: ForwardDeps;
  private readonly via: Via;
  private readonly path: string;
  private readonly t0: number;
  up: { resume(): void; abort(): void } | null = null;
  private status = 0;
  private done = false;
  /** direct: the body goes to the client's socket itself (Content-Length framing, socket attached). */
  private direct = false;
  private ended = false;
  private flushed = false;
  private onDrain: (() => void) | null = null;

  constructor(req: IncomingMessage, res: ServerResponse, route: Route, deps: ForwardDeps, via: Via, path: string, t0: number) {
    this.req = req; this.res = res; this.route = route; this.deps = deps; this.via = via; this.path = path; this.t0 = t0;
    // `on`, not `once`: 'close' fires once, and once() would allocate a wrapper per request.
    res.on('close', () => {
      // The client went away before the answer was complete: stop the upstream request too.
      if (!this.done) this.up?.abort();
    });
  }

  head(statusCode: number, statusMessage: string, headers: string[]): void {
    this.status = statusCode;
    const out = responseHeaders(headers, this.via.scope);
    const res = this.res;
    if (statusMessage) res.writeHead(statusCode, statusMessage, out);
    else res.writeHead(statusCode, out);
    this.direct = !res.chunkedEncoding && res.socket !== null;
    if (statusCode < 400) this.deps.recorder.hit(this.route.id, this.route.uuid, this.via.user);
  }

  data(chunk: Buffer, last: boolean): number {
    const res = this.res;
    if (last) {
      // The whole rest of the body: end() writes it (with the head, if still unsent) at once.
      this.ended = true;
      res.end(chunk);
      const s = res.socket;
      return s === null || s.writableLength > 0 ? KEPT : 0;
    }
    const s = res.socket;
    if (this.direct && s !== null) {
      if (s.destroyed) return 0; // the client left: 'close' aborts the exchange
      if (!this.flushed) {
        // Head and first bytes in one write: res.write queues the head (as latin1; flushHeaders
        // would write it as UTF-8 and mangle non-ASCII header bytes) and the chunk on the corked
        // socket, and uncork writes both now. (res.headersSent is already true after writeHead:
        // it means "head built", not "head written".)
        this.flushed = true;
        s.cork();
        res.write(chunk);
        s.uncork();
      } else {
        s.write(chunk);
      }
      return afterWrite(s, this.onDrain ??= () => this.up?.resume());
    }
    // ServerResponse corks each write until the next tick: the view is always still held.
    if (res.write(chunk)) return KEPT;
    res.once('drain', this.onDrain ??= () => this.up?.resume());
    return KEPT | PAUSE;
  }

  end(): void {
    this.done = true;
    if (!this.ended) this.res.end();
    this.deps.metrics.response(this.status, (performance.now() - this.t0) / 1000);
  }

  error(err: Error): void {
    this.done = true;
    if (this.res.destroyed || this.req.destroyed && !this.res.headersSent || this.res.headersSent) {
      this.res.destroy();
      return;
    }
    const failure = upstreamError(err, this.route.title);
    logUpstream(this.deps.logger, err, { uuid: this.route.uuid, title: this.route.title, method: this.req.method, path: this.path });
    this.deps.metrics.response(failure.status, (performance.now() - this.t0) / 1000);
    sendFailure(this.res, failure, false);
  }
}

/** appHeaders finishes the header list for the app: the gateway's Authorization dropped when it authenticated, X-Forwarded-* and X-Portico-* added. */
export function appHeaders(scanned: Scanned, socket: Socket, via: Via, dropAuthorization: boolean): string[] {
  return finishHeaders(scanned, {
    dropAuthorization,
    clientIp: clientAddress(socket.remoteAddress),
    proto: (socket as { encrypted?: boolean }).encrypted ? 'https' : 'http',
    prefix: via.scope.stripPrefix && via.scope.prefix !== '' ? via.scope.prefix : null,
    viewer: via,
  });
}

/** forward sends `req` to the route's app at `path` and streams the answer into `res`. */
export function forward(req: IncomingMessage, res: ServerResponse, route: Route, path: string, scanned: Scanned, dropAuthorization: boolean, via: Via, deps: ForwardDeps, t0: number): void {
  const headers = appHeaders(scanned, req.socket, via, dropAuthorization);
  const body = scanned.hasBody ? req : null;
  const h = new ForwardHandler(req, res, route, deps, via, path, t0);
  h.up = route.pool!.request({ method: req.method!, path, headers, body }, h);
}
