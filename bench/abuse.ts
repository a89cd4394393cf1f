/**
 * abuse.ts (benchmark, not a test): pipelining and slow clients against Portico and nginx, side
 * by side in one run, to the same backend. The attack (bench/lib/pipeline-attack.ts, its own
 * process on the load core): 60,000 pipelined GETs over a few connections that never read their
 * answers, plus 260 slow clients (half trickle a request head, half read 1 MiB at 16 KiB/s).
 * While it runs, a well-behaved user keeps asking the same app for 1 KiB, one request at a time,
 * and /healthz is polled. Reported per proxy: its CPU seconds and resident memory (before, peak,
 * after) during the attack, /healthz latency, and the well-behaved user's p50/p99 before and during.
 * Time and memory must stay bounded, and the user's latency should barely move.
 * - Backend: the host's Debian nginx serving /1k and /1m (one worker), as in bench/proxy.ts.
 * - Portico: bench/lib/portico-server.ts (a real gateway, its container record pointing at the backend).
 * Usage: node bench/abuse.ts [attack seconds, default 10] [pipelined requests, default 60000] [slow clients, default 260] [targets, default portico,nginx]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { execFileSync } from 'node:child_process';
import { Children, cpuUs, freePort, nginxConf, nginxPids, rssKiB, waitPort } from './lib/procs.ts';

const SECONDS = Math.min(30, Number(process.argv[2] ?? 10));
const PIPELINED = Math.min(200_000, Number(process.argv[3] ?? 60_000));
const SLOW = Math.min(2000, Number(process.argv[4] ?? 260));
const TARGETS = (process.argv[5] ?? 'portico,nginx').split(',');
const here = path.dirname(new URL(import.meta.url).pathname);
const root = path.resolve(here, '..');
const node = process.execPath;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-bench-abuse-'));
fs.chmodSync(tmp, 0o755); // nginx workers run as an unprivileged user and must read the files
const kids = new Children();
const cores = os.cpus().length;
const PROXY_CORE = cores > 1 ? '1' : '0';
const LOAD_CORE = '0';

interface Target { name: string; base: string; healthz: string; authorization: string | null; pids: () => number[] }

/** timed does one GET on `agent` and resolves with its latency in ms (NaN on error or after 5 s). */
function timed(url: string, agent: http.Agent, authorization: string | null): Promise<number> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const req = http.get(url, { agent, headers: authorization ? { authorization } : {}, timeout: 5000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200 ? performance.now() - t0 : NaN));
      res.on('error', () => resolve(NaN));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(NaN));
  });
}

/** wellBehaved asks for 1 KiB one request at a time until `until` (or `max` requests) and returns the latencies. */
async function wellBehaved(t: Target, until: number, max: number): Promise<number[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const out: number[] = [];
  while (Date.now() < until && out.length < max) out.push(await timed(`${t.base}/1k`, agent, t.authorization));
  agent.destroy();
  return out;
}

const pct = (xs: number[], p: number) => { const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b); return s.length ? s[Math.min(s.length - 1, Math.floor(s.length * p))] : NaN; };

interface Row { cpuS: number; rssBefore: number; rssPeak: number; rssAfter: number; healthP50: number; healthMax: number; healthFailed: number; before: number[]; during: number[]; attack: Record<string, number> }

async function run(t: Target): Promise<Row> {
  process.stderr.write(`${t.name}: well-behaved user alone …\n`);
  await wellBehaved(t, Date.now() + 500, 200); // warm-up
  const before = await wellBehaved(t, Date.now() + 3000, 2000);
  const pids = t.pids();
  const rssBefore = rssKiB(pids);
  const cpu0 = cpuUs(pids);
  process.stderr.write(`${t.name}: attack for ${SECONDS} s (${PIPELINED} pipelined, ${SLOW} slow clients) …\n`);
  const path0 = new URL(t.base).pathname.replace(/\/$/, '');
  const attack = kids.launch(LOAD_CORE, node, [path.join(here, 'lib/pipeline-attack.ts'), new URL(t.base).port, `${path0}/1k`, t.authorization ?? '-', String(PIPELINED), '4', String(SLOW), String(SECONDS), `${path0}/1m`], { readJson: true, cwd: root });
  const end = Date.now() + SECONDS * 1000;
  let rssPeak = rssBefore;
  const sampler = setInterval(() => { rssPeak = Math.max(rssPeak, rssKiB(pids)); }, 100);
  const health: number[] = [];
  const healthAgent = new http.Agent({ keepAlive: false });
  const poll = (async () => { while (Date.now() < end) { health.push(await timed(t.healthz, healthAgent, null)); await new Promise((r) => setTimeout(r, 250)); } })();
  await new Promise((r) => setTimeout(r, 1000)); // let the attack build up first
  const during = await wellBehaved(t, end, 100_000);
  await poll;
  const cpuS = (cpuUs(pids) - cpu0) / 1e6;
  const result = await attack;
  await new Promise((r) => setTimeout(r, 2000)); // what is still held 2 s after the attackers left
  clearInterval(sampler);
  const rssAfter = rssKiB(pids);
  return { cpuS, rssBefore, rssPeak, rssAfter, healthP50: pct(health, 0.5), healthMax: pct(health, 1), healthFailed: health.filter(Number.isNaN).length, before, during, attack: result };
}

async function main(): Promise<void> {
  const www = path.join(tmp, 'www');
  fs.mkdirSync(www);
  fs.writeFileSync(path.join(www, '1k.txt'), 'a'.repeat(1024));
  fs.writeFileSync(path.join(www, '1m.bin'), Buffer.alloc(1024 * 1024, 98));
  const [backendPort, nginxPort] = await Promise.all([freePort(), freePort()]);
  const backendDir = nginxConf(tmp, 'backend', `server { listen 127.0.0.1:${backendPort}; root ${www}; location = /1k { try_files /1k.txt =404; } location = /1m { try_files /1m.bin =404; } }`);
  await kids.launch(LOAD_CORE, '/usr/sbin/nginx', ['-p', backendDir, '-c', path.join(backendDir, 'nginx.conf')]);
  await waitPort(backendPort);
  const targets: Target[] = [];
  if (TARGETS.includes('portico')) {
    const p = await kids.launch(PROXY_CORE, node, [path.join(here, 'lib/portico-server.ts'), String(backendPort)], { readJson: true, cwd: root });
    targets.push({ name: 'portico', base: `http://127.0.0.1:${p.port}/containers/proxy/${p.uuid}`, healthz: `http://127.0.0.1:${p.port}/healthz`, authorization: `token ${p.token}`, pids: () => [p.pid] });
  }
  if (TARGETS.includes('nginx')) {
    const dir = nginxConf(tmp, 'proxy', `upstream backend { server 127.0.0.1:${backendPort}; keepalive 128; }
      server { listen 127.0.0.1:${nginxPort}; location = /healthz { return 200 ok; }
        location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection ""; } }`);
    await kids.launch(PROXY_CORE, '/usr/sbin/nginx', ['-p', dir, '-c', path.join(dir, 'nginx.conf')]);
    await waitPort(nginxPort);
    targets.push({ name: 'nginx', base: `http://127.0.0.1:${nginxPort}`, healthz: `http://127.0.0.1:${nginxPort}/healthz`, authorization: null, pids: () => nginxPids(path.join(dir, 'nginx.pid')) });
  }
  const rows: Record<string, Row> = {};
  for (const t of targets) rows[t.name] = await run(t);

  const f = (n: number, d = 1) => (Number.isNaN(n) ? '–' : n.toFixed(d));
  const mib = (k: number) => (k / 1024).toFixed(0);
  const lines = [
    `Portico abuse benchmark — ${SECONDS} s attack: ${PIPELINED.toLocaleString('en-US')} pipelined requests never read, ${SLOW} slow clients; proxies on core ${PROXY_CORE}, attack and backend on core ${LOAD_CORE}, ${cores} cores.`,
    '',
    '| proxy | CPU s during attack | RSS MiB before / peak / 2 s after | /healthz p50 / max ms (failed) | user 1 KiB p50 / p99 ms before | during | user requests during (failed) | attack sent |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const [name, r] of Object.entries(rows)) {
    lines.push(`| ${name} | ${f(r.cpuS, 2)} | ${mib(r.rssBefore)} / ${mib(r.rssPeak)} / ${mib(r.rssAfter)} | ${f(r.healthP50)} / ${f(r.healthMax)} (${r.healthFailed}) | ${f(pct(r.before, 0.5), 2)} / ${f(pct(r.before, 0.99), 2)} | ${f(pct(r.during, 0.5), 2)} / ${f(pct(r.during, 0.99), 2)} | ${r.during.length} (${r.during.filter(Number.isNaN).length}) | ${r.attack.pipelined} pipelined, ${r.attack.slowHeads} slow heads, ${(r.attack.slowReadBytes / 1024).toFixed(0)} KiB read slowly |`);
  }
  const p = rows.portico, n = rows.nginx;
  if (p && n) {
    const r = (a: number, b: number) => (b ? (a / b).toFixed(2) + '×' : 'n/a');
    lines.push('', 'Ratios (Portico ÷ nginx):',
      `- CPU during the attack: ${r(p.cpuS, n.cpuS)}; peak RSS growth: ${mib(p.rssPeak - p.rssBefore)} MiB vs ${mib(n.rssPeak - n.rssBefore)} MiB`,
      `- the well-behaved user's p99 during ÷ before: Portico ${r(pct(p.during, 0.99), pct(p.before, 0.99))}, nginx ${r(pct(n.during, 0.99), pct(n.before, 0.99))}`);
  }
  process.stdout.write(lines.join('\n') + '\n');
}

function cleanup(): void {
  kids.killAll();
  try { execFileSync('sleep', ['0.2']); } catch { /* no sleep */ }
  fs.rmSync(tmp, { recursive: true, force: true });
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => { cleanup(); process.exit(sig === 'SIGINT' ? 130 : 143); });
main().then(() => { cleanup(); setTimeout(() => process.exit(0), 300); }, (err) => { cleanup(); process.stderr.write(String(err?.stack ?? err) + '\n'); process.exit(1); });
