/**
 * app-sessions.ts: an app origin's own sign-in (docs/app-origins.md). The app origin's cookie holds
 * a random id; the store holds its hash, the app it is valid for, and the gateway session it was
 * made from. It is only ever as alive as that session: a lookup reads the session's expiry too,
 * and deleting the session (logout, password change, deactivation, expiry) deletes the row.
 */
import type { Db } from '../store/db.ts';
import { hashSecret, newSecret } from './tokens.ts';

/** APP_COOKIE is the app origin's cookie (host-only, HttpOnly); the proxy never forwards it to the app. */
export const APP_COOKIE = 'portico_app';

/** AppSessionStore creates and finds app-origin sessions. */
export type AppSessionStore = ReturnType<typeof createAppSessionStore>;

/** createAppSessionStore prepares the statements; `idleMs` is the gateway sessions' idle limit. */
export function createAppSessionStore(db: Db, idleMs: number) {
  const s = {
    // Only from a live session of that very user: a code outliving its session makes nothing.
    insert: db.prepare(`INSERT INTO app_sessions (id_hash, session_hash, container_uuid, created_at)
      SELECT ?, id_hash, ?, ? FROM sessions WHERE id_hash = ? AND user_id = ? AND expires_at > ? AND last_seen_at > ?`),
    get: db.prepare(`SELECT a.container_uuid, s.id_hash, s.user_id, s.expires_at, s.last_seen_at
      FROM app_sessions a JOIN sessions s ON s.id_hash = a.session_hash WHERE a.id_hash = ?`),
    touch: db.prepare('UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?'),
  };
  return {
    /** create makes an app session for `uuid` from the gateway session `sessionHash` of `userId`; null when that session is gone. */
    create(sessionHash: string, userId: number, uuid: string): string | null {
      const id = newSecret(32);
      const now = Date.now();
      const r = s.insert.run(hashSecret(id), uuid, new Date(now).toISOString(), sessionHash, userId, new Date(now).toISOString(), new Date(now - idleMs).toISOString());
      return Number(r.changes) === 1 ? id : null;
    },
    /**
     * find returns the user of a live app session valid for `uuid` (and only that app), or null.
     * Use on an app keeps the gateway session from idling out, as use of the UI does.
     */
    find(id: string, uuid: string): { userId: number } | null {
      const r = s.get.get(hashSecret(id)) as Record<string, string | number> | undefined;
      if (!r || r.container_uuid !== uuid) return null;
      const now = Date.now();
      const lastSeen = Date.parse(r.last_seen_at as string);
      if (Date.parse(r.expires_at as string) <= now || lastSeen + idleMs <= now) return null;
      if (now - lastSeen > 60_000) s.touch.run(new Date(now).toISOString(), r.id_hash);
      return { userId: r.user_id as number };
    },
  };
}
