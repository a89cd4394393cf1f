/**
 * app-handshake.ts: the one-time codes that carry a sign-in from the gateway's origin to an app's
 * (docs/app-origins.md), like an OAuth authorization code: random, short-lived, single use, and
 * bound to one app, one user and the gateway session it came from. Held in memory only: a code
 * lives for seconds, and a restart merely sends the browser through the handshake again.
 */
import { newSecret } from './tokens.ts';

/** CODE_TTL_MS is how long a code may take from the gateway's redirect to its use. */
export const CODE_TTL_MS = 30_000;
const MAX_CODES = 10_000;

/** Grant is what a code stands for. */
export interface Grant { uuid: string; userId: number; sessionHash: string; expires: number }

/** Handshake issues and redeems codes. */
export type Handshake = ReturnType<typeof createHandshake>;

/** createHandshake makes an empty code book; `now` is for tests. */
export function createHandshake(ttlMs = CODE_TTL_MS, now: () => number = Date.now) {
  const codes = new Map<string, Grant>();

  function prune(t: number): void {
    // Insertion order is expiry order: stop at the first live one.
    for (const [code, g] of codes) {
      if (g.expires > t && codes.size < MAX_CODES) break;
      codes.delete(code);
    }
  }

  return {
    /** issue returns a new code for `uuid`, `userId` and the gateway session `sessionHash`. */
    issue(uuid: string, userId: number, sessionHash: string): string {
      const t = now();
      prune(t);
      const code = newSecret(32);
      codes.set(code, { uuid, userId, sessionHash, expires: t + ttlMs });
      return code;
    },
    /**
     * redeem spends `code` on the app `uuid`: its grant, or null when the code is unknown, used,
     * expired or for another app. Any attempt spends it, so a code shown to the wrong app is gone.
     */
    redeem(code: string, uuid: string): Grant | null {
      const g = codes.get(code);
      if (g === undefined) return null;
      codes.delete(code);
      return g.expires > now() && g.uuid === uuid ? g : null;
    },
  };
}
