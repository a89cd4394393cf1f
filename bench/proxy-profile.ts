/**
 * proxy-profile.ts (bench): what one proxied 1 KiB GET costs the gateway, counted rather than
 * timed, so it repeats on a shared, noisy machine. The gateway (bench/lib/portico-server.ts) and a
 * fixed-count client (bench/lib/fixed-client.ts: `conns` keep-alive connections, one request in
 * flight on each) run in their own processes, pinned to core 1 and core 0.
 *
 * - bytes/request (native runs only): V8's sampling heap profiler (one sample per 256 bytes, objects already collected
 *   included) runs over the measured window only; the bytes it saw, divided by the requests, with
 *   the top allocation sites (--sites). ArrayBuffer bytes (Buffer pool slabs, fresh read buffers)
 *   are counted apart, from process.memoryUsage() around the window, which a young generation
 *   large enough (--min/--max-semi-space-size) keeps uncollected.
 * - instructions/request (--callgrind): the same run under `valgrind --tool=callgrind`, its counters
 *   dumped (callgrind_control) after the warm-up, after the measured requests, and after an idle
 *   window as long as the measured one; (Ir of the run − Ir of the idle window) / requests. Every
 *   thread counts (V8's compiler and GC helpers too); the kernel's work does not. With a few thousand
 *   requests per window these background threads swamp the request path (windows of one run
 *   differed by up to 2.7×, docs/proxy.md): use long windows, and repeat them (--windows).
 *
 * The backend is bench/lib/ws-echo.ts on 127.0.0.1 (its /1k, the node server the container
 * topology runs), or --backend <ip:port> (say, that server in a container on Portico's network:
 * the gateway then reaches it in host mode, as on the real path).
 *
 * Usage: node bench/proxy-profile.ts [--requests 20000] [--warmup 20000] [--conns 50]
 *          [--callgrind [--windows n]] [--sites] [--backend ip:port] [--node-flags "--cpu-prof --cpu-prof-dir=/tmp/p"]
 * (--node-flags go to the gateway's node, which is stopped with SIGTERM at the end so its profiles are written.)
 */
import { spawn, execFileSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(here);
const args = process.argv.slice(2);
const opt = (name: string, dflt: string): string => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const callgrind = args.includes('--callgrind');
// 5,000 answers of ~7 KB fit in the 64 MiB young generation the gateway is given, so none is collected in the window.
const REQUESTS = Number(opt('--requests', callgrind ? '4000' : '5000'));
const WARMUP = Number(opt('--warmup', callgrind ? '4000' : '20000'));
const CONNS = Number(opt('--conns', '50'));
const WINDOWS = Number(opt('--windows', '1'));
const node = process.execPath;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-profile-'));
const children: ChildProcess[] = [];
const hasTaskset = (() => { try { execFileSync('taskset', ['-c', '0', 'true']); return true; } catch { return false; } })();
const pin = (core: string, cmd: string, a: string[]): [string, string[]] => hasTaskset ? ['taskset', ['-c', core, cmd, ...a]] : [cmd, a];

/** Lines reads a child's stdout line by line. */
class Lines {
  private buf = '';
  private waiters: Array<(l: string) => void> = [];
  private queue: string[] = [];
  constructor(child: ChildProcess) {
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (d: string) => {
      this.buf += d;
      for (let i = this.buf.indexOf('\n'); i >= 0; i = this.buf.indexOf('\n')) {
        const l = this.buf.slice(0, i);
        this.buf = this.buf.slice(i + 1);
        if (!l.startsWith('{')) { process.stderr.write(l + '\n'); continue; }
        const w = this.waiters.shift();
        if (w) w(l); else this.queue.push(l);
      }
    });
  }
  next(): Promise<any> {
    const l = this.queue.shift();
    if (l !== undefined) return Promise.resolve(JSON.parse(l));
    return new Promise((resolve) => this.waiters.push((x) => resolve(JSON.parse(x))));
  }
}

function start(core: string, cmd: string, a: string[], env: NodeJS.ProcessEnv = process.env): { child: ChildProcess; lines: Lines } {
  const [c, ca] = pin(core, cmd, a);
  const child = spawn(c, ca, { stdio: ['pipe', 'pipe', 'inherit'], cwd: root, env });
  children.push(child);
  return { child, lines: new Lines(child) };
}

function cleanup(): void {
  for (const c of children) if (c.exitCode === null && c.pid !== undefined) { try { process.kill(c.pid, 'SIGKILL'); } catch { /* gone */ } }
  fs.rmSync(tmp, { recursive: true, force: true });
}
process.on('exit', cleanup);
process.on('SIGINT', () => process.exit(1));

async function client(port: number, target: string, count: number, authz: string): Promise<{ done: number; errors: number }> {
  const c = start('0', node, [path.join(here, 'lib/fixed-client.ts'), String(port), target, String(CONNS), String(count), authz]);
  const r = await c.lines.next();
  return r;
}

interface HeapNode { callFrame: { functionName: string; url: string; lineNumber: number }; selfSize: number; children: HeapNode[] }
/** heapSites sums a sampled heap profile: all its bytes, and the 25 functions that allocated most. */
function heapSites(p: { head: HeapNode }): { total: number; top: Array<[string, number]> } {
  const self = new Map<string, number>();
  let total = 0;
  const walk = (n: HeapNode): void => {
    const f = n.callFrame;
    const k = `${f.functionName || '(anonymous)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}`;
    self.set(k, (self.get(k) ?? 0) + n.selfSize);
    total += n.selfSize;
    for (const c of n.children) walk(c);
  };
  walk(p.head);
  return { total, top: [...self].sort((a, b) => b[1] - a[1]).slice(0, 25) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Callgrind drives callgrind_control on the gateway: each dump ends one window and its file says what it cost. */
class Callgrind {
  private n = 0;
  private readonly pid: number;
  constructor(pid: number) { this.pid = pid; }
  async dump(): Promise<number> {
    this.n++;
    // The dump is taken the next time the gateway runs (its sweep wakes it once a second at least).
    execFileSync('callgrind_control', ['--dump=w' + this.n, String(this.pid)], { stdio: 'ignore', timeout: 120_000 });
    const file = fs.readdirSync(tmp).filter((f) => f.startsWith('cg.') && f.endsWith('.' + this.n)).map((f) => path.join(tmp, f))[0];
    if (!file) throw new Error('no callgrind dump ' + this.n + ' in ' + tmp);
    const total = /^(?:summary|totals): (\d+)/m.exec(fs.readFileSync(file, 'utf8'));
    return Number(total![1]);
  }
}

const backendArg = opt('--backend', '');
let backend = backendArg;
if (backend === '') {
  const b = start('0', node, [path.join(here, 'lib/ws-echo.ts')]);
  backend = `127.0.0.1:${(await b.lines.next()).port}`;
}
const gwFlags = ['--expose-gc', '--min-semi-space-size=64', '--max-semi-space-size=64', ...opt('--node-flags', '').split(' ').filter(Boolean)];
const gwArgs = [...gwFlags, path.join(here, 'lib/portico-server.ts'), backend];
const heapFile = path.join(tmp, 'window.heapprofile');
// The heap profiler walks the stack at every sample: under callgrind it would count for most of a request, so it runs natively only.
const env = { ...process.env, BENCH_PROFILE: '1', ...(callgrind ? {} : { BENCH_HEAP_PROFILE: heapFile }) };
const gw = callgrind
  ? start('1', 'valgrind', ['--tool=callgrind', `--callgrind-out-file=${tmp}/cg.%p`, '--dump-instr=no', '--compress-strings=no', '--compress-pos=no', node, ...gwArgs], env)
  : start('1', node, gwArgs, env);
const info = await gw.lines.next();
const target = `/containers/proxy/${info.uuid}/1k`;
const authz = `token ${info.token}`;
const mark = async (): Promise<{ heapUsed: number; arrayBuffers: number; scavenges: number }> => { gw.child.stdin!.write('mark\n'); return (await gw.lines.next()).mark; };
const cg = callgrind ? new Callgrind(gw.child.pid!) : null;

process.stderr.write(`gateway up (${callgrind ? 'under callgrind' : 'native'}); warm-up ${WARMUP} requests over ${CONNS} connections …\n`);
const w = await client(info.port, target, WARMUP, authz);
if (w.errors > 0 || w.done !== WARMUP) throw new Error(`warm-up: ${JSON.stringify(w)}`);
await mark();
await sleep(200);
const before = await mark();
await cg?.dump();
const t0 = Date.now();
const r = await client(info.port, target, REQUESTS, authz);
const after = await mark();
const runMs = Date.now() - t0;
if (r.errors > 0 || r.done !== REQUESTS) throw new Error(`run: ${JSON.stringify(r)}`);
const result: Record<string, number | string | number[]> = {
  backend, requests: REQUESTS, conns: CONNS,
  arrayBufferBytesPerRequest: Math.round((after.arrayBuffers - before.arrayBuffers) / REQUESTS),
  scavengesInWindow: after.scavenges - before.scavenges,
};
if (cg !== null) {
  // More windows of the same count after the first show whether the JIT had settled (compiling counts too).
  const runs = [await cg.dump()];
  for (let w = 1; w < WINDOWS; w++) {
    const more = await client(info.port, target, REQUESTS, authz);
    if (more.errors > 0) throw new Error(`run: ${JSON.stringify(more)}`);
    runs.push(await cg.dump());
  }
  await sleep(runMs);
  const idle = await cg.dump();
  result.instructionsPerRequest = runs.map((x) => Math.round((x - idle) / REQUESTS));
  result.idleInstructions = idle;
}
if ((result.scavengesInWindow as number) > 0) result.note = 'a scavenge ran in the window: ArrayBuffer bytes/request is too low (use fewer --requests)';
if (!callgrind) {
  for (let i = 0; i < 100 && !fs.existsSync(heapFile); i++) await sleep(100);
  const sites = heapSites(JSON.parse(fs.readFileSync(heapFile, 'utf8')));
  result.heapBytesPerRequest = Math.round(sites.total / REQUESTS);
  if (args.includes('--sites')) {
    for (const [k, v] of sites.top) process.stderr.write(`${String(Math.round(v / REQUESTS)).padStart(7)} B/req  ${k}\n`);
  }
}
process.stdout.write(JSON.stringify(result) + '\n');
// A clean stop, so --cpu-prof / --heap-prof profiles are written.
const exited = new Promise((r) => gw.child.once('exit', r));
gw.child.kill('SIGTERM');
await Promise.race([exited, sleep(callgrind ? 60_000 : 10_000)]);
process.exit(0);
