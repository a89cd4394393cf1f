/**
 * run-as.ts: when the gateway (or the CLI) starts as root with PORTICO_RUN_AS set, as it does in
 * the container image, it gives up root before opening anything: it takes the Docker socket's
 * group as a supplementary group (so the socket works whatever GID the host gave it), hands the
 * data directory to the target user on first use (a fresh bind mount is root's), and switches
 * uid and gid. Started as any other user, it changes nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from './core/errors.ts';

/** Identity is a numeric user and primary group. */
export interface Identity { name: string; uid: number; gid: number }

/** Dropped says what dropPrivileges did, for the start-up log. */
export interface Dropped extends Identity { groups: number[]; socketGid: number | null; chowned: string[] }

/** resolveIdentity turns "name" (looked up in `passwd`, the text of /etc/passwd) or "uid[:gid]" into numbers. */
export function resolveIdentity(spec: string, passwd: string): Identity {
  const numeric = /^(\d+)(?::(\d+))?$/.exec(spec);
  if (numeric) {
    const uid = Number(numeric[1]);
    return { name: spec, uid, gid: numeric[2] !== undefined ? Number(numeric[2]) : uid };
  }
  for (const line of passwd.split('\n')) {
    const [name, , uid, gid] = line.split(':');
    if (name === spec && /^\d+$/.test(uid ?? '') && /^\d+$/.test(gid ?? '')) return { name, uid: Number(uid), gid: Number(gid) };
  }
  throw new ConfigError(`PORTICO_RUN_AS: no user ${JSON.stringify(spec)} in /etc/passwd`);
}

function chownTree(dir: string, uid: number, gid: number): void {
  fs.lchownSync(dir, uid, gid);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) chownTree(p, uid, gid);
    else fs.lchownSync(p, uid, gid);
  }
}

/**
 * dropPrivileges switches a root process to `runAs`, adding the group of `socketPath`; returns what
 * it did, or null when there was nothing to do (not root, or no runAs).
 */
export function dropPrivileges(opts: { runAs: string | null; dataDir: string; socketPath: string | null }): Dropped | null {
  if (!opts.runAs || !process.getuid || !process.setgroups || !process.setgid || !process.setuid || process.getuid() !== 0) return null;
  const id = resolveIdentity(opts.runAs, fs.existsSync('/etc/passwd') ? fs.readFileSync('/etc/passwd', 'utf8') : '');
  if (id.uid === 0) return null;
  let socketGid: number | null = null;
  if (opts.socketPath) {
    try { socketGid = fs.statSync(opts.socketPath).gid; } catch { /* no socket mounted: the engine check reports it */ }
  }
  // The whole tree only when its top is not ours yet (first start on a new bind mount); the
  // database files always, since a root-run tool may have created them.
  const chowned: string[] = [];
  fs.mkdirSync(opts.dataDir, { recursive: true });
  if (fs.statSync(opts.dataDir).uid !== id.uid) {
    chownTree(opts.dataDir, id.uid, id.gid);
    chowned.push(opts.dataDir);
  } else {
    for (const name of fs.readdirSync(opts.dataDir)) {
      const p = path.join(opts.dataDir, name);
      if (name.startsWith('portico.db') && fs.lstatSync(p).uid !== id.uid) {
        fs.lchownSync(p, id.uid, id.gid);
        chowned.push(p);
      }
    }
  }
  const groups = [...new Set([id.gid, ...(socketGid !== null ? [socketGid] : [])])];
  process.setgroups!(groups);
  process.setgid!(id.gid);
  process.setuid!(id.uid);
  if (process.getuid!() === 0 || process.geteuid?.() === 0) throw new ConfigError('PORTICO_RUN_AS: still root after setuid');
  return { ...id, groups, socketGid, chowned };
}

/** socketAccessProblem explains, with the fix, why this process cannot use the engine's socket; null when it can. */
export function socketAccessProblem(socketPath: string | null): string | null {
  if (!socketPath) return null;
  try {
    fs.accessSync(socketPath, fs.constants.R_OK | fs.constants.W_OK);
    return null;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return `no Docker socket at ${socketPath}: mount it (-v /var/run/docker.sock:/var/run/docker.sock) or set DOCKER_HOST`;
    const who = `uid ${process.getuid?.()} with groups ${process.getgroups?.().join(',')}`;
    return `${socketPath} is not readable and writable for ${who} (${code}): start the container as root with PORTICO_RUN_AS (the image's default), or add the socket's group: --group-add "$(stat -c %g ${socketPath})"`;
  }
}
