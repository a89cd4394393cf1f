/**
 * uptime.ts: SQL for the uptime history: one sample (container, time, state) per container per
 * sampling tick, kept for a bounded number of days.
 */
import type { Db } from './db.ts';
import { tx } from './db.ts';
import type { ContainerState } from '../types.ts';

/** UptimeSample is one recorded state of one container. */
export interface UptimeSample { at: string; state: ContainerState }

/** UptimeStore is every query on uptime samples. */
export type UptimeStore = ReturnType<typeof createUptimeStore>;

/** createUptimeStore prepares the uptime statements once. */
export function createUptimeStore(db: Db) {
  const s = {
    insert: db.prepare('INSERT INTO uptime_samples (container_id, at, state) VALUES (?, ?, ?)'),
    since: db.prepare('SELECT at, state FROM uptime_samples WHERE container_id = ? AND at >= ? ORDER BY at'),
    prune: db.prepare('DELETE FROM uptime_samples WHERE at < ?'),
    count: db.prepare("SELECT COUNT(*) AS n, COALESCE(SUM(state = 'running'), 0) AS up FROM uptime_samples WHERE container_id = ? AND at >= ? AND at < ?"),
  };
  return {
    /** record stores one sample per container, all at `at`, in one transaction. */
    record(at: string, samples: Array<{ containerId: number; state: ContainerState }>): void {
      tx(db, () => { for (const x of samples) s.insert.run(x.containerId, at, x.state); });
    },
    since(containerId: number, fromIso: string): UptimeSample[] {
      return s.since.all(containerId, fromIso) as unknown as UptimeSample[];
    },
    /** count tallies a container's samples in [fromIso, toIso) and how many of them were running (an index range, no rows read out). */
    count(containerId: number, fromIso: string, toIso: string): { n: number; up: number } {
      const r = s.count.get(containerId, fromIso, toIso) as { n: number; up: number };
      return { n: Number(r.n), up: Number(r.up) };
    },
    /** prune drops samples older than `beforeIso`; returns how many. */
    prune(beforeIso: string): number { return Number(s.prune.run(beforeIso).changes); },
  };
}
