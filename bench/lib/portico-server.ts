/**
 * portico-server.ts (bench): runs a Portico gateway whose one container record points at a backend
 * already listening on 127.0.0.1 (PORTICO_PUBLISH_PORTS mode: the upstream is 127.0.0.1:<host_port>).
 * No Docker container is involved, so the figures are the proxy's alone. Prints {port, token, uuid}.
 * With a third argument, SIGUSR2 writes the garbage collector's counts so far to that file:
 * {"minor": n, "major": n, "pauseMs": ms} (the benchmark reads them around its runs).
 * Usage: node portico-server.ts <backendPort> [wsBackendPort] [gcStatsFile]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { loadConfig } from '../../gateway/core/config.ts';
import { buildCore } from '../../gateway/core/build.ts';
import { startServer } from '../../gateway/main.ts';
import { createLogger } from '../../gateway/core/log.ts';
import { benchCaller } from './bench-user.ts';

const [backend, wsBackend] = process.argv.slice(2).map(Number);
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
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-bench-'));
const config = loadConfig({
  PORTICO_DATA_DIR: dir, PORTICO_INSTANCE: `bench-${randomBytes(3).toString('hex')}`, PORTICO_PUBLISH_PORTS: 'true',
  PORTICO_PORT: '0', PORTICO_LOG_LEVEL: 'warn', PORTICO_DOCKER_NETWORK: 'portico-test-net',
  // BENCH_APP_ORIGINS=same-origin measures the same-origin opt-in (apps under the prefix only).
  PORTICO_APP_ORIGINS: process.env.BENCH_APP_ORIGINS ?? 'per-app',
});
const core = await buildCore(config, { logger: createLogger({ format: 'text', level: 'warn' }) });
const { project, token } = benchCaller(core);

function pointAt(title: string, port: number): string {
  const c = core.containers.create(project.id, { title, repository: 'bench/none', tag: '1', container_port: 80 }, 'bench');
  // Running since an hour ago, so the proxy treats it as started and ready (no readiness probe).
  core.store.containers.setRuntime(c.id, { state: 'running', dockerId: `bench-${c.id}`, hostPort: port, dateStarted: new Date(Date.now() - 3_600_000).toISOString() });
  return c.uuid;
}
const uuid = pointAt('http', backend);
const wsUuid = wsBackend ? pointAt('ws', wsBackend) : null;
const { server, close } = await startServer(core, '127.0.0.1', 0);
process.stdout.write(JSON.stringify({ port: (server.address() as { port: number }).port, token, uuid, wsUuid }) + '\n');
const stop = async () => { await close(); await core.close(); fs.rmSync(dir, { recursive: true, force: true }); process.exit(0); };
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
