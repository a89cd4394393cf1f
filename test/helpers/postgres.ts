/**
 * postgres.ts (test helper): a private PostgreSQL cluster (Debian's postgresql package) in a temp
 * directory on a free 127.0.0.1 port, with trust auth for one superuser. PostgreSQL refuses to run
 * as root, so under root the cluster belongs to the `postgres` account (runuser). `stop` ends the
 * postmaster by its PID (fast shutdown) and removes the directory.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import pg from 'pg';

/** PG_BIN is where Debian installs the newest PostgreSQL's server programs (15 on bookworm). */
export const PG_BIN = (() => {
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  return path.join(root, versions[0] ?? '15', 'bin');
})();

/** PrivatePostgres is a running cluster. */
export interface PrivatePostgres {
  port: number;
  pid: number;
  /** url is a connection URL for `db` as the cluster's superuser. */
  url(db: string): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** startPostgres initialises and starts a cluster, and creates database `db`. */
export async function startPostgres(db: string, user = 'kiosc'): Promise<PrivatePostgres> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-pg-'));
  const data = path.join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    fs.chownSync(dir, uid, gid);
  }
  // A clean environment: the test runner's NODE_OPTIONS and locale must not reach PostgreSQL.
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' };
  const run = (cmd: string, args: string[]) =>
    execFileSync(asRoot ? 'runuser' : cmd, asRoot ? ['-u', 'postgres', '--', cmd, ...args] : args, { env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  const port = await freePort();
  try {
    run(path.join(PG_BIN, 'initdb'), ['-D', data, '-U', user, '--auth=trust', '-E', 'UTF8', '--no-sync']);
    run(path.join(PG_BIN, 'pg_ctl'), ['-D', data, '-l', path.join(dir, 'server.log'), '-w', '-t', '30', 'start', '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c shared_buffers=16MB -c max_connections=20`]);
  } catch (err) {
    const log = fs.existsSync(path.join(dir, 'server.log')) ? fs.readFileSync(path.join(dir, 'server.log'), 'utf8') : '';
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`private PostgreSQL did not start: ${(err as Error).message}\n${log}`);
  }
  const pid = Number(fs.readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const url = (name: string) => `postgres://${user}@127.0.0.1:${port}/${name}`;
  const admin = new pg.Client({ connectionString: url('postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${db}`);
  await admin.end();

  return {
    port, pid, url,
    async stop() {
      try { process.kill(pid, 'SIGINT'); } catch { /* already gone */ }
      const deadline = Date.now() + 15_000;
      for (;;) {
        try { process.kill(pid, 0); } catch { break; }
        if (Date.now() > deadline) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } break; }
        await new Promise((r) => setTimeout(r, 50));
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
