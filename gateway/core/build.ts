/**
 * build.ts: assembles the core services from a Config. Tests call it with their own config (and
 * may pass their own engine); main.ts calls it once.
 */
import type { Config } from './config.ts';
import { createDockerEngine } from './engine/docker.ts';
import { createSwarmEngine } from './engine/swarm.ts';
import type { Engine } from './engine/engine.ts';
import { Bus } from './events.ts';
import type { Logger } from './log.ts';
import { createLogger } from './log.ts';
import { createStore } from './store/index.ts';
import { createContainerService } from './containers/service.ts';
import type { Substitute } from './containers/spec.ts';
import { startStateSync } from './containers/state-sync.ts';
import { createRecovery } from './containers/recovery.ts';
import { joinSharedNetwork } from './containers/shared-network.ts';
import type { StateSync } from './containers/state-sync.ts';
import { createAccess } from './auth/access.ts';
import { createAuthenticator } from './auth/authenticate.ts';
import { createSessionStore } from './auth/sessions.ts';
import { generatePassword, hashPassword } from './auth/passwords.ts';
import type { Services } from './services.ts';
import { Registry } from './metrics.ts';
import { createAccessRecorder } from './containers/access-recorder.ts';
import { createLoginService } from './auth/login.ts';
import { createOidcLogin } from './auth/oidc.ts';
import { createOidcProvider } from './auth/oidc-client.ts';
import { createLoginThrottle } from './auth/throttle.ts';
import { createLdapDirectory } from './auth/ldap.ts';
import { connectLdapServer } from './auth/ldap-client.ts';
import { createSiteMode } from './site-mode.ts';
import { instrumentEngine } from './engine/instrument.ts';
import { registerCoreMetrics } from './core-metrics.ts';
import { startPeriodicWork } from './scheduler/jobs.ts';
import type { PeriodicWork } from './scheduler/jobs.ts';
import { createFileService } from './files/service.ts';
import { createTemplateService } from './templates/service.ts';
import { createProjectService } from './projects/service.ts';
import { createOneTimeLinks } from './sharing/one-time-links.ts';
import { createSodarSync } from './sodar/sync.ts';
import { createImageHosts } from './image-hosts/service.ts';
import { createAudit } from './audit.ts';
import { createShareService } from './shares/service.ts';
import { LiveConnections } from './shares/live.ts';
import { followAccessEpoch } from './shares/epoch.ts';
import { createAppService } from './apps/service.ts';
import { createHosts } from './hosts/registry.ts';
import { routeByContainer } from './hosts/routed-engine.ts';

/** Core is the services plus the handles only the composition root manages. */
export interface Core extends Services {
  stateSync: StateSync;
  /** work is the scheduler and the app-log follower (null when built with `periodic: false`). */
  work: PeriodicWork | null;
  close(): Promise<void>;
}

/** buildCore opens the store, connects the engine and starts following its events. */
export async function buildCore(config: Config, opts: { engine?: Engine; logger?: Logger; substitutions?: Substitute[]; periodic?: boolean } = {}): Promise<Core> {
  const logger = opts.logger ?? createLogger({ format: config.logFormat, level: config.logLevel });
  const metrics = new Registry();
  const store = createStore(config.dbPath, { logger });
  // A gateway on the host (host mode) reaches a task at its docker_gwbridge address: only on the manager's own node.
  const engine = instrumentEngine(opts.engine ?? (config.docker.mode === 'swarm'
    ? createSwarmEngine({ ...config.docker, pinToManager: config.networkMode === 'host' })
    : createDockerEngine(config.docker)), metrics);
  const bus = new Bus();
  // Container hosts (docs/container-hosts.md): DOCKER_HOST's engine is the built-in one.
  const hosts = createHosts({ config, store, bus, logger, local: engine });
  metrics.gauge('portico_host_up', 'Whether each container host\'s engine answers (1) or not (0).', () => hosts.all().map((h) => [{ host: h.name }, hosts.status(h.id).up ? 1 : 0]));
  const sessions = createSessionStore(store.db, config.sessionIdleMinutes * 60_000, config.sessionAbsoluteHours * 3_600_000, store.accessRevision);
  const files = createFileService({ config, store, logger });
  const templates = createTemplateService({ config, store });
  const substitutions = [files.substitute, ...(opts.substitutions ?? [])];
  const imageHosts = createImageHosts({ config, store, logger });
  const audit = createAudit({ store, logger });
  const containers = createContainerService({ config, store, engine, bus, logger, substitutions, registryAuth: imageHosts.authFor, hosts, audit });
  if (config.networkMode === 'docker-shared') {
    await joinSharedNetwork({ config, engine, bus, logger, ensureNetwork: containers.ensureNetwork })
      .catch((err) => { store.close(); throw err; });
  }
  const recovery = createRecovery({ store, engine, containers, logger });
  const stateSync = await startStateSync({ config, store, engine, bus, logger, containers, synced: recovery.run });
  await hosts.attach(containers, stateSync.engineUp, stateSync.reason);
  // Engine events seen while the store could not save left stale states: read them again.
  store.health.onRecover(() => { stateSync.resync().catch((err) => logger.warn('resync after the store recovered failed', { err })); });
  const accessRecorder = createAccessRecorder({ store, log: containers.log, logger, flushMs: config.accessFlushMs });
  const ldapMs = config.ldapTimeoutSeconds * 1000;
  const ldap = createLdapDirectory(config.ldap, (c) => connectLdapServer(c, { connectMs: ldapMs, operationMs: ldapMs * 2 }), logger);
  const login = createLoginService({ store, ldap, throttle: createLoginThrottle(config.login), logger });
  const siteMode = createSiteMode(store.settings, config.readOnly);
  const projects = createProjectService({ store, siteMode, logger, delegateLimit: config.delegateLimit, creators: config.projectCreators, work: { store, containers, files }, audit });
  const live = new LiveConnections();
  const shares = createShareService({ store, audit, live, siteMode });
  // A session's first open is written after the request that began it (never on its stack).
  live.onOpen = (containerId, userId, username) => { setImmediate(() => shares.recordOpen(containerId, userId, username)); };
  const stopEpoch = followAccessEpoch(store);
  const oidc = config.oidc ? createOidcLogin({ config: config.oidc, provider: createOidcProvider(config.oidc), store, logger }) : null;
  const core: Core = {
    config, store, bus, logger, containers, hosts, imageHosts, audit, shares, live,
    engine: routeByContainer(engine, store, hosts.engineOf), sessions, stateSync, metrics, accessRecorder, login, oidc, files, templates, projects,
    sodar: createSodarSync({ config: config.sodar, store, logger }),
    apps: createAppService({ config, store, engine, containers, logger }),
    siteMode,
    links: createOneTimeLinks({ store, projects, siteMode, logger }),
    access: createAccess(store),
    auth: createAuthenticator(store, sessions),
    health: { engineUp: stateSync.engineUp, reconnects: stateSync.reconnects },
    work: null,
    async close() {
      // Scheduler first (a running job may still record), then access times are flushed.
      await core.work?.stop();
      accessRecorder.stop();
      live.close();
      stopEpoch();
      await stateSync.stop();
      await hosts.stop();
      audit.flush();
      store.close();
    },
  };
  registerCoreMetrics(core);
  // Deletes a kill (or an engine away) interrupted are finished now, in the background.
  if (store.projects.deleting().length) void projects.resumeDeletes();
  if (opts.periodic !== false) core.work = startPeriodicWork(core);
  return core;
}

/**
 * ensureAdmin creates the site admin `admin` on an empty database, with PORTICO_ADMIN_PASSWORD or a
 * generated password that is returned (for printing once). Returns null when users already exist.
 */
export async function ensureAdmin(core: Pick<Services, 'store' | 'config'>): Promise<{ username: string; password: string; generated: boolean } | null> {
  if (core.store.users.count() > 0) return null;
  const generated = !core.config.adminPassword;
  const password = core.config.adminPassword ?? generatePassword();
  core.store.users.create({ username: 'admin', name: 'Site administrator', passwordHash: await hashPassword(password), isAdmin: true });
  return { username: 'admin', password, generated };
}
