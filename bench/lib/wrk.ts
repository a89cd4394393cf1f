/**
 * wrk.ts (bench): one wrk measurement, pinned to a core, after a one-second warm-up, with the CPU
 * the given processes spent on it (from /proc) divided by the requests wrk made.
 */
import { execFileSync } from 'node:child_process';
import { cpuSplitUs } from './procs.ts';

const hasTaskset = (() => { try { execFileSync('taskset', ['-c', '0', 'true']); return true; } catch { return false; } })();

/** WrkResult is one run: requests per second, latency percentiles in ms, errors and CPU µs per request (all, and the user-space part). */
export interface WrkResult { rps: number; p50: number; p99: number; errors: number; cpuUs: number; userUs: number }

function ms(s: string): number {
  const m = /([\d.]+)(us|ms|s)/.exec(s);
  if (!m) return NaN;
  const v = Number(m[1]);
  return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
}

/** runWrk runs wrk for `seconds` on `core` against `url` with `conns` connections and the given headers (one per line). */
export function runWrk(o: { url: string; conns: number; seconds: number; core: string; headers?: string; pids: number[] }): WrkResult {
  const timed = ['-t1', `-c${o.conns}`, '--latency', ...(o.headers ? o.headers.split('\n').flatMap((h) => ['-H', h]) : []), o.url];
  const run = (secs: number) => {
    const args = [`-d${secs}s`, ...timed];
    const [c, a] = hasTaskset ? ['taskset', ['-c', o.core, 'wrk', ...args]] : ['wrk', args];
    return execFileSync(c, a, { encoding: 'utf8' });
  };
  run(1); // warm-up (JIT, pools), bounded to a second
  const [u0, k0] = cpuSplitUs(o.pids);
  const out = run(o.seconds);
  const [u1, k1] = cpuSplitUs(o.pids);
  const cpu = u1 + k1 - u0 - k0;
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0),
    p50: ms(/\s50%\s+(\S+)/.exec(out)?.[1] ?? ''),
    p99: ms(/\s99%\s+(\S+)/.exec(out)?.[1] ?? ''),
    errors: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0) + (sock ? Number(sock[1]) + Number(sock[3]) + Number(sock[4]) : 0),
    cpuUs: requests && o.pids.length ? cpu / requests : NaN,
    userUs: requests && o.pids.length ? (u1 - u0) / requests : NaN,
  };
}
