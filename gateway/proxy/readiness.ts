/**
 * readiness.ts: polls a starting app until it answers. Any HTTP answer below 500 means ready; a
 * connection error (refused, reset, no answer yet) or a 5xx is retried every `intervalMs` until the
 * deadline; anything else (the port speaks no HTTP) fails at once. Aborting the signal stops it.
 * Probes only ever go to the app's own upstream: an absolute heartbeat_url contributes its path.
 */
import http from 'node:http';
import { isNetworkError } from '../core/errors.ts';

/** ReadyResult is how waiting ended. */
export type ReadyResult = { ok: true } | { ok: false; reason: 'timeout' | 'aborted' | 'error'; detail: string };

/** heartbeatPath is the path probed: heartbeat_url's path (relative or absolute URL), else the app's root. */
export function heartbeatPath(heartbeatUrl: string, fallback: string): string {
  if (!heartbeatUrl) return fallback;
  if (heartbeatUrl.startsWith('/')) return heartbeatUrl;
  try {
    const u = new URL(heartbeatUrl);
    return u.pathname + u.search;
  } catch {
    return fallback;
  }
}

const PROBE_TIMEOUT_MS = 2_000;

function probe(host: string, port: number, path: string, timeoutMs: number, signal: AbortSignal): Promise<{ status: number } | { error: Error }> {
  return new Promise((resolve) => {
    const req = http.request({ host, port, path, method: 'GET', agent: false, timeout: timeoutMs, signal, headers: { 'user-agent': 'portico-readiness', connection: 'close' } }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0 });
      res.on('error', () => {});
      req.destroy();
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('no answer yet'), { code: 'ETIMEDOUT' })));
    req.on('error', (error) => resolve({ error }));
    req.end();
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() { clearTimeout(t); signal.removeEventListener('abort', done); resolve(); }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** waitReady polls http://host:port`path` until ready, the deadline (ms since epoch), or the abort. */
export async function waitReady(opts: { host: string; port: number; path: string; intervalMs: number; deadline: number; signal: AbortSignal }): Promise<ReadyResult> {
  const { signal } = opts;
  let last = 'no answer';
  // Most apps answer within milliseconds of their start: probe quickly at first, then every intervalMs.
  let delay = Math.min(5, opts.intervalMs);
  for (;;) {
    if (signal.aborted) return { ok: false, reason: 'aborted', detail: 'the client went away' };
    const left = opts.deadline - Date.now();
    if (left <= 0) return { ok: false, reason: 'timeout', detail: last };
    const r = await probe(opts.host, opts.port, opts.path, Math.min(PROBE_TIMEOUT_MS, left), signal);
    if ('status' in r) {
      if (r.status > 0 && r.status < 500) return { ok: true };
      last = `the app answered ${r.status}`;
    } else if (signal.aborted) {
      return { ok: false, reason: 'aborted', detail: 'the client went away' };
    } else if (isNetworkError(r.error)) {
      last = (r.error as { code?: string }).code ?? r.error.message;
    } else {
      return { ok: false, reason: 'error', detail: r.error.message };
    }
    await sleep(Math.min(delay, Math.max(0, opts.deadline - Date.now())), signal);
    delay = Math.min(delay * 2, opts.intervalMs);
  }
}
