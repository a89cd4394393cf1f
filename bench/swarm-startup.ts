/**
 * swarm-startup.ts (benchmark, not a test): gateway start-up reconciliation with N swarm services
 * (issue 17: 1,000 in ≤ 10 s; Traefik's Swarm provider is reported to take minutes at 5,000).
 *
 * - Engine: a private dockerd made a single-node swarm (test/helpers/private-swarm.ts), never the
 *   shared engine. N services are created through SwarmEngine.create from the specs Portico builds
 *   (its labels, placement, overlay network), scaled to 0 (a thousand running tasks do not fit this
 *   machine), and N container records point at them, all stale: recorded "running", as after a crash.
 * - Measured: from buildCore (store, engine, state sync, recovery) until the engine is reported up
 *   and every record shows its service's true state ("created"). The baseline in the same run is the
 *   floor any reconciler pays: one service list and one task list over the Engine API.
 * Usage: node bench/swarm-startup.ts [services, default 1000, ≤ 2000]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import Docker from 'dockerode';
import { loadConfig } from '../gateway/core/config.ts';
import { buildCore } from '../gateway/core/build.ts';
import { silentLogger } from '../gateway/core/log.ts';
import { buildSpec } from '../gateway/core/containers/spec.ts';
import { createSwarmEngine } from '../gateway/core/engine/swarm.ts';
import { startPrivateSwarm } from '../test/helpers/private-swarm.ts';

const N = Math.min(2000, Math.max(1, Number(process.argv[2] ?? 1000)));
const sw = await startPrivateSwarm({ images: ['portico-test/httpd:1'] });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-bench-swarm-startup-'));
try {
  const config = loadConfig({
    DOCKER_HOST: sw.host, PORTICO_DOCKER_MODE: 'swarm', PORTICO_DATA_DIR: dir, PORTICO_INSTANCE: 'bench-startup',
    PORTICO_DOCKER_NETWORK: 'bench-startup-net', PORTICO_PORT: '0', PORTICO_LOG_LEVEL: 'error',
  });
  const engine = createSwarmEngine({ ...config.docker, pinToManager: true });
  await engine.ping();
  await engine.ensureNetwork(config.dockerNetwork, { 'portico.managed': 'true', 'portico.instance': config.instance });

  // Setup: records and their services (not timed).
  const setup = await buildCore(config, { logger: silentLogger, periodic: false });
  const project = setup.store.projects.create('bench');
  const t0 = performance.now();
  const records = Array.from({ length: N }, (_, i) => setup.containers.create(project.id, { title: `app ${i}`, repository: 'portico-test/httpd', tag: '1', container_port: 80 }, 'bench'));
  let next = 0;
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (next < records.length) {
      const c = records[next++];
      const spec = buildSpec(c, { instance: config.instance, network: config.dockerNetwork, publishHostPort: null, substitutions: [], log: config.containerLog, nofile: null, swarm: config.swarm });
      const id = await engine.create(spec);
      setup.store.containers.setRuntime(c.id, { dockerId: id, dockerName: spec.name, state: 'running', dateStarted: new Date().toISOString() });
    }
  }));
  const made = performance.now() - t0;
  await setup.close();

  // Baseline: the two list calls every reconciler needs.
  const docker = new Docker({ socketPath: sw.host.slice('unix://'.length) });
  const b0 = performance.now();
  const [services, tasks] = await Promise.all([docker.listServices({ filters: JSON.stringify({ label: ['portico.instance=bench-startup'] }) } as object), docker.listTasks()]);
  const floor = performance.now() - b0;

  const s0 = performance.now();
  const core = await buildCore(config, { logger: silentLogger });
  const built = performance.now() - s0;
  const deadline = Date.now() + 120_000;
  let stale = N;
  while (Date.now() < deadline) {
    stale = core.store.containers.all().filter((c) => c.state !== 'created').length;
    if (core.health.engineUp() && stale === 0) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const reconciled = performance.now() - s0;
  await core.close();

  console.log(`swarm-startup: ${N} swarm services (replicas 0) on a single-node swarm, ${services.length} listed, ${tasks.length} tasks; created in ${(made / 1000).toFixed(1)} s (setup, untimed)`);
  console.log(`  buildCore returned            ${(built / 1000).toFixed(2)} s`);
  console.log(`  every record reconciled       ${(reconciled / 1000).toFixed(2)} s${stale ? `  (${stale} still stale at the 120 s bound)` : ''}  (target ≤ 10 s)`);
  console.log(`  floor: service + task list    ${(floor / 1000).toFixed(2)} s`);
  console.log(`  ratio Portico / floor         ${(reconciled / floor).toFixed(1)}×`);
} finally {
  await sw.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
}
