/**
 * cold-start.ts (benchmark, not a test): time to the first byte of an app whose container is
 * stopped, through Portico's proxy (on-demand start: Portico's start recreates the container, as
 * Kiosc's does, then polls the app) versus the same stopped container started by hand (engine API
 * `docker start`) and polled every 5 ms until it answers; through Portico both by the gateway's link
 * (an API token, today's path) and on the app's own origin (Host <uuid>.localhost, docs/app-origins.md).
 * Uses the local portico-test/httpd:1 image.
 * Usage: node bench/cold-start.ts [rounds, default 5]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { loadConfig } from '../gateway/core/config.ts';
import { buildCore } from '../gateway/core/build.ts';
import { silentLogger } from '../gateway/core/log.ts';
import { startServer } from '../gateway/main.ts';
import { benchCaller } from './lib/bench-user.ts';

const ROUNDS = Math.min(20, Number(process.argv[2] ?? 5));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-bench-cold-'));
const instance = `bench-cold-${randomBytes(3).toString('hex')}`;
const config = loadConfig({
  PORTICO_DATA_DIR: dir, PORTICO_INSTANCE: instance, PORTICO_DOCKER_NETWORK: 'portico-test-net', PORTICO_PORT: '0',
  // No cool-down between the bench's own stop and the next start.
  PORTICO_ACTION_MIN_DELAY: '0',
});
const core = await buildCore(config, { logger: silentLogger });
const { server, close } = await startServer(core, '127.0.0.1', 0);
const port = (server.address() as { port: number }).port;
const { project, token } = benchCaller(core);
const c = core.containers.create(project.id, { title: 'cold', repository: 'portico-test/httpd', tag: '1', container_port: 80 }, 'bench');

function firstByte(host: string, p: number, urlPath: string, headers: Record<string, string> = {}): Promise<number | null> {
  return new Promise((resolve) => {
    const req = http.get({ host, port: p, path: urlPath, headers, agent: false }, (res) => {
      res.once('data', () => { resolve(res.statusCode ?? 0); res.destroy(); });
      res.once('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(null));
  });
}

async function viaPortico(): Promise<number> {
  const t0 = performance.now();
  const status = await firstByte('127.0.0.1', port, `/containers/proxy/${c.uuid}/`, { authorization: `token ${token}`, 'sec-fetch-mode': 'cors' });
  if (status !== 200) throw new Error(`proxy answered ${status}`);
  return performance.now() - t0;
}

async function viaAppOrigin(): Promise<number> {
  const t0 = performance.now();
  const status = await firstByte('127.0.0.1', port, '/', { host: `${c.uuid}.localhost:${port}`, authorization: `token ${token}`, 'sec-fetch-mode': 'cors' });
  if (status !== 200) throw new Error(`proxy answered ${status} on the app origin`);
  return performance.now() - t0;
}

async function byHand(dockerId: string): Promise<number> {
  const t0 = performance.now();
  await core.engine.start(dockerId);
  const ip = (await core.engine.inspect(dockerId))!.ips[config.dockerNetwork];
  for (;;) {
    const status = await firstByte(ip, 80, '/');
    if (status !== null && status < 500) return performance.now() - t0;
    await new Promise((r) => setTimeout(r, 5));
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const portico: number[] = [];
const origin: number[] = [];
const manual: number[] = [];
try {
  await core.containers.perform(c.id, 'start', 'bench');
  for (let i = 0; i < ROUNDS; i++) {
    await core.containers.perform(c.id, 'stop', 'bench');
    await new Promise((r) => setTimeout(r, 300));
    portico.push(await viaPortico());
    const fresh = core.store.containers.byId(c.id)!;
    await core.containers.perform(c.id, 'stop', 'bench');
    await new Promise((r) => setTimeout(r, 300));
    manual.push(await byHand(fresh.dockerId!));
    await new Promise((r) => setTimeout(r, 300));
    await core.stateSync.resync();
    await core.containers.perform(c.id, 'stop', 'bench');
    await new Promise((r) => setTimeout(r, 300));
    origin.push(await viaAppOrigin());
  }
  const p = median(portico), m = median(manual), o = median(origin);
  process.stdout.write([
    `Cold start, median of ${ROUNDS} (2 cores shared with other work; rerun when noisy):`,
    `- by hand (engine start + poll every 5 ms): ${m.toFixed(0)} ms   [${manual.map((x) => x.toFixed(0)).join(', ')}]`,
    `- through Portico (recreate + start + readiness): ${p.toFixed(0)} ms   [${portico.map((x) => x.toFixed(0)).join(', ')}]`,
    `- difference: ${p - m >= 0 ? '+' : ''}${(p - m).toFixed(0)} ms (target ≤ +100 ms), ratio ${(p / m).toFixed(2)}×`,
    `- through Portico on the app's own origin: ${o.toFixed(0)} ms   [${origin.map((x) => x.toFixed(0)).join(', ')}], ${(o / p).toFixed(2)}× the gateway's link`,
  ].join('\n') + '\n');
} finally {
  await close();
  await core.close();
  const ids = execFileSync('docker', ['ps', '-aq', '--filter', `label=portico.instance=${instance}`], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  if (ids.length) execFileSync('docker', ['rm', '-f', ...ids], { stdio: 'ignore' });
  fs.rmSync(dir, { recursive: true, force: true });
}
