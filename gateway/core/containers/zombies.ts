/**
 * zombies.ts: engine containers that carry this instance's labels but belong to no stored container
 * (a record deleted while the engine was away, a database restored from backup). They are removed.
 * Containers without our labels, of other instances, and the gateway's own container are never touched.
 */
import os from 'node:os';
import type { Config } from '../config.ts';
import type { ContainerInfo, Engine } from '../engine/engine.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/index.ts';
import { LABELS } from './spec.ts';

/** GATEWAY_LABEL marks the gateway's own container (the deployment sets it); such a container is never pruned. */
export const GATEWAY_LABEL = 'portico.component';

/** isSelf tells whether `info` is the container this gateway runs in. */
function isSelf(info: ContainerInfo, config: Config): boolean {
  if (info.labels[GATEWAY_LABEL] === 'gateway') return true;
  if (config.gatewayName && info.name === config.gatewayName) return true;
  const host = os.hostname();
  // Docker sets a container's hostname to the first 12 characters of its id.
  return /^[0-9a-f]{12}$/.test(host) && info.id.startsWith(host);
}

/** findZombies lists this instance's engine containers that no stored container owns. */
export async function findZombies(deps: { config: Config; store: Store; engine: Engine }): Promise<ContainerInfo[]> {
  const { config, store, engine } = deps;
  const known = new Set(store.containers.all().map((c) => c.uuid));
  const infos = await engine.list({ all: true, labels: { [LABELS.instance]: config.instance } });
  return infos.filter((i) =>
    // Check the labels again: an engine that ignored the filter must not cost anyone a container.
    i.labels[LABELS.instance] === config.instance
    && i.labels[LABELS.managed] === 'true'
    && !known.has(i.labels[LABELS.container] ?? '')
    && !isSelf(i, config));
}

/** pruneZombies removes the zombies; returns their names. */
export async function pruneZombies(deps: { config: Config; store: Store; engine: Engine; logger: Logger }): Promise<string[]> {
  const removed: string[] = [];
  for (const z of await findZombies(deps)) {
    // A record may have been created since the listing (a start in flight); look again just before.
    if (deps.store.containers.byUuid(z.labels[LABELS.container] ?? '')) continue;
    await deps.engine.remove(z.id, true);
    deps.logger.info('removed an engine container unknown to the store', { id: z.id.slice(0, 12), name: z.name, uuid: z.labels[LABELS.container] ?? null });
    removed.push(z.name);
  }
  return removed;
}
