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
 *   for any proxy built on those two.
 * - Load: wrk (Debian package) on core 0, 1 thread; WebSocket round trips with bench/lib/ws-load.ts.
 * - CPU µs per request: utime+stime of the proxy's processes (/proc/<pid>/stat) over a measured
 *   wrk run ÷ its requests. Less sensitive than req/s to other work on the machine; for "direct"
 *   it is the backend nginx worker's own cost.
 * Usage: node bench/proxy.ts [seconds per run, default 4] [rounds, default 3] [targets, default all: direct,portico,portico-origin,portico-same,bare,nginx,chp]
 * (portico: the gateway's link with a token; portico-origin: the app's own origin, by Host; portico-same: the same-origin opt-in.)
 * Node flags for the Portico process (to try a GC setting, say): BENCH_PORTICO_FLAGS="--trace-gc";
 * BENCH_NO_WS=1 skips the WebSocket runs.
 */
import { spawn, execFileSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';

const SECONDS = Math.min(10, Number(process.argv[2] ?? 4));
const ROUNDS = Math.min(5, Number(process.argv[3] ?? 3));
const NO_WS = process.env.BENCH_NO_WS === '1';
const ONLY = process.argv[4] ? new Set(process.argv[4].split(',')) : null;
const here = path.dirname(new URL(import.meta.url).pathname);
const root = path.resolve(here, '..');
const node = process.execPath;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-bench-proxy-'));
fs.chmodSync(tmp, 0o755); // nginx workers run as an unprivileged user and must read the files
const children: ChildProcess[] = [];
const hasTaskset = (() => { try { execFileSync('taskset', ['-c', '0', 'true']); return true; } catch { return false; } })();
const cores = os.cpus().length;
const PROXY_CORE = cores > 1 ? '1' : '0';
const LOAD_CORE = '0';

function pinned(core: string, cmd: string, args: string[]): [string, string[]] {
  return hasTaskset ? ['taskset', ['-c', core, cmd, ...args]] : [cmd, args];
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); });
  });
}

function launch(core: string, cmd: string, args: string[], readJson = false, env: Record<string, string> = {}): Promise<any> {
  const [c, a] = pinned(core, cmd, args);
  // taskset execs the command, so the child's pid is the proxy's own (read for its CPU time).
  const child = spawn(c, a, { stdio: ['ignore', 'pipe', 'inherit'], cwd: root, env: { ...process.env, ...env } });
  children.push(child);
  if (!readJson) return Promise.resolve({ pid: child.pid });
  return new Promise((resolve, reject) => {
    let buf = '';
    let found = false;
    // The first line starting with "{" is the child's answer; other output (a --trace-gc, say) goes to stderr.
    child.stdout!.on('data', (d) => {
      buf += d;
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (!found && line.startsWith('{')) { found = true; resolve({ ...JSON.parse(line), pid: child.pid }); }
        else process.stderr.write(line + '\n');
      }
    });
    child.once('exit', (code) => reject(new Error(`${cmd} exited with ${code}`)));
  });
}

async function waitPort(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise<boolean>((r) => { const s = net.connect(port, '127.0.0.1', () => { s.destroy(); r(true); }); s.on('error', () => r(false)); });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`nothing listens on ${port}`);
}

function nginxConf(name: string, server: string): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(path.join(dir, 'logs'), { recursive: true });
  const conf = `worker_processes 1; pid ${dir}/nginx.pid; error_log ${dir}/logs/error.log warn; daemon off;
events { worker_connections 4096; }
http { access_log off; sendfile on; tcp_nopush on; tcp_nodelay on; keepalive_requests 1000000; keepalive_timeout 65;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  types { text/plain txt; application/octet-stream bin; } default_type application/octet-stream;
  ${server} }`;
  fs.writeFileSync(path.join(dir, 'nginx.conf'), conf);
  return dir;
}

interface WrkResult { rps: number; p50: number; p99: number; errors: number; cpuUs: number }

const TICK_US = 1e6 / Number((() => { try { return execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim(); } catch { return '100'; } })());

/** cpuUs is utime+stime of the processes in µs (0 when /proc is not there). */
function cpuUs(pids: number[]): number {
  let t = 0;
  for (const pid of pids) {
    try {
      const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      t += (Number(f[11]) + Number(f[12])) * TICK_US;
    } catch { /* gone or no /proc */ }
  }
  return t;
}

/** nginxWorkers lists the worker pids of the nginx whose master wrote `pidFile`. */
function nginxWorkers(pidFile: string): number[] {
  try {
    const master = fs.readFileSync(pidFile, 'utf8').trim();
    return execFileSync('pgrep', ['-P', master], { encoding: 'utf8' }).trim().split('\n').map(Number).filter(Boolean);
  } catch { return []; }
}

function ms(s: string): number {
  const m = /([\d.]+)(us|ms|s)/.exec(s);
  if (!m) return NaN;
  const v = Number(m[1]);
  return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
}

function wrk(url: string, conns: number, header: string | undefined, pids: number[]): WrkResult {
  // `header` may hold several, one per line.
  const args = ['-t1', `-c${conns}`, `-d${SECONDS}s`, '--latency', ...(header ? header.split('\n').flatMap((h) => ['-H', h]) : []), url];
  const [c, a] = pinned(LOAD_CORE, 'wrk', args);
  // Warm-up (JIT, pools), bounded to a second.
  execFileSync(c, a.map((x) => (x === `-d${SECONDS}s` ? '-d1s' : x)), { encoding: 'utf8' });
  const cpu0 = cpuUs(pids);
  const out = execFileSync(c, a, { encoding: 'utf8' });
  const cpu = cpuUs(pids) - cpu0;
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0);
  const p50 = ms(/\s50%\s+(\S+)/.exec(out)?.[1] ?? '');
  const p99 = ms(/\s99%\s+(\S+)/.exec(out)?.[1] ?? '');
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0) + (sock ? Number(sock[1]) + Number(sock[3]) + Number(sock[4]) : 0);
  return { rps, p50, p99, errors, cpuUs: requests && pids.length ? cpu / requests : NaN };
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

async function main(): Promise<void> {
  const www = path.join(tmp, 'www');
  fs.mkdirSync(www);
  fs.writeFileSync(path.join(www, '1k.txt'), 'a'.repeat(1024));
  fs.writeFileSync(path.join(www, '1m.bin'), Buffer.alloc(1024 * 1024, 98));
  const [backendPort, nginxPort, chpPort, chpApi] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);

  const backendDir = nginxConf('backend', `server { listen 127.0.0.1:${backendPort}; root ${www}; location = /1k { try_files /1k.txt =404; } location = /1m { try_files /1m.bin =404; } }`);
  await launch(LOAD_CORE, '/usr/sbin/nginx', ['-p', backendDir, '-c', path.join(backendDir, 'nginx.conf')]);
  const bare = await launch(PROXY_CORE, node, [path.join(here, 'lib/bare-undici.ts'), String(backendPort)], true);
  const ws = await launch(LOAD_CORE, node, [path.join(here, 'lib/ws-echo.ts')], true);
  await waitPort(backendPort);

  const gcFile = path.join(tmp, 'portico-gc.json');
  // The same-origin opt-in (today's path, /containers/proxy/<uuid>/ only), for comparison with app origins.
  const same = await launch(PROXY_CORE, node, [path.join(here, 'lib/portico-server.ts'), String(backendPort), String(ws.port)], true, { BENCH_APP_ORIGINS: 'same-origin' });
  const portico = await launch(PROXY_CORE, node, [...(process.env.BENCH_PORTICO_FLAGS ?? '').split(' ').filter(Boolean), path.join(here, 'lib/portico-server.ts'), String(backendPort), String(ws.port), gcFile], true);
  /** gcNow asks Portico for its garbage-collector counts so far (SIGUSR2 → a JSON file). */
  const gcNow = async (): Promise<{ minor: number; major: number; pauseMs: number }> => {
    fs.rmSync(gcFile, { force: true });
    process.kill(portico.pid, 'SIGUSR2');
    for (let i = 0; i < 40 && !fs.existsSync(gcFile); i++) await new Promise((r) => setTimeout(r, 25));
    try { return JSON.parse(fs.readFileSync(gcFile, 'utf8')); } catch { return { minor: NaN, major: NaN, pauseMs: NaN }; }
  };
  const gcRuns: Array<{ minor: number; major: number; pauseMs: number }> = [];
  const proxyDir = nginxConf('proxy', `map $http_upgrade $connection_upgrade { default upgrade; '' ''; }
    upstream backend { server 127.0.0.1:${backendPort}; keepalive 128; }
    upstream wsbackend { server 127.0.0.1:${ws.port}; keepalive 128; }
    server { listen 127.0.0.1:${nginxPort};
      location /ws/ { proxy_pass http://wsbackend/; proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection $connection_upgrade; proxy_read_timeout 600s; }
      location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_buffering on; } }`);
  await launch(PROXY_CORE, '/usr/sbin/nginx', ['-p', proxyDir, '-c', path.join(proxyDir, 'nginx.conf')]);
  const chp = await ensureChp();
  const chpProc = await launch(PROXY_CORE, node, [chp, '--ip', '127.0.0.1', '--port', String(chpPort), '--api-ip', '127.0.0.1', '--api-port', String(chpApi), '--default-target', `http://127.0.0.1:${backendPort}`, '--log-level', 'warn']);
  await Promise.all([waitPort(nginxPort), waitPort(chpPort)]);
  // CHP's WebSocket route: /ws → the echo backend.
  await fetch(`http://127.0.0.1:${chpApi}/api/routes/ws`, { method: 'POST', body: JSON.stringify({ target: `http://127.0.0.1:${ws.port}` }) });

  const auth = `Authorization: token ${portico.token}`;
  const targets: Record<string, { http: string; ws: string | null; header: string | undefined; pids: () => number[] }> = {
    direct: { http: `http://127.0.0.1:${backendPort}`, ws: `ws://127.0.0.1:${ws.port}/`, header: undefined, pids: () => nginxWorkers(path.join(backendDir, 'nginx.pid')) },
    portico: { http: `http://127.0.0.1:${portico.port}/containers/proxy/${portico.uuid}`, ws: `ws://127.0.0.1:${portico.port}/containers/proxy/${portico.wsUuid}/`, header: auth, pids: () => [portico.pid] },
    // An app on its own origin (Host names it; docs/app-origins.md): the path passes as it is.
    'portico-origin': { http: `http://127.0.0.1:${portico.port}`, ws: null, header: `${auth}\nHost: ${portico.uuid}.localhost:${portico.port}`, pids: () => [portico.pid] },
    'portico-same': { http: `http://127.0.0.1:${same.port}/containers/proxy/${same.uuid}`, ws: `ws://127.0.0.1:${same.port}/containers/proxy/${same.wsUuid}/`, header: `Authorization: token ${same.token}`, pids: () => [same.pid] },
    bare: { http: `http://127.0.0.1:${bare.port}`, ws: null, header: undefined, pids: () => [bare.pid] },
    nginx: { http: `http://127.0.0.1:${nginxPort}`, ws: `ws://127.0.0.1:${nginxPort}/ws/`, header: undefined, pids: () => nginxWorkers(path.join(proxyDir, 'nginx.pid')) },
    chp: { http: `http://127.0.0.1:${chpPort}`, ws: `ws://127.0.0.1:${chpPort}/ws/`, header: undefined, pids: () => [chpProc.pid] },
  };
  type Row = { small: WrkResult; large: WrkResult; ws1: number; ws50: number; ws50p99: number };
  // Rounds interleave the targets, so a burst of other work on the machine hits them all alike;
  // each figure is the median of its rounds.
  const samples: Record<string, Row[]> = {};
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [name, tgt] of Object.entries(targets)) {
      if (ONLY && !ONLY.has(name)) continue;
      // The load runs are synchronous: yield once per target, so a SIGINT/SIGTERM gets handled (and cleans up).
      await new Promise((r) => setImmediate(r));
      process.stderr.write(`round ${round}/${ROUNDS}: ${name} …\n`);
      const pids = tgt.pids();
      const gc0 = name === 'portico' ? await gcNow() : null;
      const small = wrk(`${tgt.http}/1k`, 50, tgt.header, pids);
      if (gc0) {
        const gc1 = await gcNow();
        gcRuns.push({ minor: gc1.minor - gc0.minor, major: gc1.major - gc0.major, pauseMs: gc1.pauseMs - gc0.pauseMs });
        process.stderr.write(`  portico GC during 1 KiB (warm-up + run): ${gcRuns.at(-1)!.minor} scavenges, ${gcRuns.at(-1)!.major} mark-compacts, ${gcRuns.at(-1)!.pauseMs.toFixed(0)} ms paused\n`);
      }
      const large = wrk(`${tgt.http}/1m`, 10, tgt.header, pids);
      const authz = tgt.header ? tgt.header.slice('Authorization: '.length) : undefined;
      // The bare reference has no WebSocket path: its HTTP figures are the point.
      const ws1 = tgt.ws && !NO_WS ? wsLoad(tgt.ws, 1, authz) : { perSecond: NaN, p99Ms: NaN };
      const ws50 = tgt.ws && !NO_WS ? wsLoad(tgt.ws, 50, authz) : { perSecond: NaN, p99Ms: NaN };
      (samples[name] ??= []).push({ small, large, ws1: ws1.perSecond, ws50: ws50.perSecond, ws50p99: ws50.p99Ms });
      process.stderr.write(`  ${name}: 1 KiB ${Math.round(small.rps)}/s p99 ${small.p99.toFixed(2)} ms ${Math.round(small.cpuUs)} µs/req; 1 MiB ${Math.round(large.rps)}/s; WS ${Math.round(ws1.perSecond)} / ${Math.round(ws50.perSecond)}/s\n`);
    }
  }
  const med = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
  const rows: Record<string, Row> = {};
  for (const [name, list] of Object.entries(samples)) {
    const w = (k: 'small' | 'large'): WrkResult => ({ rps: med(list.map((x) => x[k].rps)), p50: med(list.map((x) => x[k].p50)), p99: med(list.map((x) => x[k].p99)), errors: list.reduce((a, x) => a + x[k].errors, 0), cpuUs: med(list.map((x) => x[k].cpuUs)) });
    rows[name] = { small: w('small'), large: w('large'), ws1: med(list.map((x) => x.ws1)), ws50: med(list.map((x) => x.ws50)), ws50p99: med(list.map((x) => x.ws50p99)) };
  }

  const r = (a: number, b: number) => (b ? (a / b).toFixed(2) + '×' : 'n/a');
  const f = (n: number) => (Number.isNaN(n) ? '–' : Math.round(n).toLocaleString('en-US'));
  const lines = [
    `Portico proxy benchmark — median of ${ROUNDS} interleaved rounds of ${SECONDS} s, ${cores} cores, proxies pinned to core ${PROXY_CORE}${hasTaskset ? '' : ' (no taskset: unpinned)'}, wrk and backends on core ${LOAD_CORE}.`,
    'Other work on this machine adds noise; rerun when figures disagree.',
    '',
    '| target | 1 KiB GET req/s (50 conns) | CPU µs/req | p50 / p99 ms | 1 MiB GET req/s (10 conns) | CPU µs/req | WS round trips/s (1 client) | WS round trips/s (50 clients) | errors |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const [name, x] of Object.entries(rows)) {
    lines.push(`| ${name} | ${f(x.small.rps)} | ${f(x.small.cpuUs)} | ${x.small.p50.toFixed(2)} / ${x.small.p99.toFixed(2)} | ${f(x.large.rps)} | ${f(x.large.cpuUs)} | ${f(x.ws1)} | ${f(x.ws50)} | ${x.small.errors + x.large.errors} |`);
  }
  const none: WrkResult = { rps: NaN, p50: NaN, p99: NaN, errors: 0, cpuUs: NaN };
  for (const name of Object.keys(targets)) rows[name] ??= { small: none, large: none, ws1: NaN, ws50: NaN, ws50p99: NaN };
  const p = rows.portico, n = rows.nginx, c = rows.chp, d = rows.direct, b = rows.bare;
  lines.push('', 'Ratios (Portico ÷ peer):',
    `- 1 KiB GET: ${r(p.small.rps, n.small.rps)} nginx (target ≥ 0.60×), ${r(p.small.rps, c.small.rps)} CHP (target ≥ 4×), ${r(p.small.rps, b.small.rps)} bare undici`,
    `- CPU per 1 KiB request: ${r(p.small.cpuUs, n.small.cpuUs)} nginx's, ${r(p.small.cpuUs, c.small.cpuUs)} CHP's, ${r(p.small.cpuUs, b.small.cpuUs)} bare undici's`,
    `- 1 MiB GET: ${r(p.large.rps, n.large.rps)} nginx (target ≥ 0.90×), ${r(p.large.rps, c.large.rps)} CHP`,
    `- WebSocket round trips, 1 client: ${r(p.ws1, n.ws1)} nginx, ${r(p.ws1, c.ws1)} CHP`,
    `- WebSocket round trips, 50 clients: ${r(p.ws50, n.ws50)} nginx (target ≥ 0.90×), ${r(p.ws50, c.ws50)} CHP`,
    `- Portico's garbage collector during a 1 KiB run (${SECONDS + 1} s with warm-up, median): ${gcRuns.length ? `${med(gcRuns.map((g) => g.minor))} scavenges, ${med(gcRuns.map((g) => g.major))} mark-compacts, ${med(gcRuns.map((g) => g.pauseMs)).toFixed(0)} ms paused (mark-compacts under steady load mean objects are being promoted: see docs/proxy.md)` : 'not measured'}`,
    `- added p99 at 50 conns (vs direct ${d.small.p99.toFixed(2)} ms): Portico +${(p.small.p99 - d.small.p99).toFixed(2)} ms (target ≤ 2 ms), nginx +${(n.small.p99 - d.small.p99).toFixed(2)} ms, CHP +${(c.small.p99 - d.small.p99).toFixed(2)} ms`);
  process.stdout.write(lines.join('\n') + '\n');
}

function cleanup(): void {
  for (const c of children) { try { c.kill('SIGTERM'); } catch { /* gone */ } }
  fs.rmSync(tmp, { recursive: true, force: true });
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => { cleanup(); process.exit(sig === 'SIGINT' ? 130 : 143); });
main().then(() => { cleanup(); setTimeout(() => process.exit(0), 300); }, (err) => { cleanup(); process.stderr.write(String(err?.stack ?? err) + '\n'); process.exit(1); });
