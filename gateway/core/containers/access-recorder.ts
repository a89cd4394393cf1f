/**
 * access-recorder.ts: when each container was last used, kept in memory and written to the store
 * in one batch every `flushMs` — never a database write per request. The container log gets one
 * aggregated Proxy line per container and minute (request and WebSocket counts, who), never a row
 * per request. The proxy calls `hit` on successful responses and `touch` on live WebSocket traffic
 * (what counts as use of an app: gateway/proxy/start-policy.ts).
 * Nothing here throws into a request: when the store cannot save, access times stay in memory (one
 * per container) and the log lines wait in a bounded queue; both are written when it can again.
 */
import { StoreUnavailableError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/index.ts';
import type { ContainerLog } from './container-log.ts';
import { SYSTEM_ACTOR } from '../auth/actor.ts';

/** LOG_WINDOW_MS is how often the aggregated Proxy line is written per container. */
export const LOG_WINDOW_MS = 60_000;
const MAX_NAMES = 5;
/** MAX_PENDING_LINES bounds the Proxy log lines kept while the store cannot save; older ones are dropped (and logged). */
export const MAX_PENDING_LINES = 1000;

interface PendingLine { id: number; uuid: string; user: string; text: string; date: string }

interface Window { requests: number; websockets: number; users: Set<string>; uuid: string }

/** AccessRecorder is the in-memory access book. */
export interface AccessRecorder {
  /** hit records one successful proxied response by `user`; only an `active` one moves the last access (start-policy.ts). */
  hit(containerId: number, uuid: string, user: string, active?: boolean): void;
  /** websocket records one opened WebSocket by `user`. */
  websocket(containerId: number, uuid: string, user: string): void;
  /** touch records live traffic (no count). */
  touch(containerId: number): void;
  /** lastAccess is the newest access in memory (ms), or null. */
  lastAccess(containerId: number): number | null;
  /** beforeFlush registers a sampler run before each flush (the proxy touches busy WebSockets there). */
  beforeFlush(fn: () => void): void;
  /** flush writes pending access times; with `log` it also writes the aggregated log lines now. */
  flush(opts?: { log?: boolean }): void;
  /** stop flushes everything and ends the timer. */
  stop(): void;
}

/** createAccessRecorder starts the flush timer (unref'd) over the store and the container log. */
export function createAccessRecorder(deps: { store: Store; log: ContainerLog; logger: Logger; flushMs: number; now?: () => number }): AccessRecorder {
  const { store, log, logger } = deps;
  const now = deps.now ?? Date.now;
  const last = new Map<number, number>();
  const dirty = new Set<number>();
  const windows = new Map<number, Window>();
  const samplers: Array<() => void> = [];
  const pending: PendingLine[] = [];
  let windowStart = now();
  let failing = false;

  function windowOf(id: number, uuid: string): Window {
    let w = windows.get(id);
    if (w === undefined) {
      w = { requests: 0, websockets: 0, users: new Set(), uuid };
      windows.set(id, w);
    }
    return w;
  }

  function touch(id: number): void {
    last.set(id, now());
    dirty.add(id);
  }

  function writeLog(): void {
    const minutes = Math.max(1, Math.round((now() - windowStart) / 60_000));
    windowStart = now();
    const date = new Date(now()).toISOString();
    for (const [id, w] of windows) {
      const parts: string[] = [];
      if (w.requests) parts.push(`${w.requests} request${w.requests === 1 ? '' : 's'}`);
      if (w.websockets) parts.push(`${w.websockets} WebSocket connection${w.websockets === 1 ? '' : 's'}`);
      const names = [...w.users];
      const user = names.length === 1 ? names[0] : SYSTEM_ACTOR;
      const who = names.length > 1 ? ` by ${names.join(', ')}${w.users.size >= MAX_NAMES ? ' and others' : ''}` : '';
      pending.push({ id, uuid: w.uuid, user, date, text: `Accessed: ${parts.join(', ')}${who} in the last ${minutes === 1 ? 'minute' : `${minutes} minutes`}` });
    }
    windows.clear();
    if (pending.length > MAX_PENDING_LINES) {
      const over = pending.length - MAX_PENDING_LINES;
      pending.splice(0, over);
      store.health.dropped('proxy access log lines (the oldest waiting)', over);
    }
    writePending();
  }

  /** writePending writes the waiting Proxy lines in order; on a store fault the rest waits for the next flush. */
  function writePending(): void {
    while (pending.length > 0) {
      const p = pending[0];
      try {
        if (store.containers.byId(p.id)) log.add({ id: p.id, uuid: p.uuid }, 'INFO', p.user, 'Proxy', p.text, p.date);
      } catch (err) {
        if (err instanceof StoreUnavailableError) return;
        logger.warn('could not write the proxy access log line', { err });
      }
      pending.shift();
    }
  }

  function writeAccessTimes(): void {
    const batch = [...dirty];
    dirty.clear();
    try {
      store.transaction(() => {
        for (const id of batch) store.containers.setAccessed(id, new Date(last.get(id)!).toISOString());
      });
      if (failing) logger.info('wrote buffered access times', { containers: batch.length });
      failing = false;
    } catch (err) {
      for (const id of batch) dirty.add(id);
      // One line per outage, not one per flush: the times are kept (one per container), not lost.
      if (!failing) logger.warn('could not write access times; keeping them in memory and retrying', { containers: batch.length, err });
      failing = true;
    }
  }

  function flush(opts: { log?: boolean } = {}): void {
    for (const s of samplers) s();
    if (dirty.size > 0) writeAccessTimes();
    if (windows.size > 0 && (opts.log || now() - windowStart >= LOG_WINDOW_MS)) writeLog();
    else {
      if (windows.size === 0) windowStart = now();
      if (pending.length > 0) writePending();
    }
  }
  store.health.onRecover(() => flush());

  const timer = setInterval(() => flush(), deps.flushMs);
  timer.unref();

  return {
    hit(id, uuid, user, active = true) {
      if (active) touch(id);
      const w = windowOf(id, uuid);
      w.requests++;
      if (w.users.size < MAX_NAMES) w.users.add(user);
    },
    websocket(id, uuid, user) {
      touch(id);
      const w = windowOf(id, uuid);
      w.websockets++;
      if (w.users.size < MAX_NAMES) w.users.add(user);
    },
    touch,
    lastAccess: (id) => last.get(id) ?? null,
    beforeFlush(fn) { samplers.push(fn); },
    flush,
    stop() {
      clearInterval(timer);
      flush({ log: true });
      if (dirty.size > 0) store.health.dropped('access times (unsaved at shutdown)', dirty.size);
      if (pending.length > 0) store.health.dropped('proxy access log lines (unsaved at shutdown)', pending.length);
    },
  };
}
