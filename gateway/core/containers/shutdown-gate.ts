/**
 * shutdown-gate.ts: how the lifecycle ends on SIGTERM. Once closing, no new action is accepted;
 * actions in progress get the grace period. Past it, their callers are answered 503
 * E_SHUTTING_DOWN (nobody waits on a process about to end) and actions not yet begun are dropped.
 * What was cut off left its intent in the store; start-up resumes it (recovery.ts).
 */
import { PorticoError } from '../errors.ts';

/** shuttingDown is the 503 for an action refused (`accepted` false) or cut off by the shutdown. */
export function shuttingDown(action: string, accepted = false): PorticoError {
  return new PorticoError('E_SHUTTING_DOWN', 503, accepted
    ? `the gateway is shutting down before the ${action} finished; it resumes when the gateway is back`
    : `the gateway is shutting down; ask to ${action} again once it is back`);
}

/** ShutdownGate tracks the callers waiting on actions, and closes. */
export class ShutdownGate {
  /** closing: no new action is accepted. */
  closing = false;
  /** cut: the grace is over; an action whose turn comes now is not begun. */
  cut = false;
  private readonly waiting = new Set<() => void>();

  /** track lets a caller wait for `job` until the grace is over, then rejects with 503 (the job itself goes on). */
  track<T>(job: Promise<T>, action: string): Promise<T> {
    let drop = () => {};
    const cut = new Promise<never>((_, reject) => { drop = () => reject(shuttingDown(action, true)); });
    this.waiting.add(drop);
    return Promise.race([job, cut]).finally(() => this.waiting.delete(drop));
  }

  /** close waits up to `graceMs` for `busy()` to reach 0, then cuts; resolves with what was still busy. */
  async close(graceMs: number, busy: () => number): Promise<number> {
    this.closing = true;
    const deadline = Date.now() + graceMs;
    while (busy() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const left = busy();
    if (left > 0) {
      this.cut = true;
      for (const drop of this.waiting) drop();
    }
    return left;
  }
}
