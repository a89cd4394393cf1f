/**
 * registry.ts: the container hosts Portico drives (docs/container-hosts.md). The built-in host is
 * DOCKER_HOST's engine, followed by the core's own state sync; every other host gets its own engine
 * (engine/factory.ts), its own state sync (events, reconciliation by labels, recovery) and its own
 * health. One host down marks only its containers (a state reason) and fails only their actions,
 * at once; nothing here awaits a host to answer a page (statuses are kept in memory).
 */
import type { Config } from '../config.ts';
import { PorticoError, ValidationError, conflict } from '../errors.ts';
import type { Bus } from '../events.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/index.ts';
import type { HostInput, HostRecord } from '../store/hosts.ts';
import type { Engine, EngineVersion } from '../engine/engine.ts';
import { createEngine } from '../engine/factory.ts';
import type { ContainerService, HostPlacement, Placement } from '../containers/service.ts';
import { startStateSync } from '../containers/state-sync.ts';
import type { StateSync } from '../containers/state-sync.ts';
import { createRecovery } from '../containers/recovery.ts';
import type { Container } from '../types.ts';
import { checkSwarmReach, validateHost } from './validate.ts';
import { explainFailure } from './explain.ts';

/** HostStatus is a host's health as its state sync last saw it. */
export interface HostStatus { up: boolean; reason: string | null; since: string }

/** HostTestResult is the answer of a host test: ping and version, or why not. */
export interface HostTestResult { ok: boolean; version: EngineVersion | null; reason: string | null; field: 'url' | 'tls' | null; ms: number }

/** UNREACHABLE_PREFIX starts the state reason of a container whose host does not answer. */
export const UNREACHABLE_PREFIX = 'container host ';

/** TEST_MS bounds a host test (connect, TLS, ping and version). */
const TEST_MS = 5000;

interface Live { record: HostRecord; engine: Engine; sync: StateSync | null; since: string; started: Promise<void>; stopping: Promise<void> | null }

/**
 * REFRESH_MS is how often the registry reads the hosts table again, for the one writer it does not
 * hear: the CLI (`portico host add|edit|remove`, gateway/host-cli.ts), another process on the same
 * database file. Changes made in this process reach the registry at once (the store's onChange).
 */
const REFRESH_MS = 3000;

/** Hosts is the registry the core, the API, the UI and the CLI use. */
export interface Hosts extends HostPlacement {
  /** all are the stored hosts, the built-in one first. */
  all(): HostRecord[];
  get(id: number): HostRecord;
  /** resolve finds a host by id or name (E_HOST_NOT_FOUND, 404). */
  resolve(ref: unknown): HostRecord;
  builtin(): HostRecord;
  /** defaultFor is the host id a new container records: null when the default is the built-in host. */
  defaultHostId(): number | null;
  status(id: number): HostStatus;
  /** engineOf is the engine of a host id (null: the built-in host). */
  engineOf(hostId: number | null): Engine;
  add(input: unknown, opts?: { check?: boolean }): Promise<HostRecord>;
  edit(id: number, input: unknown, opts?: { check?: boolean }): Promise<HostRecord>;
  remove(id: number): Promise<void>;
  setDefault(id: number): HostRecord;
  /** test pings the host and reads its version, within a few seconds. */
  test(id: number): Promise<HostTestResult>;
  /** attach starts following every host but the built-in one (the core follows that); resolves after each had a first chance. */
  attach(containers: ContainerService, localUp: () => boolean, localReason?: () => string | null): Promise<void>;
  stop(): Promise<void>;
}

/** createHosts builds the registry; `local` is DOCKER_HOST's engine (the built-in host). */
export function createHosts(deps: { config: Config; store: Store; bus: Bus; logger: Logger; local: Engine; callMs?: number }): Hosts {
  const { config, store, bus, logger, local } = deps;
  const builtinUrl = config.docker.host ?? 'unix:///var/run/docker.sock';
  // A DOCKER_HOST changed between runs is the built-in row's URL from now on.
  const builtin = store.hosts.ensureBuiltin('local', builtinUrl);
  const live = new Map<number, Live>();
  let containers: ContainerService | null = null;
  let localUp: () => boolean = () => false;
  let localReason: () => string | null = () => null;
  const localSince = new Date().toISOString();

  const notFound = (what: string) => new PorticoError('E_HOST_NOT_FOUND', 404, `no container host ${what}`);
  const ofHost = (id: number) => (c: Container) => c.hostId === id;

  function get(id: number): HostRecord {
    const h = store.hosts.byId(id);
    if (!h) throw notFound(`with id ${id}`);
    return h;
  }

  function build(record: HostRecord, callMs?: number): Engine {
    return createEngine({ url: record.url, tls: record.tls, mode: record.mode, name: record.name }, { callMs: callMs ?? deps.callMs, pinToManager: config.networkMode === 'host' });
  }

  /** mark sets or clears the unreachable reason on a host's containers (state sync corrects the rest once it answers). */
  function mark(hostId: number, reason: string | null): void {
    const name = live.get(hostId)?.record.name ?? String(hostId);
    for (const c of store.containers.all()) {
      if (c.hostId !== hostId) continue;
      const next = reason === null ? null : `${UNREACHABLE_PREFIX}${name} is unreachable: ${reason}`;
      if (reason === null && !c.stateReason?.startsWith(UNREACHABLE_PREFIX)) continue;
      if (c.stateReason === next) continue;
      store.containers.setRuntime(c.id, { stateReason: next });
      bus.emit('state', { containerId: c.id, uuid: c.uuid, projectId: c.projectId, state: c.state, reason: next });
    }
  }

  const onStatus = (e: { up: boolean; reason: string | null; hostId?: number | null }) => {
    if (!e.hostId) return;
    const l = live.get(e.hostId);
    if (l) l.since = new Date().toISOString();
    try { mark(e.hostId, e.up ? null : e.reason ?? 'no answer'); } catch (err) { logger.warn('marking a container host\'s containers failed', { err }); }
  };
  bus.on('engine-status', onStatus);

  /**
   * follow builds the host's engine at once and starts its state sync (resolved after its first
   * chance to resync). Whoever followed the host before stops first: never two syncs for one host.
   */
  function follow(record: HostRecord): Live {
    const engine = build(record);
    const old = live.get(record.id);
    const l: Live = { record, engine, sync: null, since: new Date().toISOString(), started: Promise.resolve(), stopping: null };
    live.set(record.id, l);
    const before = old ? stopLive(old) : Promise.resolve();
    const svc = containers;
    if (!svc || stopped) return l;
    const recovery = createRecovery({ store, engine, containers: svc, logger, owns: ofHost(record.id) });
    l.started = before.then(async () => {
      if (live.get(record.id) !== l) return;
      const sync = await startStateSync({
        config, store, engine, bus, logger, containers: svc, synced: recovery.run,
        host: { id: record.id, name: record.name, owns: ofHost(record.id), startupWaitMs: 1500 },
      });
      // Unfollowed meanwhile (an edit or a removal): stop what just started.
      if (live.get(record.id) !== l) await sync.stop();
      else l.sync = sync;
    });
    return l;
  }

  /** stopLive stops a follower's state sync, once however often it is asked. */
  function stopLive(l: Live): Promise<void> {
    l.stopping ??= (async () => {
      await l.started.catch(() => {});
      await l.sync?.stop();
    })();
    return l.stopping;
  }

  async function unfollow(id: number): Promise<void> {
    const l = live.get(id);
    live.delete(id);
    if (l) await stopLive(l);
  }

  /** track follows host `id` as the table has it now: again when its row changed, no more when it is gone. */
  function track(id: number): void {
    const row = store.hosts.byId(id);
    if (!row) { void unfollow(id); return; }
    if (row.builtin) return;
    try { follow(row); } catch (err) { logger.warn('cannot follow container host', { host: row.name, err: (err as Error).message }); }
  }
  const offChange = store.hosts.onChange(track);

  /** refresh follows hosts added, changed or removed by another process (the CLI) since the last look. */
  function refresh(): void {
    const rows = store.hosts.all().filter((h) => !h.builtin);
    const seen = new Set<number>();
    for (const h of rows) {
      seen.add(h.id);
      if (live.get(h.id)?.record.modifiedAt !== h.modifiedAt) track(h.id);
    }
    for (const id of [...live.keys()]) if (!seen.has(id)) void unfollow(id);
  }
  let refresher: NodeJS.Timeout | null = null;
  let stopped = false;

  async function check(record: HostRecord): Promise<void> {
    const r = await testEngine(build(record, TEST_MS), record.name);
    if (!r.ok) throw new ValidationError({ [r.field ?? 'url']: r.reason ?? 'no answer' }, `container host ${record.name} does not answer: ${r.reason}`);
  }

  function placement(hostId: number): Placement {
    let l = live.get(hostId);
    if (!l) {
      // Added by the CLI a moment ago: follow it now (it counts as down until its sync answers).
      const row = store.hosts.byId(hostId);
      if (!row || row.builtin) throw notFound(`with id ${hostId}`);
      l = follow(row);
    }
    const st = l.sync;
    // Without a state sync (the CLI, or before attach) nothing is known: the engine is tried.
    return { engine: l.engine, publishAddress: l.record.publishAddress ?? '127.0.0.1', swarm: l.record.mode === 'swarm', name: l.record.name, up: st ? st.engineUp() : !containers, reason: st?.reason() ?? null };
  }

  const hosts: Hosts = {
    placement,
    all: () => store.hosts.all(),
    get,
    resolve(ref) {
      if (typeof ref === 'number' || (typeof ref === 'string' && /^\d+$/.test(ref))) return get(Number(ref));
      if (typeof ref !== 'string' || !ref) throw new PorticoError('E_BAD_REQUEST', 400, 'host: a host name or id');
      const h = store.hosts.byName(ref);
      if (!h) throw notFound(`named ${JSON.stringify(ref.slice(0, 100))}`);
      return h;
    },
    builtin: () => builtin,
    defaultHostId() {
      const d = store.hosts.all().find((h) => h.isDefault);
      return !d || d.builtin ? null : d.id;
    },
    status(id) {
      if (id === builtin.id) return { up: localUp(), reason: localUp() ? null : localReason() ?? 'no answer yet', since: localSince };
      const l = live.get(id);
      if (!l) return { up: false, reason: get(id) && 'not followed (see the gateway log)', since: localSince };
      const up = l.sync?.engineUp() ?? false;
      return { up, reason: up ? null : l.sync?.reason() ?? 'no answer yet', since: l.since };
    },
    engineOf(hostId) {
      if (hostId === null || hostId === builtin.id) return local;
      return placement(hostId).engine;
    },
    async add(input, opts = {}) {
      const v = validateHost(input, null);
      if (store.hosts.byName(v.name)) throw new ValidationError({ name: `a container host named ${v.name} exists` });
      checkSwarmReach(v, config.networkMode);
      const probe: HostRecord = { ...v, id: 0, builtin: false, isDefault: false, createdAt: '', modifiedAt: '' };
      build(probe); // refuses what the factory cannot build before anything is stored
      if (opts.check !== false) await check(probe);
      // The store's change event follows it (track); the answer waits for its first resync.
      const record = store.hosts.create(v);
      await live.get(record.id)?.started;
      logger.info('container host added', { host: record.name, url: record.url });
      return record;
    },
    async edit(id, input, opts = {}) {
      const have = get(id);
      if (have.builtin) {
        const i = (input ?? {}) as Record<string, unknown>;
        const now: Record<string, unknown> = { name: have.name, url: have.url, mode: have.mode, publish_address: have.publishAddress };
        const changed = ['name', 'url', 'mode', 'tls', 'publish_address'].filter((k) => i[k] !== undefined && i[k] !== now[k]);
        if (changed.length) throw new ValidationError(Object.fromEntries(changed.map((k) => [k, 'the built-in host follows DOCKER_HOST (and PORTICO_PUBLISH_PORTS); change those settings instead'])));
        return have;
      }
      const v: HostInput = validateHost(input, have);
      const other = store.hosts.byName(v.name);
      if (other && other.id !== id) throw new ValidationError({ name: `a container host named ${v.name} exists` });
      checkSwarmReach(v, config.networkMode);
      const probe: HostRecord = { ...have, ...v };
      build(probe);
      if (opts.check !== false) await check(probe);
      const record = store.hosts.update(id, v);
      await live.get(id)?.started;
      logger.info('container host changed', { host: record.name, url: record.url });
      return record;
    },
    async remove(id) {
      const h = get(id);
      if (h.builtin) throw conflict('the built-in host (DOCKER_HOST) cannot be removed');
      if (h.isDefault) throw conflict(`container host ${h.name} is the default; choose another default first`);
      const used = store.hosts.users(id);
      if (used.containers || used.templates) {
        throw conflict(`container host ${h.name} is used by ${used.containers} container(s) and ${used.templates} template(s); move or delete them first`);
      }
      const l = live.get(id);
      store.hosts.remove(id);
      if (l) await stopLive(l);
      logger.info('container host removed', { host: h.name });
    },
    setDefault(id) {
      const h = get(id);
      store.transaction(() => store.hosts.setDefault(h.id));
      return get(id);
    },
    async test(id) {
      const h = get(id);
      return testEngine(h.builtin ? local : build(h, TEST_MS), h.name);
    },
    async attach(c, up, why) {
      containers = c;
      localUp = up;
      if (why) localReason = why;
      const started: Array<Promise<void>> = [];
      for (const h of store.hosts.all().filter((x) => !x.builtin)) {
        try { started.push(follow(h).started); } catch (err) { logger.warn('cannot follow container host', { host: h.name, err: (err as Error).message }); }
      }
      await Promise.all(started);
      refresher = setInterval(() => {
        try { refresh(); } catch (err) { logger.warn('reading the container hosts again failed', { err: (err as Error).message }); }
      }, REFRESH_MS);
      refresher.unref();
    },
    async stop() {
      stopped = true;
      offChange();
      if (refresher) clearInterval(refresher);
      bus.off('engine-status', onStatus);
      await Promise.all([...live.keys()].map(unfollow));
    },
  };
  return hosts;
}

/** testEngine pings `engine` and reads its version within TEST_MS, explaining a failure. */
export async function testEngine(engine: Engine, name: string): Promise<HostTestResult> {
  const t0 = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const version = await Promise.race([
      (async () => { await engine.ping(); return engine.version ? engine.version() : null; })(),
      new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${TEST_MS / 1000} s`)), TEST_MS); }),
    ]);
    return { ok: true, version, reason: null, field: null, ms: Math.round(performance.now() - t0) };
  } catch (err) {
    const { reason, field } = explainFailure(err, name);
    return { ok: false, version: null, reason, field, ms: Math.round(performance.now() - t0) };
  } finally {
    clearTimeout(timer);
  }
}
