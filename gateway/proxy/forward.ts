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
 *
 * Pipelined requests on one client connection go to the app one at a time, in order (Node's server
 * hands them over all at once): the answers go out in that order anyway, and so a connection holds
 * at most one upstream socket. At most MAX_PIPELINED wait; the next gets a 503 with `Connection:
 * close` at once, and the requests after it on that connection are not taken at all (they end with
 * the connection): a client that pipelines 60,000 requests costs one read buffer of them, not 60,000
 * answers (nginx likewise answers a connection's requests one at a time and stops reading).
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
import { isActivity } from './start-policy.ts';
import { logUpstream, sendFailure, upstreamError } from './failure.ts';
import type { ProxyMetrics } from './metrics.ts';
import { afterWrite, KEPT, PAUSE } from './raw-upstream.ts';
import type { UpstreamHandler, UpstreamRequest } from './raw-upstream.ts';
import { PorticoError } from '../core/errors.ts';

/** ForwardDeps are the shared parts every forwarded request uses. */
export interface ForwardDeps {
  logger: Logger;
  recorder: AccessRecorder;
  metrics: ProxyMetrics;
  trustProxy: boolean;
}

/** Line is one client connection's pipelined requests on Node's path: one goes to the app at a time. */
interface Line { busy: boolean; waiting: ForwardHandler[]; closing: boolean }
const LINE = Symbol('portico.pipeline');
const MAX_PIPELINED = 64;
const PIPELINE_FULL = new PorticoError('E_UPSTREAM_BUSY', 503, `more than ${MAX_PIPELINED} pipelined requests wait on this connection`);

/**
 * Via is how one request reaches its app: the rewrites of where it was served (the route itself on
 * the gateway's origin) and who is viewing: `user` for the app, `actor` for the container log ("guest" for a public app's visitor).
 */
export interface Via { scope: Scope; user: string; actor: string; role: string }

class ForwardHandler implements UpstreamHandler {
  private readonly req: IncomingMessage;
  private readonly res: ServerResponse;
  private readonly route: Route;
  private readonly deps: ForwardDeps;
  private readonly via: Via;
  private readonly path: string;
  private readonly t0: number;
  up: { resume(): void; abort(): void } | null = null;
  /** active: a successful answer counts as use of the app (start-policy.ts). */
  active = true;
  private status = 0;
  private done = false;
  /** direct: the body goes to the client's socket itself (Content-Length framing, socket attached). */
  private direct = false;
  private ended = false;
  private flushed = false;
  private onDrain: (() => void) | null = null;
  /** line: the connection's pipeline while this request is in it; pending: the request, until its turn. */
  line: Line | null = null;
  pending: UpstreamRequest | null = null;

  constructor(req: IncomingMessage, res: ServerResponse, route: Route, deps: ForwardDeps, via: Via, path: string, t0: number) {
    this.req = req; this.res = res; this.route = route; this.deps = deps; this.via = via; this.path = path; this.t0 = t0;
    // `on`, not `once`: 'close' fires once, and once() would allocate a wrapper per request.
    res.on('close', () => {
      // The client went away before the answer was complete: stop the upstream request too.
      if (!this.done) this.up?.abort();
      this.leave();
    });
  }

  /** begin sends the request to the app (now, or when its turn in the pipeline comes). */
  begin(): void {
    const r = this.pending!;
    this.pending = null;
    this.up = this.route.pool!.request(r, this);
  }

  /** leave takes the request out of its connection's pipeline and starts the next one still wanted. */
  private leave(): void {
    const line = this.line;
    if (line === null) return;
    this.line = null;
    if (this.pending !== null) return; // never started: skipped when its turn comes
    line.busy = false;
    let next: ForwardHandler | undefined;
    while ((next = line.waiting.shift()) !== undefined) {
      if (next.line === null || next.res.destroyed) continue;
      line.busy = true;
      // After the present callback: the socket of the answer just ended is back in the pool by then.
      const n = next;
      queueMicrotask(() => n.begin());
      return;
    }
  }

  interim(statusCode: number, _reason: string, headers: string[]): void {
    // RFC 9110 §15.2: 1xx answers go on, except to an HTTP/1.0 client. Node writes 102 and 103
    // (with a Link, which is what a 103 is for); other 1xx codes are rare and dropped.
    const res = this.res;
    if (res.headersSent || this.req.httpVersionMinor === 0) return;
    if (statusCode === 102) { res.writeProcessing(); return; }
    if (statusCode !== 103) return;
    const hints: Record<string, string | string[]> = {};
    const out = responseHeaders(headers, this.route);
    for (let i = 0; i < out.length; i += 2) {
      const prev = hints[out[i]];
      hints[out[i]] = prev === undefined ? out[i + 1] : ([] as string[]).concat(prev, out[i + 1]);
    }
    res.writeEarlyHints(hints);
  }

  head(statusCode: number, statusMessage: string, headers: string[], codings: string): void {
    this.status = statusCode;
    const out = responseHeaders(headers, this.route);
    // Codings the app applied stay named (RFC 9112 §6.1); Node's server adds the chunked framing.
    if (codings !== '') out.push('transfer-encoding', codings + ', chunked');
    const res = this.res;
    if (statusMessage) res.writeHead(statusCode, statusMessage, out);
    else res.writeHead(statusCode, out);
    this.direct = !res.chunkedEncoding && res.socket !== null;
    if (statusCode < 400) this.deps.recorder.hit(this.route.id, this.route.uuid, this.via.actor, this.active);
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
      return afterWrite(s, this.onDrain ??= () => this.up?.resume(), false);
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
    this.leave();
  }

  error(err: Error): void {
    this.done = true;
    this.leave();
    // (Not req.destroyed: Node destroys a request once its body has been read, and a POST whose
    // answer failed must still get its 502.)
    if (this.res.destroyed) return;
    logUpstream(this.deps.logger, err, { uuid: this.route.uuid, title: this.route.title, method: this.req.method, path: this.path });
    if (this.res.headersSent) {
      this.res.destroy();
      return;
    }
    const failure = upstreamError(err, this.route.title);
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
  const socket = req.socket as Socket & { [LINE]?: Line };
  if (socket[LINE]?.closing) return; // past the pipelining bound: left unanswered, it goes with the connection
  const headers = appHeaders(scanned, req.socket, via, dropAuthorization);
  const body = scanned.hasBody ? req : null;
  const h = new ForwardHandler(req, res, route, deps, via, path, t0);
  h.active = isActivity(req.method!, scanned.fetchMode);
  h.pending = { method: req.method!, path, headers, body, client: via.user };
  const line = socket[LINE] ??= { busy: false, waiting: [], closing: false };
  h.line = line;
  if (!line.busy) { line.busy = true; h.begin(); return; }
  if (line.waiting.length >= MAX_PIPELINED) {
    h.line = null;
    h.pending = null;
    line.closing = true;
    socket.pause();
    sendFailure(res, PIPELINE_FULL, false, { connection: 'close' });
    deps.metrics.response(503, (performance.now() - t0) / 1000);
    return;
  }
  line.waiting.push(h);
}
