/**
 * state-sync.ts: keeps stored states equal to the engine's. Follows the engine's event stream
 * (an external `docker kill` shows within about a second), reconnects with backoff, and resyncs
 * from labels at start-up and after every reconnect — adopting containers a crash left behind —
 * then hands over to recovery (recovery.ts), which brings containers back to their intent.
 */
import type { Config } from '../config.ts';
import type { Engine, ContainerInfo } from '../engine/engine.ts';
import type { Bus } from '../events.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/index.ts';
import type { ContainerService } from './service.ts';
import type { Container } from '../types.ts';
import { LABELS } from './spec.ts';
import { adoptable } from './adoption.ts';
import { SYSTEM_ACTOR } from '../auth/actor.ts';

/** StateSync is the running follower; `stop` ends it. */
export interface StateSync {
  readonly engineUp: () => boolean;
  readonly reconnects: () => number;
  /** reason is why the engine last failed to answer (null while it answers). */
  readonly reason: () => string | null;
  resync(): Promise<void>;
  stop(): Promise<void>;
}

// update and remove are a swarm service's (swarm.ts): a scale, a rolled task, a removal.
const EVENT_ACTIONS = new Set(['start', 'die', 'stop', 'kill', 'pause', 'unpause', 'destroy', 'oom', 'restart', 'create', 'update', 'remove']);

/** startStateSync begins following the engine; the first resync runs before it resolves when the engine is up. */
export async function startStateSync(deps: {
  config: Config; store: Store; engine: Engine; bus: Bus; logger: Logger; containers: ContainerService;
  /** synced runs after every resync with the engine (`first`: the one at start-up); recovery.ts hooks in here. */
  synced?: (first: boolean) => Promise<void>;
  /** host names the container host this follower is for (hosts/registry.ts); its containers are those `owns` accepts. */
  host?: { id: number | null; name: string; owns(c: Container): boolean; startupWaitMs?: number };
}): Promise<StateSync> {
  const { config, store, engine, bus, logger, containers } = deps;
  const owns = deps.host?.owns ?? ((c: Container) => c.hostId === null);
  const where = deps.host ? { host: deps.host.name } : {};
  const abort = new AbortController();
  const labels = { [LABELS.instance]: config.instance };
  // null until the first answer or failure, so a host down from the start is announced too.
  let up: boolean | null = null;
  let reason: string | null = null;
  let reconnects = 0;
  let first = true;
  const pending = new Map<string, NodeJS.Timeout>();

  function setUp(value: boolean, why: string | null) {
    reason = why;
    if (up === value) return;
    up = value;
    bus.emit('engine-status', { up: value, reason: why, hostId: deps.host?.id ?? null });
    if (value) logger.info('container engine reachable', where);
    else logger.warn('container engine unreachable', { reason: why, ...where });
  }

  /**
   * syncOne inspects one engine container and records what changed. A burst (die, then stop about
   * 100 ms later) can start a second inspect while the first is in flight: the stored state is read
   * after the inspect, so the second sees the first's change and does not log it again.
   */
  async function syncOne(dockerId: string): Promise<void> {
    const known = store.containers.byDockerId(dockerId);
    if (!known || !owns(known) || containers.queue.busy(known.id)) return;
    const info = await engine.inspect(dockerId);
    const c = store.containers.byDockerId(dockerId);
    if (!c || !owns(c) || containers.queue.busy(c.id)) return;
    const before = c.state;
    containers.applyInfo(c, info, info ? null : 'container removed outside Portico');
    if (c.state !== before) {
      containers.log.add(c, c.state === 'running' ? 'INFO' : 'WARNING', SYSTEM_ACTOR, 'Task',
        `Docker state changed: ${before} → ${c.state}${c.stateReason ? ` (${c.stateReason})` : ''}`);
    }
  }

  /** resync compares every stored container with the engine's labelled containers. */
  async function resync(): Promise<void> {
    const infos = await engine.list({ all: true, labels });
    const byUuid = new Map<string, ContainerInfo[]>();
    for (const i of infos) {
      const uuid = i.labels[LABELS.container];
      if (!uuid) continue;
      const list = byUuid.get(uuid) ?? [];
      list.push(i);
      byUuid.set(uuid, list);
    }
    for (const c of store.containers.all()) {
      if (!owns(c)) continue;
      // A pending delete keeps its state: recovery finishes it right after this pass.
      if (containers.queue.busy(c.id) || c.lastAction === 'delete') continue;
      const candidates = byUuid.get(c.uuid) ?? [];
      // Prefer the recorded container; else adopt the running or newest one a crash left behind.
      let keep = candidates.find((i) => i.id === c.dockerId)
        ?? candidates.find((i) => i.state === 'running')
        ?? [...candidates].sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
      for (const extra of candidates) {
        if (extra !== keep) {
          await engine.remove(extra.id, true).catch(() => {});
          containers.log.add(c, 'WARNING', SYSTEM_ACTOR, 'Task', `Removed duplicate Docker container ${extra.name}`);
        }
      }
      // A container adopted from Kiosc (docs/kiosc-import.md) carries no Portico labels until its
      // next recreate: its recorded Docker id is what ties it to the record.
      const unlabelled = !keep && c.dockerId ? await engine.inspect(c.dockerId) : null;
      const info = keep ? await engine.inspect(keep.id) : unlabelled && adoptable(c, unlabelled) ? unlabelled : null;
      if (unlabelled && !info) {
        // Forget the id, so no later action on this record removes or stops someone else's container.
        containers.log.add(c, 'WARNING', SYSTEM_ACTOR, 'Task', `Not adopting Docker container ${unlabelled.name}: it is not the one Kiosc started for this container`);
        store.containers.setRuntime(c.id, { dockerId: null, containerIp: null, hostPort: null });
        c.dockerId = null;
      }
      const before = c.state;
      if (!info && (c.state === 'initial' || c.state === 'failed')) continue;
      if (info && keep && keep.id !== c.dockerId) containers.log.add(c, 'INFO', SYSTEM_ACTOR, 'Task', `Adopted Docker container ${info.name}`);
      containers.applyInfo(c, info, info ? null : c.dockerId ? 'container no longer exists' : c.stateReason);
      if (before !== c.state) {
        containers.log.add(c, 'INFO', SYSTEM_ACTOR, 'Task', `Syncing state with Docker: ${before} → ${c.state}`);
      }
    }
  }

  async function loop(): Promise<void> {
    let delay = 100;
    while (!abort.signal.aborted) {
      try {
        await engine.ping();
        // Events since before the resync are replayed, so nothing between the two is lost.
        const since = Math.floor(Date.now() / 1000) - 1;
        await resync();
        setUp(true, null);
        delay = 100;
        // Not awaited: events must flow while recovery starts and deletes.
        void deps.synced?.(first);
        first = false;
        await engine.events({ labels, since }, (e) => {
          if (!EVENT_ACTIONS.has(e.action)) return;
          // Coalesce bursts (die+stop+kill) into one inspect per container.
          clearTimeout(pending.get(e.id));
          pending.set(e.id, setTimeout(() => {
            pending.delete(e.id);
            syncOne(e.id).catch((err) => logger.warn('state sync failed', { container: e.id.slice(0, 12), err }));
          }, 25));
        }, abort.signal);
        if (abort.signal.aborted) return;
        logger.warn('engine event stream ended; reconnecting', where);
      } catch (err) {
        if (abort.signal.aborted) return;
        setUp(false, (err as Error).message);
      }
      reconnects++;
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 5000);
    }
  }

  const running = loop();
  // Give start-up one chance to resync before serving, without blocking on a dead engine.
  const deadline = Date.now() + (deps.host?.startupWaitMs ?? 2000);
  while (!up && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));

  return {
    engineUp: () => up === true,
    reason: () => reason,
    reconnects: () => reconnects,
    resync,
    async stop() {
      abort.abort();
      for (const t of pending.values()) clearTimeout(t);
      await running.catch(() => {});
    },
  };
}
