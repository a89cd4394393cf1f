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

/** Entry is one cached answer; `until` is when it stops being trusted (ms, Date.now()). */
interface Entry { caller: ProxyCaller | null; until: number }
const NOBODY: Entry = { caller: null, until: 0 };

/**
 * ConnMemo remembers, for one client connection, the credentials it last sent and the cached
 * answer they got: a keep-alive connection sends the same Authorization or Cookie with every
 * request, so the next request is a few string compares instead of a cache lookup (and, for a
 * cookie, no parsing). It trusts the answer no longer than the cache would — until the entry's own
 * expiry, and not past a withdrawal (the access revision) — and holds only positive answers.
 */
export class ConnMemo {
  authorization: string | undefined = undefined;
  cookie: string | undefined = undefined;
  app: string | null = null;
  entry: Entry = NOBODY;
  /** gen is the cache's generation the entry came from (every emptying of the cache starts a new one). */
  gen = -1;
}

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

  function byToken(header: string): Entry {
    let e = tokens.get(header);
    if (e === undefined) {
      const token = parseAuthorization(header);
      const user = token ? tokenUser(svc.store, token) : null;
      e = user && user.active ? { caller: { user, viaToken: true }, until: Date.now() + ttlMs } : NOBODY;
      tokens.set(header, e);
    }
    return e;
  }

  function bySession(sid: string): Entry {
    let e = sessions.get(sid);
    if (e === undefined) {
      const session = svc.sessions.find(sid);
      const user = session ? svc.store.users.byId(session.userId) : null;
      e = user && user.active ? { caller: { user, viaToken: false }, until: Date.now() + ttlMs } : NOBODY;
      sessions.set(sid, e);
    }
    return e;
  }

  function byAppSession(key: string, id: string, uuid: string): Entry {
    let e = apps.get(key);
    if (e === undefined) {
      const session = appSessions?.find(id, uuid) ?? null;
      const user = session ? svc.store.users.byId(session.userId) : null;
      e = user && user.active ? { caller: { user, viaToken: false }, until: Date.now() + ttlMs } : NOBODY;
      apps.set(key, e);
    }
    return e;
  }

  /** gen counts the emptyings of the caches: a memo from an earlier generation is not trusted. */
  let gen = 0;
  function clearAll(): void { gen++; tokens.clear(); sessions.clear(); apps.clear(); }

  function fresh(): void {
    if (revision.value !== seen) { seen = revision.value; clearAll(); }
  }

  /** entryFor is the answer for an API token, else the session cookie: the gateway's (app null), or app `app`'s own. */
  function entryFor(authorization: string | undefined, cookie: string | undefined, app: string | null): Entry {
    fresh();
    if (authorization !== undefined) {
      const e = byToken(authorization);
      if (e.caller !== null) return e;
    }
    if (app === null) {
      const sid = sessionId(cookie);
      return sid === null ? NOBODY : bySession(sid);
    }
    const id = sessionId(cookie, APP_COOKIE);
    // Keyed by app too ('/' never occurs in an id): one app's cookie is nothing on another's origin.
    return id === null ? NOBODY : byAppSession(app + '/' + id, id, app);
  }

  return {
    /**
     * resolveApp is `resolve` on the origin of app `uuid`: an API token, else that origin's own
     * cookie, valid for that app only. The gateway's session cookie counts for nothing here.
     */
    resolveApp(authorization: string | undefined, cookie: string | undefined, uuid: string): ProxyCaller | null {
      return entryFor(authorization, cookie, uuid).caller;
    },
    /** resolve returns the caller behind the Authorization and Cookie headers, or null. */
    resolve(authorization: string | undefined, cookie: string | undefined): ProxyCaller | null {
      return entryFor(authorization, cookie, null).caller;
    },
    /**
     * resolveConn is `resolve` (app null) or `resolveApp` for a request on the connection that
     * `memo` belongs to: the same answer, from the memo when the credentials are those of the
     * connection's last request and its answer is still trusted.
     */
    resolveConn(memo: ConnMemo, authorization: string | undefined, cookie: string | undefined, app: string | null): ProxyCaller | null {
      const m = memo.entry;
      if (m.caller !== null && memo.gen === gen && revision.value === seen && memo.authorization === authorization && memo.cookie === cookie
        && memo.app === app && Date.now() < m.until) return m.caller;
      const e = entryFor(authorization, cookie, app);
      memo.authorization = authorization;
      memo.cookie = cookie;
      memo.app = app;
      memo.entry = e;
      memo.gen = gen;
      return e.caller;
    },
    /** clear forgets every cached answer (after a logout or a role change, for instance). */
    clear(): void { clearAll(); },
  };
}
