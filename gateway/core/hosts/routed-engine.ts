/**
 * routed-engine.ts: the Engine the surfaces see (Services.engine). Calls about one engine container
 * (inspect, logs, stats, start, ...) go to the engine of the host that container's record names;
 * calls about an engine as a whole (images, networks, volumes, pulls, events) go to the built-in
 * host, as before container hosts existed. So the log follower, stats and inspect need no change.
 */
import type { Engine } from '../engine/engine.ts';
import type { Store } from '../store/index.ts';

const PER_CONTAINER = ['start', 'stop', 'pause', 'unpause', 'kill', 'remove', 'inspect', 'inspectRaw', 'logs', 'stats'] as const;

/** routeByContainer returns `local` with per-container calls sent to the container's own host engine. */
export function routeByContainer(local: Engine, store: Pick<Store, 'containers'>, engineOf: (hostId: number) => Engine): Engine {
  const out: Record<string, unknown> = { ...local };
  for (const key of PER_CONTAINER) {
    out[key] = async (id: string, ...rest: unknown[]) => {
      const hostId = store.containers.byDockerId(id)?.hostId ?? null;
      const engine = hostId === null ? local : engineOf(hostId);
      return (engine[key] as (...a: unknown[]) => Promise<unknown>)(id, ...rest);
    };
  }
  return out as unknown as Engine;
}
