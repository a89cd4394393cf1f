/**
 * log-follower.ts: copies what apps print into their container logs as it comes. Each running
 * container's engine log is followed (no polling); lines are buffered briefly and written one
 * transaction per burst, which also trims the container to its retention limit. Following starts at
 * start-up, when a container turns running and when the engine comes back; it ends when the app exits.
 */
import type { Config } from '../config.ts';
import { StoreUnavailableError } from '../errors.ts';
import type { Engine, LogLine } from '../engine/engine.ts';
import type { Bus } from '../events.ts';
import type { Logger } from '../log.ts';
import type { Registry } from '../metrics.ts';
import type { Store } from '../store/index.ts';
import type { Container } from '../types.ts';
import type { ContainerLog, LogRow } from './container-log.ts';
import { appLogRow } from './container-log.ts';

/** LogFollower is the running follower; `stop` ends every stream after flushing what it holds. */
export interface LogFollower {
  /** follow starts following `c`'s engine container unless it is already followed. */
  follow(c: Container): void;
  following(): number[];
  /** flush writes every buffered line now. */
  flush(): void;
  stop(): Promise<void>;
}

/** BURST_LINES is the most lines held before they are written; BURST_MS the longest they wait. */
const BURST_LINES = 2000;
const BURST_MS = 50;
/** MAX_HELD_LINES bounds what one container holds while the store cannot save; RETRY_MS is how often it tries again. */
export const MAX_HELD_LINES = 20_000;
const RETRY_MS = 2000;

/** timeKey makes engine timestamps comparable as strings (fraction padded to nanoseconds). */
export function timeKey(ts: string): string {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(ts);
  if (!m) return ts;
  return `${m[1]}.${(m[2] ?? '').padEnd(9, '0').slice(0, 9)}${m[3]}`;
}

function toIso(ts: string): string {
  const d = new Date(ts);
  return Number.isNaN(d.getTime()) ? new Date().toISOString() : d.toISOString();
}

interface Follower {
  dockerId: string;
  abort: AbortController;
  done: Promise<void>;
  buffer: LogRow[];
  lastKey: string | null;
  lastRaw: string | null;
  timer: NodeJS.Timeout | null;
  /** held is true while the store refuses writes: lines wait in `buffer` and are retried every RETRY_MS. */
  held: boolean;
  c: Container;
}

/** startLogFollower follows every running container now and every container that starts later. */
export function startLogFollower(deps: {
  config: Config; store: Store; engine: Engine; bus: Bus; logger: Logger; log: ContainerLog; metrics?: Registry;
}): LogFollower {
  const { config, store, engine, bus, logger, log } = deps;
  const followers = new Map<number, Follower>();
  const counts = new Map<number, number>();
  const lines = deps.metrics?.counter('portico_docker_log_lines_total', 'App log lines copied into container logs.');
  let stopped = false;

  function flushOne(f: Follower): void {
    if (f.timer) { clearTimeout(f.timer); f.timer = null; }
    if (!f.buffer.length) return;
    const rows = f.buffer;
    f.buffer = [];
    const id = f.c.id;
    try {
      let count = counts.get(id) ?? store.logs.count(id);
      count += rows.length;
      const keep = count > config.logRetentionLines ? config.logRetentionLines : undefined;
      store.transaction(() => {
        log.addMany(f.c, rows, keep);
        if (f.lastRaw) store.containers.setRuntime(id, { dateLastDockerLog: f.lastRaw });
      });
      counts.set(id, keep ?? count);
      lines?.inc(undefined, rows.length);
      if (f.held) logger.info('wrote held app log lines', { container: f.c.uuid, lines: rows.length });
      f.held = false;
    } catch (err) {
      counts.delete(id);
      if (err instanceof StoreUnavailableError) return hold(f, rows, err);
      // The container may have been deleted meanwhile (its lines go with it).
      if (store.containers.byId(id)) logger.warn('writing app log lines failed', { container: f.c.uuid, err });
    }
  }

  /** hold keeps `rows` (before newer lines) when the store cannot save, up to MAX_HELD_LINES, and retries. */
  function hold(f: Follower, rows: LogRow[], err: StoreUnavailableError): void {
    if (!f.held) logger.warn('app log lines not saved yet; holding them and retrying', { container: f.c.uuid, lines: rows.length, err });
    f.held = true;
    f.buffer = rows.concat(f.buffer);
    trimHeld(f);
    if (stopped) {
      store.health.dropped(`app log lines of container ${f.c.uuid} (held at shutdown)`, f.buffer.length);
      f.buffer = [];
      return;
    }
    f.timer = setTimeout(() => flushOne(f), RETRY_MS);
    f.timer.unref();
  }

  function trimHeld(f: Follower): void {
    const over = f.buffer.length - MAX_HELD_LINES;
    if (over <= 0) return;
    f.buffer.splice(0, over);
    store.health.dropped(`app log lines of container ${f.c.uuid} (the oldest held)`, over);
  }

  function onLine(f: Follower, l: LogLine): void {
    const key = timeKey(l.time);
    if (f.lastKey && key <= f.lastKey) return; // already stored before a reconnect or restart
    f.lastKey = key;
    f.lastRaw = l.time;
    f.buffer.push(appLogRow(l, toIso(l.time)));
    if (f.held) {
      // The retry timer writes them; past the bound the oldest go (trimmed in steps, not per line).
      if (f.buffer.length >= MAX_HELD_LINES + BURST_LINES) trimHeld(f);
      return;
    }
    if (f.buffer.length >= BURST_LINES) flushOne(f);
    else if (!f.timer) f.timer = setTimeout(() => flushOne(f), BURST_MS);
  }

  function follow(c: Container): void {
    if (stopped || !c.dockerId) return;
    const current = followers.get(c.id);
    if (current?.dockerId === c.dockerId) return;
    if (current) current.abort.abort();
    const last = c.dateLastDockerLog;
    const f: Follower = {
      dockerId: c.dockerId, abort: new AbortController(), done: Promise.resolve(), buffer: [],
      lastKey: last ? timeKey(last) : null, lastRaw: last, timer: null, held: false, c,
    };
    followers.set(c.id, f);
    const since = last ? Math.max(0, Math.floor(new Date(last).getTime() / 1000)) : 0;
    f.done = engine.logs(c.dockerId, { follow: true, since }, (l) => onLine(f, l), f.abort.signal)
      .catch((err) => { if (!f.abort.signal.aborted) logger.debug('log stream ended with an error', { container: c.uuid, err }); })
      .finally(() => {
        flushOne(f);
        if (followers.get(c.id) === f) followers.delete(c.id);
      });
  }

  function followRunning(): void {
    for (const c of store.containers.inStates(['running', 'paused'])) follow(c);
  }

  const onState = (e: { containerId: number; state: string }) => {
    if (e.state !== 'running') return;
    const c = store.containers.byId(e.containerId);
    if (c) follow(c);
  };
  const onEngine = (e: { up: boolean }) => { if (e.up) followRunning(); };
  bus.on('state', onState);
  bus.on('engine-status', onEngine);
  followRunning();

  return {
    follow,
    following: () => [...followers.keys()],
    flush() { for (const f of followers.values()) flushOne(f); },
    async stop() {
      stopped = true;
      bus.off('state', onState);
      bus.off('engine-status', onEngine);
      const all = [...followers.values()];
      for (const f of all) f.abort.abort();
      await Promise.all(all.map((f) => f.done));
    },
  };
}
