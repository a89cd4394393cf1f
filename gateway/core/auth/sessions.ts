/**
 * sessions.ts: server-side login sessions. The cookie holds a random id; the store holds only its
 * hash, the user, a CSRF token and the idle and absolute expiry.
 */
import type { Db } from '../store/db.ts';
import type { AccessRevision } from '../store/access-revision.ts';
import { bestEffort } from '../store/health.ts';
import { hashSecret, newSecret } from './tokens.ts';

/** SESSION_COOKIE is the gateway's own cookie; the proxy never forwards it to apps. */
export const SESSION_COOKIE = 'portico_session';

/** Session is a live login. */
export interface Session { idHash: string; userId: number; csrf: string; expiresAt: string; lastSeenAt: string }

/** SessionStore creates, finds, rotates and ends sessions. */
export type SessionStore = ReturnType<typeof createSessionStore>;

/** createSessionStore prepares the session statements; `idleMs` and `absoluteMs` bound every session. */
export function createSessionStore(db: Db, idleMs: number, absoluteMs: number, revision: AccessRevision) {
  const s = {
    insert: db.prepare('INSERT INTO sessions (id_hash, user_id, csrf, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)'),
    get: db.prepare('SELECT * FROM sessions WHERE id_hash = ?'),
    touch: db.prepare('UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?'),
    remove: db.prepare('DELETE FROM sessions WHERE id_hash = ?'),
    removeUser: db.prepare('DELETE FROM sessions WHERE user_id = ?'),
    purge: db.prepare('DELETE FROM sessions WHERE expires_at < ? OR last_seen_at < ?'),
  };
  return {
    /** create starts a session and returns the cookie value (shown once). */
    create(userId: number): { id: string; csrf: string } {
      const id = newSecret(32);
      const csrf = newSecret(24);
      const now = Date.now();
      s.insert.run(hashSecret(id), userId, csrf, new Date(now).toISOString(), new Date(now).toISOString(), new Date(now + absoluteMs).toISOString());
      return { id, csrf };
    },
    /** find returns the live session for a cookie value, extending its idle window (at most once a minute). */
    find(id: string): Session | null {
      const idHash = hashSecret(id);
      const r = s.get.get(idHash) as Record<string, string | number> | undefined;
      if (!r) return null;
      const now = Date.now();
      const lastSeen = Date.parse(r.last_seen_at as string);
      // Neither write may fail the request that caused it: a store that cannot save still serves.
      if (Date.parse(r.expires_at as string) <= now || lastSeen + idleMs <= now) {
        bestEffort(db, 'expired session removals', () => s.remove.run(idHash));
        return null;
      }
      if (now - lastSeen > 60_000) bestEffort(db, 'session last-seen times', () => s.touch.run(new Date(now).toISOString(), idHash));
      return { idHash, userId: r.user_id as number, csrf: r.csrf as string, expiresAt: r.expires_at as string, lastSeenAt: r.last_seen_at as string };
    },
    destroy(id: string): void { s.remove.run(hashSecret(id)); revision.bump(); },
    destroyAllOf(userId: number): void { s.removeUser.run(userId); revision.bump(); },
    purgeExpired(): number {
      const now = Date.now();
      return Number(s.purge.run(new Date(now).toISOString(), new Date(now - idleMs).toISOString()).changes);
    },
  };
}
