/**
 * front.ts: the listener's first reader. Each new connection is read here first; a request head
 * the fast path accepts (request-head.ts: a plain body-less request under a prefix) goes to its
 * handler, which answers straight onto the socket — no IncomingMessage, no ServerResponse, no
 * per-request timers. Anything else — other paths, bodies, upgrades, malformed or oversized
 * heads, or a request the handler declines (say, one that needs a login redirect) — hands the
 * connection, with the bytes read so far, to Node's HTTP server, which keeps it from then on. A
 * head is handed over as soon as its first bytes show it can never be plain (request-head.ts's
 * mayBePlain: a TLS ClientHello, bare-LF lines), so Node's parser answers it at once.
 *
 * Requests on one connection are answered in order: bytes of a pipelined next request wait until
 * the answer before is complete, and, while the client is not reading its answers (the socket's
 * write buffer is full), until it drains — as Node's server stops parsing on backpressure — so a
 * client that pipelines thousands of requests and never reads holds one socket buffer of answers,
 * not all of them; one that stays full for `sendTimeoutMs` is closed (nginx's send_timeout).
 * Timeouts are checked by one sweep a second, not a timer per socket: a head must arrive within
 * `headersTimeoutMs`, an idle keep-alive connection closes after `keepAliveTimeoutMs`, as Node's
 * server does.
 */
import type http from 'node:http';
import type net from 'node:net';
import { mayBePlain, parseRequestHead } from './request-head.ts';
import { refusalAnswer } from './refusal.ts';
import type { RequestHead } from './request-head.ts';

/** FrontHandler takes an accepted request and returns true, or false (having written nothing) to hand the connection to Node. */
export type FrontHandler = (head: RequestHead, conn: FrontConn) => boolean;

/** FrontOptions configure the fast path. */
export interface FrontOptions {
  /** prefix: only targets under it are read here. */
  prefix: string;
  headersTimeoutMs: number;
  keepAliveTimeoutMs: number;
  /** sendTimeoutMs: how long a pipelined request may wait for its client to read the answers before it (default 60 s). */
  sendTimeoutMs?: number;
}

/** MAX_HEAD is Node's default maxHeaderSize: a longer head goes to Node, which answers 431. */
const MAX_HEAD = 16 * 1024;
const CRLF2 = Buffer.from('\r\n\r\n');
const SWEEP_MS = 1_000;
const SEND_TIMEOUT_MS = 60_000;

/** Abortable is what a FrontConn needs of the answer under way: a way to stop it when the client leaves. */
export interface Abortable { abort(): void }

/** FrontConn is one client connection while the fast path has it. */
export class FrontConn {
  readonly socket: net.Socket;
  private readonly front: Front;
  /** pending: bytes read but not yet handled (a partial head, or a pipelined next request). */
  private pending: Buffer | null = null;
  /** busy: an answer is under way; `current` can abort it. */
  busy = false;
  current: Abortable | null = null;
  /** keepAlive: the connection stays open after this answer. */
  keepAlive = true;
  /** memo is the handler's own state for this connection, kept across its requests (the proxy keeps who the caller was). */
  memo: unknown = null;
  /** since: when the present wait (for a head, or idle) began, on the front's coarse clock. */
  since: number;
  slot = -1;
  /** served: at least one answer went out (the wait after it is keep-alive idleness, not a slow head). */
  private served = false;
  private paused = false;
  /** draining: a pipelined request waits for the client to read the answers queued before it. */
  private draining = false;
  private readonly onData = (chunk: Buffer) => this.read(chunk);
  /** The client ended its side: as Node's server does (without httpAllowHalfOpen), that ends the answer under way too. */
  private readonly onEnd = () => { this.abort(); this.socket.end(); };
  private readonly onClose = () => { this.front.forget(this); this.abort(); };

  constructor(front: Front, socket: net.Socket) {
    this.front = front;
    this.socket = socket;
    this.since = front.now;
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onClose);
    socket.on('error', swallow);
  }

  private read(chunk: Buffer): void {
    if (this.busy) {
      // A pipelined request: kept until the answer before it is complete.
      this.pending = this.pending === null ? chunk : Buffer.concat([this.pending, chunk]);
      if (this.pending.length > MAX_HEAD && !this.paused) { this.paused = true; this.socket.pause(); }
      return;
    }
    if (this.pending === null) this.since = this.front.now; // a head begins: its time runs from here
    const buf = this.pending === null ? chunk : Buffer.concat([this.pending, chunk]);
    this.pending = null;
    this.take(buf);
  }

  /** take handles the request at the start of `buf`, or keeps `buf` until its head is complete. */
  private take(buf: Buffer): void {
    const end = buf.indexOf(CRLF2);
    if (end < 0) {
      // Bytes that can never become a plain head go to Node's parser now, which answers them at once.
      if (buf.length > MAX_HEAD || !mayBePlain(buf, this.front.options.prefix)) this.handOver(buf);
      else this.pending = buf;
      return;
    }
    const head = end <= MAX_HEAD ? parseRequestHead(buf.toString('latin1', 0, end), this.front.options.prefix) : null;
    if (head === null) { this.handOver(buf); return; }
    this.keepAlive = head.keepAlive && !this.front.closing;
    this.busy = true;
    this.front.started();
    this.pending = end + 4 < buf.length ? buf.subarray(end + 4) : null;
    let taken = false;
    try {
      taken = this.front.handler(head, this);
    } catch {
      // The handler logs its own failures; Node's server then answers the request (or fails the same way, visibly).
      taken = false;
    }
    if (!taken) {
      this.busy = false;
      this.front.settled();
      this.pending = null;
      this.handOver(buf);
    }
    else if (this.pending !== null && !this.paused) { this.paused = true; this.socket.pause(); }
  }

  /** done: the answer is complete (written or queued on the socket); the connection goes on or closes. */
  done(): void {
    if (!this.busy) return;
    this.busy = false;
    this.served = true;
    this.current = null;
    this.front.settled();
    const s = this.socket;
    if (!this.keepAlive || this.front.closing) { s.end(); return; }
    this.since = this.front.now;
    // A pipelined next request: later, not inside the upstream's read callback (its socket is not
    // back in the pool yet), and with the socket still paused, so nothing read since overtakes it.
    // While the client does not read (its write buffer is full), not before it drains: otherwise
    // every pipelined request's answer would pile up in memory (regression: 60,000 pipelined GETs
    // never read held 1.6 GB of answers).
    if (this.pending !== null) {
      if (s.writableNeedDrain) {
        if (!this.paused) { this.paused = true; s.pause(); }
        this.draining = true;
        s.once('drain', this.drained);
      } else setImmediate(this.next);
    } else if (this.paused) { this.paused = false; s.resume(); }
  }

  private readonly drained = () => {
    this.draining = false;
    this.since = this.front.now;
    setImmediate(this.next);
  };

  private readonly next = () => {
    if (this.socket.destroyed || this.busy) return;
    const next = this.pending;
    this.pending = null;
    if (this.paused) { this.paused = false; this.socket.resume(); } // what it reads comes after this call
    if (next !== null) this.read(next);
  };

  /** handOver gives the connection, with the bytes read so far, to Node's HTTP server. */
  private handOver(buf: Buffer): void {
    const s = this.socket;
    this.front.forget(this);
    s.removeListener('data', this.onData);
    s.removeListener('end', this.onEnd);
    s.removeListener('close', this.onClose);
    s.removeListener('error', swallow);
    s.pause();
    s.unshift(buf);
    this.front.node(s);
    s.resume();
  }

  private abort(): void {
    if (!this.busy) return;
    this.busy = false;
    this.front.settled();
    const c = this.current;
    this.current = null;
    c?.abort();
  }

  /** timedOut is called by the sweep: a head that did not arrive in time, or a connection idle too long. */
  timedOut(now: number): void {
    if (this.busy) return;
    const o = this.front.options;
    if (this.draining) {
      if (now - this.since >= (o.sendTimeoutMs ?? SEND_TIMEOUT_MS)) this.socket.destroy();
      return;
    }
    const head = this.pending !== null || !this.served;
    if (now - this.since < (head ? o.headersTimeoutMs : o.keepAliveTimeoutMs)) return;
    if (this.pending !== null) this.socket.end(refusalAnswer(408, 'E_REQUEST_TIMEOUT', `the request head did not arrive within ${o.headersTimeoutMs / 1000} s`));
    else this.socket.destroy();
  }
}

function swallow(): void { /* a socket error is followed by 'close', which is handled */ }

/** Front owns the fast-path connections of one http.Server. */
export class Front {
  readonly options: FrontOptions;
  readonly handler: FrontHandler;
  /** now is a coarse clock (ms), moved by the sweep. */
  now = Date.now();
  closing = false;
  private readonly server: http.Server;
  private readonly nodeListener: (socket: net.Socket) => void;
  private readonly conns: Array<FrontConn | null> = [];
  private readonly free: number[] = [];
  private inFlight = 0;
  private sweep: NodeJS.Timeout;
  /** onSettled is called whenever an answer ends (for a graceful shutdown's wait). */
  onSettled: (() => void) | null = null;

  constructor(server: http.Server, handler: FrontHandler, options: FrontOptions) {
    this.server = server;
    this.handler = handler;
    this.options = options;
    // Node's server reads a connection from its 'connection' listener; the front goes first and
    // calls it for the connections it hands over (emitting 'connection' is the documented way in).
    const listeners = server.listeners('connection') as Array<(socket: net.Socket) => void>;
    if (listeners.length !== 1) throw new Error('front: expected one connection listener on the HTTP server');
    this.nodeListener = listeners[0];
    server.removeListener('connection', this.nodeListener);
    server.on('connection', (socket: net.Socket) => this.accept(socket));
    this.sweep = setInterval(() => this.check(), SWEEP_MS);
    this.sweep.unref();
  }

  private accept(socket: net.Socket): void {
    const c = new FrontConn(this, socket);
    c.slot = this.free.length > 0 ? this.free.pop()! : this.conns.push(null) - 1;
    this.conns[c.slot] = c;
  }

  /** node hands a socket to Node's HTTP server. */
  node(socket: net.Socket): void {
    this.nodeListener.call(this.server, socket);
  }

  forget(c: FrontConn): void {
    if (c.slot < 0) return;
    this.conns[c.slot] = null;
    this.free.push(c.slot);
    c.slot = -1;
  }

  started(): void { this.inFlight++; }

  settled(): void {
    this.inFlight--;
    if (this.onSettled !== null) this.onSettled();
  }

  /** busy counts answers under way on fast-path connections. */
  busy(): number { return this.inFlight; }

  private check(): void {
    this.now = Date.now();
    for (const c of this.conns) if (c !== null) c.timedOut(this.now);
  }

  /** closeIdle: from now on connections close after their answer, and those without one close now. */
  closeIdle(): void {
    this.closing = true;
    for (const c of this.conns) if (c !== null && !c.busy) c.socket.destroy();
  }

  /** closeAll closes every fast-path connection and stops the sweep. */
  closeAll(): void {
    this.closing = true;
    clearInterval(this.sweep);
    for (const c of this.conns) if (c !== null) c.socket.destroy();
  }
}
