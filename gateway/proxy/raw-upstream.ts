/**
 * raw-upstream.ts: an HTTP/1.1 client for the proxy on pooled keep-alive `net.Socket`s, with no
 * request or response objects in between (each exchange: upstream-exchange.ts). A socket goes
 * back to the pool only after a complete answer on a connection both sides keep alive.
 *
 * Reads land in one buffer per connection (`onread`), reused for the next read whenever the
 * handler is done with the bytes during its call — the usual case, as a write the kernel takes at
 * once keeps no reference. Only when the handler keeps a view (a write still queued) does the
 * connection move on to a fresh buffer. So a steady stream allocates nothing per read and leaves
 * the garbage collector nothing to do.
 */
import net from 'node:net';
import { coded, Exchange } from './upstream-exchange.ts';
import type { UpstreamHandler, UpstreamRequest } from './upstream-exchange.ts';

export { afterWrite, KEPT, PAUSE } from './upstream-exchange.ts';
export type { UpstreamHandler, UpstreamRequest } from './upstream-exchange.ts';

const IDLE_MS = 30_000;
const CONNECT_MS = 10_000;
/** HEADERS_MS bounds the wait for an answer's head (a reused socket gets it again). */
const HEADERS_MS = 300_000;
/** READ_SIZE is each connection's read buffer, as large as one read Node would otherwise allocate. */
const READ_SIZE = 64 * 1024;

/** Conn is one pooled socket and the exchange it is serving (null while idle). */
export class Conn {
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
