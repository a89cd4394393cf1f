/**
 * last-action-sync.ts: Kiosc's "synchronize Docker container state with last user action". When a
 * container's state has disagreed with the last action for longer than the grace period (the app
 * crashed after a start, someone stopped it behind Portico's back), the action is run again, at most
 * `max_retries` times; each try is written to the container log. A new user action resets the count.
 */
import type { Logger } from '../log.ts';
import type { Store } from '../store/index.ts';
import type { Container, ContainerAction, ContainerState } from '../types.ts';
import type { ContainerService } from './service.ts';
import { SYSTEM_ACTOR } from '../auth/actor.ts';

const RUNNING: ReadonlySet<ContainerState> = new Set(['running']);
const NOT_RUNNING: ReadonlySet<ContainerState> = new Set(['initial', 'created', 'exited', 'dead', 'failed']);

/** EXPECTED maps a last action to the states that agree with it (delete has no state to keep). */
const EXPECTED: Partial<Record<ContainerAction, ReadonlySet<ContainerState>>> = {
  start: RUNNING, restart: RUNNING, reset: RUNNING, unpause: RUNNING,
  stop: NOT_RUNNING, kill: NOT_RUNNING,
  // A paused app found stopped (an engine restart ends paused containers too) uses no CPU either:
  // unpausing cannot bring it back, and the next request starts it.
  pause: new Set(['paused', ...NOT_RUNNING]),
};

/** TRANSIENT states belong to work in progress; they are never a mismatch on their own. */
const TRANSIENT: ReadonlySet<ContainerState> = new Set(['pulling', 'restarting', 'deleting', 'deleted']);

/** mismatch tells whether `c`'s state disagrees with its last action. */
export function mismatch(c: Pick<Container, 'lastAction' | 'state'>): boolean {
  if (!c.lastAction || TRANSIENT.has(c.state)) return false;
  const want = EXPECTED[c.lastAction];
  return want !== undefined && !want.has(c.state);
}

/**
 * retryAction is the action that brings `c` to its last action's intent from its current state: the
 * last action itself, except that an app meant to run that is no longer paused is started (unpausing
 * an exited container can only fail).
 */
export function retryAction(c: Pick<Container, 'lastAction' | 'state'>): ContainerAction {
  const action = c.lastAction as ContainerAction;
  return action === 'unpause' && c.state !== 'paused' ? 'start' : action;
}

/** LastActionSync runs one pass; `since` exposes when each mismatch was first seen (tests, UI). */
export interface LastActionSync {
  run(now?: number): Promise<string | void>;
}

/** createLastActionSync builds the pass over the store and the lifecycle service. */
export function createLastActionSync(deps: {
  store: Store; containers: ContainerService; logger: Logger; graceMs: number; engineUp: () => boolean;
  /** hostUp tells whether a container's host answers (a host that is away must not use up its retries). */
  hostUp?: (c: Container) => boolean;
}): LastActionSync {
  const { store, containers, logger, graceMs } = deps;
  const firstSeen = new Map<number, number>();
  const gaveUp = new Set<number>();
  const lastError = new Map<number, string>();

  return {
    async run(now = Date.now()) {
      if (!deps.engineUp()) return 'skipped: engine unreachable';
      const tries: Array<Promise<unknown>> = [];
      const seen = new Set<number>();
      for (const c of store.containers.all()) {
        if (!mismatch(c) || containers.queue.busy(c.id) || deps.hostUp?.(c) === false) continue;
        seen.add(c.id);
        const since = firstSeen.get(c.id) ?? now;
        firstSeen.set(c.id, since);
        if (now - since < graceMs) continue;
        const last = c.lastAction as ContainerAction;
        const action = retryAction(c);
        if (c.lastActionRetries >= c.maxRetries) {
          if (!gaveUp.has(c.id)) {
            gaveUp.add(c.id);
            const why = lastError.get(c.id);
            containers.log.add(c, 'ERROR', SYSTEM_ACTOR, 'Task',
              `State ${c.state} still disagrees with last action ${last}; giving up after ${c.maxRetries} retries${why ? ` (last error: ${why})` : ''}`);
            logger.warn('last-action sync gave up', { container: c.uuid, action: last, state: c.state });
          }
          continue;
        }
        const attempt = c.lastActionRetries + 1;
        store.containers.setLastAction(c.id, last, attempt);
        containers.log.add(c, 'WARNING', SYSTEM_ACTOR, 'Task',
          `State ${c.state} disagrees with last action ${last}; running ${action === last ? 'it' : action} again (retry ${attempt}/${c.maxRetries})`);
        firstSeen.delete(c.id);
        tries.push(containers.perform(c.id, action, SYSTEM_ACTOR, { retry: true }).then(() => { lastError.delete(c.id); }, (err) => {
          const message = (err as Error).message;
          lastError.set(c.id, message);
          // The container's own log tells why (a refusal before the job began is in no other log of it).
          containers.log.add(c, 'WARNING', SYSTEM_ACTOR, 'Task', `Retry ${attempt}/${c.maxRetries} failed: ${message}`);
          logger.info('last-action retry failed', { container: c.uuid, action, err: message });
        }));
      }
      for (const id of firstSeen.keys()) if (!seen.has(id)) firstSeen.delete(id);
      for (const id of gaveUp) if (!seen.has(id)) gaveUp.delete(id);
      for (const id of lastError.keys()) if (!seen.has(id)) lastError.delete(id);
      await Promise.all(tries);
      return tries.length ? `retried ${tries.length} container(s)` : undefined;
    },
  };
}
