/**
 * body-watch.ts: a request body that stops arriving ends with 408, not an open connection. Each
 * request with a body on Node's path is watched until it is complete; one sweep a second (no timer
 * per request) looks at its socket's byte count, and a body that made no progress for `timeoutMs`
 * while its reader was waiting for it gets a 408 (or, when an answer is already under way, the
 * connection closes). A body nobody reads yet (a request held while its container starts) or one
 * paused by its reader (the app is slow to take it) is not the client's stall and is not counted.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { PorticoError } from '../core/errors.ts';
import { errorBody, sendJson } from './respond.ts';

const SWEEP_MS = 1_000;

interface Watched { req: IncomingMessage; res: ServerResponse; socket: Socket; bytes: number; since: number }

/** BodyWatch follows the bodies of one server's requests. */
export class BodyWatch {
  private readonly timeoutMs: number;
  private readonly watched = new Set<Watched>();
  private timer: NodeJS.Timeout | null = null;

  constructor(timeoutMs: number) {
    this.timeoutMs = timeoutMs;
  }

  /** watch follows `req`'s body (call it only for a request that announced one). */
  watch(req: IncomingMessage, res: ServerResponse): void {
    const socket = req.socket;
    this.watched.add({ req, res, socket, bytes: socket.bytesRead, since: Date.now() });
    if (this.timer === null) {
      this.timer = setInterval(() => this.sweep(), SWEEP_MS);
      this.timer.unref();
    }
  }

  private sweep(): void {
    const now = Date.now();
    for (const w of this.watched) {
      if (w.req.complete || w.socket.destroyed) { this.watched.delete(w); continue; }
      const read = w.socket.bytesRead;
      if (read !== w.bytes || w.req.readableFlowing !== true) { w.bytes = read; w.since = now; continue; }
      if (now - w.since < this.timeoutMs) continue;
      this.watched.delete(w);
      this.stalled(w);
    }
    if (this.watched.size === 0 && this.timer !== null) { clearInterval(this.timer); this.timer = null; }
  }

  private stalled(w: Watched): void {
    const { res, socket } = w;
    if (res.headersSent) { socket.destroy(); return; }
    const err = new PorticoError('E_REQUEST_TIMEOUT', 408, `the request body stopped arriving: nothing for ${Math.round(this.timeoutMs / 1000)} s`);
    // The rest of the body would be read as the next request: the connection closes after the answer.
    res.shouldKeepAlive = false;
    res.on('finish', () => (socket as Socket & { destroySoon(): void }).destroySoon());
    sendJson(res, 408, errorBody(err), { connection: 'close' });
  }

  /** close stops the sweep. */
  close(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.watched.clear();
  }
}

/** announcesBody tells whether a request on Node's path has a body to wait for (RFC 9112 §6.3). */
export function announcesBody(req: IncomingMessage): boolean {
  const h = req.headers;
  if (h['transfer-encoding'] !== undefined) return true;
  const cl = h['content-length'];
  return cl !== undefined && cl !== '0';
}
