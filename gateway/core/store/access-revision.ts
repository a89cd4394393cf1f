/**
 * access-revision.ts: a counter that moves whenever this process withdraws access — a session
 * ended, a token deleted, a user deactivated or demoted, a membership changed or removed. Caches
 * of "who may do what" (the proxy's) compare it with the value they last saw and start over when it
 * moved, so a logout or a removal takes effect on the next request instead of after a TTL. Changes
 * made by another process (the CLI) are not seen here; the caches' short TTL covers those.
 */
export class AccessRevision {
  private n = 0;
  private readonly listeners: Array<() => void> = [];
  /** value is the current revision. */
  get value(): number { return this.n; }
  /** bump records a withdrawal. */
  bump(): void {
    this.n++;
    for (const fn of this.listeners) fn();
  }
  /** onBump calls `fn` after each withdrawal (for holders of long-lived access, such as open WebSockets). */
  onBump(fn: () => void): void { this.listeners.push(fn); }
}
