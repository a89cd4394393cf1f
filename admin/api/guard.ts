/**
 * guard.ts: request guards shared by the REST API and the UI: who is calling, CSRF for
 * cookie-authenticated writes, and the read-only site mode.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { PorticoError } from '../../gateway/core/errors.ts';
import type { Caller } from '../../gateway/core/auth/authenticate.ts';
import type { Services } from '../../gateway/core/services.ts';
import type { User } from '../../gateway/core/types.ts';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

// Callers found before the handler ran (HTTP Basic needs an asynchronous password check).
const checked = new WeakMap<IncomingMessage, Caller>();

/** rememberCaller records the caller of `req` once an asynchronous check (HTTP Basic) found it. */
export function rememberCaller(req: IncomingMessage, caller: Caller): void {
  checked.set(req, caller);
}

/** requireCaller returns the authenticated caller or throws 401. */
export function requireCaller(svc: Services, req: IncomingMessage): Caller {
  const caller = checked.get(req) ?? svc.auth.authenticate(req.headers);
  if (!caller) throw new PorticoError('E_UNAUTHENTICATED', 401, 'authentication required: send "Authorization: token <token>", HTTP Basic credentials, or log in');
  if (!SAFE.has(req.method ?? 'GET')) checkCsrf(caller, req, null);
  return caller;
}

/** checkCsrf refuses a state-changing request made with the session cookie but without its CSRF token. */
export function checkCsrf(caller: Caller, req: IncomingMessage, formToken: string | null): void {
  if (caller.via !== 'session' || !caller.session) return;
  const sent = (req.headers['x-csrf-token'] as string | undefined) ?? formToken ?? '';
  // Compare bytes, not characters: a token of the right length with a non-ASCII character encodes longer.
  const got = Buffer.from(sent);
  const want = Buffer.from(caller.session.csrf);
  const ok = got.length === want.length && timingSafeEqual(got, want);
  if (!ok) throw new PorticoError('E_CSRF', 403, 'missing or wrong CSRF token; reload the page and try again');
}

/** requireWritable refuses changes by non-admins while the site is in read-only mode. */
export function requireWritable(svc: Services, user: User): void {
  if (!svc.siteMode.allowsChangesBy(user)) {
    throw new PorticoError('E_READ_ONLY', 403, 'the site is in read-only mode; only administrators can change anything');
  }
}
