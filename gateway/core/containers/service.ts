/**
 * service.ts: the container lifecycle Kiosc users know — records, actions as jobs, one action at a
 * time per container, every step in the container log. Engine work goes through the Engine interface.
 */
import net from 'node:net';
import type { Config } from '../config.ts';
import type { Engine, ContainerInfo, EngineState } from '../engine/engine.ts';
import { EngineError, PorticoError, ValidationError, badRequest } from '../errors.ts';
import type { Bus } from '../events.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/index.ts';
import type { Container, ContainerAction, ContainerSettings, ContainerState } from '../types.ts';
import { ActionQueue } from './action-queue.ts';
import { ShutdownGate, shuttingDown } from './shutdown-gate.ts';
import { createContainerLog } from './container-log.ts';
import type { ContainerLog, LogRow } from './container-log.ts';
import { answerHint } from './start-failure.ts';
import { buildSpec, LABELS, specHash, substitutePrefix } from './spec.ts';
import type { Substitute } from './spec.ts';
import { defaultSettings, validateSettings } from './validate.ts';

/** ContainerServiceDeps are what the service needs from the composition root. */
export interface ContainerServiceDeps {
  config: Config;
  store: Store;
  engine: Engine;
  bus: Bus;
  logger: Logger;
  /** extra placeholder substitutions applied at creation (e.g. small-file references). */
  substitutions?: Substitute[];
}

/** ActionOptions: `retry` for the last-action sync's reruns; `idle` for a stop by the idle rule (not a person's). */
export interface ActionOptions { retry?: boolean; idle?: boolean }

/** Upstream is where the gateway reaches a container's app. */
export interface Upstream { host: string; port: number }

/** APP_OUTPUT_LINES is how many lines of a container that exited at once are copied into its log. */
const APP_OUTPUT_LINES = 50;

/** ALLOWED lists, per action, the states it may start from (others get E_INVALID_STATE). */
const ALLOWED: Record<ContainerAction, ReadonlySet<ContainerState> | null> = {
  start: null,
  stop: null,
  pause: new Set(['running']),
  unpause: new Set(['paused']),
  restart: null,
  delete: null,
  kill: null,
  reset: null,
};

const ENGINE_TO_STATE: Record<EngineState, ContainerState> = {
  created: 'created', running: 'running', paused: 'paused', restarting: 'restarting', removing: 'deleting',
  exited: 'exited', dead: 'dead',
};

/** stateFromEngine maps an engine container (or its absence) to a Portico state. */
export function stateFromEngine(info: ContainerInfo | null): ContainerState {
  return info ? ENGINE_TO_STATE[info.state] ?? 'exited' : 'exited';
}

/** ContainerService is the lifecycle API used by the REST API, the UI, the proxy and the scheduler. */
export type ContainerService = ReturnType<typeof createContainerService>;

/** createContainerService wires the lifecycle over a store and an engine. */
export function createContainerService(deps: ContainerServiceDeps) {
  const { config, store, engine, bus, logger } = deps;
  const queue = new ActionQueue(config.actionMinDelayMs);
  const clog: ContainerLog = createContainerLog(store, bus);
  const substitutions: Substitute[] = [substitutePrefix, ...(deps.substitutions ?? [])];
  const vopts = { maxInactivityDays: config.maxInactivityDays };
  let network: Promise<void> | null = null;

  function ensureNetwork(): Promise<void> {
    if (!network) {
      network = engine.ensureNetwork(config.dockerNetwork, { [LABELS.managed]: 'true', [LABELS.instance]: config.instance });
      network.catch(() => { network = null; });
    }
    return network;
  }

  function fresh(id: number): Container {
    const c = store.containers.byId(id);
    if (!c) throw new PorticoError('E_CONTAINER_NOT_FOUND', 404, 'container not found');
    return c;
  }

  function setRuntime(c: Container, patch: Parameters<Store['containers']['setRuntime']>[1]): void {
    // A readiness failure describes one run: a new state or a new start ends it.
    const nextRun = (patch.state !== undefined && patch.state !== c.state) || (patch.dateStarted !== undefined && patch.dateStarted !== c.dateStarted);
    if (c.readinessFailure !== null && patch.readinessFailure === undefined && nextRun) patch = { ...patch, readinessFailure: null };
    store.containers.setRuntime(c.id, patch);
    if (patch.state && patch.state !== c.state) {
      bus.emit('state', { containerId: c.id, uuid: c.uuid, projectId: c.projectId, state: patch.state, reason: patch.stateReason ?? null });
    }
    Object.assign(c, patch);
  }

  /** applyInfo records what the engine says about the container. */
  function applyInfo(c: Container, info: ContainerInfo | null, reason: string | null = null): void {
    const state = stateFromEngine(info);
    setRuntime(c, {
      state,
      dockerId: info ? info.id : null,
      dockerName: info ? info.name : c.dockerName,
      imageId: info ? info.imageId : c.imageId,
      containerIp: info?.ips[config.dockerNetwork] ?? null,
      hostPort: info ? info.hostPorts[c.containerPort] ?? null : null,
      stateReason: reason ?? (state === 'exited' && info?.exitCode ? `exited with code ${info.exitCode}` : null)
        ?? (state === 'running' && c.readinessFailure && info?.startedAt === c.dateStarted ? `running, not answering: ${c.readinessFailure}` : null),
      dateStarted: info?.startedAt ?? c.dateStarted,
    });
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
    setRuntime(c, { state: 'pulling', stateReason: null });
    clog.add(c, 'INFO', user, 'Task', `Pulling image ${ref} ...`);
    const layers = new Map<string, { current: number; total: number }>();
    let lastStatus = '';
    let lastEmit = 0;
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
    });
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
    return buildSpec(c, { instance: config.instance, network: config.dockerNetwork, publishHostPort, substitutions, log: config.containerLog, nofile: config.nofile });
  }

  async function createAndStart(c: Container, user: string): Promise<void> {
    await ensureNetwork();
    await ensureImage(c, user);
    // A host port the client asked for (Kiosc's host_port) is used as given; otherwise a free one is picked.
    const hostPort = config.publishPorts ? c.requestedHostPort ?? await freePort() : null;
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
        rows.push({ date: new Date(Number.isNaN(t) ? Date.now() : t).toISOString(), level: 'INFO', user: 'anonymous', process: 'Docker', text: l.text.replace(/\r$/, '') });
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

  /**
   * resume starts the stopped engine container again (its writable layer kept) when it was created
   * from the spec the container has now; it returns false when it must be recreated instead.
   */
  async function resume(c: Container, info: ContainerInfo, user: string): Promise<boolean> {
    if (info.state !== 'exited' && info.state !== 'created') return false;
    const want = specHash(specFor(c, config.publishPorts ? c.requestedHostPort ?? 1 : null), c.requestedHostPort);
    if (info.labels[LABELS.spec] !== want) {
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

  /** HOLDS are the actions after which only a navigation or an explicit start may start the container; RELEASES end the hold. */
  const HOLDS: ReadonlySet<ContainerAction> = new Set(['stop', 'kill']);
  const RELEASES: ReadonlySet<ContainerAction> = new Set(['start', 'unpause', 'restart', 'reset']);

  const FAILS_TO: Partial<Record<ContainerAction, ContainerState>> = { start: 'failed', restart: 'failed', reset: 'failed' };

  async function execute(id: number, action: ContainerAction, user: string, opts: ActionOptions): Promise<Container> {
    // An action whose turn comes after the shutdown grace is not begun: the process is about to end.
    if (gate.cut) throw shuttingDown(action);
    const c = fresh(id);
    if (c.lastAction === 'delete' && action !== 'delete') {
      throw new PorticoError('E_INVALID_STATE', 409, `cannot ${action} a container that is being deleted`);
    }
    const allowed = ALLOWED[action];
    if (allowed && !allowed.has(c.state)) {
      throw new PorticoError('E_INVALID_STATE', 409, `cannot ${action} a container in state ${c.state}`);
    }
    if (!opts.retry) store.containers.setLastAction(c.id, action, 0);
    // Before the engine acts, so the route rebuilt on the state change already knows (docs/persistence.md).
    if (!opts.retry && HOLDS.has(action)) store.containers.setStopHold(c.id, opts.idle ? null : user, opts.idle === true);
    else if (!opts.retry && RELEASES.has(action)) store.containers.setStopHold(c.id, null, false);
    const jobId = store.logs.startJob(c.id, action, user);
    clog.add(c, 'INFO', user, 'Action', action.charAt(0).toUpperCase() + action.slice(1));
    const timeoutMs = (c.timeout + 10) * 1000;
    const began = performance.now();
    const done = (ok: boolean, code: string | null) => bus.emit('action', {
      containerId: c.id, uuid: c.uuid, action, ok, seconds: (performance.now() - began) / 1000, code,
    });
    try {
      await withTimeout(steps[action](c, user), action === 'start' || action === 'restart' || action === 'reset' ? null : timeoutMs, action);
      store.logs.finishJob(jobId, true, null);
      done(true, null);
      return action === 'delete' ? c : fresh(id);
    } catch (err) {
      const message = err instanceof PorticoError ? err.message : (err as Error).message ?? String(err);
      const code = err instanceof PorticoError ? err.code : 'E_ACTION_FAILED';
      store.logs.finishJob(jobId, false, message);
      done(false, code);
      if (store.containers.byId(c.id)) {
        clog.add(c, 'ERROR', user, 'Task', `${action} failed: ${message}`);
        const failState = FAILS_TO[action];
        // An unreachable engine says nothing about the container: keep its state for the resync to correct.
        if (failState && code !== 'E_ENGINE_UNAVAILABLE') setRuntime(c, { state: failState, stateReason: message });
        else if (action === 'delete') applyInfo(c, await currentInfo(c).catch(() => null), message);
      }
      if (err instanceof PorticoError) throw err;
      throw new EngineError('E_ACTION_FAILED', `${action} failed: ${message}`);
    }
  }

  /**
   * checkTemplates refuses a template reference (the container's origin) that names no such
   * template: a site template for containertemplatesite, one of this project's for
   * containertemplateproject. A reference left unchanged is not checked again (its template may
   * have been deleted since, which is no reason to refuse an unrelated change).
   */
  function checkTemplates(projectId: number, next: ContainerSettings, before: ContainerSettings | null): void {
    const errors: Record<string, string> = {};
    const site = next.templateSiteUuid;
    if (site !== null && site !== before?.templateSiteUuid) {
      const t = store.templates.byUuid(site);
      if (t === null || t.projectId !== null) errors.containertemplatesite = 'no site-wide template has this UUID';
    }
    const proj = next.templateProjectUuid;
    if (proj !== null && proj !== before?.templateProjectUuid) {
      const t = store.templates.byUuid(proj);
      if (t === null || t.projectId !== projectId) errors.containertemplateproject = "no template of this container's project has this UUID";
    }
    if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  }

  const gate = new ShutdownGate();
  /** checkHostPort refuses a host port another container already asked for (Kiosc's host_port is unique). */
  function checkHostPort(next: ContainerSettings, exceptId: number): void {
    if (next.requestedHostPort === null) return;
    const holder = store.containers.requestedPortHolder(next.requestedHostPort, exceptId);
    if (holder !== null) {
      throw new ValidationError({ host_port: `port ${next.requestedHostPort} is already the host port of the container ${JSON.stringify(holder)}; choose another or leave it empty` });
    }
  }

  return {
    queue,
    log: clog,

    /**
     * drain is the shutdown of the lifecycle (shutdown-gate.ts): actions in progress get up to
     * `graceMs`; resolves with the number of actions cut off.
     */
    drain(graceMs: number): Promise<number> {
      return gate.close(graceMs, () => queue.size());
    },

    /** create validates `input` and stores a new container in `projectId` (state initial). */
    create(projectId: number, input: unknown, user: string): Container {
      const settings = validateSettings(input, defaultSettings(vopts), vopts, false);
      checkTemplates(projectId, settings, null);
      return store.transaction(() => {
        if (store.containers.titleTaken(projectId, settings.title)) {
          throw new PorticoError('E_DUPLICATE_TITLE', 400, `a container titled ${JSON.stringify(settings.title)} already exists in this project`);
        }
        checkHostPort(settings, -1);
        const made = store.containers.create(projectId, settings);
        const unset = unsetAfter(input, 'new');
        if (unset.length) store.containers.setUnsetFields(made.id, unset);
        const c = unset.length ? fresh(made.id) : made;
        clog.add(c, 'INFO', user, 'Object', 'Created');
        return c;
      });
    },

    /** validateFor returns what `input` would make of a container's settings, without storing anything. */
    validate(input: unknown, base?: ContainerSettings): ContainerSettings {
      return validateSettings(input, base ?? defaultSettings(vopts), vopts, !!base);
    },

    /**
     * update changes a container's settings (partial input; `<masked>` keeps secrets). A running
     * container is recreated so the change takes effect, as Kiosc does.
     */
    async update(id: number, input: unknown, user: string): Promise<Container> {
      const c = fresh(id);
      const settings = validateSettings(input, c, vopts, true);
      checkTemplates(c.projectId, settings, c);
      store.transaction(() => {
        if (store.containers.titleTaken(c.projectId, settings.title, c.id)) {
          throw new PorticoError('E_DUPLICATE_TITLE', 400, `a container titled ${JSON.stringify(settings.title)} already exists in this project`);
        }
        checkHostPort(settings, c.id);
        store.containers.updateSettings(c.id, settings);
        const unset = unsetAfter(input, c.unsetFields);
        if (unset.join(',') !== c.unsetFields.join(',')) store.containers.setUnsetFields(c.id, unset);
        clog.add(c, 'INFO', user, 'Object', 'Updated');
      });
      if (c.state === 'running') await this.perform(c.id, 'restart', user);
      return fresh(id);
    },

    /** perform runs an action as a job (queued per container) and resolves with the container afterwards. */
    perform(id: number, action: ContainerAction, user: string, opts: ActionOptions = {}): Promise<Container> {
      if (!(action in steps)) return Promise.reject(badRequest(`unknown action ${JSON.stringify(action)}`));
      if (gate.closing) return Promise.reject(shuttingDown(action));
      // A delete is intent the moment it is accepted: a crash before its turn must not bring the app back.
      if (action === 'delete') store.containers.setLastAction(id, 'delete', 0);
      return gate.track(queue.run(id, action, () => execute(id, action, user, opts)), action);
    },

    /** ensureRunning starts or unpauses the container as its state needs (the proxy's on-demand start). */
    async ensureRunning(id: number, user: string): Promise<Container> {
      const c = fresh(id);
      // Never start what is being deleted (the delete may still be pending from before a crash).
      if (c.lastAction === 'delete') throw new PorticoError('E_CONTAINER_NOT_FOUND', 404, 'container is being deleted');
      if (c.state === 'running' && !queue.busy(id)) return c;
      const pending = queue.current(id);
      if (pending === 'start' || pending === 'unpause' || pending === 'restart' || pending === 'reset') {
        if (gate.closing) throw shuttingDown(pending);
        await gate.track(queue.run(id, pending, () => execute(id, pending as ContainerAction, user, {})), pending);
        return fresh(id);
      }
      return this.perform(id, c.state === 'paused' ? 'unpause' : 'start', user);
    },

    /** upstream tells where to reach the app of a running container, per the network mode. */
    upstream(c: Container): Upstream | null {
      if (config.publishPorts) return c.hostPort ? { host: '127.0.0.1', port: c.hostPort } : null;
      if (config.networkMode === 'docker-shared') return c.dockerName ? { host: c.dockerName, port: c.containerPort } : null;
      return c.containerIp ? { host: c.containerIp, port: c.containerPort } : null;
    },

    /**
     * notAnswering records that a running container's app did not answer within its timeout: the
     * reason goes into its state (until its next run) and its log, and the change is published.
     */
    notAnswering(id: number, detail: string, user: string): void {
      const c = store.containers.byId(id);
      if (!c || c.state !== 'running') return;
      const reason = `running, not answering: ${detail}`;
      setRuntime(c, { readinessFailure: detail, stateReason: reason });
      clog.add(c, 'WARNING', user, 'Proxy', `The app does not answer: ${detail}. ${answerHint(c)}`);
      bus.emit('state', { containerId: c.id, uuid: c.uuid, projectId: c.projectId, state: c.state, reason });
    },

    applyInfo,
    fresh,
    ensureNetwork,
  };
}

/** UNSET_FIELDS are Kiosc's nullable text fields: never given (or given null), Kiosc's API shows null. */
export const UNSET_FIELDS = ['description', 'heartbeat_url', 'environment', 'environment_secret_keys', 'command'] as const;

/** unsetAfter lists the UNSET_FIELDS unset once `input` is applied over `before` ('new': every field starts unset); a given value sets a field. */
function unsetAfter(input: unknown, before: readonly string[] | 'new'): string[] {
  const inp = (input && typeof input === 'object' ? input : {}) as Record<string, unknown>;
  return UNSET_FIELDS.filter((k) => (Object.hasOwn(inp, k) && inp[k] !== undefined ? inp[k] === null : before === 'new' || before.includes(k)));
}

function withTimeout<T>(p: Promise<T>, ms: number | null, action: string): Promise<T> {
  if (ms === null) return p;
  let timer: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new EngineError('E_ACTION_FAILED', `${action} did not finish within ${Math.round(ms / 1000)} s`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

