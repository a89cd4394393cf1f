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

/** sessionId reads the gateway's session cookie value from a Cookie header without parsing the rest. */
export function sessionId(cookie: string | undefined): string | null {
  if (cookie === undefined) return null;
  let i = cookie.indexOf(SESSION_COOKIE);
  while (i >= 0) {
    const eq = i + SESSION_COOKIE.length;
    if ((i === 0 || cookie.charCodeAt(i - 1) === 32 || cookie.charCodeAt(i - 1) === 59) && cookie.charCodeAt(eq) === 61) {
      const end = cookie.indexOf(';', eq);
      const v = cookie.slice(eq + 1, end < 0 ? undefined : end).trim();
      return v || null;
    }
    i = cookie.indexOf(SESSION_COOKIE, i + 1);
  }
  return null;
}

/** ProxyAuth resolves callers with a short-lived cache. */
export type ProxyAuth = ReturnType<typeof createProxyAuth>;

/** createProxyAuth builds the cached authenticator over the store and the session store. */
export function createProxyAuth(svc: Pick<Services, 'store' | 'sessions'>, ttlMs = AUTH_TTL_MS) {
  // Keys are the raw header value / cookie value: hashing them per request would cost more than
  // the lookup, and they already sit in this process's memory as request headers.
  const tokens = new LRUCache<string, Entry>({ max: 10_000, ttl: ttlMs, ttlResolution: 100 });
  const sessions = new LRUCache<string, Entry>({ max: 10_000, ttl: ttlMs, ttlResolution: 100 });
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

  return {
    /** resolve returns the caller behind the Authorization and Cookie headers, or null. */
    resolve(authorization: string | undefined, cookie: string | undefined): ProxyCaller | null {
      if (revision.value !== seen) { seen = revision.value; tokens.clear(); sessions.clear(); }
      if (authorization !== undefined) {
        const caller = byToken(authorization);
        if (caller !== null) return caller;
      }
      const sid = sessionId(cookie);
      return sid === null ? null : bySession(sid);
    },
    /** clear forgets every cached answer (after a logout or a role change, for instance). */
    clear(): void { tokens.clear(); sessions.clear(); },
  };
}
