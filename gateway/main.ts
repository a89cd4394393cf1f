/**
 * main.ts: the composition root. Reads the config, builds the core, the surfaces and the proxy,
 * and listens. The only module that wires everything together and the only one that calls listen.
 */
import './guard.mjs';
import http from 'node:http';
import { loadConfig } from './core/config.ts';
import { PorticoError, StoreUnavailableError } from './core/errors.ts';
import { diagnose } from './core/store/fault.ts';
import { buildCore, ensureAdmin } from './core/build.ts';
import { createLogger } from './core/log.ts';
import { dockerSocketPath } from './core/engine/docker-socket.ts';
import { dropPrivileges, socketAccessProblem } from './run-as.ts';
import { createGateway } from './app.ts';
import type { ProxyHandler, Surface } from './app.ts';
import type { Core } from './core/build.ts';
import { registerContainerApi } from '../admin/api/containers.ts';
import { registerSessionApi } from '../admin/api/session.ts';
import { registerOpsApi } from '../admin/api/ops.ts';
import { registerImageHostApi } from '../admin/api/image-hosts.ts';
import { registerShareApi } from '../admin/api/shares.ts';
import { registerUi } from '../admin/ui/index.ts';
import { createProxy } from './proxy/handler.ts';
import type { PorticoProxy } from './proxy/handler.ts';
import { registerTemplateApi } from '../admin/api/templates.ts';
import { registerFileApi } from '../admin/api/files.ts';
import { registerKioscFileServe } from '../admin/api/kiosc-file-serve.ts';
import { registerOpenApi } from '../admin/api/openapi/serve.ts';
import { registerProjectApi } from '../admin/api/projects.ts';
import { registerAppApi } from '../admin/api/apps.ts';
import { registerHostApi } from '../admin/api/hosts.ts';
import { registerSrcApi } from '../admin/api/src/index.ts';
import { startFileServer } from './file-server.ts';
import { createInFlight } from './in-flight.ts';
import { Front } from './http/front.ts';
import { ServerGuards } from './http/server-guards.ts';
import { PROXY_PREFIX } from './app.ts';

/** SURFACES are the route groups served next to the proxy (the host routes before /containers/api/:project; the share routes before the app API's /api/instances/:instance/:action). */
export const SURFACES: Surface[] = [registerSessionApi, registerOpsApi, registerHostApi, registerImageHostApi, registerContainerApi, registerTemplateApi, registerFileApi, registerKioscFileServe, registerProjectApi, registerShareApi, registerAppApi, registerSrcApi, registerOpenApi, registerUi];

/** createProxyFor builds the proxy handler for a core. */
export async function createProxyFor(core: Core): Promise<(ProxyHandler & Pick<PorticoProxy, 'close' | 'fast'>) | null> {
  return createProxy(core);
}

/**
 * startServer builds everything for `core` and listens. `close(graceMs)` stops accepting, lets
 * requests in flight finish for up to `graceMs`, then cuts what is left (streams, WebSockets).
 */
export async function startServer(core: Core, host: string, port: number): Promise<{ server: http.Server; close(graceMs?: number): Promise<void>; inFlight(): number }> {
  const proxy = await createProxyFor(core);
  const gateway = createGateway(core, SURFACES, proxy);
  const active = createInFlight<http.ServerResponse>();
  let drained: (() => void) | null = null;
  let front: Front | null = null;
  const inFlight = () => active.size() + (front?.busy() ?? 0);
  // One shared listener, `on` not `once`: 'close' fires once anyway, and this allocates nothing per request.
  function onResponseClose(this: http.ServerResponse): void {
    active.remove(this);
    if (drained && inFlight() === 0) drained();
  }
  const keepAliveTimeout = 65_000;
  const headersTimeout = 60_000;
  // What Node's server would refuse with an empty answer, or drop, gets a JSON one (server-guards.ts);
  // the Host is checked there too (requireHostHeader: false), so that refusal has a body as well.
  const guards = new ServerGuards({
    onRequest(req, res) {
      active.add(res);
      res.on('close', onResponseClose);
      gateway.handleRequest(req, res);
    },
    onUpgrade: gateway.handleUpgrade,
    bodyTimeoutMs: core.config.bodyTimeoutSeconds * 1000,
  });
  const server = http.createServer({ keepAliveTimeout, requestTimeout: 0, headersTimeout, requireHostHeader: false }, guards.request);
  guards.attach(server);
  // Plain proxied requests are read by the front and answered on the socket; the rest goes to Node's server.
  if (proxy) {
    // With app origins, any target may be an app's (the Host says), so the front reads them all.
    const prefix = core.config.appOrigins === 'per-app' ? '/' : PROXY_PREFIX;
    front = new Front(server, proxy.fast, { prefix, headersTimeoutMs: headersTimeout, keepAliveTimeoutMs: keepAliveTimeout });
    front.onSettled = () => { if (drained && inFlight() === 0) drained(); };
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => { server.off('error', reject); resolve(); });
  });
  const fileServer = await startFileServer(core);
  return {
    server,
    inFlight,
    async close(graceMs = 0) {
      // Answers still to come end their connection, so keep-alive clients do not wait on a closed server.
      active.forEach((res) => { if (!res.headersSent) res.shouldKeepAlive = false; });
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      front?.closeIdle();
      if (inFlight() > 0 && graceMs > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          new Promise<void>((r) => { drained = r; }),
          new Promise<void>((r) => { timer = setTimeout(r, graceMs); }),
        ]);
        clearTimeout(timer);
        if (inFlight() > 0) core.logger.warn('shutdown grace period over; closing remaining connections', { inFlight: inFlight() });
      }
      // Proxied requests had their grace; now the proxy closes its WebSockets and upstream pools.
      await proxy?.close();
      await fileServer.close();
      server.closeAllConnections();
      front?.closeAll();
      guards.close();
      await closed;
    },
  };
}

/** runMain runs the gateway until SIGTERM/SIGINT. */
export async function runMain(): Promise<void> {
  let config;
  let dropped;
  try {
    config = loadConfig();
    // Before anything is opened: files the gateway creates belong to the unprivileged user.
    dropped = dropPrivileges({ runAs: config.runAs, dataDir: config.dataDir, socketPath: dockerSocketPath(config.docker) });
  } catch (err) {
    if (err instanceof PorticoError) {
      process.stderr.write(`portico: configuration error: ${err.message}\n`);
      process.exit(2);
    }
    // Taking over a read-only or full data directory (chown) fails here, before the database is opened.
    const f = config ? diagnose(err, config.dbPath) : null;
    if (f) {
      process.stderr.write(`portico: cannot prepare the data directory ${config!.dataDir}: ${f.detail} (${f.code})\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger({ format: config.logFormat, level: config.logLevel });
  if (dropped) {
    logger.info('running unprivileged', { user: dropped.name, uid: dropped.uid, groups: dropped.groups.join(','), ...(dropped.chowned.length ? { chowned: dropped.chowned.join(',') } : {}) });
  }
  const socketProblem = socketAccessProblem(dockerSocketPath(config.docker));
  if (socketProblem) logger.warn(socketProblem);
  let core: Core;
  try {
    core = await buildCore(config, { logger });
  } catch (err) {
    // Start-up refusals (docker-shared mode outside a container, say) are one line, not a stack.
    if (err instanceof PorticoError && err.code === 'E_CONFIG') {
      process.stderr.write(`portico: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const admin = await ensureAdmin(core);
  if (admin?.generated) {
    process.stdout.write(`\nCreated site admin "${admin.username}" with password: ${admin.password}\n(shown once; set PORTICO_ADMIN_PASSWORD to choose it)\n\n`);
  } else if (admin) {
    core.logger.info('created site admin from PORTICO_ADMIN_PASSWORD', { user: admin.username });
  }
  if (!core.health.engineUp()) core.logger.warn('no container engine answers yet; serving anyway and retrying in the background');
  const { server, close, inFlight } = await startServer(core, config.host, config.port);
  const addr = server.address();
  core.logger.info('Portico listening', { url: `http://${config.host}:${typeof addr === 'object' && addr ? addr.port : config.port}/`, network: config.networkMode, data: config.dataDir });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const graceMs = config.shutdownGraceSeconds * 1000;
    core.logger.info('shutting down', { signal, inFlight: inFlight(), graceSeconds: config.shutdownGraceSeconds });
    // A last resort: whatever hangs, the process ends well after the grace period.
    const force = setTimeout(() => { core.logger.error('shutdown did not finish; exiting'); process.exit(1); }, graceMs * 2 + 10_000);
    force.unref();
    // Actions in progress get the same grace as requests; past it their callers are answered 503 and
    // what was cut off resumes at the next start (recovery.ts). The extra second sends those answers.
    const actions = core.containers.drain(graceMs).then((cut) => {
      if (cut > 0) core.logger.warn('shutdown grace period over with actions in progress; they resume at the next start', { actions: cut });
    });
    await close(graceMs + 1000);
    await actions;
    // The core's close stops the scheduler and log follower (flushing buffered lines), then the store.
    await core.close();
    core.logger.info('stopped');
    process.exit(0);
  };
  // A stray rejection (an engine call nobody awaited) must not take every user's session down with it.
  process.on('unhandledRejection', (err) => core.logger.error('unhandled rejection', { err: err instanceof Error ? err : String(err) }));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

if (import.meta.main) {
  runMain().catch((err) => {
    // A data directory that is read-only or full is one line, not a stack (docs/storage-faults.md).
    if (err instanceof StoreUnavailableError) {
      process.stderr.write(`portico: ${typeof err.details?.reason === 'string' ? `cannot start: ${err.details.reason}` : err.message}\n`);
      process.exit(1);
    }
    const code = (err as NodeJS.ErrnoException | null)?.code;
    if (code === 'EROFS' || code === 'ENOSPC' || code === 'EDQUOT') {
      process.stderr.write(`portico: cannot start: ${(err as Error).message}\n`);
      process.exit(1);
    }
    process.stderr.write(`portico: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
