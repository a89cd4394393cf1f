/**
 * engine-steps.ts: the engine side of each lifecycle action — image pull, create-and-start, resume of
 * a stopped container, copying a failed start's output, removal — as the per-action `steps` table the
 * service runs as jobs. State changes go through the service's setRuntime/applyInfo.
 */
import net from 'node:net';
import type { Config } from '../config.ts';
import type { Engine, ContainerInfo, RegistryAuth } from '../engine/engine.ts';
import { EngineError, PorticoError } from '../errors.ts';
import type { Bus } from '../events.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/index.ts';
import type { Container, ContainerAction } from '../types.ts';
import type { ContainerLog, LogRow } from './container-log.ts';
import { appLogRow } from './container-log.ts';
import { buildSpec, LABELS, specHash } from './spec.ts';
import { maskCredentials } from '../image-hosts/service.ts';
import type { Substitute } from './spec.ts';
import { applyInstance } from '../apps/instance-spec.ts';

/** RuntimePatch is a change to a container's runtime fields (state, engine id, addresses, ...). */
export type RuntimePatch = Parameters<Store['containers']['setRuntime']>[1];

/** EngineStepsContext is what the engine steps need from the container service. */
export interface EngineStepsContext {
  config: Config;
  store: Store;
  engine: Engine;
  bus: Bus;
  clog: ContainerLog;
  logger: Logger;
  substitutions: Substitute[];
  setRuntime(c: Container, patch: RuntimePatch): void;
  applyInfo(c: Container, info: ContainerInfo | null, reason?: string | null): void;
  /** registryAuth gives the credentials of the image host an image reference names (image-hosts/service.ts). */
  registryAuth?: (ref: string) => { auth: RegistryAuth; host: string } | null;
  /** publishAddress is set for a container host other than the built-in one: ports are published there (docs/container-hosts.md). */
  publishAddress?: string | null;
  /** swarm is set for a swarm-mode container host other than the built-in one: no port is published, the service gets the swarm settings. */
  swarm?: boolean;
}

/** APP_OUTPUT_LINES is how many lines of a container that exited at once are copied into its log. */
const APP_OUTPUT_LINES = 50;

/** createEngineSteps builds the per-action engine steps over the service's context. */
export function createEngineSteps(ctx: EngineStepsContext) {
  const { config, store, engine, bus, clog, logger, substitutions, setRuntime, applyInfo, registryAuth } = ctx;
  let network: Promise<void> | null = null;
  // A remote host's apps are reached on its published ports; the engine picks each port there (0).
  // A swarm host's apps publish nothing (a swarm would publish on every node's every address).
  const swarm = ctx.swarm === true || config.docker.mode === 'swarm';
  const remote = ctx.swarm ? null : ctx.publishAddress ?? null;
  const publishing = remote !== null || (config.publishPorts && !ctx.swarm);

  function ensureNetwork(): Promise<void> {
    if (!network) {
      network = engine.ensureNetwork(config.dockerNetwork, { [LABELS.managed]: 'true', [LABELS.instance]: config.instance });
      network.catch(() => { network = null; });
    }
    return network;
  }

  async function freePort(): Promise<number> {
    const used = store.containers.usedHostPorts();
    for (let i = 0; i < 20; i++) {
      const port = await new Promise<number>((resolve, reject) => {
        const srv = net.createServer();
        srv.once('error', reject);
        srv.listen(0, '127.0.0.1', () => {
          const p = (srv.address() as net.AddressInfo).port;
          srv.close(() => resolve(p));
        });
      });
      if (!used.has(port)) return port;
    }
    throw new EngineError('E_ACTION_FAILED', 'no free host port to publish on');
  }

  async function ensureImage(c: Container, user: string): Promise<void> {
    const ref = `${c.repository}:${c.tag}`;
    if (await engine.imageExists(ref)) return;
    const creds = registryAuth?.(ref) ?? null;
    setRuntime(c, { state: 'pulling', stateReason: null });
    clog.add(c, 'INFO', user, 'Task', `Pulling image ${ref}${creds ? ` with the credentials of image host ${creds.host}` : ''} ...`);
    const layers = new Map<string, { current: number; total: number }>();
    let lastStatus = '';
    let lastEmit = 0;
    try {
      await engine.pullImage(ref, (p) => {
        if (p.layer && p.total) layers.set(p.layer, { current: p.current ?? 0, total: p.total });
        const line = p.layer ? `${p.layer}: ${p.status}` : p.status;
        if (!/^(Downloading|Extracting|Waiting|Verifying Checksum)/.test(p.status) && line !== lastStatus) {
          lastStatus = line;
          clog.add(c, 'INFO', user, 'Docker', line);
        }
        const now = Date.now();
        if (now - lastEmit > 200) {
          lastEmit = now;
          let cur = 0, tot = 0;
          for (const l of layers.values()) { cur += l.current; tot += l.total; }
          bus.emit('progress', { containerId: c.id, uuid: c.uuid, status: p.status, percent: tot ? Math.min(100, Math.round((cur / tot) * 100)) : null });
        }
      }, undefined, creds?.auth);
    } catch (err) {
      // Which credentials were refused is the first thing an admin needs to know; the password never shows.
      if (!creds || !(err instanceof PorticoError)) throw err;
      throw new EngineError(err.code, `${maskCredentials(err.message, creds.auth)} (sent the credentials of image host ${creds.host})`);
    }
    bus.emit('progress', { containerId: c.id, uuid: c.uuid, status: 'Pull complete', percent: 100 });
    clog.add(c, 'INFO', user, 'Task', 'Pulling image succeeded');
  }

  async function removeEngineContainer(c: Container): Promise<void> {
    if (c.dockerId) await engine.remove(c.dockerId, true);
    // A container from a crashed attempt may carry our labels without being recorded.
    for (const info of await engine.list({ all: true, labels: { [LABELS.container]: c.uuid, [LABELS.instance]: config.instance } })) {
      await engine.remove(info.id, true);
    }
    setRuntime(c, { dockerId: null, containerIp: null, hostPort: null });
  }

  function specFor(c: Container, publishHostPort: number | null) {
    return buildSpec(c, {
      instance: config.instance, network: config.dockerNetwork, publishHostPort, substitutions, log: config.containerLog, nofile: config.nofile,
      ...(swarm ? { swarm: config.swarm } : {}),
      extend: (spec, x) => applyInstance(spec, x, config, store),
      publishAddress: remote,
    });
  }

  async function createAndStart(c: Container, user: string): Promise<void> {
    await ensureNetwork();
    await ensureImage(c, user);
    // A host port the client asked for (Kiosc's host_port) is used as given; otherwise a free one is picked.
    const hostPort = remote !== null ? c.requestedHostPort ?? 0 : publishing ? c.requestedHostPort ?? await freePort() : null;
    const spec = specFor(c, hostPort);
    for (const v of spec.volumes) {
      await engine.ensureVolume(v.name, v.labels);
      clog.add(c, 'INFO', user, 'Task', `Data volume ${v.name} mounted at ${v.target}`);
    }
    clog.add(c, 'INFO', user, 'Task', 'Creating ...');
    const id = await engine.create(spec);
    setRuntime(c, { dockerId: id, dockerName: spec.name, state: 'created', stateReason: null });
    clog.add(c, 'INFO', user, 'Task', 'Starting ...');
    try {
      await engine.start(id);
    } catch (err) {
      // Leave no stray container behind a failed start.
      await engine.remove(id, true).catch(() => {});
      setRuntime(c, { dockerId: null });
      throw err;
    }
    applyInfo(c, await engine.inspect(id));
    if (c.state !== 'running') {
      // It never ran long enough for the log follower: copy what it printed, which says why.
      await copyAppOutput(c, id);
      throw new EngineError('E_START_FAILED', `container ${c.state} right after start${c.stateReason ? ` (${c.stateReason})` : ''}`);
    }
    clog.add(c, 'INFO', user, 'Task', 'Starting succeeded');
  }

  /** copyAppOutput appends the last lines an engine container printed (since `since`, in seconds) to the container log (best effort). */
  async function copyAppOutput(c: Container, id: string, since?: number): Promise<void> {
    const rows: LogRow[] = [];
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 2000);
    try {
      // Following an exited container's log ends after its last line.
      await engine.logs(id, { follow: true, tail: APP_OUTPUT_LINES, since }, (l) => {
        const t = Date.parse(l.time);
        rows.push(appLogRow(l, new Date(Number.isNaN(t) ? Date.now() : t).toISOString()));
      }, abort.signal);
    } catch (err) {
      logger.debug('reading the output of a failed start failed', { container: c.uuid, err });
    } finally {
      clearTimeout(timer);
    }
    if (rows.length) clog.addMany(c, rows);
  }

  async function currentInfo(c: Container): Promise<ContainerInfo | null> {
    return c.dockerId ? engine.inspect(c.dockerId) : null;
  }

  /** unchanged tells whether the engine container was created from the spec the container has now. */
  function unchanged(c: Container, info: ContainerInfo): boolean {
    return info.labels[LABELS.spec] === specHash(specFor(c, publishing ? c.requestedHostPort ?? 1 : null), c.requestedHostPort);
  }

  /**
   * rolled replaces the app's instance in place when the engine can (a swarm service's task:
   * engine.roll) and the settings are unchanged; false when it must be recreated instead.
   */
  async function rolled(c: Container, info: ContainerInfo | null, user: string, what: string): Promise<boolean> {
    if (!engine.roll || !info || !unchanged(c, info)) return false;
    clog.add(c, 'INFO', user, 'Task', `${what}: rolling the service's task (settings unchanged, a new task from the image) ...`);
    setRuntime(c, { state: 'restarting' });
    await engine.roll(info.id);
    applyInfo(c, await engine.inspect(info.id));
    if (c.state !== 'running') throw new EngineError('E_START_FAILED', `service ${c.state} right after its task was rolled${c.stateReason ? ` (${c.stateReason})` : ''}`);
    clog.add(c, 'INFO', user, 'Task', 'Starting succeeded');
    return true;
  }

  /**
   * resume starts the stopped engine container again (its writable layer kept) when it was created
   * from the spec the container has now; it returns false when it must be recreated instead.
   */
  async function resume(c: Container, info: ContainerInfo, user: string): Promise<boolean> {
    if (info.state !== 'exited' && info.state !== 'created') return false;
    if (!unchanged(c, info)) {
      if (info.labels[LABELS.spec]) clog.add(c, 'INFO', user, 'Task', 'Settings changed since the container was created: recreating it');
      return false;
    }
    clog.add(c, 'INFO', user, 'Task', 'Starting the stopped container again (settings unchanged, its files kept) ...');
    // A resumed container's engine log holds its earlier runs too: only this run's lines explain a failure.
    const since = Date.now() / 1000;
    try {
      await engine.start(info.id);
    } catch (err) {
      if (err instanceof EngineError && err.code === 'E_ENGINE_UNAVAILABLE') throw err;
      clog.add(c, 'WARNING', user, 'Task', `Could not start the stopped container again (${(err as Error).message}): recreating it`);
      return false;
    }
    applyInfo(c, await engine.inspect(info.id));
    if (c.state !== 'running') {
      await copyAppOutput(c, info.id, since);
      throw new EngineError('E_START_FAILED', `container ${c.state} right after start${c.stateReason ? ` (${c.stateReason})` : ''}`);
    }
    clog.add(c, 'INFO', user, 'Task', 'Starting succeeded');
    return true;
  }

  // steps holds each action's engine work; the service runs it as a job (queue, log, timeout, failure state).
  const steps: Record<ContainerAction, (c: Container, user: string) => Promise<void>> = {
    async start(c, user) {
      const info = await currentInfo(c);
      if (info?.state === 'running') {
        applyInfo(c, info);
        clog.add(c, 'INFO', user, 'Task', 'Already running');
        return;
      }
      if (info?.state === 'paused') {
        await engine.unpause(info.id);
        applyInfo(c, await engine.inspect(info.id));
        return;
      }
      if (info && await resume(c, info, user)) return;
      await removeEngineContainer(c);
      await createAndStart(c, user);
    },
    async stop(c, user) {
      const info = await currentInfo(c);
      if (info && (info.state === 'running' || info.state === 'paused' || info.state === 'restarting')) {
        clog.add(c, 'INFO', user, 'Task', 'Stopping ...');
        await engine.stop(info.id, Math.min(c.timeout, 10));
        clog.add(c, 'INFO', user, 'Task', 'Stopping succeeded');
      }
      applyInfo(c, info ? await engine.inspect(info.id) : null);
      if (c.state === 'running') throw new EngineError('E_ACTION_FAILED', 'container still running after stop');
    },
    async pause(c) {
      const info = await currentInfo(c);
      if (!info || info.state !== 'running') throw new PorticoError('E_INVALID_STATE', 409, 'only a running container can be paused');
      await engine.pause(info.id);
      applyInfo(c, await engine.inspect(info.id));
    },
    async unpause(c) {
      const info = await currentInfo(c);
      if (!info || info.state !== 'paused') throw new PorticoError('E_INVALID_STATE', 409, 'only a paused container can be unpaused');
      await engine.unpause(info.id);
      applyInfo(c, await engine.inspect(info.id));
    },
    async restart(c, user) {
      const info = await currentInfo(c);
      if (await rolled(c, info, user, 'Restart')) return;
      if (info && (info.state === 'running' || info.state === 'paused')) {
        clog.add(c, 'INFO', user, 'Task', 'Stopping ...');
        await engine.stop(info.id, Math.min(c.timeout, 10));
      }
      setRuntime(c, { state: 'restarting' });
      await removeEngineContainer(c);
      await createAndStart(c, user);
    },
    async kill(c) {
      const info = await currentInfo(c);
      if (info) await engine.kill(info.id);
      applyInfo(c, info ? await engine.inspect(info.id) : null);
    },
    async reset(c, user) {
      if (await rolled(c, await currentInfo(c), user, 'Hard reset')) return;
      clog.add(c, 'WARNING', user, 'Task', 'Hard reset: removing the container and recreating it from its image');
      await removeEngineContainer(c);
      await createAndStart(c, user);
    },
    async delete(c, user) {
      setRuntime(c, { state: 'deleting' });
      const info = await currentInfo(c);
      if (info && info.state === 'running') await engine.stop(info.id, Math.min(c.timeout, 10));
      await removeEngineContainer(c);
      setRuntime(c, { state: 'deleted' });
      clog.add(c, 'INFO', user, 'Object', 'Deleted');
      store.containers.remove(c.id);
    },
  };

  return { steps, currentInfo, ensureNetwork };
}
