/**
 * fast-forward.ts: forward.ts for requests the listener's fast path took (gateway/http/front.ts):
 * the answer is written straight onto the client's socket — head and first bytes in one write,
 * then each chunk as it arrives, pausing the app's socket while the client cannot keep up. The
 * head is built here: the app's fields (response-headers.ts), Date when the app sent none, and the
 * framing — the app's Content-Length, else chunked.
 */
import { STATUS_CODES } from 'node:http';
import type { FrontConn } from '../http/front.ts';
import type { PorticoError } from '../core/errors.ts';
import type { Scanned } from './headers.ts';
import { responseHeaders } from './response-headers.ts';
import type { Route } from './routes.ts';
import { isActivity } from './start-policy.ts';
import { logUpstream, upstreamError } from './failure.ts';
import { appHeaders } from './forward.ts';
import type { ForwardDeps, Via } from './forward.ts';
import { afterWrite, PAUSE } from './raw-upstream.ts';
import type { UpstreamHandler } from './raw-upstream.ts';
import { crlf, drop, field, headBuffer, put, sent } from './head-buffer.ts';
import type { Holder } from './head-buffer.ts';

let dateText = '';
/** httpDate is the Date value, made at most once a second (as Node's server does). */
function httpDate(): string {
  if (dateText === '') {
    dateText = new Date().toUTCString();
    setTimeout(() => { dateText = ''; }, 1000 - new Date().getMilliseconds()).unref();
  }
  return dateText;
}

/** COALESCE_MAX: a first chunk up to this size is copied behind the head (a copy costs less than a second buffer to write). */
const COALESCE_MAX = 16 * 1024;

/** failureHead is a complete small answer for an error before anything was sent. */
function failureAnswer(err: PorticoError, keepAlive: boolean): string {
  const body = JSON.stringify({ error: err.message, code: err.code });
  return `HTTP/1.1 ${err.status} ${STATUS_CODES[err.status] ?? 'Error'}\r\ncontent-type: application/json; charset=utf-8\r\n`
    + `content-length: ${Buffer.byteLength(body)}\r\ncache-control: no-store\r\nx-content-type-options: nosniff\r\ndate: ${httpDate()}\r\n`
    + (err.code === 'E_UPSTREAM_BUSY' ? 'retry-after: 1\r\n' : '')
    + (keepAlive ? '' : 'connection: close\r\n') + '\r\n' + body;
}

class FastForward implements UpstreamHandler, Holder {
  private readonly conn: FrontConn;
  private readonly route: Route;
  private readonly deps: ForwardDeps;
  private readonly via: Via;
  private readonly method: string;
  private readonly path: string;
  private readonly t0: number;
  up: { resume(): void; abort(): void } | null = null;
  /** active: a successful answer counts as use of the app (start-policy.ts). */
  active = true;
  private status = 0;
  /** headBuf holds the head (headLen bytes) until it is written with the first bytes; text holds it instead once spilled. */
  private headBuf: Buffer | null = null;
  private headLen = 0;
  private text = '';
  private chunked = false;
  private sent = false;
  private onDrain: (() => void) | null = null;

  constructor(conn: FrontConn, route: Route, deps: ForwardDeps, via: Via, method: string, path: string, t0: number) {
    this.conn = conn; this.route = route; this.deps = deps; this.via = via; this.method = method; this.path = path; this.t0 = t0;
  }

  interim(statusCode: number, reason: string, headers: string[]): void {
    // RFC 9110 §15.2: 1xx answers go on to the client as they come (the fast path serves only HTTP/1.1).
    const s = this.conn.socket;
    if (this.sent || s.destroyed) return;
    const out = responseHeaders(headers, this.route);
    let h = 'HTTP/1.1 ' + statusCode + ' ' + (reason || STATUS_CODES[statusCode] || '') + '\r\n';
    for (let i = 0; i < out.length; i += 2) h += out[i] + ': ' + out[i + 1] + '\r\n';
    s.write(h + '\r\n', 'latin1');
  }

  head(statusCode: number, reason: string, headers: string[], codings: string): void {
    this.status = statusCode;
    const out = responseHeaders(headers, this.via.scope);
    const reasonText = reason || STATUS_CODES[statusCode] || '';
    let length = false;
    let date = false;
    // Sized first, then written into the scratch buffer (head-buffer.ts) with room for a small first chunk behind it.
    let n = 15 + reasonText.length + 2;
    for (let i = 0; i < out.length; i += 2) {
      const name = out[i];
      if (name.length === 14 && name === 'content-length') length = true;
      else if (name.length === 4 && name === 'date') date = true;
      n += name.length + out[i + 1].length + 4;
    }
    const dateText = date ? '' : httpDate();
    const bodiless = this.method === 'HEAD' || statusCode === 204 || statusCode === 304;
    // Codings the app applied stay named (RFC 9112 §6.1): only the chunked framing is ours.
    this.chunked = codings !== '' || (!length && !bodiless);
    n += dateText.length + 8 + codings.length + 30 + 19;
    const b = headBuffer(n + COALESCE_MAX + 16, this);
    let o = put(b, 0, 'HTTP/1.1 ' + statusCode + ' ');
    o = put(b, o, reasonText);
    o = crlf(b, o);
    for (let i = 0; i < out.length; i += 2) o = field(b, o, out[i], out[i + 1]);
    if (dateText !== '') o = field(b, o, 'date', dateText);
    if (codings !== '') o = field(b, o, 'transfer-encoding', codings + ', chunked');
    else if (this.chunked) o = field(b, o, 'transfer-encoding', 'chunked');
    if (!this.conn.keepAlive) o = field(b, o, 'connection', 'close');
    this.headBuf = b;
    this.headLen = crlf(b, o);
    if (statusCode < 400) this.deps.recorder.hit(this.route.id, this.route.uuid, this.via.actor, this.active);
  }

  /** spill copies the head out of the scratch buffer, which another head is about to take. */
  spill(): void {
    if (this.headBuf === null) return;
    this.text = this.headBuf.toString('latin1', 0, this.headLen);
    this.headBuf = null;
  }

  data(chunk: Buffer, last: boolean): number {
    const s = this.conn.socket;
    if (s.destroyed) return 0; // the client left: its 'close' aborts the exchange
    if (!this.sent && chunk.length <= COALESCE_MAX) return this.first(s, chunk, last);
    if (!this.sent || this.chunked) {
      // Head (once), framing and bytes in one write.
      s.cork();
      if (!this.sent) { this.sent = true; drop(this); this.spill(); s.write(this.text, 'latin1'); this.text = ''; }
      if (this.chunked) { s.write(chunk.length.toString(16) + '\r\n', 'latin1'); s.write(chunk); s.write('\r\n', 'latin1'); }
      else s.write(chunk);
      s.uncork();
    } else {
      s.write(chunk);
    }
    return afterWrite(s, this.onDrain ??= () => this.up?.resume(), last);
  }

  /**
   * first writes the head, its framing and a small first chunk as one buffer: one plain write
   * (no cork, no writev of a string and a buffer). The head is still in the scratch buffer unless
   * another head took it meanwhile (then it was spilled into `text`).
   */
  private first(s: FrontConn['socket'], chunk: Buffer, last: boolean): number {
    this.sent = true;
    let b = this.headBuf;
    let o: number;
    if (b !== null) {
      this.headBuf = null;
      o = this.headLen;
    } else {
      const text = this.text;
      this.text = '';
      b = Buffer.allocUnsafe(text.length + chunk.length + 16);
      o = put(b, 0, text);
    }
    if (this.chunked) { o = put(b, o, chunk.length.toString(16)); o = crlf(b, o); }
    o += chunk.copy(b, o);
    if (this.chunked) o = crlf(b, o);
    s.write(b.subarray(0, o));
    sent(b, s.writableLength !== 0);
    if (!s.writableNeedDrain || last) return 0;
    s.once('drain', this.onDrain ??= () => this.up?.resume());
    return PAUSE;
  }

  end(): void {
    const s = this.conn.socket;
    if (!s.destroyed) {
      if (!this.sent) {
        this.sent = true;
        const b = this.headBuf;
        if (b !== null) {
          this.headBuf = null;
          // Room for the last chunk was kept behind the head.
          const o = this.chunked ? put(b, this.headLen, '0\r\n\r\n') : this.headLen;
          s.write(b.subarray(0, o));
          sent(b, s.writableLength !== 0);
        } else s.write(this.chunked ? this.text + '0\r\n\r\n' : this.text, 'latin1');
      }
      else if (this.chunked) s.write('0\r\n\r\n', 'latin1');
    } else if (this.headBuf !== null) { drop(this); this.headBuf = null; }
    this.deps.metrics.response(this.status, (performance.now() - this.t0) / 1000);
    this.conn.done();
  }

  error(err: Error): void {
    const s = this.conn.socket;
    if (this.headBuf !== null) { drop(this); this.headBuf = null; }
    if (s.destroyed) return; // the client left: nothing to tell
    logUpstream(this.deps.logger, err, { uuid: this.route.uuid, title: this.route.title, method: this.method, path: this.path });
    if (this.sent) {
      // Part of the answer is out: the client can only learn of the failure by the connection closing.
      s.destroy();
      return;
    }
    const failure = upstreamError(err, this.route.title);
    this.deps.metrics.response(failure.status, (performance.now() - this.t0) / 1000);
    this.sent = true;
    s.write(failureAnswer(failure, this.conn.keepAlive), 'latin1');
    this.conn.done();
  }
}

/** fastForward sends a body-less request taken by the fast path to the route's app at `path` and streams the answer to the client. */
export function fastForward(conn: FrontConn, method: string, route: Route, path: string, scanned: Scanned, dropAuthorization: boolean, via: Via, deps: ForwardDeps, t0: number): void {
  const headers = appHeaders(scanned, conn.socket, via, dropAuthorization);
  const h = new FastForward(conn, route, deps, via, method, path, t0);
  h.active = isActivity(method, scanned.fetchMode);
  const up = route.pool!.request({ method, path, headers, body: null, client: via.user }, h);
  h.up = up;
  conn.current = up;
}
