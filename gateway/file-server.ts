/**
 * file-server.ts: the listener app containers fetch small files from, through the URLs their file
 * references became (see core/files/references.ts). It serves nothing else.
 *
 * Where it listens:
 * - host mode: on the Docker bridge gateway address of the Portico network (reachable from the
 *   containers on it, not from outside; never 0.0.0.0);
 * - docker-shared mode: on the gateway container's own address on the Portico network (found by
 *   the network's subnet), reached by the gateway's name on the network.
 * The port is PORTICO_FILE_SERVER_PORT, or one picked once and remembered in the settings table, so
 * URLs already baked into containers keep working after a gateway restart.
 */
import http from 'node:http';
import os from 'node:os';
import type { Core } from './core/build.ts';
import { gatewayHost } from './core/containers/shared-network.ts';
import type { FileEndpoint } from './core/files/references.ts';

const PORT_KEY = 'files.server_port';
const RETRY_MS = 5000;
const PATH_RE = /^\/files\/([^/]{36})\/([^/]{36})\/([A-Za-z0-9_-]{32})(?:\/[^/]*)?$/;

/** FileServer is the running listener. */
export interface FileServer { endpoint(): FileEndpoint | null; close(): Promise<void> }

function sourceAddress(req: http.IncomingMessage): string | null {
  const a = req.socket.remoteAddress;
  return a ? a.replace(/^::ffff:/, '') : null;
}

/**
 * sourceAllowed tells whether a request from `ip` may read a file of project `projectId`. The
 * store knows the addresses of containers it has seen running; an address it does not know yet (a
 * container in its first second, before its start was recorded) is looked up in the network's
 * endpoints, which the engine sets up before the app's process runs. The endpoint's container id
 * is recorded at creation, so a copied URL fails in another project's container from its very
 * first request. When the engine cannot say, the request is refused: a leak does not get through.
 */
async function sourceAllowed(core: Pick<Core, 'engine' | 'store' | 'config'>, ip: string, projectId: number): Promise<boolean> {
  if (core.store.files.projectsAtIp(ip).length > 0) return true; // files.resolve has checked the recorded projects
  let endpoints;
  try {
    endpoints = (await core.engine.listNetworks()).find((n) => n.name === core.config.dockerNetwork)?.containers ?? [];
  } catch {
    return false;
  }
  const there = endpoints.find((e) => e.ip.split('/')[0] === ip);
  if (!there) return true; // not a container on the Portico network (the host, say)
  const c = core.store.containers.byDockerId(there.id);
  // Another gateway's container on a shared network is no container of this project either.
  return c !== null && c.projectId === projectId;
}

/** createFileHandler answers GET/HEAD /files/<container>/<file>/<token>/<name>; everything else is 404. */
export function createFileHandler(core: Pick<Core, 'files' | 'logger' | 'metrics' | 'engine' | 'store' | 'config'>): http.RequestListener {
  const requests = core.metrics.counter('portico_file_server_requests_total', 'Requests to the small-file server, by result (served, refused).');
  const notFound = (res: http.ServerResponse) => {
    requests.inc({ result: 'refused' });
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'content-length': 10 }).end('not found\n');
  };
  return (req, res) => {
    const m = req.method === 'GET' || req.method === 'HEAD' ? PATH_RE.exec((req.url ?? '').split('?')[0]) : null;
    const from = sourceAddress(req);
    const f = m ? core.files.resolve(m[1], m[2], m[3], from) : null;
    const refuse = () => {
      core.logger.debug('file server: refused', { url: req.url, from });
      notFound(res);
    };
    if (!f) { refuse(); return; }
    (from ? sourceAllowed(core, from, f.projectId) : Promise.resolve(true)).then((ok) => (ok ? core.files.open(f) : null)).then((open) => {
      if (!open) { refuse(); return; }
      requests.inc({ result: 'served' });
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': open.size, 'cache-control': 'no-store' });
      if (req.method === 'HEAD') { open.stream.destroy(); res.end(); return; }
      open.stream.on('error', () => res.destroy());
      open.stream.pipe(res);
    }, () => res.destroy());
  };
}

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

/** localAddressIn returns this machine's IPv4 address inside `subnet` (a.b.c.d/len), if it has one. */
export function localAddressIn(subnet: string, interfaces = os.networkInterfaces()): string | null {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(subnet);
  if (!m) return null;
  const bits = Number(m[2]);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  const net = (ipv4ToInt(m[1]) & mask) >>> 0;
  for (const list of Object.values(interfaces)) {
    for (const a of list ?? []) {
      if (a.family === 'IPv4' && ((ipv4ToInt(a.address) & mask) >>> 0) === net) return a.address;
    }
  }
  return null;
}

/**
 * bindAddress finds where to listen and what containers call it. Host mode: the bridge gateway IP
 * (in swarm mode the node's docker_gwbridge one: an overlay's gateway is on no host link).
 * Docker-shared mode: the gateway container's address on the network, advertised by name.
 */
async function bindAddress(core: Core): Promise<{ bind: string; advertise: string }> {
  await core.containers.ensureNetwork();
  const hostSwarm = core.config.networkMode === 'host' && core.config.docker.mode === 'swarm';
  const net = (await core.engine.listNetworks()).find((n) => n.name === (hostSwarm ? 'docker_gwbridge' : core.config.dockerNetwork));
  if (core.config.networkMode === 'docker-shared') {
    const own = net?.subnet ? localAddressIn(net.subnet) : null;
    if (!own) throw new Error(`this gateway has no address on network ${core.config.dockerNetwork}; connect its container to the network`);
    return { bind: own, advertise: gatewayHost(core.config) };
  }
  if (!net?.gateway) throw new Error(`network ${hostSwarm ? 'docker_gwbridge' : core.config.dockerNetwork} has no gateway address`);
  return { bind: net.gateway, advertise: net.gateway };
}

function listen(server: http.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as { port: number }).port);
    });
  });
}

/**
 * startFileServer starts the listener. When the engine cannot be reached yet it retries in the
 * background; until then, starting a container whose command references a file fails with a clear reason.
 */
export async function startFileServer(core: Core): Promise<FileServer> {
  const server = http.createServer({ requestTimeout: 0, headersTimeout: 30_000 }, createFileHandler(core));
  let endpoint: FileEndpoint | null = null;
  let timer: NodeJS.Timeout | null = null;
  let closed = false;

  async function attempt(): Promise<void> {
    const { bind, advertise } = await bindAddress(core);
    const fixed = core.config.fileServerPort;
    const remembered = Number(core.store.settings.get(PORT_KEY) ?? 0);
    let port: number;
    try {
      port = await listen(server, bind, fixed || remembered);
    } catch (err) {
      if (fixed || !remembered || (err as { code?: string }).code !== 'EADDRINUSE') throw err;
      core.logger.warn('file server: the remembered port is taken; picking another (containers created earlier must be restarted)', { port: remembered });
      port = await listen(server, bind, 0);
    }
    if (!fixed) core.store.settings.set(PORT_KEY, String(port));
    endpoint = { host: advertise, port };
    core.files.setEndpoint(endpoint);
    core.logger.info('file server listening', { address: `${bind}:${port}`, url: `http://${advertise}:${port}/files/` });
  }

  async function tryStart(): Promise<void> {
    try {
      await attempt();
    } catch (err) {
      if (closed) return;
      core.logger.warn('file server: cannot listen yet; retrying', { err: err as Error, inSeconds: RETRY_MS / 1000 });
      timer = setTimeout(() => void tryStart(), RETRY_MS);
      timer.unref();
    }
  }
  await tryStart();

  return {
    endpoint: () => endpoint,
    close: () => new Promise<void>((resolve) => {
      closed = true;
      if (timer) clearTimeout(timer);
      core.files.setEndpoint(null);
      if (!server.listening) { resolve(); return; }
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
