/**
 * auth.ts: who is calling, for the proxy's hot path. The same rules as the REST API (an API token
 * in Authorization, else the session cookie), but answers are cached for a few seconds so a busy
 * app costs no database read per request. A token that is not a Portico token is left for the app
 * (Jupyter, for one, uses `Authorization: token …` itself) and the session cookie decides.
 */
import { LRUCache } from 'lru-cache';
import type { Services } from '../core/services.ts';
import type { User } from '../core/types.ts';
import { SESSION_COOKIE } from '../core/auth/sessions.ts';
import { parseAuthorization } from '../core/auth/tokens.ts';
import { tokenUser } from '../core/auth/authenticate.ts';
import { cookieValue } from '../core/auth/cookies.ts';
import { APP_COOKIE } from '../core/auth/app-sessions.ts';
import type { AppSessionStore } from '../core/auth/app-sessions.ts';

/** ProxyCaller is an authenticated user and whether the Authorization header was the gateway's. */
export interface ProxyCaller {
  user: User;
  /** viaToken: Authorization carried a Portico token, so it must not reach the app. */
  viaToken: boolean;
}

/**
 * AUTH_TTL_MS bounds how long a cached answer is trusted. Withdrawals made in this process (logout,
 * token deleted, user deactivated) move the store's access revision and empty the cache at once;
 * the TTL covers changes made by another process (the CLI).
 */
export const AUTH_TTL_MS = 5_000;

interface Entry { caller: ProxyCaller | null }
const NOBODY: Entry = { caller: null };

/** sessionId reads a Portico cookie's value (the gateway's session by default) from a Cookie header, with the same RFC 6265 reader that strips it (cookies.ts). */
export function sessionId(cookie: string | undefined, name = SESSION_COOKIE): string | null {
  const v = cookieValue(cookie, name);
  return v || null;
}

/** ProxyAuth resolves callers with a short-lived cache. */
export type ProxyAuth = ReturnType<typeof createProxyAuth>;

/** createProxyAuth builds the cached authenticator over the store and the session store. */
export function createProxyAuth(svc: Pick<Services, 'store' | 'sessions'>, ttlMs = AUTH_TTL_MS, appSessions: AppSessionStore | null = null) {
  // Keys are the raw header value / cookie value: hashing them per request would cost more than
  // the lookup, and they already sit in this process's memory as request headers.
  const tokens = new LRUCache<string, Entry>({ max: 10_000, ttl: ttlMs, ttlResolution: 100 });
  const sessions = new LRUCache<string, Entry>({ max: 10_000, ttl: ttlMs, ttlResolution: 100 });
  // Its own cache: an app cookie's entry can never answer for a gateway session cookie.
  const apps = new LRUCache<string, Entry>({ max: 10_000, ttl: ttlMs, ttlResolution: 100 });
  const revision = svc.store.accessRevision;
  let seen = revision.value;

  function byToken(header: string): ProxyCaller | null {
    let e = tokens.get(header);
    if (e === undefined) {
      const token = parseAuthorization(header);
      const user = token ? tokenUser(svc.store, token) : null;
      e = user && user.active ? { caller: { user, viaToken: true } } : NOBODY;
      tokens.set(header, e);
    }
    return e.caller;
  }

  function bySession(sid: string): ProxyCaller | null {
    let e = sessions.get(sid);
    if (e === undefined) {
      const session = svc.sessions.find(sid);
      const user = session ? svc.store.users.byId(session.userId) : null;
      e = user && user.active ? { caller: { user, viaToken: false } } : NOBODY;
      sessions.set(sid, e);
    }
    return e.caller;
  }

  function byAppSession(key: string, id: string, uuid: string): ProxyCaller | null {
    let e = apps.get(key);
    if (e === undefined) {
      const session = appSessions?.find(id, uuid) ?? null;
      const user = session ? svc.store.users.byId(session.userId) : null;
      e = user && user.active ? { caller: { user, viaToken: false } } : NOBODY;
      apps.set(key, e);
    }
    return e.caller;
  }

  return {
    /**
     * resolveApp is `resolve` on the origin of app `uuid`: an API token, else that origin's own
     * cookie, valid for that app only. The gateway's session cookie counts for nothing here.
     */
    resolveApp(authorization: string | undefined, cookie: string | undefined, uuid: string): ProxyCaller | null {
      if (revision.value !== seen) { seen = revision.value; tokens.clear(); sessions.clear(); apps.clear(); }
      if (authorization !== undefined) {
        const caller = byToken(authorization);
        if (caller !== null) return caller;
      }
      const id = sessionId(cookie, APP_COOKIE);
      // Keyed by app too ('/' never occurs in an id): one app's cookie is nothing on another's origin.
      return id === null ? null : byAppSession(uuid + '/' + id, id, uuid);
    },
    /** resolve returns the caller behind the Authorization and Cookie headers, or null. */
    resolve(authorization: string | undefined, cookie: string | undefined): ProxyCaller | null {
      if (revision.value !== seen) { seen = revision.value; tokens.clear(); sessions.clear(); apps.clear(); }
      if (authorization !== undefined) {
        const caller = byToken(authorization);
        if (caller !== null) return caller;
      }
      const sid = sessionId(cookie);
      return sid === null ? null : bySession(sid);
    },
    /** clear forgets every cached answer (after a logout or a role change, for instance). */
    clear(): void { tokens.clear(); sessions.clear(); apps.clear(); },
  };
}
