/**
 * image.test.ts: the single-container deployment, for real. Builds the base image (no registry:
 * scripts/build-base-image.sh) and the Portico image, runs the gateway container with the Docker
 * socket and a volume, drives it end to end, replaces it with a new container on the same
 * volume, and finds everything still there. Figures (image size, cold start) are printed as
 * comments, never asserted.
 */
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { DatabaseSync } from 'node:sqlite';
import { ENGINE_SOCKET, TEST_IMAGE } from '../helpers/gateway.ts';

const ROOT = path.resolve(new URL('../..', import.meta.url).pathname);
const RUN = randomBytes(4).toString('hex');
const TAG = 'portico:test';
// Containers run from the image id this run built: a parallel run (another worktree) may retag TAG meanwhile.
let image = '';
const INSTANCE = `deploy-${RUN}`;
const APP_NET = `portico-deploy-${RUN}`;
const FRONT_NET = `portico-deploy-front-${RUN}`;
const VOLUME = `portico-deploy-${RUN}`;
const APP_NET_LATE = `portico-deploy-late-${RUN}`;
const VOLUME_LATE = `portico-deploy-late-${RUN}`;
const LABELS = ['--label', 'portico.test=1', '--label', `portico.test.deploy=${RUN}`];
const ADMIN_PASSWORD = `admin-${RUN}-pass`;
// A stable gateway name: small-file URLs baked into running apps must outlive the gateway container.
const GATEWAY_NAME = `portico-gw-${RUN}`;
const DATA = `hello from a small file ${RUN}\n`;

function docker(args: string[], opts: { input?: string; timeout?: number } = {}): string {
  return execFileSync('docker', args, { encoding: 'utf8', input: opts.input ?? '', timeout: opts.timeout ?? 60_000, stdio: ['pipe', 'pipe', 'pipe'] }).trim();
}

function inspect(name: string): any {
  return JSON.parse(docker(['inspect', name]))[0];
}

async function until<T>(what: string, ms: number, fn: () => Promise<T | null | undefined | false> | T | null | undefined | false, every = 25): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

/** Running is one gateway container: its name, its URL, and how long it took to answer /healthz and to listen. */
interface Running { name: string; base: string; readyMs: number; listenMs: number }

/** freePort finds a port free on 127.0.0.1 now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().once('error', reject).listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** startGateway runs a gateway container; `socket` is the host path mounted as the engine socket. */
async function startGateway(name: string, opts: { socket?: string; volume?: string; network?: string; gatewayName?: string } = {}): Promise<{ name: string; base: string; started: number }> {
  // A fixed host port: Docker re-picks a random one when the container joins a network whose name
  // sorts first (moby/moby#40740), and the gateway joins its app network after it starts.
  const port = await freePort();
  const started = performance.now();
  docker([
    'run', '-d', '--name', name, ...LABELS, '--network', FRONT_NET, '-p', `127.0.0.1:${port}:8080`,
    '-v', `${opts.socket ?? ENGINE_SOCKET}:/var/run/docker.sock`, '-v', `${opts.volume ?? VOLUME}:/data`,
    // Hardened as compose.yaml suggests: read-only root, only the capabilities the privilege drop needs.
    '--read-only', '--tmpfs', '/tmp', '--cap-drop', 'ALL', '--cap-add', 'CHOWN', '--cap-add', 'SETUID', '--cap-add', 'SETGID',
    '--security-opt', 'no-new-privileges',
    '-e', `PORTICO_INSTANCE=${INSTANCE}`, '-e', `PORTICO_DOCKER_NETWORK=${opts.network ?? APP_NET}`, '-e', `PORTICO_ADMIN_PASSWORD=${ADMIN_PASSWORD}`,
    '-e', 'PORTICO_ACTION_MIN_DELAY=0',
    ...(opts.gatewayName ? ['-e', `PORTICO_GATEWAY_NAME=${opts.gatewayName}`] : []),
    image,
  ]);
  return { name, base: `http://127.0.0.1:${port}`, started };
}

/** healthz waits until /healthz answers `status` (any answer when null) and returns the answer. */
async function healthz(gw: { name: string; base: string }, status: number | null, ms = 60_000): Promise<{ status: number; body: any }> {
  let last = '';
  try {
    return await until(`${gw.name} /healthz ${status ?? 'answer'}`, ms, async () => {
      try {
        const res = await fetch(`${gw.base}/healthz`);
        const body = await res.json();
        last = `HTTP ${res.status} ${JSON.stringify(body)}`;
        return status === null || res.status === status ? { status: res.status, body } : null;
      } catch (err) {
        last = String((err as { cause?: { code?: string } }).cause?.code ?? err);
        return null;
      }
    });
  } catch (err) {
    const logs = execFileSync('sh', ['-c', 'docker logs --tail 30 "$0" 2>&1', gw.name], { encoding: 'utf8' });
    throw new Error(`${(err as Error).message} (${gw.base}: ${last}); state ${inspect(gw.name).State.Status}; last log lines:\n${logs}`);
  }
}

function logsOf(name: string): string {
  return execFileSync('sh', ['-c', 'docker logs "$0" 2>&1', name], { encoding: 'utf8' });
}

async function runGateway(name: string): Promise<Running> {
  const gw = await startGateway(name, { gatewayName: GATEWAY_NAME });
  await healthz(gw, 200);
  const readyMs = Math.round(performance.now() - gw.started);
  // From the container's start to the gateway's own "listening" line: the process's share of the start.
  const listening = /^(\S+) INFO  Portico listening/m.exec(logsOf(name))?.[1];
  const listenMs = listening ? Date.parse(listening) - Date.parse(inspect(name).State.StartedAt) : -1;
  return { name, base: gw.base, readyMs, listenMs };
}

async function api(gw: Running, method: string, p: string, token: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(gw.base + p, {
    method, redirect: 'manual',
    headers: { authorization: `token ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: (res.headers.get('content-type') ?? '').includes('json') && text ? JSON.parse(text) : text };
}

/** open requests a path of an app through the gateway's proxy, as a script would (token, no navigation). */
async function open(gw: Running, uuid: string, token: string, p: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${gw.base}/containers/proxy/${uuid}${p}`, { headers: { authorization: `token ${token}` }, signal: AbortSignal.timeout(60_000) });
  return { status: res.status, text: await res.text() };
}

/** fromGateway fetches a URL from inside the gateway container (its network view, not the host's). */
function fromGateway(gw: Running, url: string): string {
  return docker(['exec', gw.name, 'node', '-e', `fetch(${JSON.stringify(url)}).then(r => r.text()).then(t => process.stdout.write(t), e => { console.error(e.cause?.code ?? e.message); process.exit(1); })`]);
}

function cleanup(): void {
  const ids = (label: string) => docker(['ps', '-aq', '--filter', `label=${label}`]).split('\n').filter(Boolean);
  const containers = [...ids(`portico.test.deploy=${RUN}`), ...ids(`portico.instance=${INSTANCE}`)];
  if (containers.length) docker(['rm', '-f', '-v', ...containers]);
  for (const net of [APP_NET, APP_NET_LATE, FRONT_NET]) { try { docker(['network', 'rm', net]); } catch { /* never created */ } }
  for (const vol of [VOLUME, VOLUME_LATE]) { try { docker(['volume', 'rm', vol]); } catch { /* never created */ } }
}

t.teardown(cleanup);

t.test('the Portico image, end to end', async (t) => {

  // --- build ---------------------------------------------------------------------
  // Regression: the test runner's NODE_OPTIONS (--import=<a host path>) leaked into `chroot … node`
  // and the build failed on every machine without the base image. An --import of a file that exists
  // nowhere breaks any node that inherits it, here or in the new root filesystem.
  const baseStart = performance.now();
  const poisoned = { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=/nonexistent/portico-leaked-node-options.mjs`.trim() };
  const base = execFileSync('bash', [path.join(ROOT, 'scripts/build-base-image.sh')], { encoding: 'utf8', timeout: 600_000, env: poisoned });
  t.match(base, /^node:24-bookworm-slim\s+(built|up-to-date|existing)/m,
    'regression: the base image builds with a NODE_OPTIONS that breaks any node inheriting it (chroot gets a clean environment)');
  t.comment(`base image: ${base.trim()} in ${Math.round(performance.now() - baseStart)} ms`);
  // Behind a TLS-inspecting proxy, `npm ci` in the build stage needs the CAs this machine adds.
  const caDir = '/usr/local/share/ca-certificates';
  const extraCa = fs.existsSync(caDir) ? fs.readdirSync(caDir).filter((f) => f.endsWith('.crt')).map((f) => fs.readFileSync(path.join(caDir, f), 'utf8')).join('\n') : '';
  const buildStart = performance.now();
  image = execFileSync('docker', ['build', '-q', '--network', 'host', '--build-arg', `EXTRA_CA_CERTS=${extraCa}`, '-t', TAG, ROOT],
    { encoding: 'utf8', timeout: 300_000, env: { ...process.env, DOCKER_BUILDKIT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] }).trim().split('\n').pop() ?? '';
  t.match(image, /^sha256:[0-9a-f]{64}$/, 'image built');
  const info = JSON.parse(docker(['image', 'inspect', image]))[0];
  t.comment(`image ${TAG}: ${(info.Size / 1e6).toFixed(0)} MB (built in ${Math.round(performance.now() - buildStart)} ms)`);
  const env: string[] = info.Config.Env;
  for (const e of ['PORTICO_HOST=0.0.0.0', 'PORTICO_NETWORK_MODE=docker-shared', 'PORTICO_DATA_DIR=/data', 'PORTICO_RUN_AS=node']) t.ok(env.includes(e), e);
  t.ok(info.Config.Volumes?.['/data'], 'declares the /data volume');
  t.match(info.Config.Healthcheck?.Test?.join(' '), /fetch\(.*\/healthz/, 'HEALTHCHECK on /healthz without curl');
  const devTools = docker(['run', '--rm', '--network', 'none', '--entrypoint', 'sh', image, '-c',
    'ls -d node_modules/typescript node_modules/tap node_modules/playwright-core node_modules/@types/dockerode test .git 2>/dev/null || true']);
  t.equal(devTools, '', 'no dev dependencies, tests or .git in the image');
  const managers = docker(['run', '--rm', '--network', 'none', '--entrypoint', 'sh', image, '-c',
    'ls -d /usr/local/lib/node_modules/npm /usr/local/bin/npm /usr/local/bin/npx node_modules/undici node_modules/ws 2>/dev/null || true']);
  t.equal(managers, '', 'no package manager at run time, and no test-only peers (undici, ws)');

  // --- first gateway container ------------------------------------------------------
  docker(['network', 'create', ...LABELS, FRONT_NET]);
  docker(['volume', 'create', ...LABELS, VOLUME]);
  const gw1 = await runGateway(`portico-deploy-gw1-${RUN}`);
  t.comment(`cold start (docker run → /healthz 200): ${gw1.readyMs} ms; container start → listening: ${gw1.listenMs} ms`);

  const login = await fetch(`${gw1.base}/login`);
  t.equal(login.status, 200, 'the UI renders (templates are in the image)');
  t.match(await login.text(), /<form[^>]*action="\/login"/i);
  t.equal((await fetch(`${gw1.base}/static/portico.css`)).status, 200, 'static files are served');

  const status = docker(['exec', gw1.name, 'cat', '/proc/1/status']);
  const socketGid = fs.statSync(ENGINE_SOCKET).gid;
  t.match(status, /^Uid:\s+1000\s+1000\s+1000\s+1000$/m, 'the gateway process runs as node (1000), not root');
  t.match(status, new RegExp(`^Groups:.*\\b${socketGid}\\b`, 'm'), "with the socket's group");
  const net = JSON.parse(docker(['network', 'inspect', APP_NET]))[0];
  t.equal(net.Labels['portico.instance'], INSTANCE, 'the gateway created its network, labelled with its instance');
  t.ok(Object.values(net.Containers as Record<string, { Name: string }>).some((c) => c.Name === gw1.name), 'and joined it');

  // --- a user, a token and a project through the CLI in the container -------------------
  docker(['exec', gw1.name, 'portico', 'user', 'create', 'alice']);
  const token = docker(['exec', gw1.name, 'portico', 'token', 'create', 'alice']);
  const project = docker(['exec', gw1.name, 'portico', 'project', 'create', 'Deploy test', '--owner', 'alice']);
  t.match(token, /^\S{20,}$/, 'token created');
  t.match(project, /^[0-9a-f-]{36}$/, 'project created');

  // --- a small file, and an app container that references it, through the API ---------------
  const upload = await fetch(`${gw1.base}/containers/api/files/upload/${project}/data.txt`, {
    method: 'PUT', headers: { authorization: `token ${token}`, 'content-type': 'application/octet-stream' }, body: DATA,
  });
  t.equal(upload.status, 201, 'small file uploaded');
  const { reference } = await upload.json() as { reference: string };
  const created = await api(gw1, 'POST', `/containers/api/create/${project}`, token, {
    title: 'web', ...TEST_IMAGE, container_port: 80, environment: { DATA_URL: reference },
  });
  t.equal(created.status, 201, 'container created through the API');
  const uuid: string = created.body.sodar_uuid;
  t.equal(created.body.state, 'initial', 'not started yet');

  // --- open it through the proxy: started on demand ----------------------------------------
  const page = await open(gw1, uuid, token, '/');
  t.equal(page.status, 200, 'opening the link starts the container and answers');
  t.match(page.text, /portico test app/, "with the app's page");
  const echo = JSON.parse((await open(gw1, uuid, token, '/cgi-bin/echo')).text);
  t.notOk(echo.headers.authorization, 'the Portico token does not reach the app');
  const started = await api(gw1, 'GET', `/containers/api/detail/${uuid}`, token);
  t.equal(started.body.state, 'running', 'the container is running');
  const appName = inspect(started.body.container_id).Name.replace(/^\//, '');

  const app = inspect(appName);
  t.equal(app.Config.Labels['portico.instance'], INSTANCE, 'app container carries the instance label');
  t.same(app.HostConfig.PortBindings ?? {}, {}, 'no app port published');
  t.ok(Object.values(app.NetworkSettings.Ports ?? {}).every((b) => b === null), 'no host binding at all');
  t.ok(app.NetworkSettings.Networks[APP_NET], 'app on the Portico network');
  t.match(fromGateway(gw1, `http://${appName}/`), /portico test app/, 'the gateway reaches the app by name on the network');
  const gwHost = docker(['exec', gw1.name, 'hostname']);
  t.match(docker(['exec', appName, 'wget', '-qO-', `http://${gwHost}:8080/healthz`]), /"status":"ok"/,
    'the app reaches the gateway by its hostname too');
  const dataUrl = docker(['exec', appName, 'sh', '-c', 'echo "$DATA_URL"']);
  t.match(dataUrl, new RegExp(`^http://${GATEWAY_NAME}:\\d+/files/${uuid}/`), 'the file reference became a URL on the gateway name');
  t.equal(docker(['exec', appName, 'sh', '-c', 'wget -qO- "$DATA_URL"']) + '\n', DATA, 'the app fetches the small file from inside its container');

  // --- backup while running -------------------------------------------------------------
  docker(['exec', gw1.name, 'portico', 'backup', '/data/backup.db']);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-deploy-'));
  t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));
  docker(['cp', `${gw1.name}:/data/backup.db`, path.join(tmp, 'backup.db')]);
  const copy = new DatabaseSync(path.join(tmp, 'backup.db'), { readOnly: true });
  t.ok(copy.prepare('SELECT 1 AS x FROM containers WHERE uuid = ?').get(uuid), 'the online backup holds the new container');
  copy.close();

  const health = await until('Docker to report healthy', 40_000, () => {
    const h = inspect(gw1.name).State.Health?.Status;
    return h === 'healthy' ? h : null;
  }, 250);
  t.equal(health, 'healthy', "Docker's HEALTHCHECK passes");

  // --- replace the gateway container; the volume keeps everything ---------------------------
  docker(['stop', '-t', '20', gw1.name], { timeout: 30_000 });
  t.equal(inspect(gw1.name).State.ExitCode, 0, 'SIGTERM ends the gateway cleanly (exit 0)');
  t.equal(inspect(appName).State.Status, 'running', 'apps keep running while the gateway is away');
  docker(['rm', gw1.name]);

  const gw2 = await runGateway(`portico-deploy-gw2-${RUN}`);
  t.comment(`second start on the same volume: ${gw2.readyMs} ms; container start → listening: ${gw2.listenMs} ms`);
  const detail = await api(gw2, 'GET', `/containers/api/detail/${uuid}`, token);
  t.equal(detail.status, 200, 'the token still works');
  t.equal(detail.body.state, 'running', 'the container record and its state are still there');
  t.equal(detail.body.container_id, started.body.container_id, 'the same Docker container, adopted, not recreated');
  const list = await api(gw2, 'GET', `/containers/api/${project}`, token);
  t.same(list.body.results?.map((c: { title: string }) => c.title), ['web'], 'the project lists it');
  t.match(fromGateway(gw2, `http://${appName}/`), /portico test app/, 'the new gateway container reaches the app by name');
  t.match((await open(gw2, uuid, token, '/')).text, /portico test app/, 'and proxies it');
  t.equal(docker(['exec', appName, 'sh', '-c', 'wget -qO- "$DATA_URL"']) + '\n', DATA,
    'the small-file URL the app got from the first gateway works with the new one');
  const users = docker(['exec', gw2.name, 'node', '-e',
    "const {DatabaseSync}=require('node:sqlite');const d=new DatabaseSync('/data/portico.db',{readOnly:true});console.log(d.prepare('SELECT username FROM users ORDER BY id').all().map(u=>u.username).join(','))"]);
  t.equal(users, 'admin,alice', 'users are there, and the admin was not created twice');

  const stopped = await api(gw2, 'POST', `/containers/api/stop/${uuid}`, token);
  t.equal(stopped.body.state, 'exited', 'the new gateway controls the adopted container');
  // A container a person stopped starts again on a navigation (docs/persistence.md): the waiting page, then the app.
  const nav = await new Promise<number>((resolve, reject) => {
    http.get(`${gw2.base}/containers/proxy/${uuid}/`, { headers: { authorization: `token ${token}`, accept: 'text/html', 'sec-fetch-mode': 'navigate' } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject);
  });
  t.equal(nav, 202, 'opening it starts it again through the proxy');
  let reopened = { status: 0, text: '' };
  for (let i = 0; i < 120 && reopened.status !== 200; i++) {
    reopened = await open(gw2, uuid, token, '/');
    if (reopened.status !== 200) await new Promise((r) => setTimeout(r, 250));
  }
  t.equal(reopened.status, 200, 'and it answers');
  t.match(reopened.text, /portico test app/);
  const again = JSON.parse(docker(['ps', '--format', '{{json .}}', '--filter', `label=portico.container=${uuid}`])).Names;
  t.equal(docker(['exec', again, 'sh', '-c', 'wget -qO- "$DATA_URL"']) + '\n', DATA, 'and the resumed container fetches the file too');
});

/**
 * engineRelay is a stand-in socket for the engine: while down it hangs up on every connection (as
 * an engine that is restarting), once up it relays to the real socket.
 */
async function engineRelay(file: string): Promise<{ up(): void; close(): Promise<void> }> {
  let forwarding = false;
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    open.add(client);
    client.on('close', () => open.delete(client));
    if (!forwarding) { client.destroy(); return; }
    const engine = net.connect(ENGINE_SOCKET);
    open.add(engine);
    engine.on('close', () => open.delete(engine));
    client.on('error', () => engine.destroy());
    engine.on('error', () => client.destroy());
    client.pipe(engine).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(file, resolve));
  const real = fs.statSync(ENGINE_SOCKET);
  fs.chownSync(file, 0, real.gid);
  fs.chmodSync(file, 0o660);
  return {
    up() { forwarding = true; },
    close: () => new Promise<void>((resolve) => { for (const sock of open) sock.destroy(); server.close(() => resolve()); }),
  };
}

t.test('an engine that answers only later: the gateway joins its network then', { skip: process.getuid?.() !== 0 ? 'needs root (socket ownership)' : false }, async (t) => {
  if (!image) { t.fail('no image (the build failed above)'); return; }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-relay-'));
  fs.chmodSync(dir, 0o755);
  const relay = await engineRelay(path.join(dir, 'docker.sock'));
  t.teardown(async () => { cleanup(); await relay.close(); fs.rmSync(dir, { recursive: true, force: true }); });
  docker(['volume', 'create', ...LABELS, VOLUME_LATE]);

  const gw = await startGateway(`portico-deploy-late-${RUN}`, { socket: path.join(dir, 'docker.sock'), volume: VOLUME_LATE, network: APP_NET_LATE });
  const down = await healthz(gw, null);
  t.equal(down.status, 503, 'serves while the engine is down, and says so');
  t.equal(down.body.engine, 'down');
  await until('the log line about joining later', 10_000, () => /joining the Docker network once it answers/.test(logsOf(gw.name)), 100);
  t.throws(() => docker(['network', 'inspect', APP_NET_LATE]), 'no network yet');

  relay.up();
  await healthz(gw, 200, 30_000);
  const joined = await until('the late join', 15_000, () => {
    try {
      const n = JSON.parse(docker(['network', 'inspect', APP_NET_LATE]))[0];
      return Object.values(n.Containers as Record<string, { Name: string }>).some((c) => c.Name === gw.name) ? n : null;
    } catch { return null; }
  }, 100);
  t.equal(joined.Labels['portico.instance'], INSTANCE, 'once the engine answers, the network is created and joined');
});
