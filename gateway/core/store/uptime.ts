/**
 * uptime.ts: SQL for the uptime history: one sample (container, time, state) per container per
 * sampling tick, kept for a bounded number of days.
 */
import type { Db } from './db.ts';
import { tx } from './db.ts';
import type { ContainerState } from '../types.ts';

/**
 * SampleState is a container's state as the uptime history keeps it: 'stopped' marks a deliberate
 * stop (a person's stop or kill, or the idle rule), so it is not counted as down.
 */
export type SampleState = ContainerState | 'stopped';

/** UptimeSample is one recorded state of one container. */
export interface UptimeSample { at: string; state: SampleState }

/** DOWN_STATES count against uptime; running counts for it; the rest (never started, stopped on purpose, paused) count neither way. */
export const DOWN_STATES: readonly SampleState[] = ['exited', 'dead', 'failed', 'restarting'];
const IN_DOWN = `(${DOWN_STATES.map((x) => `'${x}'`).join(', ')})`;

/** UptimeStore is every query on uptime samples. */
export type UptimeStore = ReturnType<typeof createUptimeStore>;

/** createUptimeStore prepares the uptime statements once. */
export function createUptimeStore(db: Db) {
  const s = {
    insert: db.prepare('INSERT INTO uptime_samples (container_id, at, state) VALUES (?, ?, ?)'),
    since: db.prepare('SELECT at, state FROM uptime_samples WHERE container_id = ? AND at >= ? ORDER BY at'),
    prune: db.prepare('DELETE FROM uptime_samples WHERE at < ?'),
    count: db.prepare(`SELECT COALESCE(SUM(state = 'running'), 0) AS up, COALESCE(SUM(state IN ${IN_DOWN}), 0) AS down,
      COALESCE(SUM(state IN ('stopped', 'paused')), 0) AS stopped FROM uptime_samples WHERE container_id = ? AND at >= ? AND at < ?`),
  };
  return {
    /** record stores one sample per container, all at `at`, in one transaction. */
    record(at: string, samples: Array<{ containerId: number; state: SampleState }>): void {
      tx(db, () => { for (const x of samples) s.insert.run(x.containerId, at, x.state); });
    },
    since(containerId: number, fromIso: string): UptimeSample[] {
      return s.since.all(containerId, fromIso) as unknown as UptimeSample[];
    },
    /**
     * count tallies a container's samples in [fromIso, toIso) (an index range, no rows read out): `n`
     * are those that count (running or down), `up` the running ones, `stopped` deliberate stops and pauses.
     */
    count(containerId: number, fromIso: string, toIso: string): { n: number; up: number; stopped: number } {
      const r = s.count.get(containerId, fromIso, toIso) as { up: number; down: number; stopped: number };
      return { n: Number(r.up) + Number(r.down), up: Number(r.up), stopped: Number(r.stopped) };
    },
    /** prune drops samples older than `beforeIso`; returns how many. */
    prune(beforeIso: string): number { return Number(s.prune.run(beforeIso).changes); },
  };
}
