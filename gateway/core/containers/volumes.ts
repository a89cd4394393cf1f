/**
 * volumes.ts: the containers' data volumes as a site admin sees them (docs/persistence.md). Portico
 * creates one named volume per container with a data path, labelled with its instance and container,
 * and never removes it on its own: not on stop, restart, reset, edit or delete. Only a site admin
 * removes one, here, and only while its container does not run.
 */
import { NotFoundError, conflict } from '../errors.ts';
import type { Services } from '../services.ts';
import type { Container, ContainerState } from '../types.ts';
import { LABELS, volumeName } from './spec.ts';

/** VolumeDeps are the services the volume functions use (the CLI builds the same set). */
export type VolumeDeps = Pick<Services, 'config' | 'store' | 'engine' | 'containers' | 'logger'>;

/**
 * VolumeStatus: `in use` (its container runs), `kept` (its container is stopped or not created),
 * `unmounted` (its container no longer has a data path: the data stays, unmounted), `orphaned`
 * (its container was deleted), `home` (a user's home volume of the app platform, kept across instances;
 * its "container" column names the user).
 */
export type VolumeStatus = 'in use' | 'kept' | 'unmounted' | 'orphaned' | 'home';

/** DataVolume is one of this instance's data volumes with its owner. */
export interface DataVolume {
  name: string;
  containerUuid: string | null;
  container: Pick<Container, 'id' | 'uuid' | 'title' | 'projectId' | 'projectUuid' | 'state' | 'dataPath'> | null;
  status: VolumeStatus;
  /** owner is the user a home volume belongs to. */
  owner?: string | null;
  /** size in bytes, when asked for and the engine tells. */
  size: number | null;
  createdAt: string | null;
}

const RUNNING: ReadonlySet<ContainerState> = new Set(['running', 'paused', 'restarting', 'pulling']);

function statusOf(c: Container | null, name: string, instance: string): VolumeStatus {
  if (c === null) return 'orphaned';
  if (!c.dataPath || volumeName(instance, c.uuid) !== name) return 'unmounted';
  return RUNNING.has(c.state) ? 'in use' : 'kept';
}

/**
 * VolumeOpts: `sizes` asks the engine for sizes; `owns` says which containers run on this engine
 * (another host's container with the same uuid label does not own a volume here: it is an orphan).
 */
export interface VolumeOpts { sizes?: boolean; owns?: (c: Container) => boolean }

/** listDataVolumes lists this instance's data volumes (sizes only with `sizes`: the engine walks every volume for them). */
export async function listDataVolumes(deps: VolumeDeps, opts: VolumeOpts = {}): Promise<DataVolume[]> {
  const { config, store, engine } = deps;
  const all = await engine.listVolumes();
  // Check the labels here too: an engine that ignored a filter must not show (or remove) anyone else's volume.
  const mine = all.filter((v) => v.labels[LABELS.managed] === 'true' && v.labels[LABELS.instance] === config.instance);
  const sizes = opts.sizes && mine.length ? await engine.volumeSizes().catch((err) => {
    deps.logger.warn('could not read volume sizes', { err: (err as Error).message });
    return {} as Record<string, number>;
  }) : {};
  return mine.map((v) => {
    const uuid = v.labels[LABELS.container] ?? null;
    const found = uuid ? store.containers.byUuid(uuid) : null;
    const c = found && (!opts.owns || opts.owns(found)) ? found : null;
    if (v.labels['portico.home']) {
      return { name: v.name, containerUuid: null, container: null, status: 'home' as const, owner: v.labels['portico.owner'] ?? null, size: sizes[v.name] ?? null, createdAt: v.createdAt ?? null };
    }
    return {
      name: v.name, containerUuid: uuid,
      container: c && { id: c.id, uuid: c.uuid, title: c.title, projectId: c.projectId, projectUuid: c.projectUuid, state: c.state, dataPath: c.dataPath },
      status: statusOf(c, v.name, config.instance), size: sizes[v.name] ?? null, createdAt: v.createdAt ?? null,
    };
  }).sort((a, b) => a.status.localeCompare(b.status) || a.name.localeCompare(b.name));
}

/**
 * removeDataVolume removes one of this instance's data volumes and what is in it. A volume whose
 * container runs is refused (409); a stopped container's engine container is removed first (it
 * mounts the volume), so its next start creates it afresh, with a new, empty volume.
 */
export async function removeDataVolume(deps: VolumeDeps, name: string, user: string, opts: Pick<VolumeOpts, 'owns'> = {}): Promise<DataVolume> {
  const v = (await listDataVolumes(deps, opts)).find((x) => x.name === name);
  if (!v) throw new NotFoundError('E_NOT_FOUND', `no data volume of this Portico instance is named ${JSON.stringify(name)}`);
  const { engine, containers, store } = deps;
  const owner = v.container;
  if (owner === null) {
    await engine.removeVolume(name);
  } else {
    // In the container's action queue, so no start can slip in between.
    await containers.queue.run(owner.id, 'remove-volume', async () => {
      const c = store.containers.byId(owner.id);
      if (c === null) { await engine.removeVolume(name); return; }
      if (RUNNING.has(c.state)) throw conflict(`"${c.title}" is ${c.state}: stop it before removing its data volume`);
      if (c.dockerId) {
        await engine.remove(c.dockerId, true);
        containers.applyInfo(c, null);
      }
      await engine.removeVolume(name);
      containers.log.add(c, 'WARNING', user, 'Task', `Data volume ${name} removed, with its files (the next start begins with an empty one)`);
    });
  }
  deps.logger.info('data volume removed', { volume: name, container: v.containerUuid, user });
  return v;
}
