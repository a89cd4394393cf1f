/**
 * private-dockerd.ts (test helper): a Docker engine of the test's own, for fault tests that stop and
 * restart the engine. Other tests use the shared dockerd at the same time, so that one is never
 * stopped: this one has its own data root, exec root, pid file and socket, a default bridge of its
 * own (a Linux bridge `pd-…` made here and removed on destroy) and no iptables rules, and is
 * stopped by its PID only.
 *
 * Never `--bridge=none`: a dockerd started with it deletes the link named docker0 — the host's,
 * which the shared engine's default bridge needs (moby's removeDefaultBridgeInterface). Every later
 * `docker run` on the default bridge then failed on that machine.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { randomBytes, randomInt } from 'node:crypto';
import { execFileSync, execSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

/** PrivateDockerd is a running private engine; `stop`/`start` cycle it on the same data root. */
export interface PrivateDockerd {
  readonly sock: string;
  readonly host: string;
  readonly dir: string;
  /** bridge is the Linux bridge of this engine's default network (its own, never docker0). */
  readonly bridge: string;
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

/** usedSubnets are the /24s of the IPv4 addresses on this host's links (10.x.y.0 only). */
function usedSubnets(): Set<string> {
  const out = execFileSync('ip', ['-4', '-o', 'addr', 'show'], { encoding: 'utf8' });
  return new Set([...out.matchAll(/inet (10\.\d+\.\d+)\.\d+\//g)].map((m) => m[1]));
}

/** makeBridge creates a Linux bridge `pd-<hex>` with a free 10.x.y.1/24 for a private engine's default network. */
function makeBridge(): string {
  const name = `pd-${randomBytes(4).toString('hex')}`;
  const used = usedSubnets();
  let net = '';
  for (let i = 0; i < 50 && (!net || used.has(net)); i++) net = `10.${150 + randomInt(50)}.${randomInt(250)}`;
  execFileSync('ip', ['link', 'add', name, 'type', 'bridge']);
  try {
    execFileSync('ip', ['addr', 'add', `${net}.1/24`, 'dev', name]);
    execFileSync('ip', ['link', 'set', name, 'up']);
  } catch (err) {
    removeBridge(name);
    throw err;
  }
  return name;
}

function removeBridge(name: string): void {
  try { execFileSync('ip', ['link', 'del', name], { stdio: 'ignore' }); } catch { /* already gone */ }
}

/** startPrivateDockerd starts an engine, loads the given local images into it and creates `network`. */
/** extraArgs are more dockerd flags (a TLS TCP listener, say); `network: null` creates no network (a swarm test makes an overlay). */
export async function startPrivateDockerd(opts: { images: string[]; network: string | null; extraArgs?: string[] }): Promise<PrivateDockerd> {
  // Unix socket paths are limited to ~108 bytes: keep the directory short.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pd-'));
  const sock = path.join(dir, 'd.sock');
  const bridge = makeBridge();
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();

  async function start(): Promise<void> {
    const log = fs.openSync(path.join(dir, 'dockerd.log'), 'a');
    child = spawn('dockerd', [
      '--data-root', path.join(dir, 'data'), '--exec-root', path.join(dir, 'exec'), '--pidfile', path.join(dir, 'd.pid'),
      '-H', `unix://${sock}`, `--bridge=${bridge}`, '--iptables=false', '--ip6tables=false', '--ip-masq=false',
      '--storage-driver=vfs', '--shutdown-timeout=5', ...(opts.extraArgs ?? []),
      // A clean environment: the engine starts containers, and the test runner's NODE_OPTIONS has no business there.
    ], { stdio: ['ignore', log, log], env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/root' } });
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
  try {
    await start();
  } catch (err) {
    removeBridge(bridge);
    throw err;
  }
  for (const image of opts.images) execSync(`docker save ${image} | docker -H unix://${sock} load`, { stdio: 'ignore' });
  if (opts.network) docker(`network create --driver bridge --subnet 10.${200 + randomInt(50)}.${randomInt(250)}.0/24 --label portico.managed=true ${opts.network}`);

  return {
    sock, host: `unix://${sock}`, dir, bridge,
    running: () => child !== null && child.exitCode === null,
    stop, start, docker,
    async destroy() {
      if (!child) await start().catch(() => {});
      try {
        const ids = docker('ps -aq').trim().split('\n').filter(Boolean);
        if (ids.length) docker(`rm -f ${ids.join(' ')}`);
        if (opts.network) docker(`network rm ${opts.network}`);
      } catch { /* the engine is going away with its data anyway */ }
      await stop();
      removeBridge(bridge);
      try { fs.rmSync(dir, { recursive: true, force: true }); } catch { /* a leftover mount; /tmp is cleaned later */ }
    },
  };
}
