/**
 * proxy-memory.ts (benchmark, not a test): Portico (in this process) proxies 1,000 concurrent
 * WebSockets and then 10,000 requests that the client aborts in flight (to a backend that answers
 * after a second). Reports open sockets and heap (after GC) before, at the peak and after; neither
 * should grow once everything closed. The load comes from a child process (bench/lib/abuse-client.ts).
 * Usage: node --expose-gc bench/proxy-memory.ts [sockets=1000] [aborts=10000]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../gateway/core/config.ts';
import { buildCore } from '../gateway/core/build.ts';
import { silentLogger } from '../gateway/core/log.ts';
import { startServer } from '../gateway/main.ts';
import { benchCaller } from './lib/bench-user.ts';

const SOCKETS = Math.min(5000, Number(process.argv[2] ?? 1000));
const ABORTS = Math.min(50_000, Number(process.argv[3] ?? 10_000));
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) { process.stderr.write('run with node --expose-gc\n'); process.exit(2); }
const here = path.dirname(new URL(import.meta.url).pathname);

const backend = spawn(process.execPath, [path.join(here, 'lib/ws-echo.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
const wsPort: number = await new Promise((resolve) => backend.stdout!.once('data', (d) => resolve(JSON.parse(String(d)).port)));

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-bench-mem-'));
const config = loadConfig({ PORTICO_DATA_DIR: dir, PORTICO_INSTANCE: `bench-mem-${randomBytes(3).toString('hex')}`, PORTICO_PUBLISH_PORTS: 'true', PORTICO_PORT: '0', PORTICO_DOCKER_NETWORK: 'portico-test-net' });
const core = await buildCore(config, { logger: silentLogger });
const { project, token } = benchCaller(core);
const c = core.containers.create(project.id, { title: 'ws', repository: 'bench/none', tag: '1', container_port: 80 }, 'bench');
core.store.containers.setRuntime(c.id, { state: 'running', dockerId: 'bench', hostPort: wsPort, dateStarted: new Date(Date.now() - 3_600_000).toISOString() });
const { server, close } = await startServer(core, '127.0.0.1', 0);
const port = (server.address() as { port: number }).port;

function sample(): { sockets: number; heapMiB: number; openWs: number } {
  gc!(); gc!();
  const handles = process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'TCPWRAP').length;
  const openWs = Number(/portico_proxy_websockets_open (\d+)/.exec(core.metrics.render())?.[1] ?? 0);
  return { sockets: handles, heapMiB: Math.round(process.memoryUsage().heapUsed / 1048576 * 10) / 10, openWs };
}
const settle = () => new Promise((r) => setTimeout(r, 1500));

// Warm up: a few requests so pools, JIT and caches exist before the baseline.
for (let i = 0; i < 20; i++) await fetch(`http://127.0.0.1:${port}/containers/proxy/${c.uuid}/`, { headers: { authorization: `token ${token}` } }).then((r) => r.text());
await settle();
const before = sample();
const child = fork(path.join(here, 'lib/abuse-client.ts'), [
  `ws://127.0.0.1:${port}/containers/proxy/${c.uuid}/`, `http://127.0.0.1:${port}/containers/proxy/${c.uuid}/slow`, `token ${token}`, String(SOCKETS), String(ABORTS),
]);
const next = () => new Promise<any>((r) => child.once('message', r));
const opened = await next();
const peak = sample();
child.send('close');
await next();
const t0 = Date.now();
const aborted = await next();
const abortSeconds = (Date.now() - t0) / 1000;
await new Promise((r) => setTimeout(r, 2500)); // the backend's slow answers (1 s) drain
await settle();
const after = sample();

process.stdout.write([
  `Proxy memory: ${opened.n} concurrent WebSockets, then ${aborted.n} aborted requests (${abortSeconds.toFixed(1)} s).`,
  '| moment | TCP sockets | heap used (MiB, after GC) | open proxied WebSockets |',
  '|---|---|---|---|',
  `| before | ${before.sockets} | ${before.heapMiB} | ${before.openWs} |`,
  `| ${SOCKETS} WebSockets open | ${peak.sockets} | ${peak.heapMiB} | ${peak.openWs} |`,
  `| after all closed and aborted | ${after.sockets} | ${after.heapMiB} | ${after.openWs} |`,
  `Growth after: ${after.sockets - before.sockets} sockets, ${(after.heapMiB - before.heapMiB).toFixed(1)} MiB heap.`,
].join('\n') + '\n');
await close();
await core.close();
backend.kill('SIGTERM');
fs.rmSync(dir, { recursive: true, force: true });
process.exit(0);
