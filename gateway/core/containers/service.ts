/**
 * service.ts: the container lifecycle Kiosc users know — records, actions as jobs, one action at a
 * time per container, every step in the container log. Engine work (engine-steps.ts) goes through the
 * Engine interface.
 */
import type { Config } from '../config.ts';
import type { Engine, ContainerInfo, EngineState } from '../engine/engine.ts';
import { EngineError, PorticoError, badRequest } from '../errors.ts';
import type { Bus } from '../events.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/index.ts';
import type { Container, ContainerAction, ContainerSettings, ContainerState } from '../types.ts';
import { ActionQueue } from './action-queue.ts';
import { ShutdownGate, shuttingDown } from './shutdown-gate.ts';
import { createContainerLog } from './container-log.ts';
import type { ContainerLog } from './container-log.ts';
import { createEngineSteps } from './engine-steps.ts';
import type { EngineStepsContext, RuntimePatch } from './engine-steps.ts';
import { checkHostPort, checkTemplates, unsetAfter } from './settings-checks.ts';
import { answerHint } from './start-failure.ts';
import { substitutePrefix } from './spec.ts';
import type { Substitute } from './spec.ts';
import { defaultSettings, validateSettings } from './validate.ts';
import type { Audit } from '../audit.ts';
import { containerObject } from '../audit.ts';
import { checkStartLimits } from '../apps/limits.ts';

/** UNSET_FIELDS (Kiosc's nullable text fields) stays importable from the service, where it was defined first. */
export { UNSET_FIELDS } from './settings-checks.ts';

/** ContainerServiceDeps are what the service needs from the composition root. */
export interface ContainerServiceDeps {
  config: Config;
  store: Store;
  engine: Engine;
  bus: Bus;
  logger: Logger;
  /** extra placeholder substitutions applied at creation (e.g. small-file references). */
  substitutions?: Substitute[];
  /** registryAuth gives pulls the credentials of the matching image host (none: anonymous pulls). */
  registryAuth?: EngineStepsContext['registryAuth'];
  /** hosts places containers on container hosts other than the built-in one (hosts/registry.ts). */
  hosts?: HostPlacement;
  /** audit records people's actions and settings changes in the audit trail (gateway/core/audit.ts). */
  audit?: Audit;
}

/** Placement is where a container host's containers are created and reached. */
export interface Placement {
  engine: Engine;
  publishAddress: string;
  /** swarm: the host is a swarm manager; its apps publish no port and are reached at the task (docs/swarm.md). */
  swarm?: boolean;
  name: string;
  up: boolean;
  reason: string | null;
}

/** HostPlacement answers, per host id, its engine and publish address (E_HOST_NOT_FOUND for an unknown id). */
export interface HostPlacement { placement(hostId: number): Placement }

/** ActionOptions: `retry` for the last-action sync's reruns; `idle` for a stop by the idle rule (not a person's). */
export interface ActionOptions { retry?: boolean; idle?: boolean }

/** Upstream is where the gateway reaches a container's app. */
export interface Upstream { host: string; port: number }

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
  const local = createEngineSteps({ config, store, engine, bus, clog, logger, substitutions, setRuntime, applyInfo, registryAuth: deps.registryAuth });
  const { steps, ensureNetwork } = local;
  // One set of steps per host engine (its own network and publish address); an edited host has a new engine.
  const remote = new WeakMap<Engine, ReturnType<typeof createEngineSteps>>();

  /** stepsOf is the engine work of `c`'s host; a host known to be down fails at once, naming it. */
  function stepsOf(c: Container): ReturnType<typeof createEngineSteps> {
    if (c.hostId === null || !deps.hosts) return local;
    const p = deps.hosts.placement(c.hostId);
    if (!p.up) throw new EngineError('E_ENGINE_UNAVAILABLE', `container host ${p.name} is unreachable${p.reason ? ` (${p.reason})` : ''}`);
    let s = remote.get(p.engine);
    if (!s) {
      s = createEngineSteps({ config, store, engine: p.engine, bus, clog, logger, substitutions, setRuntime, applyInfo, registryAuth: deps.registryAuth, ...(p.swarm ? { swarm: true } : { publishAddress: p.publishAddress }) });
      remote.set(p.engine, s);
    }
    return s;
  }
  const currentInfo = async (c: Container) => stepsOf(c).currentInfo(c);

  function fresh(id: number): Container {
    const c = store.containers.byId(id);
    if (!c) throw new PorticoError('E_CONTAINER_NOT_FOUND', 404, 'container not found');
    return c;
  }

  function setRuntime(c: Container, patch: RuntimePatch): void {
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
      // A swarm task's overlay address is not routable from the host: a gateway there uses its docker_gwbridge one.
      containerIp: (config.networkMode === 'host' ? info?.hostAddress : null) ?? info?.ips[config.dockerNetwork] ?? null,
      hostPort: info ? info.hostPorts[c.containerPort] ?? null : null,
      stateReason: reason ?? (state === 'exited' && info?.exitCode ? `exited with code ${info.exitCode}` : null)
        ?? (state === 'running' && c.readinessFailure && info?.startedAt === c.dateStarted ? `running, not answering: ${c.readinessFailure}` : null),
      dateStarted: info?.startedAt ?? c.dateStarted,
    });
  }

  /** HOLDS are the actions after which only a navigation or an explicit start may start the container; RELEASES end the hold. */
  const HOLDS: ReadonlySet<ContainerAction> = new Set(['stop', 'kill']);
  const RELEASES: ReadonlySet<ContainerAction> = new Set(['start', 'unpause', 'restart', 'reset']);

  const STARTS: ReadonlySet<ContainerAction> = new Set(['start', 'restart', 'reset']);

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
    // An app instance's start counts against the instance caps (apps/limits.ts); project containers never do.
    if (STARTS.has(action)) checkStartLimits(store, config, c);
    if (!opts.retry) store.containers.setLastAction(c.id, action, 0);
    // Before the engine acts, so the route rebuilt on the state change already knows (docs/persistence.md).
    if (!opts.retry && HOLDS.has(action)) store.containers.setStopHold(c.id, opts.idle ? null : user, opts.idle === true);
    else if (!opts.retry && RELEASES.has(action)) store.containers.setStopHold(c.id, null, false);
    const jobId = store.logs.startJob(c.id, action, user);
    clog.add(c, 'INFO', user, 'Action', action.charAt(0).toUpperCase() + action.slice(1));
    const timeoutMs = (c.timeout + 10) * 1000;
    const began = performance.now();
    // A person's action goes into the audit trail (a retry or the idle rule is nobody's); read the owner before a delete removes the row.
    const audited = deps.audit && !opts.retry && !opts.idle ? containerObject(c, store.shares.ownerOf(c.id)) : null;
    const done = (ok: boolean, code: string | null) => {
      bus.emit('action', { containerId: c.id, uuid: c.uuid, action, ok, seconds: (performance.now() - began) / 1000, code });
      if (audited) deps.audit!.record({ actor: user, action: `container.${action}`, object: audited, detail: ok ? { ok } : { ok, code } });
    };
    try {
      await withTimeout(stepsOf(c).steps[action](c, user), action === 'start' || action === 'restart' || action === 'reset' ? null : timeoutMs, action);
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

  const gate = new ShutdownGate();

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
    create(projectId: number, input: unknown, user: string, opts: { hostId?: number | null } = {}): Container {
      const settings = validateSettings(input, defaultSettings(vopts), vopts, false);
      checkTemplates(store, projectId, settings, null);
      return store.transaction(() => {
        if (store.containers.titleTaken(projectId, settings.title)) {
          throw new PorticoError('E_DUPLICATE_TITLE', 400, `a container titled ${JSON.stringify(settings.title)} already exists in this project`);
        }
        checkHostPort(store, settings, -1);
        const made = store.containers.create(projectId, settings);
        const unset = unsetAfter(input, 'new');
        if (unset.length) store.containers.setUnsetFields(made.id, unset);
        if (opts.hostId) store.containers.setHost(made.id, opts.hostId);
        const c = unset.length || opts.hostId ? fresh(made.id) : made;
        clog.add(c, 'INFO', user, 'Object', 'Created');
        deps.audit?.record({ actor: user, action: 'container.create', object: containerObject(c), detail: { image: `${c.repository}:${c.tag}` } });
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
      checkTemplates(store, c.projectId, settings, c);
      store.transaction(() => {
        if (store.containers.titleTaken(c.projectId, settings.title, c.id)) {
          throw new PorticoError('E_DUPLICATE_TITLE', 400, `a container titled ${JSON.stringify(settings.title)} already exists in this project`);
        }
        checkHostPort(store, settings, c.id);
        store.containers.updateSettings(c.id, settings);
        const unset = unsetAfter(input, c.unsetFields);
        if (unset.join(',') !== c.unsetFields.join(',')) store.containers.setUnsetFields(c.id, unset);
        clog.add(c, 'INFO', user, 'Object', 'Updated');
        deps.audit?.record({ actor: user, action: 'container.update', object: containerObject(c), detail: { fields: changedFields(c, settings) } });
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
      // A remote host's app is reached on the port its engine published on the host's address.
      if (c.hostId !== null && deps.hosts) {
        let p: Placement;
        try { p = deps.hosts.placement(c.hostId); } catch { return null; }
        // A swarm host's task, as on a built-in swarm in host mode: its docker_gwbridge address (hosts/validate.ts checkSwarmReach).
        if (p.swarm) return c.containerIp ? { host: c.containerIp, port: c.containerPort } : null;
        return c.hostPort ? { host: p.publishAddress, port: c.hostPort } : null;
      }
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

/** changedFields names the settings an update changes (values stay out of the trail: environments hold secrets). */
function changedFields(before: ContainerSettings, after: ContainerSettings): string[] {
  return (Object.keys(after) as Array<keyof ContainerSettings>).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
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

