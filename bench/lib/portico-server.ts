/**
 * portico-server.ts (bench): runs a Portico gateway whose container records point at a backend that
 * is already running. The backend argument picks the network mode, as users run it:
 * - `<port>`: PORTICO_PUBLISH_PORTS mode, the upstream is 127.0.0.1:<port> (no Docker container);
 * - `<ip>:<port>`: host mode, the record holds the app container's address on Portico's network;
 * - `<name>:<port>`: docker-shared mode, the app is reached by its container name (the gateway must
 *   itself run in a container on that network: bench/proxy.ts --topology shared).
 * Prints {port, token, uuid, wsUuid}. It listens on 127.0.0.1 unless BENCH_LISTEN names another address.
 * With a third argument, SIGUSR2 writes the garbage collector's counts so far to that file:
 * {"minor": n, "major": n, "pauseMs": ms} (the benchmark reads them around its runs).
 * With BENCH_PROFILE=1, each line "mark" on stdin is answered on stdout with {"mark": {…}}: the
 * heap in use, ArrayBuffer bytes and scavenges so far, read before a full collection (run after
 * the answer when --expose-gc is on), so bench/proxy-profile.ts can count what a window allocated.
 * Usage: node portico-server.ts <backend> [wsBackend] [gcStatsFile]
 */
import fs from 'node:fs';
import inspector from 'node:inspector';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { loadConfig } from '../../gateway/core/config.ts';
import { buildCore } from '../../gateway/core/build.ts';
import { startServer } from '../../gateway/main.ts';
import { createLogger } from '../../gateway/core/log.ts';
import { benchCaller } from './bench-user.ts';

/** Backend is where one record's app answers, by the forms above. */
interface Backend { host: string | null; port: number; byName: boolean }
function parseBackend(arg: string | undefined): Backend | null {
  if (!arg) return null;
  const i = arg.lastIndexOf(':');
  if (i < 0) return { host: null, port: Number(arg), byName: false };
  const host = arg.slice(0, i);
  return { host, port: Number(arg.slice(i + 1)), byName: !/^[\d.]+$/.test(host) };
}
const backend = parseBackend(process.argv[2])!;
const wsBackend = parseBackend(process.argv[3]);
const gcFile = process.argv[4];
if (gcFile) {
  const gc = { minor: 0, major: 0, pauseMs: 0 };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) gc.major++;
      else gc.minor++;
      gc.pauseMs += e.duration;
    }
  }).observe({ entryTypes: ['gc'] });
  process.on('SIGUSR2', () => fs.writeFileSync(gcFile, JSON.stringify(gc)));
}
// BENCH_MEMLOG=<file>: the peaks of process.memoryUsage() (MiB), rewritten every 100 ms (which part of RSS grows).
if (process.env.BENCH_MEMLOG) {
  const file = process.env.BENCH_MEMLOG;
  const peak: Record<string, number> = {};
  setInterval(() => {
    for (const [k, v] of Object.entries(process.memoryUsage())) peak[k] = Math.max(peak[k] ?? 0, Math.round(v / 1048576));
    fs.writeFileSync(file, JSON.stringify(peak));
  }, 100).unref();
}
const profile = process.env.BENCH_PROFILE === '1';
if (profile) {
  let scavenges = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if ((e as unknown as { detail?: { kind?: number } }).detail?.kind !== constants.NODE_PERFORMANCE_GC_MAJOR) scavenges++;
  }).observe({ entryTypes: ['gc'] });
  // BENCH_HEAP_PROFILE=<file>: every allocation between the second and third mark, sampled (collected objects included), as a .heapprofile.
  const heapFile = process.env.BENCH_HEAP_PROFILE;
  const session = heapFile ? new inspector.Session() : null;
  session?.connect();
  let marks = 0;
  const sampling = (m: number): void => {
    if (session === null) return;
    if (m === 2) session.post('HeapProfiler.startSampling', { samplingInterval: 256, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as object);
    if (m === 3) session.post('HeapProfiler.stopSampling', (err, r) => { if (!err) fs.writeFileSync(heapFile!, JSON.stringify(r.profile)); });
  };
  let line = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (d: string) => {
    line += d;
    for (let i = line.indexOf('\n'); i >= 0; i = line.indexOf('\n')) {
      line = line.slice(i + 1);
      sampling(++marks);
      const m = process.memoryUsage();
      process.stdout.write(JSON.stringify({ mark: { heapUsed: m.heapUsed, arrayBuffers: m.arrayBuffers, scavenges } }) + '\n');
      (globalThis as { gc?: () => void }).gc?.();
    }
  });
}
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-bench-'));
const config = loadConfig({
  PORTICO_DATA_DIR: dir, PORTICO_INSTANCE: `bench-${randomBytes(3).toString('hex')}`,
  PORTICO_PUBLISH_PORTS: backend.host === null ? 'true' : 'false', PORTICO_NETWORK_MODE: backend.byName ? 'docker-shared' : 'host',
  PORTICO_PORT: '0', PORTICO_LOG_LEVEL: 'warn', PORTICO_DOCKER_NETWORK: process.env.BENCH_DOCKER_NETWORK ?? 'portico-test-net',
  // BENCH_APP_ORIGINS=same-origin measures the same-origin opt-in (apps under the prefix only).
  PORTICO_APP_ORIGINS: process.env.BENCH_APP_ORIGINS ?? 'per-app',
});
const core = await buildCore(config, { logger: createLogger({ format: 'text', level: 'warn' }), periodic: !profile });
// A profile under valgrind runs for minutes: a resync with the engine (after its event stream
// reconnects) would find no such container and mark the record stopped, so it follows no engine.
if (profile) await core.stateSync.stop();
const { project, token } = benchCaller(core);

function pointAt(title: string, b: Backend): string {
  const c = core.containers.create(project.id, { title, repository: 'bench/none', tag: '1', container_port: b.host === null ? 80 : b.port }, 'bench');
  const at = b.host === null ? { hostPort: b.port } : b.byName ? { dockerName: b.host } : { containerIp: b.host };
  // Running since an hour ago, so the proxy treats it as started and ready (no readiness probe).
  core.store.containers.setRuntime(c.id, { state: 'running', dockerId: `bench-${c.id}`, ...at, dateStarted: new Date(Date.now() - 3_600_000).toISOString() });
  return c.uuid;
}
const uuid = pointAt('http', backend);
const wsUuid = wsBackend ? pointAt('ws', wsBackend) : null;
const { server, close } = await startServer(core, process.env.BENCH_LISTEN ?? '127.0.0.1', 0);
process.stdout.write(JSON.stringify({ port: (server.address() as { port: number }).port, token, uuid, wsUuid }) + '\n');
const stop = async () => { await close(); await core.close(); fs.rmSync(dir, { recursive: true, force: true }); process.exit(0); };
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
