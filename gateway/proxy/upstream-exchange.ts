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
import { chunkSize, trailerOk } from './chunk-line.ts';
import { lfHeadEnd, parseResponseHead, plainHead } from './response-head.ts';
import { crlf, field, headBuffer, put, sent } from './head-buffer.ts';

/** `data` results: the bytes are done with and reading goes on (0), or any of these flags. */
export const PAUSE = 1;
/** KEPT: the handler still holds `chunk` after the call (a queued write), so its buffer must not be reused. */
export const KEPT = 2;

/**
 * afterWrite is a handler's `data` result once it has written a chunk to the client's socket `s`:
 * 0 when the kernel took the write whole (the read buffer may be reused), KEPT while it is queued,
 * and KEPT | PAUSE when the socket is full — then `onDrain` runs once it has drained. After the
 * `last` bytes there is nothing to resume, so no listener is added (one per answer would pile up
 * on a kept-alive connection whose reader is slow).
 */
export function afterWrite(s: Duplex & { writableLength: number; writableNeedDrain: boolean }, onDrain: () => void, last: boolean): number {
  if (s.writableLength === 0) return 0;
  if (!s.writableNeedDrain || last) return KEPT;
  s.once('drain', onDrain);
  return KEPT | PAUSE;
}

/** UpstreamHandler receives one answer. */
export interface UpstreamHandler {
  /**
   * head receives the status and the headers as a flat list (name, value, …; names in lower case,
   * repeats repeated). `codings` are transfer codings still on the body's bytes ('' for none): the
   * client's Transfer-Encoding must name them, followed by the chunked its framing adds.
   */
  head(status: number, reason: string, headers: string[], codings: string): void;
  /** interim receives a 1xx answer other than 100 and 101 (103 Early Hints), to pass on before the head. */
  interim(status: number, reason: string, headers: string[]): void;
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
  /** client names who asks (the user): the pool's fairness caps count per client. */
  client: string;
}

/** MAX_HEAD bounds an answer's head as Node's client does (its default maxHeaderSize, 16 KiB). */
const MAX_HEAD = 16 * 1024;
const MAX_LINE = 16 * 1024;
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
  finished = false;
  /** paused: the handler asked to wait; `rest` holds the bytes of the last read not yet handed on. */
  private paused = false;
  private rest: Buffer | null = null;
  /** closedWith: the app's socket closed while paused (CLOSED when without an error). */
  private closedWith: Error | null = null;
  /** prev/next link the exchange into the pool's wait list or stall list (O(1) removal); `list` says which. */
  prev: Exchange | null = null;
  next: Exchange | null = null;
  list: object | null = null;
  /** since: when the present wait (queue or stall) began (ms, coarse). */
  since = 0;
  /** holds: the exchange counts against its client's share of the pool (running or queued). */
  holds = false;

  constructor(pool: RawPool, req: UpstreamRequest, h: UpstreamHandler) {
    this.pool = pool; this.req = req; this.h = h;
    this.isHead = req.method === 'HEAD';
  }

  start(conn: Conn): void {
    this.conn = conn;
    conn.ex = this;
    const r = this.req;
    // latin1: Node parsed the client's header bytes as latin1 strings, so this writes the same bytes back.
    const hs = r.headers;
    const body = r.body;
    const chunked = body !== null && body.headers['transfer-encoding'] !== undefined;
    let hasHost = false;
    let n = r.method.length + r.path.length + 14; // "M P HTTP/1.1\r\n" and the blank line
    for (let i = 0; i < hs.length; i += 2) {
      const name = hs[i];
      if (name.length === 4 && name.toLowerCase() === 'host') hasHost = true;
      n += name.length + hs[i + 1].length + 4;
    }
    if (!hasHost) n += 8 + this.pool.hostHeader.length;
    if (chunked) n += 28;
    // Written into the scratch buffer (head-buffer.ts), not built as a string: no rope, no second copy.
    const b = headBuffer(n);
    let o = put(b, 0, r.method);
    b[o++] = 32;
    o = put(b, o, r.path);
    o = put(b, o, ' HTTP/1.1\r\n');
    for (let i = 0; i < hs.length; i += 2) o = field(b, o, hs[i], hs[i + 1]);
    if (!hasHost) o = field(b, o, 'host', this.pool.hostHeader);
    if (chunked) o = field(b, o, 'transfer-encoding', 'chunked');
    o = crlf(b, o);
    const s = conn.socket;
    s.write(b.subarray(0, o));
    sent(b, s.writableLength !== 0);
    if (body === null) {
      this.sentBody = true;
      return;
    }
    let waiting = false;
    const onData = (chunk: Buffer) => {
      if (chunk.length === 0 || s.destroyed) return; // (destroyed: answered before the body was all sent; the rest is dropped)
      const ok = chunked ? (s.write(chunk.length.toString(16) + '\r\n'), s.write(chunk), s.write('\r\n')) : s.write(chunk);
      conn.sent(); // the head's time runs from the last bytes of the request sent
      if (!ok && !waiting) { waiting = true; body.pause(); s.once('drain', () => { waiting = false; body.resume(); }); }
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
    if (this.paused) { this.rest = this.rest === null ? Buffer.from(chunk) : Buffer.concat([this.rest, chunk]); return; }
    let c = chunk;
    let i = 0;
    if (this.buf !== null) { c = Buffer.concat([this.buf, c]); this.buf = null; }
    while (this.state === HEAD) {
      // Empty lines before a status line are skipped, as llhttp does.
      while (i < c.length && (c[i] === 10 || (c[i] === 13 && c[i + 1] === 10))) i += c[i] === 13 ? 2 : 1;
      if (i >= c.length) return;
      let textEnd = c.indexOf(CRLF2, i);
      let body = textEnd + 4;
      let text = textEnd >= 0 ? c.toString('latin1', i, textEnd) : '';
      if (textEnd < 0 || !plainHead(text)) {
        // A head with bare LFs, or one still incomplete.
        const lf = lfHeadEnd(c, i);
        if (lf === null) {
          if (c.length - i > MAX_HEAD) return this.fail(coded('the app sent an oversized response head', 'EPROTO'));
          this.buf = Buffer.from(c.subarray(i)); // a copy: the read buffer is reused
          return;
        }
        textEnd = lf[0]; body = lf[1];
        text = c.toString('latin1', i, textEnd);
      }
      if (body - i > MAX_HEAD) return this.fail(coded('the app sent an oversized response head', 'EPROTO'));
      i = body;
      if (!this.parseHead(text)) return;
    }
    this.parse(c, i);
  }

  /** parse reads body bytes c[i…] in the present state, stopping early when the handler pauses. */
  private parse(c: Buffer, i: number): void {
    while (i < c.length && this.state !== DONE) {
      if (this.paused) {
        // The handler asked to wait: the rest is kept (a view; the read buffer is not reused) until resume().
        this.rest = c.subarray(i);
        if (this.conn !== null) this.conn.kept = true;
        return;
      }
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
          const nl = c.indexOf(10, i);
          if (nl < 0) {
            if (c.length - i > MAX_LINE) return this.fail(coded('the app sent an over-long chunk line', 'EPROTO'));
            this.buf = Buffer.from(c.subarray(i));
            return;
          }
          // Chunk lines end in CRLF (llhttp refuses a bare LF or CR here).
          if (nl === i || c[nl - 1] !== 13) return this.fail(coded('the app sent a malformed chunked body (a line without CRLF)', 'EPROTO'));
          const le = nl - 1;
          const from = i;
          i = nl + 1;
          if (this.state === TRAILERS) {
            if (le === from) this.state = DONE;
            else if (!trailerOk(c, from, le)) return this.fail(coded('the app sent a malformed trailer field', 'EPROTO'));
            break;
          }
          const size = chunkSize(c, from, le);
          if (size < 0) return this.fail(coded('the app sent an invalid chunk size', 'EPROTO'));
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
          // The CRLF after chunk data, possibly split across reads.
          if (c[i] !== (this.left === 2 ? 13 : 10)) return this.fail(coded('the app sent a malformed chunked body (no CRLF after a chunk)', 'EPROTO'));
          i++;
          if (--this.left === 0) this.state = CHUNK_SIZE;
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
    if (r.interim) {
      // RFC 9110 §15.2: a proxy forwards 1xx answers (103 Early Hints). 100 Continue is not passed
      // on: Expect is not forwarded, and Node's server answers the client's Expect itself.
      if (r.status !== 100) this.h.interim(r.status, r.reason, r.headers);
      return true;
    }
    if (r.close) this.keepAlive = false;
    this.conn!.reading(); // a body may be slow (server-sent events): no time limit once the head is in
    const bodiless = this.isHead || r.status === 204 || r.status === 304;
    try {
      this.h.head(r.status, r.reason, r.headers, bodiless ? '' : r.codings);
    } catch (err) {
      // Node refused to write the app's head (a header with control characters, say): not a crash, a 502.
      this.fail(coded(`the app sent a head that cannot be passed on (${(err as Error).message})`, 'EPROTO'));
      return false;
    }
    const length = r.length;
    if (bodiless) this.state = DONE;
    else if (r.chunked) this.state = CHUNK_SIZE;
    else if (length >= 0) { this.left = length; this.state = length === 0 ? DONE : FIXED; }
    else { this.state = UNTIL_CLOSE; this.keepAlive = false; }
    return true;
  }

  private push(part: Buffer, last: boolean): void {
    if (part.length === 0) return;
    const r = this.h.data(part, last);
    const conn = this.conn;
    if (r === 0 || conn === null) return;
    if (r & KEPT) conn.kept = true;
    // After the last bytes there is nothing to hold back: the socket goes back to the pool unpaused.
    if (r & PAUSE && this.state !== DONE) {
      this.paused = true;
      conn.socket.pause();
      this.pool.stalled(this);
    }
  }

  /** resume continues reading after a pause asked for by the handler: first the bytes kept back, then the socket. */
  resume(): void {
    if (!this.paused || this.finished) return;
    this.paused = false;
    this.pool.unstalled(this);
    const rest = this.rest;
    if (rest !== null) { this.rest = null; this.parse(rest, 0); }
    if (this.paused || this.finished) return;
    const closedWith = this.closedWith;
    if (closedWith !== null) this.closed(closedWith === CLOSED ? null : closedWith, false);
    else this.conn?.socket.resume();
  }

  /** settle marks the answer finished and gives the pool back what it counted for it. */
  private settle(): void {
    this.finished = true;
    this.pool.settled(this);
  }

  private complete(): void {
    if (this.finished) return;
    this.settle();
    this.h.end();
    if (this.sentBody) { this.release(); return; }
    // The app answered before the request body was all sent (a slow upload, say): the rest is of
    // no use to it (RFC 9112 §9.5 lets a client stop sending), and waiting for it would hold the
    // socket for as long as the client likes. The socket is closed; Node's server drains the body.
    this.keepAlive = false;
    this.release();
    this.req.body?.resume();
  }

  private release(): void {
    const conn = this.conn;
    if (conn === null) return;
    this.conn = null;
    conn.ex = null;
    if (this.keepAlive && !conn.socket.destroyed) this.pool.idle(conn);
    else conn.socket.destroy();
  }

  /** fail ends the exchange with `err`; the socket is not reused. */
  fail(err: Error): void {
    if (this.finished) return;
    this.settle();
    const conn = this.conn;
    this.conn = null;
    if (conn) { conn.ex = null; conn.socket.destroy(); }
    this.h.error(err);
  }

  /** abort drops the exchange (the client left): the socket is not reused. */
  abort(): void {
    if (this.finished) return;
    this.settle();
    const conn = this.conn;
    this.conn = null;
    if (conn) { conn.ex = null; conn.socket.destroy(); }
  }

  onClose(err: Error | null): void {
    const conn = this.conn;
    this.conn = null;
    if (this.finished) return;
    // Bytes kept back for a slow client may complete the answer: decide once they are handed on.
    if (this.paused) { this.closedWith = err ?? CLOSED; return; }
    this.closed(err, conn?.used === true);
  }

  private closed(err: Error | null, reused: boolean): void {
    if (this.state === UNTIL_CLOSE) { this.settle(); this.h.end(); return; }
    // A kept-alive socket the app closed before answering: once more on a fresh one, if that is safe.
    if (!this.gotBytes && reused && !this.retried && this.req.body === null && IDEMPOTENT.has(this.req.method)) {
      this.retried = true;
      this.state = HEAD;
      this.pool.retry(this);
      return;
    }
    this.settle();
    this.h.error(err ?? coded(this.gotBytes ? 'the app closed the connection mid-answer' : 'the app closed the connection without answering', 'ECONNRESET'));
  }
}

/** CLOSED stands for "closed without an error" while a paused exchange waits to learn it. */
const CLOSED = new Error('closed');
