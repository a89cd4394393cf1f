/**
 * logs.ts: SQL for container log lines and action jobs.
 */
import type { Db } from './db.ts';
import { nowIso, tx } from './db.ts';
import type { ContainerAction, Job, LogEntry, LogLevel, LogProcess } from '../types.ts';

/** LOG_LEVELS are the levels from the least to the most severe; a filter keeps a level and those after it. */
export const LOG_LEVELS: readonly LogLevel[] = ['DEBUG', 'INFO', 'WARNING', 'ERROR'];
const LEVEL_RANK = "(CASE level WHEN 'DEBUG' THEN 0 WHEN 'INFO' THEN 1 WHEN 'WARNING' THEN 2 ELSE 3 END)";

/** LogFilter narrows a log: lines at `minLevel` or more severe whose text contains `q` (any case). */
export interface LogFilter { q: string; minLevel: LogLevel }

/** LogStore is every query on container logs and jobs. */
export type LogStore = ReturnType<typeof createLogStore>;

/** createLogStore prepares the log and job statements once. */
export function createLogStore(db: Db) {
  const s = {
    insert: db.prepare('INSERT INTO container_logs (container_id, date, level, user, process, text) VALUES (?, ?, ?, ?, ?, ?) RETURNING id'),
    tail: db.prepare(`SELECT * FROM (SELECT * FROM container_logs WHERE container_id = ? ORDER BY id DESC LIMIT ?) ORDER BY id`),
    after: db.prepare('SELECT * FROM container_logs WHERE container_id = ? AND id > ? ORDER BY id LIMIT ?'),
    count: db.prepare('SELECT COUNT(*) AS n FROM container_logs WHERE container_id = ?'),
    // Filters: level rank at least ?, and ? = '' or the text contains ? (case-insensitive for ASCII).
    tailFiltered: db.prepare(`SELECT * FROM (SELECT * FROM container_logs WHERE container_id = ? AND ${LEVEL_RANK} >= ?
      AND (? = '' OR instr(lower(text), lower(?)) > 0) ORDER BY id DESC LIMIT ?) ORDER BY id`),
    afterFiltered: db.prepare(`SELECT * FROM container_logs WHERE container_id = ? AND id > ? AND ${LEVEL_RANK} >= ?
      AND (? = '' OR instr(lower(text), lower(?)) > 0) ORDER BY id LIMIT ?`),
    trimCount: db.prepare(`DELETE FROM container_logs WHERE container_id = ? AND id <= (
      SELECT id FROM container_logs WHERE container_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`),
    trimAge: db.prepare('DELETE FROM container_logs WHERE container_id = ? AND date < ?'),
    insertJob: db.prepare(`INSERT INTO jobs (container_id, action, user, status, created_at) VALUES (?, ?, ?, 'running', ?) RETURNING id`),
    finishJob: db.prepare('UPDATE jobs SET status = ?, error = ?, finished_at = ? WHERE id = ?'),
    jobs: db.prepare('SELECT * FROM jobs WHERE container_id = ? ORDER BY id DESC LIMIT ?'),
    runningJobs: db.prepare(`SELECT * FROM jobs WHERE status = 'running' ORDER BY id`),
  };
  const toEntry = (r: Record<string, unknown>): LogEntry => ({
    id: r.id as number, containerId: r.container_id as number, date: r.date as string, level: r.level as LogLevel,
    user: r.user as string, process: r.process as LogProcess, text: r.text as string,
  });
  const toJob = (r: Record<string, unknown>): Job => ({
    id: r.id as number, containerId: r.container_id as number, action: r.action as ContainerAction, user: r.user as string,
    status: r.status as Job['status'], error: (r.error as string | null) ?? null, createdAt: r.created_at as string,
    finishedAt: (r.finished_at as string | null) ?? null,
  });
  return {
    add(containerId: number, level: LogLevel, user: string, process: LogProcess, text: string, date = nowIso()): number {
      return (s.insert.get(containerId, date, level, user, process, text) as { id: number }).id;
    },
    tail(containerId: number, lines: number): LogEntry[] {
      return (s.tail.all(containerId, lines) as Array<Record<string, unknown>>).map(toEntry);
    },
    /** tailFiltered is the newest `lines` lines that pass `f`, oldest first. */
    tailFiltered(containerId: number, lines: number, f: LogFilter): LogEntry[] {
      const rank = LOG_LEVELS.indexOf(f.minLevel);
      return (s.tailFiltered.all(containerId, rank, f.q, f.q, lines) as Array<Record<string, unknown>>).map(toEntry);
    },
    /** afterFiltered pages forward through the lines that pass `f` (a download reads the whole log this way). */
    afterFiltered(containerId: number, afterId: number, f: LogFilter, limit = 1000): LogEntry[] {
      const rank = LOG_LEVELS.indexOf(f.minLevel);
      return (s.afterFiltered.all(containerId, afterId, rank, f.q, f.q, limit) as Array<Record<string, unknown>>).map(toEntry);
    },
    after(containerId: number, afterId: number, limit = 1000): LogEntry[] {
      return (s.after.all(containerId, afterId, limit) as Array<Record<string, unknown>>).map(toEntry);
    },
    /**
     * addMany appends a burst of lines in one transaction (a chatty app costs one commit per burst)
     * and, when `keep` is given, trims the container to its newest `keep` lines in the same transaction.
     */
    addMany(containerId: number, rows: Array<{ date: string; level: LogLevel; user: string; process: LogProcess; text: string }>, keep?: number): number[] {
      return tx(db, () => {
        const ids = rows.map((r) => (s.insert.get(containerId, r.date, r.level, r.user, r.process, r.text) as { id: number }).id);
        if (keep !== undefined) s.trimCount.run(containerId, containerId, keep);
        return ids;
      });
    },
    count(containerId: number): number { return (s.count.get(containerId) as { n: number }).n; },
    /** trim keeps at most `keep` newest lines and drops lines older than `olderThan` (ISO date). */
    trim(containerId: number, keep: number, olderThan: string | null): number {
      let removed = Number(s.trimCount.run(containerId, containerId, keep).changes);
      if (olderThan) removed += Number(s.trimAge.run(containerId, olderThan).changes);
      return removed;
    },
    startJob(containerId: number, action: ContainerAction, user: string): number {
      return (s.insertJob.get(containerId, action, user, nowIso()) as { id: number }).id;
    },
    finishJob(jobId: number, ok: boolean, error: string | null): void {
      s.finishJob.run(ok ? 'done' : 'failed', error, nowIso(), jobId);
    },
    jobs(containerId: number, limit = 20): Job[] {
      return (s.jobs.all(containerId, limit) as Array<Record<string, unknown>>).map(toJob);
    },
    /** runningJobs are the jobs not finished; at start-up, those a previous process left cut off. */
    runningJobs(): Job[] {
      return (s.runningJobs.all() as Array<Record<string, unknown>>).map(toJob);
    },
  };
}
