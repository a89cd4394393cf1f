/**
 * recovery.ts: brings containers back to their recorded intent as soon as the engine answers, at
 * start-up and after every reconnect (an engine restart stops every app). The intent is in the
 * store before any engine work begins: the last action (a delete is recorded the moment it is
 * accepted) and the job of an action in progress. The rules (docs/faults.md):
 * - a job a previous process left running is settled from the engine's truth: done when the engine
 *   shows its result, otherwise it is run again at once;
 * - a delete that was accepted and not finished is finished;
 * - a container whose last action wants it running, shown exited, created or dead, is started.
 * Nothing here waits for the last-action sync's grace period: these mismatches are the gateway's
 * or the engine's doing, not the app's.
 */
import type { Engine, ContainerInfo } from '../engine/engine.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/index.ts';
import type { Container, ContainerAction, ContainerState, Job } from '../types.ts';
import type { ContainerService } from './service.ts';
import { SYSTEM_ACTOR } from '../auth/actor.ts';

/** WANTS_RUNNING are the last actions whose intent is a running app. */
const WANTS_RUNNING: ReadonlySet<ContainerAction> = new Set(['start', 'restart', 'reset', 'unpause']);
const STOPPED: ReadonlySet<ContainerState> = new Set(['exited', 'created', 'dead']);

/** Recovery runs one pass; passes never overlap (a pass asked for meanwhile runs after). */
export interface Recovery {
  run(startup: boolean): Promise<void>;
}

/** reached tells whether the engine shows the result of `job` on `c` (`info` is its engine container). */
function reached(job: Job, info: ContainerInfo | null): boolean {
  const running = info?.state === 'running';
  switch (job.action) {
    case 'start': case 'unpause': return running;
    // A restart or reset is done only when a container made after the job began is running.
    case 'restart': case 'reset': return running && Date.parse(info!.createdAt) >= Date.parse(job.createdAt);
    case 'stop': case 'kill': return !running && info?.state !== 'paused';
    case 'pause': return info?.state === 'paused';
    case 'delete': return false;
  }
}

/** createRecovery builds the pass over the store, the engine and the lifecycle service. */
export function createRecovery(deps: { store: Store; engine: Engine; containers: ContainerService; logger: Logger; owns?: (c: Container) => boolean }): Recovery {
  const { store, engine, containers, logger } = deps;
  // Each host's pass covers its own containers (the built-in host's are those without a host).
  const owns = deps.owns ?? ((c: Container) => c.hostId === null);
  let chain: Promise<void> = Promise.resolve();

  function resume(c: Container, action: ContainerAction, user: string, why: string, tries: Array<Promise<unknown>>): void {
    containers.log.add(c, 'WARNING', SYSTEM_ACTOR, 'Task', why);
    tries.push(containers.perform(c.id, action, user, { retry: true }).catch((err) => {
      logger.warn('resuming an action failed', { container: c.uuid, action, err: (err as Error).message });
    }));
  }

  async function pass(startup: boolean): Promise<void> {
    const tries: Array<Promise<unknown>> = [];
    const resumed = new Set<number>();
    // Every job of this process is finished before its container's queue is free, so a running job
    // of a container with nothing queued was cut off by an earlier process. Not only at start-up:
    // the engine may not have answered then.
    for (const job of store.logs.runningJobs()) {
      const c = store.containers.byId(job.containerId);
      if (!c || !owns(c) || containers.queue.busy(c.id)) continue;
      const info = c.dockerId ? await engine.inspect(c.dockerId) : null;
      if (reached(job, info)) {
        store.logs.finishJob(job.id, true, null);
        containers.log.add(c, 'INFO', SYSTEM_ACTOR, 'Task', `The ${job.action} cut off by a gateway restart had finished in Docker (${c.state})`);
        continue;
      }
      store.logs.finishJob(job.id, false, 'interrupted by a gateway restart; run again at start-up');
      resumed.add(c.id);
      resume(c, job.action, job.user, `Resuming the ${job.action} cut off by a gateway restart`, tries);
    }
    for (const c of store.containers.all()) {
      if (resumed.has(c.id) || !owns(c) || containers.queue.busy(c.id) || !c.lastAction) continue;
      if (c.lastAction === 'delete') {
        resume(c, 'delete', SYSTEM_ACTOR, 'Finishing the delete requested before the gateway or the engine went away', tries);
      } else if (WANTS_RUNNING.has(c.lastAction) && STOPPED.has(c.state)) {
        resume(c, 'start', SYSTEM_ACTOR, `Docker shows the container ${c.state} after its last action ${c.lastAction} (an engine or gateway restart): starting it`, tries);
      }
    }
    await Promise.all(tries);
    if (tries.length) logger.info('recovered containers to their last action', { count: tries.length, startup });
  }

  return {
    run(startup) {
      chain = chain.then(() => pass(startup)).catch((err) => logger.warn('recovery pass failed', { err: (err as Error).message }));
      return chain;
    },
  };
}
