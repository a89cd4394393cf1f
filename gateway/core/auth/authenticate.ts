/**
 * authenticate.ts: finds the user behind a request: an API token (`Authorization: token …`) or
 * the session cookie. Shared by the UI, the REST API and the proxy.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Store } from '../store/index.ts';
import type { User } from '../types.ts';
import type { Session, SessionStore } from './sessions.ts';
import { SESSION_COOKIE } from './sessions.ts';
import { hashSecret, knoxDigests, parseAuthorization } from './tokens.ts';
import { cookieValue } from './cookies.ts';

/** Caller is who sent a request and how. */
export interface Caller { user: User; via: 'token' | 'session' | 'basic'; session: Session | null; sessionId: string | null }

/** readCookie returns one cookie's value from a Cookie header, percent-decoded (the pairs are read by cookies.ts). */
export function readCookie(header: string | undefined, name: string): string | null {
  const raw = cookieValue(header, name);
  if (raw === null) return null;
  // A malformed escape is a bad cookie (no session), not a server error.
  try { return decodeURIComponent(raw); } catch { return null; }
}

/** tokenUser returns the user an API token belongs to (expired tokens belong to nobody). */
export function tokenUser(store: Pick<Store, 'users'>, token: string): User | null {
  // Tokens imported from Kiosc keep Knox's digest (docs/kiosc-import.md); Portico's own come first.
  let user = store.users.userByTokenHash(hashSecret(token));
  for (const digest of user ? [] : knoxDigests(token)) user ??= store.users.userByTokenHash(digest, 'knox');
  return user;
}

/** Authenticator resolves callers; `tokenUser` is cached briefly by the caller if needed. */
export type Authenticator = ReturnType<typeof createAuthenticator>;

/**
 * createAuthenticator builds the request authenticator over the store and session store. A public
 * app's guest (docs/apps.md) is nobody here unless `guests` is set (only the public app's own link
 * sets it): their session is for the proxy and their instance, never a UI page or the API.
 */
export function createAuthenticator(store: Store, sessions: SessionStore) {
  const usable = (user: User | null, guests: boolean): user is User => user !== null && user.active && (guests || !user.guest);
  return {
    authenticate(headers: IncomingHttpHeaders, opts: { guests?: boolean } = {}): Caller | null {
      const guests = opts.guests === true;
      const token = parseAuthorization(headers.authorization);
      if (token) {
        const user = tokenUser(store, token);
        return usable(user, guests) ? { user, via: 'token', session: null, sessionId: null } : null;
      }
      const sid = readCookie(headers.cookie, SESSION_COOKIE);
      if (sid) {
        const session = sessions.find(sid);
        if (!session) return null;
        const user = store.users.byId(session.userId);
        return usable(user, guests) ? { user, via: 'session', session, sessionId: sid } : null;
      }
      return null;
    },
  };
}
