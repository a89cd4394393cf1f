/**
 * proxy.ts (benchmark, not a test): Portico's proxy against nginx and configurable-http-proxy (CHP),
 * all in one run against the same backend.
 *
 * - Backend: the host's Debian nginx on 127.0.0.1 serving a 1 KiB and a 1 MiB file (own temp prefix,
 *   one worker), plus a small ws echo server (bench/lib/ws-echo.ts) for WebSocket round trips.
 * - Proxies, each pinned to core 1 with taskset where available: Portico (bench/lib/portico-server.ts:
 *   a real gateway whose container record points at the backend — PORTICO_PUBLISH_PORTS mode, no
 *   Docker container — with token authentication, routing and access recording on), nginx as a
 *   reverse proxy (keep-alive upstream), CHP (installed on demand into bench/.peers), and as a
 *   reference "bare": node:http in front of one undici Pool (bench/lib/bare-undici.ts), the floor
 *   for any proxy built on those two, and "pipe": bytes copied between a client socket and its own
 *   upstream socket with no HTTP at all (bench/lib/bare-pipe.ts), the floor for any Node proxy.
 * - Load: wrk (Debian package) on core 0, 1 thread; WebSocket round trips with bench/lib/ws-load.ts.
 * - CPU µs per request: utime+stime of the proxy's processes (/proc/<pid>/stat) over a measured
 *   wrk run ÷ its requests. Less sensitive than req/s to other work on the machine; for "direct"
 *   it is the backend nginx worker's own cost.
 * - Topologies (--topology, a comma list; one table each, all in one run):
 *   loopback (default): the above, Portico in PORTICO_PUBLISH_PORTS mode on 127.0.0.1.
 *   container: the path users run in host mode. The backend is a container on Portico's Docker network
 *     (portico-test/node:1 running bench/lib/ws-echo.ts: 1 KiB, 1 MiB and the WebSocket echo from one
 *     node server, so "direct" is that node backend's own speed); Portico (host mode) and every peer
 *     go to its address on the network.
 *   shared: docker-shared mode. The gateway runs in a container on the same network (the base image
 *     node:24-bookworm-slim with this worktree mounted read-only, so it is the code under test) and
 *     reaches the backend by name; the peers stay on the host and go to the backend's address; wrk
 *     reaches the gateway at its container address (no published port).
 * - --busy adds, per topology, a second pass with a bounded CPU hog (a spin loop) on the proxies'
 *   core, where Portico falls behind: ratios and CPU per request for both passes.
 * Containers carry the label portico.bench=1 and are removed by id at the end; nothing is published.
 * Usage: node bench/proxy.ts [seconds per run, default 4] [rounds, default 3] [targets, default all: direct,portico,portico-origin,portico-same,bare,pipe,nginx,chp] [--topology loopback,container,shared] [--busy]
 * (portico: the gateway's link with a token; portico-origin: the app's own origin, by Host; portico-same: the same-origin opt-in.)
 * Node flags for the Portico process (to try a GC setting, say): BENCH_PORTICO_FLAGS="--trace-gc";
 * BENCH_NO_WS=1 skips the WebSocket runs.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Children, freePort, nginxConf, nginxPids, waitPort } from './lib/procs.ts';
import { runWrk } from './lib/wrk.ts';
import type { WrkResult } from './lib/wrk.ts';
import { BenchContainers } from './lib/bench-containers.ts';

const argv = process.argv.slice(2);
const flag = (name: string): string | null => { const i = argv.indexOf(name); return i >= 0 ? argv.splice(i, 2)[1] ?? '' : null; };
const TOPOLOGIES = (flag('--topology') ?? 'loopback').split(',');
const BUSY = argv.includes('--busy') ? (argv.splice(argv.indexOf('--busy'), 1), true) : false;
for (const t of TOPOLOGIES) if (!['loopback', 'container', 'shared'].includes(t)) throw new Error(`--topology: "${t}" is not one of loopback, container, shared`);
const SECONDS = Math.min(10, Number(argv[0] ?? 4));
const ROUNDS = Math.min(5, Number(argv[1] ?? 3));
const NO_WS = process.env.BENCH_NO_WS === '1';
const ONLY = argv[2] ? new Set(argv[2].split(',')) : null;
const here = path.dirname(new URL(import.meta.url).pathname);
const root = path.resolve(here, '..');
const node = process.execPath;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-bench-proxy-'));
fs.chmodSync(tmp, 0o755); // nginx workers run as an unprivileged user and must read the files
const children = new Children();
const docker = new BenchContainers();
const hasTaskset = (() => { try { execFileSync('taskset', ['-c', '0', 'true']); return true; } catch { return false; } })();
const cores = os.cpus().length;
const PROXY_CORE = cores > 1 ? '1' : '0';
const LOAD_CORE = '0';

function pinned(core: string, cmd: string, args: string[]): [string, string[]] {
  return hasTaskset ? ['taskset', ['-c', core, cmd, ...args]] : [cmd, args];
}

function launch(core: string, cmd: string, args: string[], readJson = false, env: Record<string, string> = {}): Promise<any> {
  return children.launch(core, cmd, args, { readJson, cwd: root, env: { ...process.env, ...env } });
}

function wrk(url: string, conns: number, header: string | undefined, pids: number[]): WrkResult {
  return runWrk({ url, conns, seconds: SECONDS, core: LOAD_CORE, headers: header, pids });
}

function wsLoad(url: string, clients: number, authorization?: string): { perSecond: number; p99Ms: number } {
  const [c, a] = pinned(LOAD_CORE, node, [path.join(here, 'lib/ws-load.ts'), url, String(clients), String(SECONDS), ...(authorization ? [authorization] : [])]);
  return JSON.parse(execFileSync(c, a, { encoding: 'utf8', cwd: root }).trim().split('\n').pop()!);
}

async function ensureChp(): Promise<string> {
  const bin = path.join(here, '.peers/node_modules/configurable-http-proxy/bin/configurable-http-proxy');
  if (!fs.existsSync(bin)) {
    process.stderr.write('installing configurable-http-proxy into bench/.peers …\n');
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefix', path.join(here, '.peers'), 'configurable-http-proxy'], { stdio: 'inherit' });
  }
  return bin;
}

const NETWORK = 'portico-test-net';
const BACKEND_IMAGE = 'portico-test/node:1';
const GATEWAY_IMAGE = 'node:24-bookworm-slim';

type Target = { http: string; ws: string | null; header: string | undefined; pids: () => number[] };
/** Portico is one gateway process as portico-server.ts describes it (its pid is the host's view). */
type Portico = { port: number; token: string; uuid: string; wsUuid: string; pid: number; host: string; gcFile: string | null };

/** Backend is where the proxies go: HTTP (/1k, /1m) and the WebSocket echo, with the backend's own target. */
interface Backend { http: string; ws: string; byName: string | null; direct: Target; note: string }

/** hostBackend is the loopback backend: the host's nginx for HTTP and ws-echo.ts for WebSockets. */
async function hostBackend(): Promise<Backend> {
  const www = path.join(tmp, 'www');
  fs.mkdirSync(www);
  fs.writeFileSync(path.join(www, '1k.txt'), 'a'.repeat(1024));
  fs.writeFileSync(path.join(www, '1m.bin'), Buffer.alloc(1024 * 1024, 98));
  const backendPort = await freePort();
  const backendDir = nginxConf(tmp, 'backend', `server { listen 127.0.0.1:${backendPort}; root ${www}; location = /1k { try_files /1k.txt =404; } location = /1m { try_files /1m.bin =404; } }`);
  await launch(LOAD_CORE, '/usr/sbin/nginx', ['-p', backendDir, '-c', path.join(backendDir, 'nginx.conf')]);
  const ws = await launch(LOAD_CORE, node, [path.join(here, 'lib/ws-echo.ts')], true);
  await waitPort(backendPort);
  return {
    http: `127.0.0.1:${backendPort}`, ws: `127.0.0.1:${ws.port}`, byName: null,
    direct: { http: `http://127.0.0.1:${backendPort}`, ws: `ws://127.0.0.1:${ws.port}/`, header: undefined, pids: () => nginxPids(path.join(backendDir, 'nginx.pid')) },
    note: 'backend: the host\'s nginx on 127.0.0.1 (HTTP) and a node ws echo; Portico in PORTICO_PUBLISH_PORTS mode',
  };
}

/** containerBackend is one node server (ws-echo.ts in portico-test/node:1) on Portico's network, pinned to the load core. */
async function containerBackend(): Promise<Backend> {
  const name = `portico-bench-backend-${process.pid}`;
  const id = docker.run(['--name', name, '--network', NETWORK, '--cpuset-cpus', LOAD_CORE, '-v', `${path.join(here, 'lib/ws-echo.ts')}:/app/bench-backend.ts:ro`], BACKEND_IMAGE, ['/bin/node', '/app/bench-backend.ts', '80', '0.0.0.0']);
  const ip = docker.ip(id, NETWORK);
  for (let i = 0; ; i++) {
    const ok = await fetch(`http://${ip}:80/1k`, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false);
    if (ok) break;
    if (i >= 100) throw new Error(`the backend container does not answer on ${ip}:80\n${docker.logs(id)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const pid = docker.pid(id);
  return {
    http: `${ip}:80`, ws: `${ip}:80`, byName: `${name}:80`,
    direct: { http: `http://${ip}:80`, ws: `ws://${ip}:80/`, header: undefined, pids: () => [pid] },
    note: `backend: a node server (http + ws) in ${BACKEND_IMAGE} at ${ip} on ${NETWORK}, so "direct" is that node backend's own speed`,
  };
}

/** gatewayContainer runs portico-server.ts in docker-shared mode inside a container on the network, pinned to the proxy core. */
async function gatewayContainer(backend: string, gcFile: string): Promise<Portico> {
  // This worktree (the code under test) and its node_modules (a link into main's) are mounted read-only at their own paths;
  // the bench's temp dir is writable, for the garbage-collector counts (SIGUSR2 reaches the container's node by its host pid).
  const modules = fs.realpathSync(path.join(root, 'node_modules'));
  const id = docker.run(['--network', NETWORK, '--cpuset-cpus', PROXY_CORE, '-e', 'BENCH_LISTEN=0.0.0.0', '-e', `BENCH_DOCKER_NETWORK=${NETWORK}`,
    '-v', '/var/run/docker.sock:/var/run/docker.sock', '-v', `${root}:${root}:ro`, '-v', `${modules}:${modules}:ro`, '-v', `${tmp}:${tmp}`, '-w', root],
  GATEWAY_IMAGE, ['node', 'bench/lib/portico-server.ts', backend, backend, gcFile]);
  for (let i = 0; ; i++) {
    const line = docker.logs(id).split('\n').find((l) => l.startsWith('{'));
    if (line) return { ...JSON.parse(line), pid: docker.pid(id), host: docker.ip(id, NETWORK), gcFile };
    if (i >= 300) throw new Error(`the gateway container did not start\n${docker.logs(id)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let sharedBackend: Promise<Backend> | null = null;

/** setup starts the backend, Portico and the peers for one topology and returns the targets. */
async function setup(topology: string): Promise<{ targets: Record<string, Target>; note: string; portico: Portico }> {
  // container and shared share one backend container.
  const backend = topology === 'loopback' ? await hostBackend() : await (sharedBackend ??= containerBackend());
  const [nginxPort, chpPort, chpApi] = await Promise.all([freePort(), freePort(), freePort()]);
  // Arguments for portico-server.ts: a port (publish mode) on loopback, else the container's address (host mode).
  const upstream = (hostPort: string) => (topology === 'loopback' ? hostPort.split(':')[1] : hostPort);
  const bare = await launch(PROXY_CORE, node, [path.join(here, 'lib/bare-undici.ts'), backend.http], true);
  const pipe = await launch(PROXY_CORE, node, [path.join(here, 'lib/bare-pipe.ts'), backend.http, backend.ws], true);
  const gcFile = path.join(tmp, `portico-gc-${topology}.json`);
  const serverArgs = [path.join(here, 'lib/portico-server.ts'), upstream(backend.http), upstream(backend.ws)];
  // The same-origin opt-in (today's path, /containers/proxy/<uuid>/ only), for comparison with app origins.
  const same: Portico = { ...await launch(PROXY_CORE, node, serverArgs, true, { BENCH_APP_ORIGINS: 'same-origin' }), host: '127.0.0.1', gcFile: null };
  const portico: Portico = topology === 'shared'
    ? await gatewayContainer(backend.byName!, gcFile)
    : { ...await launch(PROXY_CORE, node, [...(process.env.BENCH_PORTICO_FLAGS ?? '').split(' ').filter(Boolean), ...serverArgs, gcFile], true), host: '127.0.0.1', gcFile };
  const proxyDir = nginxConf(tmp, `proxy-${topology}`, `map $http_upgrade $connection_upgrade { default upgrade; '' ''; }
    upstream backend { server ${backend.http}; keepalive 128; }
    upstream wsbackend { server ${backend.ws}; keepalive 128; }
    server { listen 127.0.0.1:${nginxPort};
      location /ws/ { proxy_pass http://wsbackend/; proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection $connection_upgrade; proxy_read_timeout 600s; }
      location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_buffering on; } }`);
  await launch(PROXY_CORE, '/usr/sbin/nginx', ['-p', proxyDir, '-c', path.join(proxyDir, 'nginx.conf')]);
  // CHP only when it is measured (a target list without it needs no install).
  let chpProc: { pid: number } = { pid: 0 };
  if (!ONLY || ONLY.has('chp')) {
    const chp = await ensureChp();
    chpProc = await launch(PROXY_CORE, node, [chp, '--ip', '127.0.0.1', '--port', String(chpPort), '--api-ip', '127.0.0.1', '--api-port', String(chpApi), '--default-target', `http://${backend.http}`, '--log-level', 'warn']);
    await waitPort(chpPort);
    // CHP's WebSocket route: /ws → the echo backend.
    await fetch(`http://127.0.0.1:${chpApi}/api/routes/ws`, { method: 'POST', body: JSON.stringify({ target: `http://${backend.ws}` }) });
  }
  await waitPort(nginxPort);

  const auth = `Authorization: token ${portico.token}`;
  const at = `${portico.host}:${portico.port}`;
  const targets: Record<string, Target> = {
    direct: backend.direct,
    portico: { http: `http://${at}/containers/proxy/${portico.uuid}`, ws: `ws://${at}/containers/proxy/${portico.wsUuid}/`, header: auth, pids: () => [portico.pid] },
    // An app on its own origin (Host names it; docs/app-origins.md): the path passes as it is.
    'portico-origin': { http: `http://${at}`, ws: null, header: `${auth}\nHost: ${portico.uuid}.localhost:${portico.port}`, pids: () => [portico.pid] },
    'portico-same': { http: `http://127.0.0.1:${same.port}/containers/proxy/${same.uuid}`, ws: `ws://127.0.0.1:${same.port}/containers/proxy/${same.wsUuid}/`, header: `Authorization: token ${same.token}`, pids: () => [same.pid] },
    bare: { http: `http://127.0.0.1:${bare.port}`, ws: null, header: undefined, pids: () => [bare.pid] },
    // Node's own floor: bytes copied between sockets, no HTTP (bench/lib/bare-pipe.ts).
    pipe: { http: `http://127.0.0.1:${pipe.port}`, ws: `ws://127.0.0.1:${pipe.wsPort}/`, header: undefined, pids: () => [pipe.pid] },
    nginx: { http: `http://127.0.0.1:${nginxPort}`, ws: `ws://127.0.0.1:${nginxPort}/ws/`, header: undefined, pids: () => nginxPids(path.join(proxyDir, 'nginx.pid')) },
    chp: { http: `http://127.0.0.1:${chpPort}`, ws: `ws://127.0.0.1:${chpPort}/ws/`, header: undefined, pids: () => [chpProc.pid] },
  };
  const gateway = topology === 'shared' ? `Portico in docker-shared mode in a container (${GATEWAY_IMAGE}, this worktree) at ${portico.host}, reaching the backend by name; portico-same stays on the host in host mode`
    : topology === 'container' ? 'Portico in host mode, reaching the backend at its address' : '';
  return { targets, note: [backend.note, gateway].filter(Boolean).join('; '), portico };
}

/** hog spins on the proxies' core for at most `seconds` (the busy-core variant); the caller kills it sooner. */
function hog(seconds: number): Promise<{ pid: number }> {
  return launch(PROXY_CORE, node, ['-e', `const end = Date.now() + ${Math.round(seconds * 1000)}; while (Date.now() < end) {}`]);
}

type Row = { small: WrkResult; large: WrkResult; ws1: number; ws50: number; ws50p99: number };

/** measure runs the interleaved rounds over the targets and returns each target's medians. */
async function measure(label: string, targets: Record<string, Target>, portico: Portico, busy: boolean): Promise<{ rows: Record<string, Row>; gcRuns: Array<{ minor: number; major: number; pauseMs: number }> }> {
  /** gcNow asks Portico for its garbage-collector counts so far (SIGUSR2 → a JSON file). */
  const gcNow = async (gcFile: string): Promise<{ minor: number; major: number; pauseMs: number }> => {
    fs.rmSync(gcFile, { force: true });
    process.kill(portico.pid, 'SIGUSR2');
    for (let i = 0; i < 40 && !fs.existsSync(gcFile); i++) await new Promise((r) => setTimeout(r, 25));
    try { return JSON.parse(fs.readFileSync(gcFile, 'utf8')); } catch { return { minor: NaN, major: NaN, pauseMs: NaN }; }
  };
  const gcRuns: Array<{ minor: number; major: number; pauseMs: number }> = [];
  // Rounds interleave the targets, so a burst of other work on the machine hits them all alike;
  // each figure is the median of its rounds.
  const samples: Record<string, Row[]> = {};
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [name, tgt] of Object.entries(targets)) {
      if (ONLY && !ONLY.has(name)) continue;
      // The load runs are synchronous: yield once per target, so a SIGINT/SIGTERM gets handled (and cleans up).
      await new Promise((r) => setImmediate(r));
      process.stderr.write(`${label} round ${round}/${ROUNDS}: ${name} …\n`);
      // Two wrk runs with warm-ups and four WebSocket runs, with room to spare.
      const spin = busy ? await hog(6 * SECONDS + 20) : null;
      const pids = tgt.pids();
      const gc0 = name === 'portico' && portico.gcFile ? await gcNow(portico.gcFile) : null;
      const small = wrk(`${tgt.http}/1k`, 50, tgt.header, pids);
      if (gc0) {
        const gc1 = await gcNow(portico.gcFile!);
        gcRuns.push({ minor: gc1.minor - gc0.minor, major: gc1.major - gc0.major, pauseMs: gc1.pauseMs - gc0.pauseMs });
        process.stderr.write(`  portico GC during 1 KiB (warm-up + run): ${gcRuns.at(-1)!.minor} scavenges, ${gcRuns.at(-1)!.major} mark-compacts, ${gcRuns.at(-1)!.pauseMs.toFixed(0)} ms paused\n`);
      }
      const large = wrk(`${tgt.http}/1m`, 10, tgt.header, pids);
      const authz = tgt.header ? tgt.header.split('\n')[0].slice('Authorization: '.length) : undefined;
      // The bare reference has no WebSocket path: its HTTP figures are the point.
      const ws1 = tgt.ws && !NO_WS ? wsLoad(tgt.ws, 1, authz) : { perSecond: NaN, p99Ms: NaN };
      const ws50 = tgt.ws && !NO_WS ? wsLoad(tgt.ws, 50, authz) : { perSecond: NaN, p99Ms: NaN };
      if (spin) { try { process.kill(spin.pid, 'SIGKILL'); } catch { /* ended on its own */ } }
      (samples[name] ??= []).push({ small, large, ws1: ws1.perSecond, ws50: ws50.perSecond, ws50p99: ws50.p99Ms });
      process.stderr.write(`  ${name}: 1 KiB ${Math.round(small.rps)}/s p99 ${small.p99.toFixed(2)} ms ${Math.round(small.cpuUs)} µs/req; 1 MiB ${Math.round(large.rps)}/s; WS ${Math.round(ws1.perSecond)} / ${Math.round(ws50.perSecond)}/s\n`);
    }
  }
  const med = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
  const rows: Record<string, Row> = {};
  for (const [name, list] of Object.entries(samples)) {
    const w = (k: 'small' | 'large'): WrkResult => ({ rps: med(list.map((x) => x[k].rps)), p50: med(list.map((x) => x[k].p50)), p99: med(list.map((x) => x[k].p99)), errors: list.reduce((a, x) => a + x[k].errors, 0), cpuUs: med(list.map((x) => x[k].cpuUs)), userUs: med(list.map((x) => x[k].userUs)) });
    rows[name] = { small: w('small'), large: w('large'), ws1: med(list.map((x) => x.ws1)), ws50: med(list.map((x) => x.ws50)), ws50p99: med(list.map((x) => x.ws50p99)) };
  }
  return { rows, gcRuns };
}

/** report is one topology's (and variant's) table and ratios. */
function report(label: string, note: string, rows: Record<string, Row>, gcRuns: Array<{ minor: number; major: number; pauseMs: number }>): string[] {
  const med = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
  const r = (a: number, b: number) => (b ? (a / b).toFixed(2) + '×' : 'n/a');
  const f = (n: number) => (Number.isNaN(n) ? '–' : Math.round(n).toLocaleString('en-US'));
  const lines = [
    `## ${label}`, `(${note})`, '',
    '| target | 1 KiB GET req/s (50 conns) | CPU µs/req (user + system) | p50 / p99 ms | 1 MiB GET req/s (10 conns) | CPU µs/req | WS round trips/s (1 client) | WS round trips/s (50 clients) | errors |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const [name, x] of Object.entries(rows)) {
    lines.push(`| ${name} | ${f(x.small.rps)} | ${f(x.small.cpuUs)} (${f(x.small.userUs)} + ${f(x.small.cpuUs - x.small.userUs)}) | ${x.small.p50.toFixed(2)} / ${x.small.p99.toFixed(2)} | ${f(x.large.rps)} | ${f(x.large.cpuUs)} | ${f(x.ws1)} | ${f(x.ws50)} | ${x.small.errors + x.large.errors} |`);
  }
  const none: WrkResult = { rps: NaN, p50: NaN, p99: NaN, errors: 0, cpuUs: NaN, userUs: NaN };
  for (const name of ['portico', 'nginx', 'chp', 'direct', 'bare', 'pipe']) rows[name] ??= { small: none, large: none, ws1: NaN, ws50: NaN, ws50p99: NaN };
  const p = rows.portico, n = rows.nginx, c = rows.chp, d = rows.direct, b = rows.bare, q = rows.pipe;
  lines.push('', 'Ratios (Portico ÷ peer):',
    `- 1 KiB GET: ${r(p.small.rps, n.small.rps)} nginx (target ≥ 0.9×), ${r(p.small.rps, c.small.rps)} CHP (target ≥ 4×), ${r(p.small.rps, b.small.rps)} bare undici`,
    `- CPU per 1 KiB request: ${r(p.small.cpuUs, n.small.cpuUs)} nginx's (target ≤ 1.2×), ${r(p.small.cpuUs, c.small.cpuUs)} CHP's, ${r(p.small.cpuUs, b.small.cpuUs)} bare undici's, ${r(p.small.cpuUs, q.small.cpuUs)} the bare pipe's; the pipe (Node's floor) is ${r(q.small.cpuUs, n.small.cpuUs)} nginx's`,
    `- 1 MiB GET: ${r(p.large.rps, n.large.rps)} nginx (target ≥ 1.0×), ${r(p.large.rps, c.large.rps)} CHP, ${r(p.large.rps, q.large.rps)} the bare pipe; CPU per 1 MiB request ${r(p.large.cpuUs, n.large.cpuUs)} nginx's`,
    `- WebSocket round trips, 1 client: ${r(p.ws1, n.ws1)} nginx (target ≥ 1.0×), ${r(p.ws1, c.ws1)} CHP, ${r(p.ws1, q.ws1)} the bare pipe (pipe ÷ nginx ${r(q.ws1, n.ws1)})`,
    `- WebSocket round trips, 50 clients: ${r(p.ws50, n.ws50)} nginx (target ≥ 1.0×), ${r(p.ws50, c.ws50)} CHP, ${r(p.ws50, q.ws50)} the bare pipe (pipe ÷ nginx ${r(q.ws50, n.ws50)})`,
    `- Portico's garbage collector during a 1 KiB run (${SECONDS + 1} s with warm-up, median): ${gcRuns.length ? `${med(gcRuns.map((g) => g.minor))} scavenges, ${med(gcRuns.map((g) => g.major))} mark-compacts, ${med(gcRuns.map((g) => g.pauseMs)).toFixed(0)} ms paused (mark-compacts under steady load mean objects are being promoted: see docs/proxy.md)` : 'not measured'}`,
    `- added p99 at 50 conns (vs direct ${d.small.p99.toFixed(2)} ms): Portico +${(p.small.p99 - d.small.p99).toFixed(2)} ms (target ≤ 2 ms), nginx +${(n.small.p99 - d.small.p99).toFixed(2)} ms, CHP +${(c.small.p99 - d.small.p99).toFixed(2)} ms`, '');
  return lines;
}

async function main(): Promise<void> {
  const lines = [
    `Portico proxy benchmark — median of ${ROUNDS} interleaved rounds of ${SECONDS} s, ${cores} cores, proxies pinned to core ${PROXY_CORE}${hasTaskset ? '' : ' (no taskset: unpinned)'}, wrk and backends on core ${LOAD_CORE}.`,
    'Other work on this machine adds noise; rerun when figures disagree.', '',
  ];
  for (const topology of TOPOLOGIES) {
    const { targets, note, portico } = await setup(topology);
    for (const busy of BUSY ? [false, true] : [false]) {
      const label = `${topology}${busy ? ', busy core' : ''}`;
      const { rows, gcRuns } = await measure(label, targets, portico, busy);
      lines.push(...report(label, busy ? `${note}; a spin loop shares core ${PROXY_CORE} with the proxies` : note, rows, gcRuns));
    }
  }
  process.stdout.write(lines.join('\n'));
}

function cleanup(): void {
  children.killAll();
  docker.removeAll();
  fs.rmSync(tmp, { recursive: true, force: true });
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => { cleanup(); process.exit(sig === 'SIGINT' ? 130 : 143); });
main().then(() => { cleanup(); setTimeout(() => process.exit(0), 300); }, (err) => { cleanup(); process.stderr.write(String(err?.stack ?? err) + '\n'); process.exit(1); });
