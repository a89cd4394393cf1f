/**
 * compare-revs.ts (benchmark, not a test): the proxy benchmark before and after a change, in one
 * run. The base revision is unpacked with `git archive` into a temp dir (no worktree is registered,
 * the repository is not touched) with node_modules symlinked from this checkout; each tree runs its
 * own Portico gateway (bench/lib/portico-server.ts, this checkout's copy when the base lacks one)
 * pointing at the same backends (the host's nginx serving 1 KiB and 1 MiB, and the node WebSocket
 * echo bench/lib/ws-echo.ts, as in bench/proxy.ts; round trips with 1 and 50 clients, BENCH_NO_WS=1
 * skips them).
 * Rounds interleave the two gateways, so a burst of other work on the machine hits both alike;
 * each figure is the median of its rounds, and ratios are head ÷ base.
 * Usage: node bench/compare-revs.ts <base rev> [head rev, default: this working tree] [seconds per run, default 4] [rounds, default 3]
 * BENCH_PORTICO_FLAGS="…" passes Node flags to both gateways.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { Children, freePort, nginxConf, nginxPids, waitPort } from './lib/procs.ts';
import { runWrk } from './lib/wrk.ts';
import type { WrkResult } from './lib/wrk.ts';

type Ws = { perSecond: number; p99Ms: number };
const NO_WS = process.env.BENCH_NO_WS === '1';

const BASE = process.argv[2];
const HEAD = process.argv[3] && process.argv[3] !== '.' ? process.argv[3] : null;
const SECONDS = Math.min(10, Number(process.argv[4] ?? 4));
const ROUNDS = Math.min(7, Number(process.argv[5] ?? 3));
if (!BASE) { process.stderr.write('usage: node bench/compare-revs.ts <base rev> [head rev|.] [seconds] [rounds]\n'); process.exit(2); }
const here = path.dirname(new URL(import.meta.url).pathname);
const root = path.resolve(here, '..');
const node = process.execPath;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-bench-revs-'));
fs.chmodSync(tmp, 0o755); // nginx workers run as an unprivileged user and must read the files
const kids = new Children();
const cores = os.cpus().length;
const PROXY_CORE = cores > 1 ? '1' : '0';
const LOAD_CORE = '0';
const hasTaskset = (() => { try { execFileSync('taskset', ['-c', '0', 'true']); return true; } catch { return false; } })();

/** unpack writes revision `rev` into tmp/<name> and links node_modules; returns the tree's root. */
function unpack(rev: string, name: string): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir);
  const sha = execFileSync('git', ['-C', root, 'rev-parse', '--verify', `${rev}^{commit}`], { encoding: 'utf8' }).trim();
  execFileSync('sh', ['-c', `git -C "${root}" archive ${sha} | tar -x -C "${dir}"`]);
  fs.symlinkSync(fs.realpathSync(path.join(root, 'node_modules')), path.join(dir, 'node_modules'));
  // A base older than the bench helpers gets this checkout's copies (they only use the core's public API).
  for (const f of ['bench/lib/portico-server.ts', 'bench/lib/bench-user.ts']) {
    if (!fs.existsSync(path.join(dir, f))) { fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true }); fs.copyFileSync(path.join(root, f), path.join(dir, f)); }
  }
  return dir;
}

/** wsLoad runs bench/lib/ws-load.ts on the load core: round trips per second with `clients` clients. */
function wsLoad(url: string, clients: number, authorization: string): Ws {
  const args = [path.join(here, 'lib/ws-load.ts'), url, String(clients), String(SECONDS), authorization];
  const out = hasTaskset ? execFileSync('taskset', ['-c', LOAD_CORE, node, ...args], { encoding: 'utf8' }) : execFileSync(node, args, { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!);
}

function wrk(url: string, conns: number, header: string, pids: number[]): WrkResult {
  return runWrk({ url, conns, seconds: SECONDS, core: LOAD_CORE, headers: header, pids });
}

async function main(): Promise<void> {
  const trees: Record<string, { label: string; dir: string }> = {
    base: { label: BASE, dir: unpack(BASE, 'base') },
    head: HEAD ? { label: HEAD, dir: unpack(HEAD, 'head') } : { label: 'working tree', dir: root },
  };
  const www = path.join(tmp, 'www');
  fs.mkdirSync(www);
  fs.writeFileSync(path.join(www, '1k.txt'), 'a'.repeat(1024));
  fs.writeFileSync(path.join(www, '1m.bin'), Buffer.alloc(1024 * 1024, 98));
  const backendPort = await freePort();
  const backendDir = nginxConf(tmp, 'backend', `server { listen 127.0.0.1:${backendPort}; root ${www}; location = /1k { try_files /1k.txt =404; } location = /1m { try_files /1m.bin =404; } }`);
  await kids.launch(LOAD_CORE, '/usr/sbin/nginx', ['-p', backendDir, '-c', path.join(backendDir, 'nginx.conf')]);
  await waitPort(backendPort);
  const wsEcho = NO_WS ? null : await kids.launch(LOAD_CORE, node, [path.join(here, 'lib/ws-echo.ts')], { readJson: true, cwd: root, env: { PATH: process.env.PATH, HOME: process.env.HOME } });
  const flags = (process.env.BENCH_PORTICO_FLAGS ?? '').split(' ').filter(Boolean);
  const gateways: Record<string, { url: string; ws: string | null; header: string; pid: number }> = {};
  for (const [name, t] of Object.entries(trees)) {
    // Each gateway runs its own tree's code; a clean environment apart from PATH and HOME.
    const g = await kids.launch(PROXY_CORE, node, [...flags, path.join(t.dir, 'bench/lib/portico-server.ts'), String(backendPort), ...(wsEcho ? [String(wsEcho.port)] : [])], { readJson: true, cwd: t.dir, env: { PATH: process.env.PATH, HOME: process.env.HOME } });
    gateways[name] = { url: `http://127.0.0.1:${g.port}/containers/proxy/${g.uuid}`, ws: g.wsUuid ? `ws://127.0.0.1:${g.port}/containers/proxy/${g.wsUuid}/` : null, header: `Authorization: token ${g.token}`, pid: g.pid };
  }
  process.stderr.write(`backend nginx ${nginxPids(path.join(backendDir, 'nginx.pid')).length} processes; base ${trees.base.label} (pid ${gateways.base.pid}), head ${trees.head.label} (pid ${gateways.head.pid})\n`);

  const none: Ws = { perSecond: NaN, p99Ms: NaN };
  const samples: Record<string, Array<{ small: WrkResult; large: WrkResult; ws1: Ws; ws50: Ws }>> = { base: [], head: [] };
  for (let round = 1; round <= ROUNDS; round++) {
    // Alternate which goes first, so neither always runs on a machine the other just warmed.
    const order = round % 2 ? ['base', 'head'] : ['head', 'base'];
    for (const name of order) {
      await new Promise((r) => setImmediate(r)); // the runs are synchronous: let a signal be handled between them
      const g = gateways[name];
      const small = wrk(`${g.url}/1k`, 50, g.header, [g.pid]);
      const large = wrk(`${g.url}/1m`, 10, g.header, [g.pid]);
      const auth = g.header.replace(/^Authorization: /, '');
      const ws1 = g.ws ? wsLoad(g.ws, 1, auth) : none;
      const ws50 = g.ws ? wsLoad(g.ws, 50, auth) : none;
      samples[name].push({ small, large, ws1, ws50 });
      process.stderr.write(`round ${round}/${ROUNDS} ${name}: 1 KiB ${Math.round(small.rps)}/s p99 ${small.p99.toFixed(2)} ms ${Math.round(small.cpuUs)} µs/req; 1 MiB ${Math.round(large.rps)}/s; WS ${Math.round(ws1.perSecond)} / ${Math.round(ws50.perSecond)}/s\n`);
    }
  }
  const med = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
  const row = (name: string) => {
    const l = samples[name];
    const w = (k: 'small' | 'large'): WrkResult => ({ rps: med(l.map((x) => x[k].rps)), p50: med(l.map((x) => x[k].p50)), p99: med(l.map((x) => x[k].p99)), cpuUs: med(l.map((x) => x[k].cpuUs)), userUs: med(l.map((x) => x[k].userUs)), errors: l.reduce((a, x) => a + x[k].errors, 0) });
    return { small: w('small'), large: w('large'), ws1: med(l.map((x) => x.ws1.perSecond)), ws50: med(l.map((x) => x.ws50.perSecond)) };
  };
  const b = row('base'), h = row('head');
  const f = (n: number) => (Number.isNaN(n) ? '–' : Math.round(n).toLocaleString('en-US'));
  const r = (x: number, y: number) => (y ? (x / y).toFixed(2) + '×' : 'n/a');
  const lines = [
    `Portico proxy, two revisions — median of ${ROUNDS} interleaved rounds of ${SECONDS} s; gateways on core ${PROXY_CORE}${hasTaskset ? '' : ' (no taskset: unpinned)'}, wrk and backend on core ${LOAD_CORE}.`,
    '',
    '| revision | 1 KiB req/s (50 conns) | CPU µs/req (user + system) | p50 / p99 ms | 1 MiB req/s (10 conns) | CPU µs/req | WS round trips/s (1 / 50 clients) | errors |',
    '|---|---|---|---|---|---|---|---|',
    ...(['base', 'head'] as const).map((n) => { const x = n === 'base' ? b : h; return `| ${n}: ${trees[n].label} | ${f(x.small.rps)} | ${f(x.small.cpuUs)} (${f(x.small.userUs)} + ${f(x.small.cpuUs - x.small.userUs)}) | ${x.small.p50.toFixed(2)} / ${x.small.p99.toFixed(2)} | ${f(x.large.rps)} | ${f(x.large.cpuUs)} | ${f(x.ws1)} / ${f(x.ws50)} | ${x.small.errors + x.large.errors} |`; }),
    '',
    'Ratios (head ÷ base):',
    `- 1 KiB req/s ${r(h.small.rps, b.small.rps)}, CPU per request ${r(h.small.cpuUs, b.small.cpuUs)} (user ${r(h.small.userUs, b.small.userUs)}), p99 ${r(h.small.p99, b.small.p99)}`,
    `- 1 MiB req/s ${r(h.large.rps, b.large.rps)}, CPU per request ${r(h.large.cpuUs, b.large.cpuUs)}`,
    `- WebSocket round trips: 1 client ${r(h.ws1, b.ws1)}, 50 clients ${r(h.ws50, b.ws50)}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

function cleanup(): void {
  kids.killAll();
  fs.rmSync(tmp, { recursive: true, force: true });
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => { cleanup(); process.exit(sig === 'SIGINT' ? 130 : 143); });
main().then(() => { cleanup(); setTimeout(() => process.exit(0), 300); }, (err) => { cleanup(); process.stderr.write(String(err?.stack ?? err) + '\n'); process.exit(1); });
