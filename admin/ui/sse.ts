/**
 * sse.ts: a server-sent-events response: headers, named events with ids, a heartbeat comment that
 * keeps proxies from closing an idle stream, and cleanup when the browser goes away.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Sse writes events to one open stream. */
export interface Sse {
  send(event: string, data: unknown, id?: string): void;
  /** onClose runs `fn` once when the stream ends, whichever side ends it. */
  onClose(fn: () => void): void;
  close(): void;
  readonly closed: boolean;
}

const HEARTBEAT_MS = 20_000;

// Streams never end on their own, and a closing server waits for every connection: end the streams
// of servers that stopped listening, so shutdown is not held up.
const streams = new Set<{ server: { listening: boolean } | undefined; end(): void }>();
let sweeper: NodeJS.Timeout | null = null;

function sweep(): void {
  for (const s of streams) if (s.server && !s.server.listening) s.end();
  if (!streams.size && sweeper) { clearInterval(sweeper); sweeper = null; }
}

/** openSse starts an event stream on `res`; `retryMs` is how soon the browser reconnects after a drop. */
export function openSse(req: IncomingMessage, res: ServerResponse, retryMs = 2000): Sse {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    // nginx and similar proxies would otherwise buffer the stream.
    'x-accel-buffering': 'no',
    connection: 'keep-alive',
  });
  res.write(`retry: ${retryMs}\n\n`);
  req.socket.setKeepAlive(true);
  req.socket.setNoDelay(true);
  const closers: Array<() => void> = [];
  let closed = false;
  const heartbeat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
  heartbeat.unref();
  const finish = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    for (const fn of closers.splice(0)) {
      try { fn(); } catch { /* a listener's cleanup must not stop the others */ }
    }
  };
  res.on('close', finish);
  req.on('close', finish);
  // On shutdown the connection goes too: kept alive, it would carry the browser's reconnect.
  const entry = { server: (req.socket as unknown as { server?: { listening: boolean } }).server, end: () => { finish(); res.end(() => req.socket.destroy()); } };
  streams.add(entry);
  closers.push(() => streams.delete(entry));
  if (!sweeper) { sweeper = setInterval(sweep, 250); sweeper.unref(); }
  return {
    send(event, data, id) {
      if (closed) return;
      // JSON never contains a raw newline, so one data line carries the whole payload.
      res.write(`event: ${event}\n${id ? `id: ${id}\n` : ''}data: ${JSON.stringify(data)}\n\n`);
    },
    onClose(fn) {
      if (closed) fn();
      else closers.push(fn);
    },
    close() {
      finish();
      res.end();
    },
    get closed() { return closed; },
  };
}
