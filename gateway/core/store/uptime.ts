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
  };
  return {
    /** record stores one sample per container, all at `at`, in one transaction. */
    record(at: string, samples: Array<{ containerId: number; state: ContainerState }>): void {
      tx(db, () => { for (const x of samples) s.insert.run(x.containerId, at, x.state); });
    },
    since(containerId: number, fromIso: string): UptimeSample[] {
      return s.since.all(containerId, fromIso) as unknown as UptimeSample[];
    },
    /** prune drops samples older than `beforeIso`; returns how many. */
    prune(beforeIso: string): number { return Number(s.prune.run(beforeIso).changes); },
  };
}
