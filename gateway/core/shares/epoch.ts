/**
 * epoch.ts: access withdrawals made by another process (the CLI) reach a running gateway. The
 * CLI moves a counter in the settings table; the gateway reads it every second (one indexed read,
 * never per request) and, when it moved, moves its own access revision: caches forget and open
 * connections are checked again, as for a withdrawal made in the gateway itself.
 */
import type { Store } from '../store/index.ts';

const KEY = 'access.epoch';

/** EPOCH_POLL_MS is how often a gateway looks for withdrawals made elsewhere. */
export const EPOCH_POLL_MS = 1000;

/** bumpAccessEpoch records a withdrawal for running gateways to see. */
export function bumpAccessEpoch(store: Store): void {
  store.settings.set(KEY, String(Number(store.settings.get(KEY) ?? '0') + 1));
}

/** followAccessEpoch polls the epoch and bumps `store.accessRevision` when it moved; returns the stop function. */
export function followAccessEpoch(store: Store, everyMs = EPOCH_POLL_MS): () => void {
  const read = () => { try { return store.settings.get(KEY); } catch { return null; } };
  let seen = read();
  const timer = setInterval(() => {
    const now = read();
    if (now !== null && now !== seen) { seen = now; store.accessRevision.bump(); }
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
