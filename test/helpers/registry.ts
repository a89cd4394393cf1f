/**
 * registry.ts (test helper): a private image registry for tests — Debian's docker-registry
 * (distribution 2.8) on https://127.0.0.1:<free port> with htpasswd basic auth and a CA and server
 * certificate made here by openssl. Started and stopped by its PID; its temp dir goes with it.
 * pushImage puts a local image into it through `docker push`, logged in with a temporary
 * DOCKER_CONFIG so the machine's ~/.docker is never read or written.
 */
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { freePort } from './slapd.ts';

/** RegistryUser is one htpasswd account. */
export interface RegistryUser { username: string; password: string }

/** TestRegistry is a running registry. */
export interface TestRegistry {
  /** address is host:port, as an image reference names it. */
  readonly address: string;
  /** caCert is the PEM of the CA that signed the registry's certificate. */
  readonly caCert: string;
  readonly dir: string;
  /** log is what the registry wrote so far (for a failing test's message). */
  log(): string;
  stop(): Promise<void>;
}

const BIN = '/usr/bin/docker-registry';
const BCRYPT_SALT = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * bcrypt hashes `password` for htpasswd. apache2-utils (htpasswd -B) is not installed here, so the
 * C library's crypt(3) does it through perl (libxcrypt knows $2b$; the registry's Go bcrypt reads it).
 */
export function bcrypt(password: string): string {
  const bytes = randomBytes(22);
  // The 22nd character carries only 2 bits: one of ".Oeu".
  const salt = [...bytes.subarray(0, 21)].map((b) => BCRYPT_SALT[b % 64]).join('') + '.Oeu'[bytes[21] % 4];
  const hash = execFileSync('perl', ['-e', 'print crypt($ARGV[0], $ARGV[1])', password, `$2b$05$${salt}`], { encoding: 'utf8' });
  if (!hash.startsWith('$2b$05$') || hash.length !== 60) throw new Error(`crypt(3) gave no bcrypt hash: ${hash}`);
  return hash;
}

/** makeCerts writes ca.pem, server.pem and server.key (for IP 127.0.0.1 and localhost) into `dir`. */
function makeCerts(dir: string, days = 2): void {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', String(days), '-subj', '/CN=portico-test registry CA');
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  fs.writeFileSync(path.join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  ssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', String(days), '-extfile', 'ext.cnf');
}

function probe(address: string, ca: string): Promise<number> {
  return new Promise((resolve) => {
    const req = https.get(`https://${address}/v2/`, { ca, timeout: 1000 }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
    req.on('error', () => resolve(0));
    req.on('timeout', () => { req.destroy(); resolve(0); });
  });
}

/** startRegistry starts a registry that accepts `users` (basic auth) over TLS; without users it is open. */
export async function startRegistry(users: RegistryUser[]): Promise<TestRegistry> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-registry-'));
  makeCerts(dir);
  fs.writeFileSync(path.join(dir, 'htpasswd'), users.map((u) => `${u.username}:${bcrypt(u.password)}\n`).join(''));
  const caCert = fs.readFileSync(path.join(dir, 'ca.pem'), 'utf8');
  let child: ChildProcess | null = null;
  let out = '';
  let address = '';
  // A port found free may be taken before the registry binds it: try a few.
  for (let attempt = 0; attempt < 3 && !address; attempt++) {
    const port = await freePort();
    fs.writeFileSync(path.join(dir, 'config.yml'), [
      'version: 0.1',
      'log: { level: info, accesslog: { disabled: true } }',
      `storage: { filesystem: { rootdirectory: ${JSON.stringify(path.join(dir, 'data'))} }, delete: { enabled: true } }`,
      `http: { addr: "127.0.0.1:${port}", tls: { certificate: ${JSON.stringify(path.join(dir, 'server.pem'))}, key: ${JSON.stringify(path.join(dir, 'server.key'))} } }`,
      users.length ? `auth: { htpasswd: { realm: portico-test, path: ${JSON.stringify(path.join(dir, 'htpasswd'))} } }` : '',
      '',
    ].join('\n'));
    out = '';
    const c = spawn(BIN, ['serve', path.join(dir, 'config.yml')], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: '/usr/bin:/bin', HOME: dir } });
    c.stdout!.on('data', (d: Buffer) => { out += d; });
    c.stderr!.on('data', (d: Buffer) => { out += d; });
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && c.exitCode === null && c.signalCode === null) {
      const status = await probe(`127.0.0.1:${port}`, caCert);
      if (status === 200 || status === 401) { address = `127.0.0.1:${port}`; child = c; break; }
      await new Promise((r) => setTimeout(r, 100));
    }
    if (!address && c.exitCode === null && c.signalCode === null) process.kill(c.pid!, 'SIGKILL');
  }
  if (!child) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`docker-registry did not start: ${out.slice(-2000)}`);
  }
  const proc = child;
  return {
    address, caCert, dir,
    log: () => out,
    async stop() {
      const alive = () => proc.exitCode === null && proc.signalCode === null;
      if (alive()) {
        const gone = new Promise((r) => proc.once('exit', r));
        process.kill(proc.pid!, 'SIGTERM');
        await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
        if (alive()) process.kill(proc.pid!, 'SIGKILL');
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * pushImage tags local image `source` as `target` (address/repository:tag), pushes it logged in as
 * `user`, and removes the local tag again (the image it named stays). The engine must trust the
 * registry: Docker treats 127.0.0.0/8 as an insecure registry by default, so the test CA needs no
 * certs.d entry there.
 */
export function pushImage(reg: TestRegistry, source: string, target: string, user: RegistryUser): void {
  const config = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-docker-config-'));
  const docker = (args: string[], input?: string) => execFileSync('docker', ['--config', config, ...args], { input, stdio: ['pipe', 'pipe', 'pipe'], encoding: 'utf8' });
  try {
    docker(['login', reg.address, '--username', user.username, '--password-stdin'], user.password);
    docker(['tag', source, target]);
    try {
      docker(['push', target]);
    } finally {
      docker(['rmi', target]);
    }
    docker(['logout', reg.address]);
  } finally {
    fs.rmSync(config, { recursive: true, force: true });
  }
}

/** removeLocalImage removes a tag this test pulled (never an image it did not make); a missing tag is fine. */
export function removeLocalImage(ref: string): void {
  try { execFileSync('docker', ['rmi', ref], { stdio: 'ignore' }); } catch { /* not there */ }
}
