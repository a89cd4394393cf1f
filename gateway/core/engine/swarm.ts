/**
 * swarm.ts: the Engine on Docker Swarm services (docs/swarm.md). An app is a replicated service of
 * at most one replica on an attachable overlay network: create makes it with 0 replicas, start
 * scales it to 1, stop to 0 (the service and its settings stay), restart and hard reset roll its
 * task (a forced update), delete removes it. Pause has no swarm equivalent and is refused. The id
 * Portico records is the service's. Images, volumes and the lists of the site-admin page are the
 * manager's own engine's (docker.ts); so are the stats of a task on the manager's node.
 */
import Docker from 'dockerode';
import { EngineError, PorticoError } from '../errors.ts';
import { createDockerEngine, modemOptions, readLogStream, splitLines, statusOf, toEngineError } from './docker.ts';
import type { DockerOptions } from './docker.ts';
import type { ContainerInfo, Engine, EngineEvent, NodeInfo } from './engine.ts';
import { currentTask, meantToRun, replicas, serviceSpec, STARTING, taskError, toInfo } from './swarm-model.ts';
import type { Service, Task } from './swarm-model.ts';

/** SwarmOptions: the manager to talk to, and whether tasks are pinned to its node (a gateway on that host reaches them there). */
export interface SwarmOptions extends DockerOptions {
  /** pinToManager adds `node.id==<the manager's node>` to every service, so a task's docker_gwbridge address is on this host. */
  pinToManager: boolean;
  /** pollMs is how often task states are read to catch changes on nodes whose container events the manager never sees. */
  pollMs?: number;
}

/** GWBRIDGE is the node-local bridge network every task on an overlay network also gets an address on. */
const GWBRIDGE = 'docker_gwbridge';
const WAIT_MS = 100;

/** notSupported is the refusal of an action that swarm services do not have. */
function notSupported(what: string): PorticoError {
  return new PorticoError('E_NOT_SUPPORTED', 409, `swarm services cannot be ${what} (Docker Swarm has no pause): stop the app instead, which scales its service to 0 and keeps its settings`);
}

/** createSwarmEngine returns an Engine that runs apps as services on the swarm whose manager `opts` reaches. */
export function createSwarmEngine(opts: SwarmOptions): Engine {
  const docker = new Docker(modemOptions(opts));
  const local = createDockerEngine(opts);
  let selfNode: string | null = null;

  /** manager checks that the engine is an active swarm manager and returns its node id. */
  async function manager(): Promise<string> {
    let info: { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean; NodeID?: string; Error?: string } };
    try {
      info = await docker.info();
    } catch (err) {
      throw toEngineError(err, 'reach the engine');
    }
    const sw = info.Swarm ?? {};
    if (sw.LocalNodeState !== 'active') {
      throw new EngineError('E_ENGINE_UNAVAILABLE', `PORTICO_DOCKER_MODE=swarm, but the engine is not in a swarm (its swarm state is ${sw.LocalNodeState || 'unknown'}${sw.Error ? `: ${sw.Error}` : ''}): run \`docker swarm init\` on it, point DOCKER_HOST at a swarm manager, or set PORTICO_DOCKER_MODE=engine`);
    }
    if (!sw.ControlAvailable) {
      throw new EngineError('E_ENGINE_UNAVAILABLE', 'PORTICO_DOCKER_MODE=swarm, but the engine is a swarm worker, not a manager: services can only be created and followed on a manager (point DOCKER_HOST at a manager)');
    }
    selfNode = sw.NodeID ?? null;
    return selfNode ?? '';
  }

  /** fail converts a failure, naming the "not a manager" refusal (503 from the engine) plainly. */
  function fail(err: unknown, what: string): EngineError {
    const e = toEngineError(err, what);
    if (e.code !== 'E_ENGINE_UNAVAILABLE' && /not a swarm manager|not part of a swarm/i.test(e.message)) {
      return new EngineError('E_ENGINE_UNAVAILABLE', `${what}: the engine is not a swarm manager (PORTICO_DOCKER_MODE=swarm needs a manager's socket; run \`docker swarm init\` there or set PORTICO_DOCKER_MODE=engine)`, e.engineStatus);
    }
    return e;
  }

  async function service(id: string): Promise<Service | null> {
    try {
      return (await docker.getService(id).inspect()) as Service;
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw fail(err, `inspect service ${id.slice(0, 12)}`);
    }
  }

  async function tasksOf(serviceId: string | null): Promise<Task[]> {
    try {
      return (await docker.listTasks(serviceId ? { filters: JSON.stringify({ service: [serviceId] }) } as object : {})) as Task[];
    } catch (err) {
      // The service went between its inspect and this list: it has no tasks.
      if (serviceId && statusOf(err) === 404) return [];
      throw fail(err, 'list tasks');
    }
  }

  /** gwbridgeAddresses maps container ids to their address on this node's docker_gwbridge. */
  async function gwbridgeAddresses(): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    try {
      const n = await docker.getNetwork(GWBRIDGE).inspect() as { Containers?: Record<string, { IPv4Address?: string }> };
      for (const [id, c] of Object.entries(n.Containers ?? {})) if (c.IPv4Address) out.set(id, c.IPv4Address.split('/')[0]);
    } catch (err) {
      if (statusOf(err) !== 404) throw fail(err, `inspect network ${GWBRIDGE}`);
    }
    return out;
  }

  /**
   * inspect describes a service; an id that is no service is looked up as a plain container on the
   * manager's engine (the gateway's own container, which docker-shared mode joins to the overlay).
   */
  async function inspect(id: string): Promise<ContainerInfo | null> {
    const s = await service(id);
    if (!s) return local.inspect(id);
    const t = currentTask(await tasksOf(s.ID));
    const gw = t?.Status.State === 'running' && t.NodeID === selfNode ? await gwbridgeAddresses() : null;
    return toInfo(s, t, gw);
  }

  /** update changes a service's replicas (and rolls its task with `force`), retrying when another update came first. */
  async function update(id: string, count: number, force: boolean): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const s = await service(id);
      if (!s) throw new EngineError('E_ACTION_FAILED', `service ${id.slice(0, 12)} no longer exists`, 404);
      if (replicas(s) === count && !force) return;
      const template = { ...s.Spec.TaskTemplate, ...(force ? { ForceUpdate: (s.Spec.TaskTemplate.ForceUpdate ?? 0) + 1 } : {}) };
      try {
        await docker.getService(s.ID).update({ ...s.Spec, TaskTemplate: template, Mode: { Replicated: { Replicas: count } }, version: s.Version.Index } as object);
        return;
      } catch (err) {
        if (attempt < 3 && /out of sequence/i.test(String((err as Error).message))) continue;
        throw fail(err, `update service ${s.Spec.Name}`);
      }
    }
  }

  /**
   * settle waits until the service's current task runs (or, with `down`, until none runs), or fails,
   * or `ms` pass. Tasks in `before` are older than the update being waited for: they do not count.
   */
  async function settle(id: string, down: boolean, ms: number, before: ReadonlySet<string> = new Set()): Promise<void> {
    const deadline = Date.now() + ms;
    for (;;) {
      const tasks = await tasksOf(id);
      const t = currentTask(tasks.filter((x) => !before.has(x.ID)));
      if (down) {
        if (!tasks.some((x) => x.Status.State === 'running' || STARTING.has(x.Status.State) && meantToRun(x))) return;
      } else if (!t) {
        // The orchestrator has not made the new task yet.
      } else if (t.Status.State === 'running') {
        return;
      } else if (!STARTING.has(t.Status.State)) {
        throw new EngineError('E_START_FAILED', `the service's task ${t.Status.State}${taskError(t) ? `: ${taskError(t)}` : ''}`);
      } else if (t.Status.Err && /no suitable node|insufficient resources/i.test(t.Status.Err)) {
        // The scheduler would keep it pending for ever; an app that cannot be placed does not start later by surprise.
        await update(id, 0, false).catch(() => {});
        throw new EngineError('E_START_FAILED', `no node can run the service's task: ${t.Status.Err}`);
      }
      if (Date.now() > deadline) {
        throw new EngineError(down ? 'E_ACTION_FAILED' : 'E_START_FAILED', `the service's task is still ${t?.Status.State ?? 'not created'} after ${Math.round(ms / 1000)} s${taskError(t) ? ` (${taskError(t)})` : ''}`);
      }
      await new Promise((r) => setTimeout(r, WAIT_MS));
    }
  }

  /** localContainer is the current task's container when it is on the manager's node (its stats and kill are readable there). */
  async function localContainer(id: string): Promise<{ task: Task | null; containerId: string | null }> {
    const t = currentTask(await tasksOf(id));
    const cid = t?.Status.ContainerStatus?.ContainerID ?? null;
    return { task: t, containerId: t && cid && t.NodeID === selfNode ? cid : null };
  }

  return {
    ...local,
    kind: 'swarm',

    async ping() {
      await manager();
    },

    async ensureNetwork(name, labels) {
      let found: { Driver?: string; Scope?: string; Attachable?: boolean } | null = null;
      try {
        found = await docker.getNetwork(name).inspect();
      } catch (err) {
        if (statusOf(err) !== 404) throw fail(err, `inspect network ${name}`);
      }
      if (found) {
        if (found.Driver !== 'overlay' || found.Scope !== 'swarm' || !found.Attachable) {
          throw new EngineError('E_ACTION_FAILED', `network ${name} exists as a ${found.Scope ?? ''} ${found.Driver ?? ''} network${found.Driver === 'overlay' ? ' that is not attachable' : ''}; swarm mode needs an attachable overlay network: remove it or set PORTICO_DOCKER_NETWORK to another name`);
        }
        return;
      }
      try {
        await docker.createNetwork({ Name: name, Driver: 'overlay', Attachable: true, CheckDuplicate: true, Labels: labels });
      } catch (err) {
        if (statusOf(err) === 409) return;
        throw fail(err, `create overlay network ${name}`);
      }
    },

    async create(spec) {
      const pin = opts.pinToManager ? selfNode ?? await manager() : null;
      try {
        const s = await docker.createService(serviceSpec(spec, pin) as Docker.CreateServiceOptions) as { id?: string; ID?: string };
        return (s.id ?? s.ID)!;
      } catch (err) {
        throw fail(err, `create service ${spec.name}`);
      }
    },

    async start(id) {
      const s = await service(id);
      if (!s) throw new EngineError('E_ACTION_FAILED', `service ${id.slice(0, 12)} no longer exists`, 404);
      const tasks = await tasksOf(id);
      const t = currentTask(tasks);
      const live = t && meantToRun(t) && (t.Status.State === 'running' || STARTING.has(t.Status.State));
      if (replicas(s) === 1 && live) return settle(id, false, 120_000);
      // Always forced: at 1 with no live task (killed, exited; restart policy none) only a roll makes one,
      // and on Docker 20.10 a plain scale from 0 to 1 soon after a scale to 0 made no task at all.
      await update(id, 1, true);
      await settle(id, false, 120_000, new Set(tasks.map((x) => x.ID)));
    },

    async stop(id, timeoutSeconds) {
      await update(id, 0, false);
      await settle(id, true, (timeoutSeconds + 15) * 1000);
    },

    async roll(id) {
      const before = new Set((await tasksOf(id)).map((x) => x.ID));
      await update(id, 1, true);
      await settle(id, false, 120_000, before);
    },

    pause: async () => { throw notSupported('paused'); },
    unpause: async () => { throw notSupported('unpaused'); },

    async kill(id) {
      const { containerId } = await localContainer(id);
      // On this node, kill is a kill (the task ends; restart policy none keeps it ended); elsewhere a scale to 0.
      if (containerId) await local.kill(containerId);
      else await update(id, 0, false);
    },

    async remove(id) {
      try {
        await docker.getService(id).remove();
      } catch (err) {
        if (statusOf(err) === 404) return;
        throw fail(err, 'remove service');
      }
      // Its containers go after it: wait (bounded), so that its data volume can be removed next.
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline) {
        const left = await local.list({ all: true, labels: { 'com.docker.swarm.service.id': id } });
        if (!left.length) return;
        await new Promise((r) => setTimeout(r, WAIT_MS));
      }
    },

    inspect,

    async inspectRaw(id) {
      const s = await service(id);
      if (!s) return null;
      return { Service: s, Tasks: await tasksOf(id) } as unknown as Record<string, unknown>;
    },

    async list({ labels }) {
      let services: Service[];
      try {
        const filters = labels ? { label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) } : undefined;
        services = (await docker.listServices(filters ? { filters: JSON.stringify(filters) } as object : {})) as unknown as Service[];
      } catch (err) {
        throw fail(err, 'list services');
      }
      if (!services.length) return [];
      const byService = new Map<string, Task[]>();
      for (const t of await tasksOf(null)) {
        const l = byService.get(t.ServiceID) ?? [];
        l.push(t);
        byService.set(t.ServiceID, l);
      }
      return services.map((s) => toInfo(s, currentTask(byService.get(s.ID) ?? []), null));
    },

    async events({ labels, since }, onEvent, signal) {
      await manager();
      const want = Object.entries(labels ?? {});
      let stream: NodeJS.ReadableStream;
      try {
        // Service events carry no labels, so the stream is not filtered by label: services are matched by id upstream.
        stream = (await docker.getEvents({ filters: { type: ['service', 'container'] }, ...(since ? { since } : {}), abortSignal: signal } as object)) as NodeJS.ReadableStream;
      } catch (err) {
        throw fail(err, 'follow swarm events');
      }
      // A task on another node sends no container events here: its state is polled (one task list a tick).
      const seen = new Map<string, string>();
      let primed = false, polling = false;
      const poll = async () => {
        if (polling) return;
        polling = true;
        try { await pollOnce(); } finally { polling = false; }
      };
      const pollOnce = async () => {
        const now = new Map<string, string>();
        const byService = new Map<string, Task[]>();
        for (const t of await tasksOf(null)) byService.set(t.ServiceID, [...(byService.get(t.ServiceID) ?? []), t]);
        for (const [sid, ts] of byService) {
          const t = currentTask(ts)!;
          const key = `${t.ID}:${t.Status.State}`;
          now.set(sid, key);
          if (primed && seen.get(sid) !== key) onEvent({ id: sid, action: 'update', labels: {}, time: Math.floor(Date.now() / 1000) });
        }
        seen.clear();
        for (const [k, v] of now) seen.set(k, v);
        primed = true;
      };
      // The event stream of an engine that left its swarm goes on: a poll that finds no manager ends it.
      let lost: EngineError | null = null;
      const later = new Set<NodeJS.Timeout>();
      const onAbort = () => (stream as unknown as { destroy?: () => void }).destroy?.();
      const timer = setInterval(() => {
        poll().catch((err) => {
          if (!(err instanceof EngineError) || err.code !== 'E_ENGINE_UNAVAILABLE') return;
          lost = err;
          onAbort();
        });
      }, opts.pollMs ?? 1000);
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        await splitLines(stream, (line) => {
          let e: { Type?: string; Action?: string; Actor?: { ID?: string; Attributes?: Record<string, string> }; time?: number };
          try { e = JSON.parse(line); } catch { return; }
          const attrs = e.Actor?.Attributes ?? {};
          const time = e.time ?? Math.floor(Date.now() / 1000);
          if (e.Type === 'service' && e.Actor?.ID) {
            onEvent({ id: e.Actor.ID, action: (e.Action ?? '').split(':')[0], labels: {}, time });
          } else if (e.Type === 'container' && attrs['com.docker.swarm.service.id'] && want.every(([k, v]) => attrs[k] === v)) {
            const ev: EngineEvent = { id: attrs['com.docker.swarm.service.id'], action: (e.Action ?? '').split(':')[0], labels: attrs, time };
            onEvent(ev);
            // The manager learns the task's new state from the agent a moment after the container event: look again then.
            for (const ms of [250, 750]) {
              const again = setTimeout(() => { later.delete(again); if (!signal.aborted) onEvent(ev); }, ms);
              later.add(again);
            }
          }
        });
        if (lost) throw lost;
      } catch (err) {
        if (signal.aborted) return;
        if (lost) throw lost;
        throw fail(err, 'follow swarm events');
      } finally {
        clearInterval(timer);
        for (const x of later) clearTimeout(x);
        signal.removeEventListener('abort', onAbort);
      }
    },

    async logs(id, o, onLine, signal) {
      let raw: NodeJS.ReadableStream;
      try {
        raw = (await docker.getService(id).logs({
          follow: o.follow, stdout: true, stderr: true, timestamps: true, since: o.since ?? 0, tail: o.tail ?? 'all', abortSignal: signal,
        } as object)) as unknown as NodeJS.ReadableStream;
      } catch (err) {
        throw fail(err, 'read service logs');
      }
      await readLogStream(docker, raw, onLine, signal);
    },

    async stats(id) {
      const { task, containerId } = await localContainer(id);
      if (!task || task.Status.State !== 'running') throw new EngineError('E_ACTION_FAILED', 'read service stats: the service has no running task');
      if (!containerId) {
        throw new EngineError('E_ACTION_FAILED', `read service stats: its task runs on node ${task.NodeID?.slice(0, 12) ?? '?'}, whose engine Portico does not reach (only tasks on the manager's own node have stats here)`);
      }
      return local.stats(containerId);
    },

    async nodes(): Promise<NodeInfo[]> {
      const self = await manager();
      let list: Array<Record<string, any>>;
      try {
        list = await docker.listNodes() as Array<Record<string, any>>;
      } catch (err) {
        throw fail(err, 'list swarm nodes');
      }
      return list.map((n) => ({
        id: n.ID, name: n.Description?.Hostname ?? '', status: n.Status?.State ?? 'unknown', availability: n.Spec?.Availability ?? 'unknown',
        role: n.Spec?.Role === 'manager' ? 'manager' : 'worker', leader: n.ManagerStatus?.Leader === true, self: n.ID === self,
        address: n.Status?.Addr ?? null, engineVersion: n.Description?.Engine?.EngineVersion ?? '',
        os: n.Description?.Platform?.OS ?? '', arch: n.Description?.Platform?.Architecture ?? '',
        cpus: (n.Description?.Resources?.NanoCPUs ?? 0) / 1e9, memoryBytes: n.Description?.Resources?.MemoryBytes ?? 0,
        labels: n.Spec?.Labels ?? {},
      }));
    },
  };
}
