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
 *
 * No socket carries a Node timer: the pool's sweep (once a second while it has sockets) checks how
 * long each has been connecting, waiting for a head or idle. A timer re-armed three times per
 * request (before the head, after it, on return to the pool) and refreshed on every read and
 * write cost more than the check.
 */
import net from 'node:net';
import { coded, Exchange } from './upstream-exchange.ts';
import type { UpstreamHandler, UpstreamRequest } from './upstream-exchange.ts';
import { WaitList } from './wait-list.ts';

export { afterWrite, KEPT, PAUSE } from './upstream-exchange.ts';
export type { UpstreamHandler, UpstreamRequest } from './upstream-exchange.ts';

/** READ_SIZE is each connection's read buffer, as large as one read Node would otherwise allocate. */
const READ_SIZE = 64 * 1024;

// What a socket is doing, for the sweep: each phase but READING has its own time limit.
const CONNECTING = 0, WAITING = 1, READING = 2, IDLE = 3;

/** Conn is one pooled socket and the exchange it is serving (null while idle). */
export class Conn {
  readonly socket: net.Socket;
  readonly pool: RawPool;
  ex: Exchange | null = null;
  connected = false;
  used = false;
  /** phase and since (ms): what the socket waits for and since when, checked by the pool's sweep. */
  private phase = CONNECTING;
  since = Date.now();
  /** buf receives the next read; kept says a handler still holds a view of it. */
  private buf = Buffer.allocUnsafeSlow(READ_SIZE);
  kept = false;

  constructor(pool: RawPool) {
    this.pool = pool;
    const s = this.socket = net.connect({
      port: pool.port, host: pool.host, noDelay: true,
      onread: { buffer: () => this.nextBuffer(), callback: (n: number, b: Uint8Array) => this.onRead(n, b as Buffer) },
    });
    s.on('connect', () => {
      this.connected = true;
      if (this.phase === CONNECTING) { this.phase = WAITING; this.since = Date.now(); }
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

  /** waiting: a request was sent (or more of its body); its head is due within headersMs. */
  waiting(): void {
    if (this.connected) this.phase = WAITING;
    this.since = Date.now();
  }

  /** sent: more of the request body went out; a head still due is due from now. */
  sent(): void { if (this.phase === WAITING) this.since = Date.now(); }

  /** reading: the head is in; a body may be slow (server-sent events), so no limit applies. */
  reading(): void { this.phase = READING; }

  /** idle: back in the pool. */
  idle(): void { this.phase = IDLE; this.since = Date.now(); }

  /** timedOut closes the socket when its phase lasted too long (as Node's socket timeout did). */
  timedOut(now: number, l: PoolLimits): void {
    const p = this.phase;
    if (p === READING || this.socket.destroyed) return;
    const limit = p === CONNECTING ? l.connectMs : p === WAITING ? l.headersMs : l.idleMs;
    if (now - this.since < limit) return;
    if (this.ex === null) this.socket.destroy();
    else this.socket.destroy(coded(p === CONNECTING ? 'connect timed out' : 'the app did not answer in time', 'ETIMEDOUT'));
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

/** PoolLimits bound what one app's pool holds and how long anything waits in it. */
export interface PoolLimits {
  /** connections: sockets to the app at most. */
  connections: number;
  /** perClient: sockets plus places in the queue one client (user) may hold at once; more of its requests wait behind. */
  perClient: number;
  /** queue: requests that may wait for a socket, all clients together; beyond it, 503 at once. */
  queue: number;
  /** queueMs: the longest wait for a socket (then 503). */
  queueMs: number;
  /** stallMs: the longest an answer may stay paused for a client that does not read (then both sides close). */
  stallMs: number;
  /** connectMs: the longest a connection may take; headersMs: the longest wait for an answer's head once the request is sent. */
  connectMs: number;
  headersMs: number;
  /** idleMs: an idle pooled socket is closed after this. */
  idleMs: number;
}

/**
 * DEFAULT_LIMITS: 256 sockets, a quarter for any one client, 1024 waiting for up to 10 s, 60 s for
 * a stalled reader (nginx's send_timeout), 10 s to connect, 300 s for a head, 30 s idle.
 */
export const DEFAULT_LIMITS: PoolLimits = { connections: 256, perClient: 64, queue: 1024, queueMs: 10_000, stallMs: 60_000, connectMs: 10_000, headersMs: 300_000, idleMs: 30_000 };

/** Client is one client's share of a pool: exchanges running or queued, and those held back behind its cap. */
interface Client { share: number; parked: WaitList<Exchange> }

const SWEEP_MS = 1_000;

/**
 * RawPool keeps up to `connections` keep-alive sockets to one app. Requests that find none free
 * wait in a FIFO; so that one client (a pipelining script, a few hundred slow uploads or slow
 * readers) cannot take every socket, each client holds at most `perClient` sockets and queue
 * places, its further requests waiting in a list of its own. Waits are bounded in number and
 * time, and an answer a client stops reading is dropped after `stallMs`: one sweep a second
 * checks the oldest waits, no timer per request.
 */
export class RawPool {
  readonly host: string;
  readonly port: number;
  readonly hostHeader: string;
  private readonly limits: PoolLimits;
  private readonly free: Conn[] = [];
  private readonly waiting = new WaitList<Exchange>();
  private readonly stalls = new WaitList<Exchange>();
  private readonly clients = new Map<string, Client>();
  /** conns: every open socket (added and removed per connection, not per request), for the sweep. */
  private readonly conns = new Set<Conn>();
  /** held counts the requests held back behind their client's cap (in the clients' lists). */
  private held = 0;
  private count = 0;
  private closed = false;
  private sweep: NodeJS.Timeout | null = null;

  constructor(host: string, port: number, limits: Partial<PoolLimits> = {}) {
    this.host = host; this.port = port;
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    this.hostHeader = (host.includes(':') ? `[${host}]` : host) + ':' + port;
  }

  /** request sends `req` and reports the answer to `h`; the returned handle resumes a paused read or aborts. */
  request(req: UpstreamRequest, h: UpstreamHandler): { resume(): void; abort(): void } {
    const ex = new Exchange(this, req, h);
    if (this.closed) { this.refuse(ex, coded('the upstream pool is closed', 'ECONNABORTED')); return ex; }
    let c = this.clients.get(req.client);
    if (c === undefined) {
      if (this.clients.size >= 4096) this.forgetIdleClients();
      c = { share: 0, parked: new WaitList<Exchange>() };
      this.clients.set(req.client, c);
    }
    if (c.share < this.limits.perClient) {
      c.share++;
      ex.holds = true;
      this.admit(ex);
    } else if (c.parked.size >= this.limits.queue >> 1 || this.held + this.waiting.size >= this.limits.queue) {
      this.refuse(ex, coded(`${this.held + this.waiting.size} requests are waiting for the app (${c.share} of them or running from this user)`, 'EBUSY'));
    } else {
      ex.since = Date.now();
      c.parked.push(ex);
      this.held++;
      this.watch();
    }
    return ex;
  }

  /** admit starts `ex` on an idle socket or a new one, or queues it. */
  private admit(ex: Exchange): void {
    const c = this.free.pop();
    if (c !== undefined) {
      c.waiting();
      ex.start(c);
    } else if (this.count < this.limits.connections) {
      this.count++;
      ex.start(this.connect());
    } else if (this.held + this.waiting.size >= this.limits.queue) {
      this.refuse(ex, coded(`${this.waiting.size} requests are already waiting for the app`, 'EBUSY'));
    } else {
      ex.since = Date.now();
      this.waiting.push(ex);
      this.watch();
    }
  }

  /** retry sends `ex` again on a fresh socket (its pooled one had been closed by the app). */
  retry(ex: Exchange): void {
    this.count++;
    ex.start(this.connect());
  }

  private connect(): Conn {
    const c = new Conn(this);
    this.conns.add(c);
    this.watch();
    return c;
  }

  /** refuse fails `ex` before it started, after `request` has returned its handle. */
  private refuse(ex: Exchange, err: Error): void {
    queueMicrotask(() => ex.fail(err));
  }

  /** idle takes back a socket after a complete answer. */
  idle(c: Conn): void {
    c.used = true;
    const next = this.waiting.shift();
    if (next !== null) { c.waiting(); next.start(c); return; }
    if (this.closed) { c.socket.destroy(); return; }
    c.idle();
    this.free.push(c);
  }

  /** forget drops a closed socket from the pool; a waiting request gets a new one in its place. */
  forget(c: Conn): void {
    this.count--;
    this.conns.delete(c);
    const i = this.free.indexOf(c);
    if (i >= 0) this.free.splice(i, 1);
    const next = this.closed ? null : this.waiting.shift();
    if (next !== null) this.admit(next);
  }

  /** settled: `ex` is over (answered, failed or aborted); its place goes to the next request of its client. */
  settled(ex: Exchange): void {
    const list = ex.list;
    if (list === this.waiting) this.waiting.remove(ex);
    else if (list === this.stalls) this.stalls.remove(ex);
    else if (list !== null) { (list as WaitList<Exchange>).remove(ex); this.held--; }
    if (!ex.holds) return;
    ex.holds = false;
    const c = this.clients.get(ex.req.client)!;
    c.share--;
    const next = this.closed ? null : c.parked.shift();
    if (next !== null) {
      this.held--;
      c.share++;
      next.holds = true;
      this.admit(next);
    }
  }

  /** stalled: `ex` paused for a client that does not read; unstalled: it goes on. */
  stalled(ex: Exchange): void {
    ex.since = Date.now();
    this.stalls.push(ex);
    this.watch();
  }

  unstalled(ex: Exchange): void {
    this.stalls.remove(ex);
  }

  private watch(): void {
    if (this.sweep !== null) return;
    this.sweep = setInterval(() => this.check(), SWEEP_MS);
    this.sweep.unref();
  }

  /** check fails the waits that went on too long (the oldest are first in each list) and closes sockets past their phase's limit. */
  private check(): void {
    const now = Date.now();
    for (const c of this.conns) c.timedOut(now, this.limits);
    const { queueMs, stallMs } = this.limits;
    let ex: Exchange | null;
    while ((ex = this.waiting.head) !== null && now - ex.since >= queueMs) {
      ex.fail(coded(`no connection to the app became free within ${queueMs / 1000} s`, 'EBUSY'));
    }
    if (this.held > 0) {
      for (const c of this.clients.values()) {
        while ((ex = c.parked.head) !== null && now - ex.since >= queueMs) {
          ex.fail(coded(`this user's earlier requests kept the app busy for ${queueMs / 1000} s`, 'EBUSY'));
        }
      }
    }
    while ((ex = this.stalls.head) !== null && now - ex.since >= stallMs) {
      ex.fail(coded(`the client read nothing of the answer for ${stallMs / 1000} s`, 'ESTALLED'));
    }
    if (this.waiting.size === 0 && this.held === 0 && this.stalls.size === 0 && this.conns.size === 0) {
      clearInterval(this.sweep!);
      this.sweep = null;
    }
  }

  private forgetIdleClients(): void {
    for (const [k, c] of this.clients) if (c.share === 0 && c.parked.size === 0) this.clients.delete(k);
  }

  /** close closes the idle sockets now and the busy ones as their answers end. */
  async close(): Promise<void> {
    this.closed = true;
    // The sweep goes on while busy sockets finish (their head limit still holds); it stops by itself.
    for (const c of this.free.splice(0)) c.socket.destroy();
    const err = coded('the upstream pool is closed', 'ECONNABORTED');
    let ex: Exchange | null;
    while ((ex = this.waiting.head) !== null) ex.fail(err);
    for (const c of this.clients.values()) while ((ex = c.parked.head) !== null) ex.fail(err);
  }
}
