/**
 * session.ts: the API-token login endpoint. A script or the proxy tests trade an API token for a
 * browser session cookie (the login page of the identity module uses the same session store).
 */
import type { ServerResponse } from 'node:http';
import type { Services } from '../../gateway/core/services.ts';
import { SESSION_COOKIE } from '../../gateway/core/auth/sessions.ts';
import { readCookie } from '../../gateway/core/auth/authenticate.ts';
import { sendJson } from '../../gateway/http/respond.ts';
import type { Router } from '../../gateway/http/router.ts';
import { requireCaller } from './guard.ts';

/** sessionCookie renders the Set-Cookie value for a new session id. */
export function sessionCookie(id: string, secure: boolean, maxAgeSeconds: number): string {
  return `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
}

/** clearSessionCookie expires the session cookie. */
export function clearSessionCookie(res: ServerResponse): void {
  res.setHeader('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`);
}

/** isSecureRequest tells whether the client connection is HTTPS (directly, or per a trusted proxy). */
export function isSecureRequest(svc: Services, req: { headers: Record<string, unknown>; socket: unknown }): boolean {
  if (svc.config.secureCookies !== 'auto') return svc.config.secureCookies;
  if ((req.socket as { encrypted?: boolean }).encrypted) return true;
  return svc.config.trustProxy && String(req.headers['x-forwarded-proto'] ?? '').split(',')[0].trim() === 'https';
}

/** registerSessionApi adds POST /api/session (token → cookie) and DELETE /api/session (logout). */
export function registerSessionApi(router: Router, svc: Services): void {
  router.on('POST', '/api/session', (ctx) => {
    const caller = requireCaller(svc, ctx.req);
    if (caller.via !== 'token') {
      sendJson(ctx.res, 400, { error: 'send an API token in the Authorization header', code: 'E_BAD_REQUEST' });
      return;
    }
    const { id, csrf } = svc.sessions.create(caller.user.id);
    ctx.res.setHeader('set-cookie', sessionCookie(id, isSecureRequest(svc, ctx.req), svc.config.sessionAbsoluteHours * 3600));
    sendJson(ctx.res, 200, { user: caller.user.username, csrf_token: csrf });
  });

  router.on('DELETE', '/api/session', (ctx) => {
    const sid = readCookie(ctx.req.headers.cookie, SESSION_COOKIE);
    if (sid) svc.sessions.destroy(sid);
    clearSessionCookie(ctx.res);
    ctx.res.writeHead(204).end();
  });
}
