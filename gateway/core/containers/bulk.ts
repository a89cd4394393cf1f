/**
 * bulk.ts: Kiosc's management commands as functions shared by the CLI and the site-admin page:
 * remove stopped containers (dry run unless asked), stop all, stop unused. Each returns a report of
 * what it did, or would do, per container.
 */
import type { Services } from '../services.ts';
import type { Container, ContainerState } from '../types.ts';
import { idleSince } from './idle.ts';

/** BulkDeps are the services the bulk actions use. */
export type BulkDeps = Pick<Services, 'store' | 'engine' | 'containers' | 'config' | 'logger' | 'accessRecorder'>;

const DAY_MS = 86_400_000;

/** findUnused lists running containers idle past their threshold, by the same rule as the idle stop. */
export function findUnused(svc: Pick<BulkDeps, 'store' | 'config' | 'accessRecorder'>, now: number = Date.now()): Container[] {
  svc.accessRecorder.flush();
  return svc.store.containers.inStates(['running']).filter((c) => {
    const since = idleSince(c, svc.accessRecorder.lastAccess(c.id));
    return since !== null && now - since >= Math.min(c.inactivityThreshold, svc.config.maxInactivityDays) * DAY_MS;
  });
}

/** BulkItem is one container in a report. */
export interface BulkItem { uuid: string; title: string; project: string; state: ContainerState; result: string }

/** BulkReport says what a bulk action did (or, for a dry run, would do). */
export interface BulkReport { action: string; dryRun: boolean; items: BulkItem[]; failed: number }

const STOPPED: ContainerState[] = ['exited', 'dead', 'created', 'failed'];
const STOPPABLE: ContainerState[] = ['running', 'paused', 'restarting', 'created', 'pulling'];

function item(c: Container, result: string): BulkItem {
  return { uuid: c.uuid, title: c.title, project: c.projectUuid, state: c.state, result };
}

async function each(cs: Container[], fn: (c: Container) => Promise<string>): Promise<{ items: BulkItem[]; failed: number }> {
  const items: BulkItem[] = [];
  let failed = 0;
  // One at a time: a bulk action must not become a thundering herd on the engine.
  for (const c of cs) {
    try {
      items.push(item(c, await fn(c)));
    } catch (err) {
      failed++;
      items.push(item(c, `failed: ${(err as Error).message}`));
    }
  }
  return { items, failed };
}

/**
 * removeStopped removes the engine containers of stopped containers (Kiosc's `remove_stopped`). The
 * records stay (a later start creates a fresh engine container, as every start does); only with
 * `remove` is anything removed, otherwise it reports what it would remove.
 */
export async function removeStopped(svc: BulkDeps, opts: { remove: boolean; user: string }): Promise<BulkReport> {
  const candidates = svc.store.containers.inStates(STOPPED).filter((c) => c.dockerId);
  if (!opts.remove) return { action: 'remove-stopped', dryRun: true, items: candidates.map((c) => item(c, 'would remove')), failed: 0 };
  const { items, failed } = await each(candidates, (c) => svc.containers.queue.run(c.id, 'remove-stopped', async () => {
    const now = svc.containers.fresh(c.id);
    if (!now.dockerId || !STOPPED.includes(now.state)) return `skipped: now ${now.state}`;
    await svc.engine.remove(now.dockerId, true);
    svc.store.containers.setRuntime(c.id, { dockerId: null, containerIp: null, hostPort: null });
    svc.containers.log.add(c, 'INFO', opts.user, 'Task', `Removed stopped Docker container ${now.dockerName ?? now.dockerId.slice(0, 12)}`);
    return 'removed';
  }));
  return { action: 'remove-stopped', dryRun: false, items, failed };
}

/** stopAll stops every container that is not stopped already (Kiosc's `stop_all`). */
export async function stopAll(svc: BulkDeps, opts: { dryRun?: boolean; user: string }): Promise<BulkReport> {
  const candidates = svc.store.containers.inStates(STOPPABLE);
  if (opts.dryRun) return { action: 'stop-all', dryRun: true, items: candidates.map((c) => item(c, 'would stop')), failed: 0 };
  const { items, failed } = await each(candidates, async (c) => {
    const after = await svc.containers.perform(c.id, 'stop', opts.user);
    return `stopped (${after.state})`;
  });
  return { action: 'stop-all', dryRun: false, items, failed };
}

/** stopUnused stops containers not accessed for longer than their inactivity threshold (Kiosc's `stop_unused`). */
export async function stopUnused(svc: BulkDeps, opts: { dryRun?: boolean; user: string; now?: number }): Promise<BulkReport> {
  const candidates = findUnused(svc, opts.now);
  if (opts.dryRun) return { action: 'stop-unused', dryRun: true, items: candidates.map((c) => item(c, 'would stop')), failed: 0 };
  const { items, failed } = await each(candidates, async (c) => {
    svc.containers.log.add(c, 'INFO', opts.user, 'Task', 'Stopping: unused for longer than its inactivity threshold');
    const after = await svc.containers.perform(c.id, 'stop', opts.user, { idle: true });
    return `stopped (${after.state})`;
  });
  return { action: 'stop-unused', dryRun: false, items, failed };
}

/** formatReport renders a report as lines for the CLI. */
export function formatReport(r: BulkReport): string {
  const verb = r.dryRun ? 'would affect' : 'affected';
  const lines = r.items.map((i) => `${i.uuid}  ${i.state.padEnd(9)}  ${i.title}  → ${i.result}`);
  const tail = r.dryRun && r.action === 'remove-stopped' ? ' (dry run; add --remove to remove them)' : '';
  return `${lines.join('\n')}${lines.length ? '\n' : ''}${r.action}: ${verb} ${r.items.length} container(s)${r.failed ? `, ${r.failed} failed` : ''}${tail}\n`;
}
