/**
 * raw-upstream.ts: an HTTP/1.1 client for the proxy on pooled keep-alive `net.Socket`s, with no
 * request or response objects in between. The request head is written as one string, the body is
 * streamed (chunked framing when the client sent it chunked), and the answer is parsed in place:
 * status line and headers, then the body handed on chunk by chunk with its framing removed
 * (Content-Length counted, chunked decoded, or read until the app closes). A socket goes back to
 * the pool only after a complete answer on a connection both sides keep alive.
 *
 * Reads land in one buffer per connection (`onread`), reused for the next read whenever the
 * handler is done with the bytes during its call — the usual case, as a write the kernel takes at
 * once keeps no reference. Only when the handler keeps a view (a write still queued) does the
 * connection move on to a fresh buffer. So a steady stream allocates nothing per read and leaves
 * the garbage collector nothing to do.
 */
import net from 'node:net';
import type { IncomingMessage } from 'node:http';

/** `data` results: the bytes are done with and reading goes on (0), or any of these flags. */
export const PAUSE = 1;
/** KEPT: the handler still holds `chunk` after the call (a queued write), so its buffer must not be reused. */
export const KEPT = 2;

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

const IDLE_MS = 30_000;
const CONNECT_MS = 10_000;
const HEADERS_MS = 300_000;
const MAX_HEAD = 64 * 1024;
/** READ_SIZE is each connection's read buffer, as large as one read Node would otherwise allocate. */
const READ_SIZE = 64 * 1024;
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);
const CRLF2 = Buffer.from('\r\n\r\n');

/** isOws: optional whitespace (SP, HTAB) around a field value, RFC 9110 §5.6.3. */
function isOws(c: number): boolean {
  return c === 32 || c === 9;
}

function withoutContentLength(flat: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < flat.length; i += 2) if (flat[i] !== 'content-length') out.push(flat[i], flat[i + 1]);
  return out;
}

function coded(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

// Response parser states.
const HEAD = 0, FIXED = 1, CHUNK_SIZE = 2, CHUNK_DATA = 3, CHUNK_CRLF = 4, TRAILERS = 5, UNTIL_CLOSE = 6, DONE = 7;

/** Conn is one pooled socket and the exchange it is serving (null while idle). */
class Conn {
  readonly socket: net.Socket;
  readonly pool: RawPool;
  ex: Exchange | null = null;
  connected = false;
  used = false;
  /** buf receives the next read; kept says a handler still holds a view of it. */
  private buf = Buffer.allocUnsafeSlow(READ_SIZE);
  kept = false;

  constructor(pool: RawPool) {
    this.pool = pool;
    const s = this.socket = net.connect({
      port: pool.port, host: pool.host, noDelay: true,
      onread: { buffer: () => this.nextBuffer(), callback: (n: number, b: Uint8Array) => this.onRead(n, b as Buffer) },
    });
    s.setTimeout(CONNECT_MS);
    s.on('connect', () => { this.connected = true; s.setTimeout(HEADERS_MS); });
    s.on('timeout', () => {
      if (this.ex) s.destroy(coded(this.connected ? 'the app did not answer in time' : 'connect timed out', 'ETIMEDOUT'));
      else s.destroy();
    });
    s.on('error', () => { /* reported through 'close' */ });
    s.on('close', () => {
      this.pool.forget(this);
      const ex = this.ex;
      this.ex = null;
      // errored is set by Node before 'close' when the socket failed.
      if (ex) ex.onClose((s as { errored?: Error | null }).errored ?? null);
    });
  }

  private onRead(n: number, b: Buffer): boolean {
    if (this.ex === null) { this.socket.destroy(); return false; } // bytes nobody asked for: the connection cannot be trusted any more
    this.ex.onData(b.subarray(0, n));
    return true;
  }

  /** nextBuffer is where the next read goes: the same buffer unless a handler kept a view of it. */
  private nextBuffer(): Buffer {
    if (this.kept) { this.kept = false; this.buf = Buffer.allocUnsafeSlow(READ_SIZE); }
    return this.buf;
  }
}

/** Exchange is one request/response on a Conn. */
class Exchange {
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
    let eol = text.indexOf('\r\n');
    if (eol < 0) eol = text.length;
    const sl = text.slice(0, eol);
    const status = Number(sl.slice(9, 12));
    if (!sl.startsWith('HTTP/1.') || !(status >= 100 && status < 1000)) {
      this.fail(coded('the app sent something that is not HTTP/1.x', 'EPROTO'));
      return false;
    }
    if (status >= 100 && status < 200) {
      if (status === 101) { this.fail(coded('the app switched protocols on a plain request', 'EPROTO')); return false; }
      return true; // 1xx interim answers are not passed on (Node answers Expect itself)
    }
    // One pass over the lines, no intermediate arrays: a flat name/value list, names in lower case.
    const headers: string[] = [];
    let length = -1;
    let chunked = false;
    let close = sl.charCodeAt(7) === 48; // HTTP/1.0: closes unless it says otherwise
    for (let i = eol + 2; i < text.length;) {
      let end = text.indexOf('\r\n', i);
      if (end < 0) end = text.length;
      const colon = text.indexOf(':', i);
      if (colon > i && colon < end) {
        let ne = colon;
        while (ne > i && isOws(text.charCodeAt(ne - 1))) ne--;
        const name = text.slice(i, ne).toLowerCase();
        let vs = colon + 1;
        let ve = end;
        while (vs < ve && isOws(text.charCodeAt(vs))) vs++;
        while (ve > vs && isOws(text.charCodeAt(ve - 1))) ve--;
        const value = text.slice(vs, ve);
        headers.push(name, value);
        if (name.length === 14 && name === 'content-length') length = Number(value);
        else if (name.length === 17 && name === 'transfer-encoding') chunked = value.toLowerCase().endsWith('chunked');
        else if (name.length === 10 && name === 'connection') {
          const v = value.toLowerCase();
          if (v.includes('close')) close = true;
          else if (v.includes('keep-alive')) close = false;
        }
      }
      i = end + 2;
    }
    if (close) this.keepAlive = false;
    const socket = this.conn!.socket;
    socket.setTimeout(0); // a body may be slow (server-sent events): no timeout once the head is in
    // RFC 9112 §6.3: with Transfer-Encoding, a Content-Length is wrong and must not be passed on.
    const out = chunked && length >= 0 ? withoutContentLength(headers) : headers;
    try {
      this.h.head(status, sl.slice(13), out);
    } catch (err) {
      // Node refused to write the app's head (a header with control characters, say): not a crash, a 502.
      this.fail(coded(`the app sent a head that cannot be passed on (${(err as Error).message})`, 'EPROTO'));
      return false;
    }
    if (this.isHead || status === 204 || status === 304) this.state = DONE;
    else if (chunked) this.state = CHUNK_SIZE;
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

/** RawPool keeps up to `max` keep-alive sockets to one app. */
export class RawPool {
  readonly host: string;
  readonly port: number;
  readonly hostHeader: string;
  private readonly max: number;
  private readonly free: Conn[] = [];
  private readonly waiting: Exchange[] = [];
  private count = 0;
  private closed = false;

  constructor(host: string, port: number, max = 256) {
    this.host = host; this.port = port; this.max = max;
    this.hostHeader = (host.includes(':') ? `[${host}]` : host) + ':' + port;
  }

  /** request sends `req` and reports the answer to `h`; the returned handle resumes a paused read or aborts. */
  request(req: UpstreamRequest, h: UpstreamHandler): { resume(): void; abort(): void } {
    const ex = new Exchange(this, req, h);
    if (this.closed) { queueMicrotask(() => h.error(coded('the upstream pool is closed', 'ECONNABORTED'))); return ex; }
    this.run(ex, false);
    return ex;
  }

  /** run starts `ex` on an idle socket (unless `fresh`), a new one, or queues it. */
  run(ex: Exchange, fresh: boolean): void {
    if (!fresh) {
      const c = this.free.pop();
      if (c !== undefined) {
        c.socket.setTimeout(HEADERS_MS);
        ex.start(c);
        return;
      }
    }
    if (this.count < this.max || fresh) {
      this.count++;
      ex.start(new Conn(this));
      return;
    }
    this.waiting.push(ex);
  }

  /** idle takes back a socket after a complete answer. */
  idle(c: Conn): void {
    c.used = true;
    const next = this.waiting.shift();
    if (next !== undefined) { next.start(c); return; }
    if (this.closed) { c.socket.destroy(); return; }
    c.socket.setTimeout(IDLE_MS);
    this.free.push(c);
  }

  /** forget drops a closed socket from the pool. */
  forget(c: Conn): void {
    this.count--;
    const i = this.free.indexOf(c);
    if (i >= 0) this.free.splice(i, 1);
  }

  /** unqueue drops a request still waiting for a socket. */
  unqueue(ex: Exchange): void {
    const i = this.waiting.indexOf(ex);
    if (i >= 0) this.waiting.splice(i, 1);
  }

  /** close closes the idle sockets now and the busy ones as their answers end. */
  async close(): Promise<void> {
    this.closed = true;
    for (const c of this.free.splice(0)) c.socket.destroy();
    for (const ex of this.waiting.splice(0)) ex.h.error(coded('the upstream pool is closed', 'ECONNABORTED'));
  }
}
