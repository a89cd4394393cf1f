/**
 * action-queue.ts: one action at a time per container. A request for the action already queued
 * last joins it (so 100 concurrent starts run one start); any other action waits its turn, and
 * every action waits out the cool-down after the previous one.
 */

interface Lane {
  tail: Promise<unknown>;
  last: { action: string; promise: Promise<unknown>; done: boolean } | null;
  lastFinished: number;
  pending: number;
}

/** ActionQueue serialises actions per key. */
export class ActionQueue {
  private readonly lanes = new Map<number, Lane>();
  private readonly minDelayMs: number;

  constructor(minDelayMs: number) {
    this.minDelayMs = minDelayMs;
  }

  /** busy tells whether an action is running or queued for `key`. */
  busy(key: number): boolean {
    return (this.lanes.get(key)?.pending ?? 0) > 0;
  }

  /** size is the number of actions running or queued, over every key. */
  size(): number {
    let n = 0;
    for (const l of this.lanes.values()) n += l.pending;
    return n;
  }

  /** current is the action running or queued last for `key`, if any. */
  current(key: number): string | null {
    const l = this.lanes.get(key);
    return l?.last && !l.last.done ? l.last.action : null;
  }

  /** run queues `fn` for `key`, or joins the identical action queued last. */
  run<T>(key: number, action: string, fn: () => Promise<T>): Promise<T> {
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { tail: Promise.resolve(), last: null, lastFinished: 0, pending: 0 };
      this.lanes.set(key, lane);
    }
    if (lane.last && !lane.last.done && lane.last.action === action) return lane.last.promise as Promise<T>;
    const l = lane;
    l.pending++;
    const promise = l.tail.then(async () => {
      const wait = l.lastFinished + this.minDelayMs - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      try {
        return await fn();
      } finally {
        l.lastFinished = Date.now();
      }
    });
    const entry = { action, promise: promise as Promise<unknown>, done: false };
    l.last = entry;
    const settle = () => {
      entry.done = true;
      l.pending--;
      if (l.pending === 0 && this.lanes.get(key) === l && l.last === entry) {
        // Keep the lane only as long as the cool-down matters.
        setTimeout(() => { if (l.pending === 0 && this.lanes.get(key) === l) this.lanes.delete(key); }, this.minDelayMs).unref();
      }
    };
    l.tail = promise.then(settle, settle);
    return promise;
  }
}
