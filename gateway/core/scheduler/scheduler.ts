/**
 * scheduler.ts: runs named periodic jobs on cron expressions (the `cron` package). A job never
 * overlaps itself: a tick that finds the previous run still busy is skipped and logged. Every run
 * is logged with its duration and outcome, and counted in the metrics.
 */
import { CronJob } from 'cron';
import type { Logger } from '../log.ts';
import type { Registry } from '../metrics.ts';

/** JobFn does one run of a periodic job; it may return a short summary for the log. */
export type JobFn = () => Promise<string | void> | string | void;

/** JobStatus is what the scheduler knows about one job (for the site-admin page and tests). */
export interface JobStatus {
  name: string;
  schedule: string;
  running: boolean;
  runs: number;
  skipped: number;
  failures: number;
  lastRunAt: string | null;
  lastResult: string | null;
}

interface Entry { status: JobStatus; fn: JobFn; cron: CronJob | null; timer: NodeJS.Timeout | null; current: Promise<void> | null }

/** Schedule is a cron expression (seconds field first), a fixed interval (as Celery's periodic tasks), or null for off. */
export type Schedule = string | { everyMs: number } | null;

/** Scheduler owns the periodic jobs; `stop` ends them and waits (bounded) for runs in progress. */
export interface Scheduler {
  add(name: string, schedule: Schedule, fn: JobFn): void;
  /** runNow runs a job at once (also skipped when already running); resolves when that run ends. */
  runNow(name: string): Promise<void>;
  status(): JobStatus[];
  stop(waitMs?: number): Promise<void>;
}

/** createScheduler returns an empty scheduler; jobs start ticking as soon as they are added. */
export function createScheduler(deps: { logger: Logger; metrics?: Registry }): Scheduler {
  const { logger } = deps;
  const entries = new Map<string, Entry>();
  let stopped = false;
  const runs = deps.metrics?.counter('portico_job_runs_total', 'Periodic job runs by job and result (ok, failed, skipped).');
  const durations = deps.metrics?.histogram('portico_job_duration_seconds', 'Duration of periodic job runs.', [0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120]);

  function run(e: Entry): Promise<void> {
    const s = e.status;
    if (e.current) {
      s.skipped++;
      runs?.inc({ job: s.name, result: 'skipped' });
      logger.info('job still running; tick skipped', { job: s.name });
      return e.current;
    }
    const began = performance.now();
    s.running = true;
    s.lastRunAt = new Date().toISOString();
    e.current = (async () => {
      // Yield first, so `current` is set before a job that fails synchronously clears it.
      await null;
      try {
        const summary = await e.fn();
        s.runs++;
        s.lastResult = summary || 'ok';
        runs?.inc({ job: s.name, result: 'ok' });
        const ms = Math.round(performance.now() - began);
        // Idle runs are routine; only runs that did something are worth an info line.
        if (summary) logger.info('job done', { job: s.name, ms, result: summary });
        else logger.debug('job done', { job: s.name, ms });
      } catch (err) {
        s.runs++;
        s.failures++;
        s.lastResult = `failed: ${(err as Error).message}`;
        runs?.inc({ job: s.name, result: 'failed' });
        logger.warn('job failed', { job: s.name, err });
      } finally {
        durations?.observe((performance.now() - began) / 1000, { job: s.name });
        s.running = false;
        e.current = null;
      }
    })();
    return e.current;
  }

  return {
    add(name, schedule, fn) {
      if (entries.has(name)) throw new Error(`job ${name} is already scheduled`);
      const e: Entry = {
        status: { name, schedule: typeof schedule === 'object' && schedule ? `every ${schedule.everyMs / 1000} s` : schedule ?? 'off', running: false, runs: 0, skipped: 0, failures: 0, lastRunAt: null, lastResult: null },
        fn, cron: null, timer: null, current: null,
      };
      entries.set(name, e);
      if (typeof schedule === 'object' && schedule && !stopped) {
        e.timer = setInterval(() => { void run(e); }, schedule.everyMs);
        e.timer.unref();
      } else if (typeof schedule === 'string' && !stopped) {
        e.cron = CronJob.from({ cronTime: schedule, onTick: () => { void run(e); }, start: true, unrefTimeout: true });
      }
    },
    runNow(name) {
      const e = entries.get(name);
      if (!e) return Promise.reject(new Error(`no job ${name}`));
      return run(e);
    },
    status: () => [...entries.values()].map((e) => ({ ...e.status })),
    async stop(waitMs = 5000) {
      stopped = true;
      for (const e of entries.values()) { e.cron?.stop(); if (e.timer) clearInterval(e.timer); }
      const busy = [...entries.values()].map((e) => e.current).filter((p): p is Promise<void> => p !== null);
      if (!busy.length) return;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(busy), new Promise((r) => { timer = setTimeout(r, waitMs); })]);
      clearTimeout(timer);
    },
  };
}
