/**
 * child-gateway.ts (test helper): runs `node gateway/main.ts` as a child process (JSON logs), so a
 * test can SIGKILL or SIGTERM a real gateway and start it again on the same data directory.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createStore } from '../../gateway/core/store/index.ts';
import { hashSecret, newSecret } from '../../gateway/core/auth/tokens.ts';
import { ENGINE_ENV, TEST_NETWORK, removeInstanceContainers } from './gateway.ts';

const MAIN = path.resolve(import.meta.dirname, '../../gateway/main.ts');

/** ChildGateway is one gateway process (restartable) over a temp data dir. */
export interface ChildGateway {
  readonly dir: string;
  readonly instance: string;
  base: string;
  proc: ChildProcess;
  /** logs are every stderr line of every run so far. */
  logs: string[];
  start(): Promise<void>;
  /** adminToken creates an API token for the site admin straight in the database. */
  adminToken(): string;
  exited(): Promise<number | null>;
  destroy(): Promise<void>;
}

/** startChildGateway starts the gateway process and waits until it listens. */
export async function startChildGateway(env: Record<string, string> = {}): Promise<ChildGateway> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-child-'));
  const instance = `t-${randomBytes(4).toString('hex')}`;
  const gw = {
    dir, instance, base: '', logs: [] as string[], proc: null as unknown as ChildProcess,
    async start() {
      const proc = spawn(process.execPath, [MAIN], {
        env: {
          ...ENGINE_ENV, PATH: process.env.PATH, PORTICO_DATA_DIR: dir, PORTICO_INSTANCE: instance, PORTICO_DOCKER_NETWORK: TEST_NETWORK,
          PORTICO_PORT: '0', PORTICO_ADMIN_PASSWORD: 'admin-password', PORTICO_ACTION_MIN_DELAY: '0', PORTICO_LOG_FORMAT: 'json',
          PORTICO_APP_ORIGINS: 'same-origin',
          ...env,
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      gw.proc = proc;
      let buf = '';
      const listening = new Promise<string>((resolve, reject) => {
        proc.stderr!.on('data', (chunk: Buffer) => {
          buf += chunk.toString('utf8');
          let i;
          while ((i = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, i);
            buf = buf.slice(i + 1);
            gw.logs.push(line);
            try {
              const j = JSON.parse(line);
              if (j.msg === 'Portico listening') resolve(String(j.url).replace(/\/$/, ''));
            } catch { /* checked by the tests: every line must be JSON */ }
          }
        });
        proc.once('exit', (code) => reject(new Error(`gateway exited (${code}) before listening:\n${gw.logs.join('\n')}`)));
      });
      let timer: NodeJS.Timeout | undefined;
      gw.base = await Promise.race([listening, new Promise<never>((_, rej) => { timer = setTimeout(() => rej(new Error('gateway did not listen within 30 s')), 30_000); })]);
      clearTimeout(timer);
    },
    adminToken() {
      const store = createStore(path.join(dir, 'portico.db'));
      try {
        const admin = store.users.byUsername('admin')!;
        const token = newSecret(32);
        store.users.createToken(admin.id, 'test', hashSecret(token), token.slice(0, 6), null);
        return token;
      } finally {
        store.close();
      }
    },
    exited() {
      const p = gw.proc;
      if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve(p.exitCode);
      return new Promise<number | null>((resolve) => p.once('exit', (code) => resolve(code)));
    },
    async destroy() {
      const p = gw.proc;
      if (p && p.exitCode === null && p.signalCode === null) { p.kill('SIGKILL'); await gw.exited(); }
      removeInstanceContainers(instance);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  await gw.start();
  return gw;
}
