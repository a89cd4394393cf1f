/**
 * jobs.ts: Portico's periodic work, started by buildCore and stopped on close: following app logs
 * (event-driven, not scheduled), last-action sync, inactivity stop, zombie pruning, uptime sampling
 * and retention (log lines by age and count, old uptime samples and audit events), and the SODAR sync on a target site.
 */
import type { Services } from '../services.ts';
import type { Config, ScheduleName } from '../config.ts';
import { createScheduler } from './scheduler.ts';
import type { Scheduler } from './scheduler.ts';
import { startLogFollower } from '../containers/log-follower.ts';
import type { LogFollower } from '../containers/log-follower.ts';
import { createLastActionSync } from '../containers/last-action-sync.ts';
import { stopIdleContainers } from '../containers/idle.ts';
import { pruneZombies } from '../containers/zombies.ts';
import { sampleUptime } from '../containers/uptime.ts';

/** PeriodicWork is the scheduler plus the log follower; `stop` ends both (bounded). */
export interface PeriodicWork {
  scheduler: Scheduler;
  follower: LogFollower;
  stop(): Promise<void>;
}

/** JOBS names the scheduled jobs (the keys of Config.schedules). */
export const JOBS: readonly ScheduleName[] = ['lastActionSync', 'idleStop', 'pruneZombies', 'uptimeSample', 'retention'];

/** applyRetention trims every container's log by age and count and drops old uptime samples. */
export function applyRetention(svc: Pick<Services, 'store' | 'config'>, now = Date.now()): string | void {
  const { store, config } = svc;
  const olderThan = config.logRetentionDays > 0 ? new Date(now - config.logRetentionDays * 86_400_000).toISOString() : null;
  let lines = 0;
  for (const c of store.containers.all()) lines += store.logs.trim(c.id, config.logRetentionLines, olderThan);
  const samples = store.uptime.prune(new Date(now - config.uptimeRetentionDays * 86_400_000).toISOString());
  const events = store.audit.prune(new Date(now - config.auditRetentionDays * 86_400_000).toISOString());
  return lines || samples || events ? `dropped ${lines} log line(s), ${samples} uptime sample(s), ${events} audit event(s)` : undefined;
}

/** startPeriodicWork schedules every job per `config.schedules` and starts following app logs. */
export function startPeriodicWork(svc: Services, opts: { config?: Config } = {}): PeriodicWork {
  const config = opts.config ?? svc.config;
  const scheduler = createScheduler({ logger: svc.logger, metrics: svc.metrics });
  const follower = startLogFollower({ ...svc, log: svc.containers.log });
  const sync = createLastActionSync({
    store: svc.store, containers: svc.containers, logger: svc.logger,
    graceMs: config.syncGraceSeconds * 1000, engineUp: svc.health.engineUp,
    hostUp: (c) => c.hostId === null || !svc.hosts || svc.hosts.status(c.hostId).up,
  });
  const engineJob = <T>(fn: () => Promise<T>) => async (): Promise<T | string> =>
    (svc.health.engineUp() ? fn() : 'skipped: engine unreachable');

  scheduler.add('lastActionSync', config.schedules.lastActionSync, async () => {
    // A project delete the engine interrupted is finished here once it answers again (docs/projects-api.md).
    const finished = svc.health.engineUp() && svc.store.projects.deleting().length ? await svc.projects.resumeDeletes() : 0;
    const synced = await sync.run();
    return finished ? `finished ${finished} interrupted project delete(s)${synced ? `; ${synced}` : ''}` : synced;
  });
  scheduler.add('idleStop', config.schedules.idleStop, engineJob(async () => {
    const stopped = await stopIdleContainers(svc, Date.now());
    // Public app instances idle past PORTICO_APP_PUBLIC_IDLE_MINUTES are removed (docs/apps.md).
    const swept = await svc.apps.instances.sweepPublic(Date.now(), (id) => svc.accessRecorder.lastAccess(id));
    return [stopped.length ? `stopped ${stopped.length} idle container(s)` : '', swept ? `removed ${swept} idle public instance(s)` : ''].filter(Boolean).join('; ');
  }));
  scheduler.add('pruneZombies', config.schedules.pruneZombies, engineJob(async () => {
    const removed = await pruneZombies(svc);
    return removed.length ? `removed ${removed.length} container(s) unknown to the store: ${removed.join(', ')}` : '';
  }));
  scheduler.add('uptimeSample', config.schedules.uptimeSample, () => { sampleUptime(svc.store); });
  scheduler.add('retention', config.schedules.retention, () => applyRetention(svc));
  // Kiosc's sync_remote_site_task: every PROJECTROLES_TARGET_SYNC_INTERVAL minutes on a TARGET site.
  if (svc.sodar.active && config.sodar.syncEnabled) {
    scheduler.add('sodarSync', { everyMs: Math.round(config.sodar.intervalMinutes * 60_000) }, async () => {
      const outcome = await svc.sodar.run('scheduler');
      if (!outcome.ok) throw new Error(outcome.error ?? 'failed');
      return outcome.summary;
    });
  }

  return {
    scheduler,
    follower,
    async stop() {
      await scheduler.stop(Math.max(1000, config.shutdownGraceSeconds * 1000));
      await follower.stop();
    },
  };
}
