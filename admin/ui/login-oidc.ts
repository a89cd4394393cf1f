/**
 * login-oidc.ts: GET /login/oidc (start: off to the provider, authorization code with PKCE) and
 * GET /login/oidc/callback (back from it: the code becomes a user and a normal Portico session,
 * exactly as a password login makes one). The redirect URI is this site's own origin, as the
 * browser reached it (Host, or X-Forwarded-Proto/-Host from a proxy trusted with
 * PORTICO_TRUST_PROXY) plus /login/oidc/callback; it must be registered at the provider. Every
 * failure shows the login page with a plain message and a 4xx (503 when the provider cannot be
 * reached) and is logged as one line; password login stays on the same page, untouched.
 */
import type { IncomingMessage } from 'node:http';
import { PorticoError, toPorticoError } from '../../gateway/core/errors.ts';
import type { Services } from '../../gateway/core/services.ts';
import type { OidcLogin } from '../../gateway/core/auth/oidc.ts';
import { OIDC_COOKIE, OIDC_PENDING_MS } from '../../gateway/core/auth/oidc.ts';
import { readCookie } from '../../gateway/core/auth/authenticate.ts';
import { clientAddress } from '../../gateway/http/client-address.ts';
import type { Router } from '../../gateway/http/router.ts';
import { isSecureRequest } from '../api/session.ts';
import type { LoginForm } from './login.ts';
import { startSession } from './login.ts';
import { redirect } from './pages.ts';
import { safeNext } from './safe-next.ts';
import { carriesToken, hideReferrer } from './render.ts';

/** OIDC_CALLBACK_PATH is the redirect URI's path; register <origin>/login/oidc/callback at the provider. */
export const OIDC_CALLBACK_PATH = '/login/oidc/callback';
const HOST_RE = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;

/** siteOrigin is the scheme and host the browser used to reach Portico, or null when the Host header is not a host. */
export function siteOrigin(svc: Services, req: IncomingMessage): string | null {
  const trusted = svc.config.trustProxy;
  const xfProto = trusted ? String(req.headers['x-forwarded-proto'] ?? '').split(',')[0].trim().toLowerCase() : '';
  const xfHost = trusted ? String(req.headers['x-forwarded-host'] ?? '').split(',')[0].trim() : '';
  const encrypted = (req.socket as { encrypted?: boolean }).encrypted === true;
  const proto = xfProto === 'https' || xfProto === 'http' ? xfProto : encrypted ? 'https' : 'http';
  const host = xfHost || req.headers.host || '';
  return HOST_RE.test(host) ? `${proto}://${host.toLowerCase()}` : null;
}

/** registerOidcLogin adds the OIDC start and callback routes; `showForm` renders the login page with an error. */
export function registerOidcLogin(router: Router, svc: Services, oidc: OidcLogin, showForm: LoginForm): void {
  const cookieFlags = (req: IncomingMessage) => `Path=/login/oidc; HttpOnly; SameSite=Lax${isSecureRequest(svc, req) ? '; Secure' : ''}`;

  function refuse(req: IncomingMessage, res: Parameters<LoginForm>[1], next: string, err: unknown, step: string): void {
    const e = toPorticoError(err);
    const address = clientAddress(req, svc.config.trustProxy);
    if (e.status >= 500 && e.code !== 'E_OIDC_UNAVAILABLE') svc.logger.error('OIDC login failed unexpectedly', { err, step });
    else svc.logger.warn('OIDC login refused', { step, code: e.code, reason: (e.details?.reason as string | undefined) ?? e.message, address });
    showForm(req, res, { next, error: e });
  }

  router.on('GET', '/login/oidc', async (ctx) => {
    const next = safeNext(ctx.url.searchParams.get('next'));
    // The provider is another origin: a login that leads to a one-time link tells it nothing.
    if (carriesToken(next)) hideReferrer(ctx.res);
    if (svc.auth.authenticate(ctx.req.headers)) redirect(ctx.req, ctx.res, next);
    const origin = siteOrigin(svc, ctx.req);
    let started;
    try {
      if (!origin) throw new PorticoError('E_BAD_REQUEST', 400, 'The Host header is not a host name; single sign-on needs it to build its return address.');
      started = await oidc.begin({ redirectUri: origin + OIDC_CALLBACK_PATH, next, binding: readCookie(ctx.req.headers.cookie, OIDC_COOKIE) });
    } catch (err) {
      refuse(ctx.req, ctx.res, next, err, 'start');
      return;
    }
    ctx.res.setHeader('set-cookie', `${OIDC_COOKIE}=${started.binding}; ${cookieFlags(ctx.req)}; Max-Age=${OIDC_PENDING_MS / 1000}`);
    ctx.res.setHeader('cache-control', 'no-store');
    ctx.res.writeHead(303, { location: started.url }).end();
  });

  router.on('GET', OIDC_CALLBACK_PATH, async (ctx) => {
    let result;
    try {
      result = await oidc.complete({ callbackUrl: ctx.url, binding: readCookie(ctx.req.headers.cookie, OIDC_COOKIE) });
    } catch (err) {
      refuse(ctx.req, ctx.res, '/', err, 'callback');
      return;
    }
    startSession(svc, ctx.req, ctx.res, result.user, [`${OIDC_COOKIE}=; ${cookieFlags(ctx.req)}; Max-Age=0`]);
    ctx.res.setHeader('cache-control', 'no-store');
    redirect(ctx.req, ctx.res, safeNext(result.next));
  });
}
