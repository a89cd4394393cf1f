/**
 * upstream-exchange.ts: one request/response on a pooled upstream socket (raw-upstream.ts). Writes
 * the request head as one string and streams the body (chunked when the client sent it chunked);
 * reads the answer in place: the head (response-head.ts), then the body handed on chunk by chunk
 * with its framing removed (Content-Length counted, chunked decoded, or read until the app
 * closes). An idempotent request on a kept-alive socket the app had closed is retried once.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Conn, RawPool } from './raw-upstream.ts';
import { parseResponseHead } from './response-head.ts';

/** `data` results: the bytes are done with and reading goes on (0), or any of these flags. */
export const PAUSE = 1;
/** KEPT: the handler still holds `chunk` after the call (a queued write), so its buffer must not be reused. */
export const KEPT = 2;

/**
 * afterWrite is a handler's `data` result once it has written a chunk to the client's socket `s`:
 * 0 when the kernel took the write whole (the read buffer may be reused), KEPT while it is queued,
 * and KEPT | PAUSE when the socket is full — then `onDrain` runs once it has drained.
 */
export function afterWrite(s: Duplex & { writableLength: number; writableNeedDrain: boolean }, onDrain: () => void): number {
  if (s.writableLength === 0) return 0;
  if (!s.writableNeedDrain) return KEPT;
  s.once('drain', onDrain);
  return KEPT | PAUSE;
}

/** UpstreamHandler receives one answer. */
export interface UpstreamHandler {
  /** head receives the status and the headers as a flat list (name, value, …; names in lower case, repeats repeated). */
  head(status: number, reason: string, headers: string[]): void;
  /**
   * data receives body bytes. `chunk` is a view into the connection's read buffer, which the next
   * read overwrites unless the result says KEPT; PAUSE asks for backpressure until `resume()`.
   * `last` is true when these bytes complete a Content-Length body.
   */
  data(chunk: Buffer, last: boolean): number;
  end(): void;
  error(err: Error): void;
}

/** UpstreamRequest is what goes to the app: `headers` is a flat name/value list (Host included when the client sent one). */
export interface UpstreamRequest {
  method: string;
  path: string;
  headers: string[];
  /** body is the client's request when it announced one, else null. */
  body: IncomingMessage | null;
}

const MAX_HEAD = 64 * 1024;
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);
const CRLF2 = Buffer.from('\r\n\r\n');

/** coded makes an Error with a Node-style `code`, which the proxy's failure map reads. */
export function coded(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

// Response parser states.
const HEAD = 0, FIXED = 1, CHUNK_SIZE = 2, CHUNK_DATA = 3, CHUNK_CRLF = 4, TRAILERS = 5, UNTIL_CLOSE = 6, DONE = 7;

/** Exchange is one request/response on a Conn. */
export class Exchange {
  readonly req: UpstreamRequest;
  readonly h: UpstreamHandler;
  readonly pool: RawPool;
  conn: Conn | null = null;
  private state = HEAD;
  private buf: Buffer | null = null;
  private left = 0;
  private sentBody = false;
  private gotBytes = false;
  private retried = false;
  private keepAlive = true;
  private isHead: boolean;
  private finished = false;

  constructor(pool: RawPool, req: UpstreamRequest, h: UpstreamHandler) {
    this.pool = pool; this.req = req; this.h = h;
    this.isHead = req.method === 'HEAD';
  }

  start(conn: Conn): void {
    this.conn = conn;
    conn.ex = this;
    const r = this.req;
    // latin1: Node parsed the client's header bytes as latin1 strings, so this writes the same bytes back.
    let head = r.method + ' ' + r.path + ' HTTP/1.1\r\n';
    const hs = r.headers;
    let hasHost = false;
    let chunked = false;
    for (let i = 0; i < hs.length; i += 2) {
      const n = hs[i];
      if (n.length === 4 && n.toLowerCase() === 'host') hasHost = true;
      head += n + ': ' + hs[i + 1] + '\r\n';
    }
    if (!hasHost) head += 'host: ' + this.pool.hostHeader + '\r\n';
    const body = r.body;
    if (body !== null && body.headers['transfer-encoding'] !== undefined) {
      chunked = true;
      head += 'transfer-encoding: chunked\r\n';
    }
    const s = conn.socket;
    if (body === null) {
      s.write(head + '\r\n', 'latin1');
      this.sentBody = true;
      return;
    }
    s.write(head + '\r\n', 'latin1');
    const onData = (chunk: Buffer) => {
      if (chunk.length === 0) return;
      const ok = chunked ? (s.write(chunk.length.toString(16) + '\r\n'), s.write(chunk), s.write('\r\n')) : s.write(chunk);
      if (!ok) { body.pause(); s.once('drain', () => body.resume()); }
    };
    body.on('data', onData);
    body.once('end', () => {
      body.off('data', onData);
      if (chunked && !s.destroyed) s.write('0\r\n\r\n');
      this.sentBody = true;
      if (this.finished) this.release();
    });
  }

  onData(chunk: Buffer): void {
    this.gotBytes = true;
    let c = chunk;
    let i = 0;
    if (this.state === HEAD) {
      if (this.buf !== null) { c = Buffer.concat([this.buf, c]); this.buf = null; }
      while (this.state === HEAD) {
        const end = c.indexOf(CRLF2, i);
        if (end < 0) {
          if (c.length - i > MAX_HEAD) return this.fail(coded('the app sent an oversized response head', 'EPROTO'));
          this.buf = Buffer.from(c.subarray(i)); // a copy: the read buffer is reused
          return;
        }
        const text = c.toString('latin1', i, end);
        i = end + 4;
        if (!this.parseHead(text)) return;
      }
    }
    while (i < c.length && this.state !== DONE) {
      switch (this.state) {
        case FIXED: {
          const n = Math.min(this.left, c.length - i);
          this.left -= n;
          const part = i === 0 && n === c.length ? c : c.subarray(i, i + n);
          i += n;
          if (this.left === 0) { this.state = DONE; if (part.length) this.push(part, true); }
          else this.push(part, false);
          break;
        }
        case UNTIL_CLOSE: {
          this.push(i === 0 ? c : c.subarray(i), false);
          i = c.length;
          break;
        }
        case CHUNK_SIZE:
        case TRAILERS: {
          if (this.buf !== null) { c = Buffer.concat([this.buf, c.subarray(i)]); this.buf = null; i = 0; }
          const nl = c.indexOf(10, i);
          if (nl < 0) {
            if (c.length - i > MAX_HEAD) return this.fail(coded('malformed chunked answer', 'EPROTO'));
            this.buf = Buffer.from(c.subarray(i));
            return;
          }
          const line = c.toString('latin1', i, nl).trim();
          i = nl + 1;
          if (this.state === TRAILERS) {
            if (line === '') this.state = DONE;
            break;
          }
          const semi = line.indexOf(';');
          const size = parseInt(semi < 0 ? line : line.slice(0, semi), 16);
          if (!(size >= 0)) return this.fail(coded('malformed chunk size from the app', 'EPROTO'));
          if (size === 0) this.state = TRAILERS;
          else { this.left = size; this.state = CHUNK_DATA; }
          break;
        }
        case CHUNK_DATA: {
          const n = Math.min(this.left, c.length - i);
          this.left -= n;
          this.push(c.subarray(i, i + n), false);
          i += n;
          if (this.left === 0) { this.state = CHUNK_CRLF; this.left = 2; }
          break;
        }
        case CHUNK_CRLF: {
          const n = Math.min(this.left, c.length - i);
          this.left -= n;
          i += n;
          if (this.left === 0) this.state = CHUNK_SIZE;
          break;
        }
      }
    }
    if (this.state === DONE) {
      // Anything after the answer was not asked for (no pipelining): do not reuse the socket.
      if (i < c.length) this.keepAlive = false;
      this.complete();
    }
  }

  /** parseHead reads one status line and header block; false when the exchange failed. */
  private parseHead(text: string): boolean {
    const r = parseResponseHead(text);
    if (typeof r === 'string') { this.fail(coded(r, 'EPROTO')); return false; }
    if (r.interim) return true; // 1xx interim answers are not passed on (Node answers Expect itself)
    if (r.close) this.keepAlive = false;
    this.conn!.socket.setTimeout(0); // a body may be slow (server-sent events): no timeout once the head is in
    try {
      this.h.head(r.status, r.reason, r.headers);
    } catch (err) {
      // Node refused to write the app's head (a header with control characters, say): not a crash, a 502.
      this.fail(coded(`the app sent a head that cannot be passed on (${(err as Error).message})`, 'EPROTO'));
      return false;
    }
    const length = r.length;
    if (this.isHead || r.status === 204 || r.status === 304) this.state = DONE;
    else if (r.chunked) this.state = CHUNK_SIZE;
    else if (length >= 0 && Number.isSafeInteger(length)) { this.left = length; this.state = length === 0 ? DONE : FIXED; }
    else { this.state = UNTIL_CLOSE; this.keepAlive = false; }
    return true;
  }

  private push(part: Buffer, last: boolean): void {
    if (part.length === 0) return;
    const r = this.h.data(part, last);
    const conn = this.conn;
    if (r === 0 || conn === null) return;
    if (r & KEPT) conn.kept = true;
    if (r & PAUSE) conn.socket.pause();
  }

  /** resume continues reading after a pause asked for by the handler. */
  resume(): void {
    this.conn?.socket.resume();
  }

  private complete(): void {
    if (this.finished) return;
    this.finished = true;
    this.h.end();
    if (this.sentBody) this.release();
  }

  private release(): void {
    const conn = this.conn;
    if (conn === null) return;
    this.conn = null;
    conn.ex = null;
    if (this.keepAlive && !conn.socket.destroyed) this.pool.idle(conn);
    else conn.socket.destroy();
  }

  private fail(err: Error): void {
    this.finished = true;
    const conn = this.conn;
    this.conn = null;
    if (conn) { conn.ex = null; conn.socket.destroy(); }
    this.h.error(err);
  }

  /** abort drops the exchange (the client left): the socket is not reused. */
  abort(): void {
    if (this.finished) return;
    this.finished = true;
    const conn = this.conn;
    this.conn = null;
    if (conn) { conn.ex = null; conn.socket.destroy(); }
    else this.pool.unqueue(this);
  }

  onClose(err: Error | null): void {
    const conn = this.conn;
    this.conn = null;
    if (this.finished) return;
    if (this.state === UNTIL_CLOSE) { this.finished = true; this.h.end(); return; }
    // A kept-alive socket the app closed before answering: once more on a fresh one, if that is safe.
    if (!this.gotBytes && conn?.used && !this.retried && this.req.body === null && IDEMPOTENT.has(this.req.method)) {
      this.retried = true;
      this.state = HEAD;
      this.pool.run(this, true);
      return;
    }
    this.finished = true;
    this.h.error(err ?? coded(this.gotBytes ? 'the app closed the connection mid-answer' : 'the app closed the connection without answering', 'ECONNRESET'));
  }
}
