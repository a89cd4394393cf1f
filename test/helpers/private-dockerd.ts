/**
 * private-dockerd.ts (test helper): a Docker engine of the test's own, for fault tests that stop and
 * restart the engine. Other tests use the shared dockerd at the same time, so that one is never
 * stopped: this one has its own data root, exec root, pid file and socket, no default bridge and
 * no iptables rules, and is stopped by its PID only.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { randomInt } from 'node:crypto';
import { execSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

/** PrivateDockerd is a running private engine; `stop`/`start` cycle it on the same data root. */
export interface PrivateDockerd {
  readonly sock: string;
  readonly host: string;
  readonly dir: string;
  running(): boolean;
  stop(): Promise<void>;
  start(): Promise<void>;
  docker(args: string): string;
  /** destroy removes every container of this engine, stops it and deletes its directory. */
  destroy(): Promise<void>;
}

function ping(sock: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ socketPath: sock, path: '/_ping', timeout: 1000 }, (res) => { res.resume(); resolve(res.statusCode === 200); });
    req.on('error', () => resolve(false));
    req.on('timeout', () => { req.destroy(); resolve(false); });
  });
}

/** startPrivateDockerd starts an engine, loads the given local images into it and creates `network`. */
export async function startPrivateDockerd(opts: { images: string[]; network: string }): Promise<PrivateDockerd> {
  // Unix socket paths are limited to ~108 bytes: keep the directory short.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pd-'));
  const sock = path.join(dir, 'd.sock');
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();

  async function start(): Promise<void> {
    const log = fs.openSync(path.join(dir, 'dockerd.log'), 'a');
    child = spawn('dockerd', [
      '--data-root', path.join(dir, 'data'), '--exec-root', path.join(dir, 'exec'), '--pidfile', path.join(dir, 'd.pid'),
      '-H', `unix://${sock}`, '--bridge=none', '--iptables=false', '--ip6tables=false', '--ip-masq=false',
      '--storage-driver=vfs', '--shutdown-timeout=5',
    ], { stdio: ['ignore', log, log] });
    fs.closeSync(log);
    const c = child;
    exited = new Promise((resolve) => c.once('exit', () => resolve()));
    const deadline = Date.now() + 30_000;
    while (!(await ping(sock))) {
      if (c.exitCode !== null) throw new Error(`private dockerd exited early; see ${dir}/dockerd.log`);
      if (Date.now() > deadline) throw new Error('private dockerd did not answer within 30 s');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function stop(): Promise<void> {
    const c = child;
    if (!c || c.exitCode !== null) return;
    c.kill('SIGTERM');
    const timer = setTimeout(() => c.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
    child = null;
  }

  const docker = (args: string) => execSync(`docker -H unix://${sock} ${args}`, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  await start();
  for (const image of opts.images) execSync(`docker save ${image} | docker -H unix://${sock} load`, { stdio: 'ignore' });
  docker(`network create --driver bridge --subnet 10.${200 + randomInt(50)}.${randomInt(250)}.0/24 --label portico.managed=true ${opts.network}`);

  return {
    sock, host: `unix://${sock}`, dir,
    running: () => child !== null && child.exitCode === null,
    stop, start, docker,
    async destroy() {
      if (!child) await start().catch(() => {});
      try {
        const ids = docker('ps -aq').trim().split('\n').filter(Boolean);
        if (ids.length) docker(`rm -f ${ids.join(' ')}`);
        docker(`network rm ${opts.network}`);
      } catch { /* the engine is going away with its data anyway */ }
      await stop();
      try { fs.rmSync(dir, { recursive: true, force: true }); } catch { /* a leftover mount; /tmp is cleaned later */ }
    },
  };
}
