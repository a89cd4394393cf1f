/**
 * swarm-gateway.ts (bench): a real Portico gateway in host network mode on the engine DOCKER_HOST
 * names, in the mode BENCH_DOCKER_MODE says (engine or swarm), with one app it starts itself: a
 * node server in portico-test/node:1 answering 1 KiB (keep-alive) on port 80. So the measured path
 * is the one users get: a container on the engine's bridge network, or a swarm service's task at its
 * docker_gwbridge address. Prints {port, token, uuid, upstream}. Stops (and deletes the app) on SIGTERM.
 * Usage: DOCKER_HOST=… BENCH_DOCKER_MODE=swarm|engine BENCH_DOCKER_NETWORK=name node swarm-gateway.ts
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../gateway/core/config.ts';
import { buildCore } from '../../gateway/core/build.ts';
import { startServer } from '../../gateway/main.ts';
import { createLogger } from '../../gateway/core/log.ts';
import { benchCaller } from './bench-user.ts';

const APP = `/bin/node -e "const b=Buffer.alloc(1024,97);require('http').createServer((q,s)=>s.end(b)).listen(80)"`;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-bench-swarm-'));
const config = loadConfig({
  DOCKER_HOST: process.env.DOCKER_HOST, PORTICO_DOCKER_MODE: process.env.BENCH_DOCKER_MODE ?? 'engine',
  PORTICO_DATA_DIR: dir, PORTICO_INSTANCE: `bench-${randomBytes(3).toString('hex')}`, PORTICO_PORT: '0', PORTICO_LOG_LEVEL: 'warn',
  PORTICO_DOCKER_NETWORK: process.env.BENCH_DOCKER_NETWORK ?? 'bench-net', PORTICO_APP_ORIGINS: 'same-origin', PORTICO_ACTION_MIN_DELAY: '0',
});
const core = await buildCore(config, { logger: createLogger({ format: 'text', level: 'warn' }) });
const { project, token } = benchCaller(core);
const c = core.containers.create(project.id, { title: 'bench app', repository: 'portico-test/node', tag: '1', container_port: 80, command: APP }, 'bench');
const started = await core.containers.perform(c.id, 'start', 'bench');
if (started.state !== 'running') throw new Error(`the bench app did not start: ${started.state} ${started.stateReason ?? ''}`);
const { server, close } = await startServer(core, '127.0.0.1', 0);
process.stdout.write(JSON.stringify({ port: (server.address() as { port: number }).port, token, uuid: c.uuid, upstream: `${started.containerIp}:80` }) + '\n');
const stop = async () => {
  await core.containers.perform(c.id, 'delete', 'bench').catch(() => {});
  await close(); await core.close(); fs.rmSync(dir, { recursive: true, force: true }); process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
if (process.env.BENCH_DEBUG) {
  core.bus.on('state', (e) => process.stderr.write(`state ${JSON.stringify(e)}\n`));
  setInterval(() => process.stderr.write(core.metrics.render().split('\n').filter((l) => /engine|route|upstream/.test(l) && !l.startsWith('#')).join('\n') + '\n'), 3000).unref();
}
