/**
 * gateway.ts (test helper): starts a real gateway on 127.0.0.1:0 over a temp data dir and the real
 * Docker engine, with its own instance label so parallel test files never see each other's
 * containers. Teardown removes every container carrying that label.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { loadConfig } from '../../gateway/core/config.ts';
import type { Config } from '../../gateway/core/config.ts';
import { buildCore } from '../../gateway/core/build.ts';
import type { Core } from '../../gateway/core/build.ts';
import { silentLogger } from '../../gateway/core/log.ts';
import type { Logger } from '../../gateway/core/log.ts';
import { hashPassword } from '../../gateway/core/auth/passwords.ts';
import { hashSecret, newSecret } from '../../gateway/core/auth/tokens.ts';
import { startServer } from '../../gateway/main.ts';
import type { Role, User } from '../../gateway/core/types.ts';

/** TEST_IMAGE is the busybox httpd image built by scripts/build-test-images.sh. */
export const TEST_IMAGE = { repository: 'portico-test/httpd', tag: '1' };
/** WS_IMAGE is the Node WebSocket echo image. */
export const WS_IMAGE = { repository: 'portico-test/node', tag: '1' };
/** TEST_NETWORK is shared by test gateways (never removed; labelled). */
export const TEST_NETWORK = 'portico-test-net';

/** TestGateway is a running gateway plus helpers to make users and call it. */
export interface TestGateway {
  core: Core;
  config: Config;
  base: string;
  port: number;
  instance: string;
  /** user creates a user with an API token, optionally with a role in `project`. */
  user(name: string, opts?: { admin?: boolean; project?: string; role?: Role; password?: string }): Promise<{ user: User; token: string }>;
  project(title?: string): string;
  /** api calls the gateway with a token and returns status plus parsed JSON (or text). */
  api(method: string, path: string, token: string | null, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
  /** restart closes the server and core and starts them again on the same data dir and port. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** engineContainers lists the engine's containers for an instance label (docker ps -a). */
export function engineContainers(instance: string): Array<{ id: string; name: string; state: string }> {
  const out = execFileSync('docker', ['ps', '-a', '--filter', `label=portico.instance=${instance}`, '--format', '{{.ID}} {{.Names}} {{.State}}'], { encoding: 'utf8' });
  return out.trim().split('\n').filter(Boolean).map((l) => {
    const [id, name, state] = l.split(' ');
    return { id, name, state };
  });
}

/** removeInstanceContainers force-removes every container of an instance (teardown). */
export function removeInstanceContainers(instance: string): void {
  const ids = engineContainers(instance).map((c) => c.id);
  if (ids.length) execFileSync('docker', ['rm', '-f', ...ids], { stdio: 'ignore' });
}

/** removeInstanceVolumes removes every data volume of an instance (teardown; their containers must be gone). */
export function removeInstanceVolumes(instance: string): void {
  const names = execFileSync('docker', ['volume', 'ls', '-q', '--filter', `label=portico.instance=${instance}`], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  if (names.length) execFileSync('docker', ['volume', 'rm', '-f', ...names], { stdio: 'ignore' });
}

/**
 * ENGINE_ENV passes the engine the test run uses (DOCKER_HOST, when set: scripts/ci-fresh.sh points
 * a whole run at a private engine) to gateways, so they and the tests' own `docker` calls agree.
 */
export const ENGINE_ENV: Record<string, string> = process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {};

/** ENGINE_SOCKET is the host path of that engine's socket (for tests that mount it into a container). */
export const ENGINE_SOCKET = process.env.DOCKER_HOST?.startsWith('unix://') ? process.env.DOCKER_HOST.slice('unix://'.length) : '/var/run/docker.sock';

/** startGateway starts a test gateway; `env` overrides settings (PORTICO_* names). */
export async function startGateway(env: Record<string, string> = {}, opts: { logger?: Logger } = {}): Promise<TestGateway> {
  const logger = opts.logger ?? silentLogger;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-test-'));
  const instance = `t-${randomBytes(4).toString('hex')}`;
  const config = loadConfig({
    ...ENGINE_ENV,
    PORTICO_DATA_DIR: dir,
    PORTICO_INSTANCE: instance,
    PORTICO_DOCKER_NETWORK: TEST_NETWORK,
    PORTICO_ACTION_MIN_DELAY: '0',
    PORTICO_PORT: '0',
    PORTICO_LOG_LEVEL: 'error',
    // Today's tests address apps under /containers/proxy/<uuid>/ on the gateway's origin; the
    // app-origin tests (test/proxy/app-origin*.test.ts) pass PORTICO_APP_ORIGINS: 'per-app'.
    PORTICO_APP_ORIGINS: 'same-origin',
    ...env,
  });
  let core = await buildCore(config, { logger });
  let server = await startServer(core, '127.0.0.1', config.port);
  const port = (server.server.address() as { port: number }).port;
  const base = `http://127.0.0.1:${port}`;

  const gw: TestGateway = {
    get core() { return core; },
    config,
    base,
    port,
    instance,
    async user(name, opts = {}) {
      const user = core.store.users.create({ username: name, passwordHash: await hashPassword(opts.password ?? 'password-' + name), isAdmin: opts.admin });
      const token = newSecret(32);
      core.store.users.createToken(user.id, 'test', hashSecret(token), token.slice(0, 6), null);
      if (opts.project && opts.role) {
        const p = core.store.projects.byUuid(opts.project);
        if (p) core.store.projects.setRole(p.id, user.id, opts.role);
      }
      return { user, token };
    },
    project(title = 'Project ' + randomBytes(3).toString('hex')) {
      return core.store.projects.create(title).uuid;
    },
    async api(method, p, token, body, headers = {}) {
      const h: Record<string, string> = { ...headers };
      if (token) h.authorization = `token ${token}`;
      let payload: string | undefined;
      if (body !== undefined) {
        payload = typeof body === 'string' ? body : JSON.stringify(body);
        h['content-type'] ??= 'application/json';
      }
      const res = await fetch(base + p, { method, headers: h, body: payload, redirect: 'manual' });
      const text = await res.text();
      let parsed: unknown = text;
      if ((res.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
      return { status: res.status, body: parsed, headers: res.headers };
    },
    async restart() {
      await server.close();
      await core.close();
      core = await buildCore(config, { logger });
      server = await startServer(core, '127.0.0.1', port);
    },
    async close() {
      await server.close();
      await core.close();
      removeInstanceContainers(instance);
      removeInstanceVolumes(instance);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return gw;
}

/** waitFor polls `fn` every 50 ms until it returns truthy or `ms` pass. */
export async function waitFor<T>(fn: () => T | Promise<T>, ms = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** dockerInspect returns `docker inspect` JSON for one container. */
export function dockerInspect(id: string): any {
  return JSON.parse(execFileSync('docker', ['inspect', id], { encoding: 'utf8' }))[0];
}
