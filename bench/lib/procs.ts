/**
 * procs.ts (bench): the process plumbing the side-by-side benchmarks share: free ports, children
 * pinned to a core and killed by pid, a child's one-line JSON answer, nginx configs in a temp
 * prefix, and a process's CPU time and resident memory from /proc.
 */
import { spawn, execFileSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import net from 'node:net';

const hasTaskset = (() => { try { execFileSync('taskset', ['-c', '0', 'true']); return true; } catch { return false; } })();

/** Children tracks what a benchmark started, so cleanup kills exactly those (by pid). */
export class Children {
  readonly list: ChildProcess[] = [];

  /** launch starts `cmd` pinned to `core`; with readJson it resolves with the child's first `{…}` stdout line plus its pid. */
  launch(core: string | null, cmd: string, args: string[], opts: { readJson?: boolean; cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<any> {
    const [c, a] = core !== null && hasTaskset ? ['taskset', ['-c', core, cmd, ...args]] : [cmd, args];
    // taskset execs the command, so the child's pid is the program's own (read for its CPU time).
    const child = spawn(c, a, { stdio: ['ignore', 'pipe', 'inherit'], cwd: opts.cwd, env: opts.env ?? process.env });
    this.list.push(child);
    if (!opts.readJson) return Promise.resolve({ pid: child.pid });
    return new Promise((resolve, reject) => {
      let buf = '';
      let found = false;
      child.stdout!.on('data', (d) => {
        buf += d;
        for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          if (!found && line.startsWith('{')) { found = true; resolve({ ...JSON.parse(line), pid: child.pid }); }
          else process.stderr.write(line + '\n');
        }
      });
      child.once('exit', (code) => { if (!found) reject(new Error(`${cmd} exited with ${code}`)); });
    });
  }

  /** killAll sends SIGTERM to every child this benchmark started. */
  killAll(): void {
    for (const c of this.list) { if (c.exitCode === null && c.pid) { try { process.kill(c.pid, 'SIGTERM'); } catch { /* gone */ } } }
  }
}

/** freePort asks the kernel for a free port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); });
  });
}

/** waitPort waits (up to 5 s) until something accepts connections on the port. */
export async function waitPort(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise<boolean>((r) => { const s = net.connect(port, '127.0.0.1', () => { s.destroy(); r(true); }); s.on('error', () => r(false)); });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`nothing listens on ${port}`);
}

/** nginxConf writes an nginx.conf (one worker, daemon off, everything under `tmp/name`) around `server` and returns its dir. */
export function nginxConf(tmp: string, name: string, server: string): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(path.join(dir, 'logs'), { recursive: true });
  const conf = `worker_processes 1; pid ${dir}/nginx.pid; error_log ${dir}/logs/error.log warn; daemon off;
events { worker_connections 4096; }
http { access_log off; sendfile on; tcp_nopush on; tcp_nodelay on; keepalive_requests 1000000; keepalive_timeout 65;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  types { text/plain txt; application/octet-stream bin; } default_type application/octet-stream;
  ${server} }`;
  fs.writeFileSync(path.join(dir, 'nginx.conf'), conf);
  return dir;
}

/** nginxPids lists the master (from `pidFile`) and its workers. */
export function nginxPids(pidFile: string): number[] {
  try {
    const master = Number(fs.readFileSync(pidFile, 'utf8').trim());
    const workers = execFileSync('pgrep', ['-P', String(master)], { encoding: 'utf8' }).trim().split('\n').map(Number).filter(Boolean);
    return [master, ...workers];
  } catch { return []; }
}

const TICK_US = 1e6 / Number((() => { try { return execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim(); } catch { return '100'; } })());

/** cpuUs is utime+stime of the processes in µs (0 when /proc is not there). */
export function cpuUs(pids: number[]): number {
  const [u, k] = cpuSplitUs(pids);
  return u + k;
}

/** cpuSplitUs is [user, system] CPU µs of the processes so far (utime and stime in /proc/<pid>/stat). */
export function cpuSplitUs(pids: number[]): [number, number] {
  let u = 0;
  let k = 0;
  for (const pid of pids) {
    try {
      const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      u += Number(f[11]) * TICK_US;
      k += Number(f[12]) * TICK_US;
    } catch { /* gone or no /proc */ }
  }
  return [u, k];
}

/** rssKiB is the summed resident set size of the processes (VmRSS), in KiB. */
export function rssKiB(pids: number[]): number {
  let t = 0;
  for (const pid of pids) {
    try { t += Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0); } catch { /* gone */ }
  }
  return t;
}
