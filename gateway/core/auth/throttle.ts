/**
 * throttle.ts: failed-login throttling, kept in memory, per account and per client address.
 * After `free` failures a key is locked for base·2^(failures−free) seconds (capped). Each attempt
 * counts as a failure the moment it starts, so a burst of parallel guesses cannot slip through
 * before the first one is checked; a success or a neutral outcome (the directory was down) takes
 * it back. One account's lock never blocks another account; an address lock blocks only that
 * address, and addresses get a larger allowance because many people may share one (NAT).
 */

/** ThrottleLimits tune the throttle (from the PORTICO_LOGIN_* settings). */
export interface ThrottleLimits {
  userFailures: number;
  addressFailures: number;
  lockSeconds: number;
  lockMaxSeconds: number;
  /** maxEntries bounds memory: the least recently failed keys are forgotten first. */
  maxEntries?: number;
}

/** Lock says who is locked and for how long. */
export interface Lock { scope: 'user' | 'address'; retryAfterSeconds: number }

/** Attempt is a started login; call `done` exactly once with its outcome. */
export interface Attempt { done(outcome: 'success' | 'failure' | 'neutral'): void }

/** LoginThrottle guards logins and password checks. */
export interface LoginThrottle {
  /** begin returns the lock when `user` or `address` is locked, or starts an attempt. */
  begin(user: string, address: string): { lock: Lock } | { attempt: Attempt };
  /** lockOf reports the current lock without starting an attempt. */
  lockOf(user: string, address: string): Lock | null;
}

interface Entry { failures: number; last: number }

/** createLoginThrottle builds an in-memory throttle; `now` is injectable for unit tests. */
export function createLoginThrottle(limits: ThrottleLimits, now: () => number = Date.now): LoginThrottle {
  const maxEntries = limits.maxEntries ?? 100_000;
  const users = new Map<string, Entry>();
  const addresses = new Map<string, Entry>();
  // An entry is forgotten once its lock has run out and it has been quiet for this long.
  const forgetMs = Math.max(3600, limits.lockMaxSeconds * 2) * 1000;

  function lockMs(failures: number, free: number): number {
    if (failures < free) return 0;
    return Math.min(limits.lockSeconds * 2 ** Math.min(failures - free, 30), limits.lockMaxSeconds) * 1000;
  }

  function remaining(map: Map<string, Entry>, key: string, free: number): number {
    const e = map.get(key);
    if (!e) return 0;
    const t = now();
    if (t - e.last > forgetMs) { map.delete(key); return 0; }
    return Math.max(0, e.last + lockMs(e.failures, free) - t);
  }

  /** bump counts one failure for `key` and returns the previous time of its last failure (for undo). */
  function bump(map: Map<string, Entry>, key: string): number {
    const e = map.get(key) ?? { failures: 0, last: 0 };
    const previous = e.last;
    map.delete(key); // re-insert so the Map's order is least recently failed first
    e.failures++;
    e.last = now();
    map.set(key, e);
    if (map.size > maxEntries) map.delete(map.keys().next().value as string);
    return previous;
  }

  /** undo takes back one counted failure, restoring the time of the one before it. */
  function undo(map: Map<string, Entry>, key: string, previousLast: number): void {
    const e = map.get(key);
    if (!e) return;
    e.failures--;
    e.last = previousLast;
    if (e.failures <= 0) map.delete(key);
  }

  function lockOf(user: string, address: string): Lock | null {
    const u = remaining(users, user, limits.userFailures);
    if (u > 0) return { scope: 'user', retryAfterSeconds: Math.ceil(u / 1000) };
    const a = remaining(addresses, address, limits.addressFailures);
    if (a > 0) return { scope: 'address', retryAfterSeconds: Math.ceil(a / 1000) };
    return null;
  }

  return {
    lockOf,
    begin(user, address) {
      const lock = lockOf(user, address);
      if (lock) return { lock };
      const userLast = bump(users, user);
      const addressLast = bump(addresses, address);
      let finished = false;
      return {
        attempt: {
          done(outcome) {
            if (finished) return;
            finished = true;
            if (outcome === 'failure') return;
            if (outcome === 'success') users.delete(user);
            else undo(users, user, userLast);
            undo(addresses, address, addressLast);
          },
        },
      };
    },
  };
}

/** lockMessage is the text people see for a lock. */
export function lockMessage(lock: Lock): string {
  const wait = lock.retryAfterSeconds >= 120 ? `${Math.ceil(lock.retryAfterSeconds / 60)} minutes` : `${lock.retryAfterSeconds} seconds`;
  return lock.scope === 'user'
    ? `Too many failed logins for this account. Try again in ${wait}.`
    : `Too many failed logins from your network address. Try again in ${wait}.`;
}
