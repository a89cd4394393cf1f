/**
 * login.ts: GET/POST /login and POST /logout. A successful login always starts a new session
 * with a new id and ends any session the browser brought along (no session fixation). Errors
 * re-render the form with the message and the error's status (401, 403, 429 with Retry-After,
 * 503 when LDAP is down); `Accept: application/json` gets `{"error","code"}` instead.
 * Single sign-on (OIDC) shares the page and startSession (login-oidc.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PorticoError, toPorticoError } from '../../gateway/core/errors.ts';
import type { Services } from '../../gateway/core/services.ts';
import type { User } from '../../gateway/core/types.ts';
import { SESSION_COOKIE } from '../../gateway/core/auth/sessions.ts';
import { readCookie } from '../../gateway/core/auth/authenticate.ts';
import { readForm } from '../../gateway/http/body.ts';
import { clientAddress } from '../../gateway/http/client-address.ts';
import { errorBody, sendJson } from '../../gateway/http/respond.ts';
import type { Router } from '../../gateway/http/router.ts';
import { checkCsrf } from '../api/guard.ts';
import { isSecureRequest, sessionCookie } from '../api/session.ts';
import { createLoginCsrf } from './login-csrf.ts';
import { pageData, redirect } from './pages.ts';
import type { Renderer } from './render.ts';
import { carriesToken, hideReferrer } from './render.ts';
import { safeNext } from './safe-next.ts';
import { registerOidcLogin } from './login-oidc.ts';
import { invitationContext } from './invitations.ts';

function wantsJson(req: IncomingMessage): boolean {
  return (req.headers.accept ?? '').includes('application/json');
}

/** LoginForm shows the login page with a message and the error's status. */
export type LoginForm = (req: IncomingMessage, res: ServerResponse, opts: { next: string; username?: string; error?: PorticoError; notice?: string }) => void;

const PROXY_NEXT = /^\/containers\/proxy\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(\/|$)/i;

/**
 * loginContext is the line above the login form that says where the login leads. An invitation
 * link names its project and app (the owner shared them with whoever holds the link); an app's
 * proxy link names no title, so an anonymous visitor learns nothing the link did not say.
 */
function loginContext(svc: Services, next: string): string | null {
  const invitation = invitationContext(svc, next);
  if (invitation) return invitation;
  if (PROXY_NEXT.test(next)) return 'Log in to open the app this link leads to.';
  return null;
}

/**
 * startSession logs `user` in on this browser, as every login does: the session the browser
 * brought along ends (no fixation), a new one with its own CSRF token begins. `cookies` are
 * further Set-Cookie values (dropping a login nonce).
 */
export function startSession(svc: Services, req: IncomingMessage, res: ServerResponse, user: User, cookies: string[]): { csrf: string } {
  const old = readCookie(req.headers.cookie, SESSION_COOKIE);
  if (old) svc.sessions.destroy(old);
  const session = svc.sessions.create(user.id);
  res.setHeader('set-cookie', [sessionCookie(session.id, isSecureRequest(svc, req), svc.config.sessionAbsoluteHours * 3600), ...cookies]);
  svc.logger.info('login', { user: user.username, source: user.source });
  return { csrf: session.csrf };
}

/** registerLogin adds the login page, the login form's POST and logout. */
export function registerLogin(router: Router, svc: Services, ui: Renderer): void {
  const csrf = createLoginCsrf(svc);

  const showForm: LoginForm = (req, res, opts) => {
    const { token, cookie } = csrf.issue(req);
    const err = opts.error;
    res.setHeader('set-cookie', cookie);
    if (err?.code === 'E_THROTTLED' && err.details?.retryAfter) res.setHeader('retry-after', String(err.details.retryAfter));
    ui.page(req, res, 'pages/login', pageData(null, 'Log in', {
      loginToken: token, next: opts.next, username: opts.username ?? '',
      context: loginContext(svc, opts.next), notice: opts.notice ?? null,
      domains: svc.login.loginDomains, error: err ? { message: err.message, code: err.code } : null,
      oidc: svc.oidc ? { label: svc.oidc.label, href: `/login/oidc?next=${encodeURIComponent(opts.next)}`, message: err?.code === 'E_OIDC_UNAVAILABLE' ? null : svc.oidc.status().message } : null,
    }), err?.status ?? 200);
  };
  if (svc.oidc) registerOidcLogin(router, svc, svc.oidc, showForm);

  router.on('GET', '/login', (ctx) => {
    const next = safeNext(ctx.url.searchParams.get('next'));
    if (carriesToken(next)) hideReferrer(ctx.res);
    if (svc.auth.authenticate(ctx.req.headers)) redirect(ctx.req, ctx.res, next);
    svc.oidc?.warm();
    const reset = ctx.url.searchParams.get('reset') === '1';
    showForm(ctx.req, ctx.res, reset
      ? { next, username: (ctx.url.searchParams.get('user') ?? '').slice(0, 150), notice: 'Your password is set: log in with the new one.' }
      : { next });
  });

  router.on('POST', '/login', async (ctx) => {
    const form = await readForm(ctx.req, 16 * 1024);
    const next = safeNext(form.next);
    if (carriesToken(next)) hideReferrer(ctx.res);
    const username = (form.username ?? '').trim();
    let user;
    try {
      csrf.verify(ctx.req, form.csrf_token);
      user = await svc.login.login(username, form.password ?? '', clientAddress(ctx.req, svc.config.trustProxy));
    } catch (err) {
      const e = toPorticoError(err);
      if (e.status >= 500 && e.code !== 'E_LDAP_UNAVAILABLE') svc.logger.error('login failed unexpectedly', { err });
      if (wantsJson(ctx.req)) {
        const headers: Record<string, string> = e.details?.retryAfter ? { 'retry-after': String(e.details.retryAfter) } : {};
        sendJson(ctx.res, e.status, errorBody(e), headers);
        return;
      }
      showForm(ctx.req, ctx.res, { next, username, error: e });
      return;
    }
    // Rotation: whatever session the browser had (perhaps one planted by someone else) ends here.
    const session = startSession(svc, ctx.req, ctx.res, user, [csrf.clearCookie]);
    if (wantsJson(ctx.req)) sendJson(ctx.res, 200, { user: user.username, csrf_token: session.csrf, next });
    else redirect(ctx.req, ctx.res, next);
  });

  router.on('POST', '/logout', async (ctx) => {
    const form = await readForm(ctx.req, 16 * 1024);
    const caller = svc.auth.authenticate(ctx.req.headers);
    if (caller?.via === 'session' && caller.sessionId) {
      checkCsrf(caller, ctx.req, form.csrf_token ?? null);
      svc.sessions.destroy(caller.sessionId);
    }
    ctx.res.setHeader('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0${isSecureRequest(svc, ctx.req) ? '; Secure' : ''}`);
    redirect(ctx.req, ctx.res, '/login');
  });
}
