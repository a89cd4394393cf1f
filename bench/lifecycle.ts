/**
 * lifecycle.ts (benchmark): time from "start" to "running" through Portico's API, against
 * `docker run -d` of the same image and the raw Engine API (create + start), measured in one run,
 * interleaved so load on the machine hits all three alike. Prints medians, p90 and ratios.
 * Usage: node bench/lifecycle.ts [rounds=15]
 */
import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import Docker from 'dockerode';
import { startGateway, TEST_IMAGE, TEST_NETWORK } from '../test/helpers/gateway.ts';

const rounds = Math.min(Math.max(Number(process.argv[2] ?? 15), 3), 100);
const image = `${TEST_IMAGE.repository}:${TEST_IMAGE.tag}`;
const label = `portico.bench=lifecycle-${process.pid}`;

function stats(xs: number[]): { median: number; p90: number; min: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], p90: s[Math.min(s.length - 1, Math.floor(s.length * 0.9))], min: s[0] };
}

const gw = await startGateway();
const docker = new Docker({ socketPath: '/var/run/docker.sock' });
const project = gw.project('bench');
const { token } = await gw.user('bench', { project, role: 'owner' });
const portico: number[] = [];
const cli: number[] = [];
const api: number[] = [];

try {
  // Warm-up: network exists, image cached, code paths JIT-compiled.
  const warm = await gw.api('POST', `/containers/api/create/${project}`, token, { title: 'warm', ...TEST_IMAGE });
  await gw.api('POST', `/containers/api/start/${warm.body.sodar_uuid}`, token);
  await gw.api('DELETE', `/containers/api/delete/${warm.body.sodar_uuid}`, token);

  for (let i = 0; i < rounds; i++) {
    const c = await gw.api('POST', `/containers/api/create/${project}`, token, { title: `b${i}`, ...TEST_IMAGE });
    let t0 = performance.now();
    const r = await gw.api('POST', `/containers/api/start/${c.body.sodar_uuid}`, token);
    portico.push(performance.now() - t0);
    if (r.body.state !== 'running') throw new Error(`start failed: ${JSON.stringify(r.body)}`);
    await gw.api('DELETE', `/containers/api/delete/${c.body.sodar_uuid}`, token);

    t0 = performance.now();
    const id = execFileSync('docker', ['run', '-d', '--init', '--network', TEST_NETWORK, '--label', label, image], { encoding: 'utf8' }).trim();
    cli.push(performance.now() - t0);
    execFileSync('docker', ['rm', '-f', id], { stdio: 'ignore' });

    t0 = performance.now();
    const ct = await docker.createContainer({ Image: image, Labels: { 'portico.bench': `lifecycle-${process.pid}` }, HostConfig: { NetworkMode: TEST_NETWORK, Init: true } });
    await ct.start();
    api.push(performance.now() - t0);
    await ct.remove({ force: true });
  }
} finally {
  await gw.close();
  const left = execFileSync('docker', ['ps', '-aq', '--filter', `label=${label}`], { encoding: 'utf8' }).trim();
  if (left) execFileSync('docker', ['rm', '-f', ...left.split('\n')], { stdio: 'ignore' });
}

const p = stats(portico), c = stats(cli), a = stats(api);
const fmt = (s: { median: number; p90: number; min: number }) => `median ${s.median.toFixed(1)} ms, p90 ${s.p90.toFixed(1)} ms, min ${s.min.toFixed(1)} ms`;
console.log(`lifecycle: start → running, ${rounds} rounds each, image ${image}`);
console.log(`  Portico API (POST start)   ${fmt(p)}`);
console.log(`  docker run -d (CLI)        ${fmt(c)}`);
console.log(`  Engine API create+start    ${fmt(a)}`);
console.log(`  ratio Portico / docker run -d   ${(p.median / c.median).toFixed(2)}×  (target ≤ 1.2×)`);
console.log(`  ratio Portico / Engine API      ${(p.median / a.median).toFixed(2)}×`);
