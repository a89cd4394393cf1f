/**
 * live-hub.ts: numbers the core Bus's state changes and keeps the last ones, so a browser that
 * reconnects its event stream (or opens it just after the page was rendered) receives exactly the
 * changes it missed, and is told to reload the view when too many passed or the gateway restarted.
 */
import { randomBytes } from 'node:crypto';
import type { Bus, BusEvents } from '../../gateway/core/events.ts';

/** StateChange is one numbered state event. */
export type StateChange = BusEvents['state'][0] & { seq: number };

/** Cursor is where a stream stands: the hub's epoch, the last state change seen and the last log line sent. */
export interface Cursor { epoch: string; seq: number; logId: number }

/** LiveHub fans state changes out to streams and replays recent ones. */
export type LiveHub = ReturnType<typeof createLiveHub>;

/** createLiveHub subscribes to `bus` once; `capacity` bounds the replay buffer. */
export function createLiveHub(bus: Bus, capacity = 2048) {
  const epoch = randomBytes(4).toString('hex');
  const ring: StateChange[] = [];
  const subscribers = new Set<(e: StateChange) => void>();
  let seq = 0;

  const onState = (e: BusEvents['state'][0]) => {
    const change: StateChange = { ...e, seq: ++seq };
    ring.push(change);
    if (ring.length > capacity) ring.splice(0, ring.length - capacity);
    for (const fn of subscribers) fn(change);
  };
  bus.on('state', onState);

  return {
    epoch,
    /** cursor is the position a freshly rendered page starts from. */
    cursor(logId = 0): Cursor {
      return { epoch, seq, logId };
    },
    /** since returns the changes after `cursor`, or null when they cannot be replayed (reload instead). */
    since(cursor: Cursor): StateChange[] | null {
      if (cursor.epoch !== epoch || cursor.seq > seq) return null;
      if (cursor.seq === seq) return [];
      if (!ring.length || ring[0].seq > cursor.seq + 1) return null;
      return ring.filter((c) => c.seq > cursor.seq);
    },
    /** subscribe calls `fn` for every later change until the returned function is called. */
    subscribe(fn: (e: StateChange) => void): () => void {
      subscribers.add(fn);
      return () => subscribers.delete(fn);
    },
    close(): void {
      bus.off('state', onState);
      subscribers.clear();
    },
  };
}

/** formatCursor renders a cursor as an event-stream id ("epoch.seq.logId"). */
export function formatCursor(c: Cursor): string {
  return `${c.epoch}.${c.seq}.${c.logId}`;
}

/** parseCursor reads a cursor from a Last-Event-ID header or `since` parameter (null when absent or malformed). */
export function parseCursor(raw: string | null | undefined): Cursor | null {
  const m = raw ? /^([0-9a-f]{1,16})\.(\d{1,15})\.(\d{1,15})$/.exec(raw) : null;
  return m ? { epoch: m[1], seq: Number(m[2]), logId: Number(m[3]) } : null;
}
