/**
 * swarm-proxy.ts (benchmark, not a test): proxy throughput to a swarm service against a standalone
 * container on the same node (issue 17: target ≥ 0.9×), in one run on one private engine.
 *
 * - Engine: a private dockerd made a single-node swarm (test/helpers/private-swarm.ts), never the
 *   shared engine; portico-test/node:1 is loaded into it.
 * - Two real gateways (bench/lib/swarm-gateway.ts), each pinned to core 1, both in host network
 *   mode: one with PORTICO_DOCKER_MODE=swarm (its app is a one-replica service on an overlay
 *   network, reached at its task's docker_gwbridge address), one with PORTICO_DOCKER_MODE=engine
 *   (its app a plain container on a bridge network of the same engine). Each started its own app
 *   (a node server answering 1 KiB) through its own lifecycle, so the addresses are the ones users get.
 * - Load: wrk on core 0, 1 thread, 32 connections, against the gateway's link with a token; and
 *   "direct" against each app's address, the backends' own speed. Rounds alternate swarm and engine
 *   so load from others on the machine hits both alike; the medians are printed with the ratio.
 * Usage: node bench/swarm-proxy.ts [seconds per run, default 4, ≤ 10] [rounds, default 3, ≤ 5]
 */
import path from 'node:path';
import { Children } from './lib/procs.ts';
import { runWrk } from './lib/wrk.ts';
import type { WrkResult } from './lib/wrk.ts';
import { startPrivateSwarm } from '../test/helpers/private-swarm.ts';

const SECONDS = Math.min(10, Number(process.argv[2] ?? 4));
const ROUNDS = Math.min(5, Number(process.argv[3] ?? 3));
const here = path.dirname(new URL(import.meta.url).pathname);
const root = path.resolve(here, '..');
const children = new Children();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const sw = await startPrivateSwarm({ images: ['portico-test/node:1'] });
try {
  const gateway = (mode: 'swarm' | 'engine') => children.launch('1', process.execPath, [path.join(here, 'lib/swarm-gateway.ts')], {
    readJson: true, cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DOCKER_HOST: sw.host, BENCH_DOCKER_MODE: mode, BENCH_DOCKER_NETWORK: `bench-${mode}` },
  });
  // The engine-mode gateway's bridge network, on a 10.x subnet of its own (a default pool could pick one the host uses).
  sw.docker(`network create --driver bridge --subnet 10.${160 + Math.floor(Math.random() * 40)}.${Math.floor(Math.random() * 250)}.0/24 --label portico.managed=true bench-engine`);
  const swarm = await gateway('swarm');
  const engine = await gateway('engine');
  const targets = {
    swarm: { url: `http://127.0.0.1:${swarm.port}/containers/proxy/${swarm.uuid}/`, headers: `Authorization: token ${swarm.token}`, pids: [swarm.pid] },
    engine: { url: `http://127.0.0.1:${engine.port}/containers/proxy/${engine.uuid}/`, headers: `Authorization: token ${engine.token}`, pids: [engine.pid] },
    'swarm direct': { url: `http://${swarm.upstream}/`, headers: undefined, pids: [] },
    'engine direct': { url: `http://${engine.upstream}/`, headers: undefined, pids: [] },
  };
  const results: Record<string, WrkResult[]> = Object.fromEntries(Object.keys(targets).map((k) => [k, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, tg] of Object.entries(targets)) {
      results[name].push(runWrk({ url: tg.url, conns: 32, seconds: SECONDS, core: '0', headers: tg.headers, pids: tg.pids }));
    }
  }
  const row = (name: string) => {
    const rs = results[name];
    const errors = rs.reduce((n, x) => n + x.errors, 0);
    return `  ${name.padEnd(14)} ${median(rs.map((x) => x.rps)).toFixed(0).padStart(7)} req/s   p50 ${median(rs.map((x) => x.p50)).toFixed(2)} ms   p99 ${median(rs.map((x) => x.p99)).toFixed(2)} ms` +
      `${rs[0].cpuUs === rs[0].cpuUs ? `   gateway CPU ${median(rs.map((x) => x.cpuUs)).toFixed(0)} µs/req` : ''}   errors ${errors}   (rounds: ${rs.map((x) => x.rps.toFixed(0)).join(', ')})`;
  };
  console.log(`swarm-proxy: 1 KiB GET through Portico, ${ROUNDS} rounds × ${SECONDS} s, wrk -t1 -c32 on core 0, gateways on core 1`);
  console.log(`  swarm upstream ${swarm.upstream} (task on docker_gwbridge), engine upstream ${engine.upstream} (container on a bridge network)`);
  for (const name of Object.keys(targets)) console.log(row(name));
  const ratio = median(results.swarm.map((x) => x.rps)) / median(results.engine.map((x) => x.rps));
  const directRatio = median(results['swarm direct'].map((x) => x.rps)) / median(results['engine direct'].map((x) => x.rps));
  console.log(`  ratio swarm / engine through Portico   ${ratio.toFixed(2)}×  (target ≥ 0.9×)`);
  console.log(`  ratio swarm / engine direct            ${directRatio.toFixed(2)}×`);
  // CPU per request is the steadier figure on a shared machine: what the gateway itself spends.
  const cpu = median(results.swarm.map((x) => x.cpuUs)) / median(results.engine.map((x) => x.cpuUs));
  console.log(`  ratio gateway CPU per request swarm / engine   ${cpu.toFixed(2)}×  (1.00× = the same work per request)`);
} finally {
  children.killAll();
  await new Promise((r) => setTimeout(r, 3000));
  await sw.destroy();
}
