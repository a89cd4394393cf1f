/**
 * login-csrf.ts: CSRF protection for the login form, before any session exists (login CSRF
 * would log a victim into the attacker's account). A signed double-submit: the login page sets a
 * random nonce in a SameSite=Strict, HttpOnly cookie scoped to /login and puts
 * HMAC(site key, nonce) in the form; the POST must bring both, and must not come from another
 * site (Origin and Sec-Fetch-Site, when the browser sends them). The site key is generated once
 * and kept in the settings table.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { PorticoError } from '../../gateway/core/errors.ts';
import type { Services } from '../../gateway/core/services.ts';
import { readCookie } from '../../gateway/core/auth/authenticate.ts';
import { newSecret } from '../../gateway/core/auth/tokens.ts';
import { isSecureRequest } from '../api/session.ts';

/** LOGIN_CSRF_COOKIE holds the nonce of the login form. */
export const LOGIN_CSRF_COOKIE = 'portico_login';
const NONCE_RE = /^[A-Za-z0-9_-]{22,64}$/;

/** LoginCsrf issues and checks login-form tokens. */
export type LoginCsrf = ReturnType<typeof createLoginCsrf>;

/** createLoginCsrf builds the login-form CSRF checks over the site key in the settings table. */
export function createLoginCsrf(svc: Services) {
  let key: string | null = null;
  const sign = (nonce: string) => {
    key ??= svc.store.settings.getOrCreate('secret.login_csrf_key', () => newSecret(32));
    return createHmac('sha256', key).update(nonce).digest('base64url');
  };

  return {
    /** issue returns the form token and the Set-Cookie value (reusing a valid nonce, so two open login tabs both work). */
    issue(req: IncomingMessage): { token: string; cookie: string } {
      const existing = readCookie(req.headers.cookie, LOGIN_CSRF_COOKIE);
      const nonce = existing && NONCE_RE.test(existing) ? existing : newSecret(24);
      const cookie = `${LOGIN_CSRF_COOKIE}=${nonce}; Path=/login; HttpOnly; SameSite=Strict; Max-Age=7200${isSecureRequest(svc, req) ? '; Secure' : ''}`;
      return { token: sign(nonce), cookie };
    },
    /** verify throws E_CSRF unless the form token matches the cookie's nonce and the request is same-origin. */
    verify(req: IncomingMessage, formToken: string | undefined): void {
      const site = req.headers['sec-fetch-site'];
      if (site !== undefined && site !== 'same-origin' && site !== 'none') throw refused();
      const origin = req.headers.origin;
      if (origin !== undefined && origin !== 'null' && !sameHost(origin, req, svc.config.trustProxy)) throw refused();
      // A page sent with Referrer-Policy: no-referrer (a one-time link's, render.ts hideReferrer) posts
      // with Origin: null (Fetch, "serializing a request origin"); that counts only when the browser
      // also says the post is same-origin. Elsewhere null is a sandboxed or opaque origin: refused.
      if (origin === 'null' && site !== 'same-origin') throw refused();
      const nonce = readCookie(req.headers.cookie, LOGIN_CSRF_COOKIE);
      if (!nonce || !NONCE_RE.test(nonce) || !formToken) throw refused();
      const want = Buffer.from(sign(nonce));
      const got = Buffer.from(formToken);
      if (want.length !== got.length || !timingSafeEqual(want, got)) throw refused();
    },
    /** clearCookie is the Set-Cookie value that drops the nonce after a login. */
    clearCookie: `${LOGIN_CSRF_COOKIE}=; Path=/login; HttpOnly; SameSite=Strict; Max-Age=0`,
  };
}

function sameHost(origin: string, req: IncomingMessage, trustProxy: boolean): boolean {
  let host: string;
  try { host = new URL(origin).host; } catch { return false; }
  const forwarded = trustProxy ? String(req.headers['x-forwarded-host'] ?? '').split(',')[0].trim() : '';
  return host === (forwarded || req.headers.host);
}

function refused(): PorticoError {
  return new PorticoError('E_CSRF', 403, 'The login form expired or came from another site. Please try again.');
}
