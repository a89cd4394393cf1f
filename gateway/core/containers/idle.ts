/**
 * idle.ts: the idle-stop rule. A running container whose last access (or, if it was never
 * accessed, its start) is older than its inactivity threshold — capped by the global maximum —
 * is stopped, and its log says why. The scheduler calls `stopIdleContainers` (PORTICO_SCHEDULE_IDLE_STOP).
 */
import type { Services } from '../services.ts';
import type { Container } from '../types.ts';
import { SYSTEM_ACTOR } from '../auth/actor.ts';

const DAY_MS = 86_400_000;

/** IdleDeps are the services the rule reads and acts through. */
export type IdleDeps = Pick<Services, 'store' | 'containers' | 'config' | 'logger' | 'accessRecorder'>;

/**
 * idleSince is when a container was last used: its last access or its start, whichever is newer
 * (ms), or null when unknown. A start counts: a container someone started today is not idle because
 * its last access was last month (docs/persistence.md).
 */
export function idleSince(c: Container, inMemory: number | null): number | null {
  const stored = c.dateAccessed ? Date.parse(c.dateAccessed) : null;
  const started = c.dateStarted ? Date.parse(c.dateStarted) : 0;
  const newest = Math.max(stored ?? 0, inMemory ?? 0, Number.isFinite(started) ? started : 0);
  return newest > 0 ? newest : null;
}

function days(ms: number): string {
  const d = ms / DAY_MS;
  if (d >= 1) return `${Math.round(d * 10) / 10} days`;
  const h = ms / 3_600_000;
  if (h >= 1) return `${Math.round(h * 10) / 10} hours`;
  return `${Math.max(0, Math.round(ms / 60_000))} minutes`;
}

/** stopIdleContainers stops every running container idle past its threshold; returns the stopped ones' uuids. */
export async function stopIdleContainers(svc: IdleDeps, now: number = Date.now()): Promise<string[]> {
  svc.accessRecorder.flush();
  const stopped: string[] = [];
  for (const c of svc.store.containers.inStates(['running'])) {
    if (svc.containers.queue.busy(c.id)) continue;
    const since = idleSince(c, svc.accessRecorder.lastAccess(c.id));
    if (since === null) continue;
    const thresholdDays = Math.min(c.inactivityThreshold, svc.config.maxInactivityDays);
    const idle = now - since;
    if (idle < thresholdDays * DAY_MS) continue;
    const accessed = Math.max(c.dateAccessed ? Date.parse(c.dateAccessed) : 0, svc.accessRecorder.lastAccess(c.id) ?? 0);
    const what = accessed > 0 && accessed >= since ? 'no access' : 'no access since it started';
    svc.containers.log.add(c, 'INFO', SYSTEM_ACTOR, 'Task',
      `Stopping idle container: ${what} for ${days(idle)} (inactivity threshold ${thresholdDays} day${thresholdDays === 1 ? '' : 's'})`);
    try {
      await svc.containers.perform(c.id, 'stop', SYSTEM_ACTOR, { idle: true });
      stopped.push(c.uuid);
    } catch (err) {
      svc.logger.warn('idle stop failed', { container: c.uuid, err });
    }
  }
  return stopped;
}
