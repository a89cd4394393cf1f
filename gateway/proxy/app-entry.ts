/**
 * app-entry.ts: the sign-in handshake between the gateway's origin and an app's
 * (docs/app-origins.md). On the gateway, a logged-in, permitted browser asking for
 * /containers/proxy/<uuid>/<path> gets a one-time code and is sent to
 * <app origin>/.portico/auth?code=…&next=/<path>; there the code is spent (once, within 30 s, only
 * on that app's origin, only while the gateway session it came from lives) for the origin's own
 * host-only cookie, and the browser goes on to `next`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PorticoError } from '../core/errors.ts';
import type { Config } from '../core/config.ts';
import { APP_COOKIE } from '../core/auth/app-sessions.ts';
import type { AppSessionStore } from '../core/auth/app-sessions.ts';
import type { Handshake } from '../core/auth/app-handshake.ts';
import { hashSecret } from '../core/auth/tokens.ts';
import type { AppOrigins } from './app-origin.ts';
import { sendFailure } from './failure.ts';
import { PREFIX } from './path.ts';

/** AUTH_PATH is where an app origin takes its code; no app path under /.portico/ ever reaches an app. */
export const AUTH_PATH = '/.portico/auth';
/** RESERVED is the path prefix an app origin keeps for Portico. */
export const RESERVED = '/.portico/';

const REFUSED = new PorticoError('E_HANDSHAKE_REFUSED', 400, 'this sign-in link is used, expired or meant for another app; open the app again from Portico');

/** localPath returns `raw` when it is a path on the same origin (no `//host`, `/\\host`, controls), else '/'. */
export function localPath(raw: string | null): string {
  if (raw === null || raw.length > 8192 || raw.charCodeAt(0) !== 47) return '/';
  if (/[\\\x00-\x20\x7f-\uffff]/.test(raw) || raw.startsWith('//')) return '/';
  return raw;
}

/**
 * fromElsewhere tells a browser request that another origin made — a page of another app (all apps
 * share a site, so SameSite=Lax lets their cookies go along) or of any other site — and that is not
 * a plain navigation. The app origin's cookie does not count for those: another app can link to
 * this one, but cannot call it, post to it or open its WebSocket as the viewer.
 */
export function fromElsewhere(site: string | undefined, mode: string | undefined, method: string | undefined): boolean {
  if (site === undefined || site === 'same-origin' || site === 'none') return false;
  return !(mode === 'navigate' && (method === 'GET' || method === 'HEAD'));
}

/** isSecure tells whether the client reached us over HTTPS (directly, or per a trusted proxy). */
export function isSecure(config: Pick<Config, 'trustProxy'>, req: IncomingMessage): boolean {
  if ((req.socket as { encrypted?: boolean }).encrypted) return true;
  if (!config.trustProxy) return false;
  const p = req.headers['x-forwarded-proto'];
  return typeof p === 'string' && p.split(',')[0].trim() === 'https';
}

function redirect(res: ServerResponse, status: number, location: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { location, 'content-length': 0, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer', ...extra });
  res.end();
}

/** AppEntry sends browsers across the boundary and back. */
export type AppEntry = ReturnType<typeof createAppEntry>;

/** createAppEntry builds the two halves of the handshake. */
export function createAppEntry(o: { config: Pick<Config, 'trustProxy' | 'secureCookies'>; origins: AppOrigins; handshake: Handshake; appSessions: AppSessionStore; isSignedIn: (req: IncomingMessage, uuid: string) => boolean }) {
  return {
    /**
     * toApp answers a gateway-origin request for an app (already authenticated and permitted):
     * GET and HEAD get a code and go through the handshake to `path` on the app's origin; anything
     * else is sent (307) to `path` there, where the origin's own cookie decides.
     */
    toApp(req: IncomingMessage, res: ServerResponse, uuid: string, path: string, userId: number, sid: string): void {
      const origin = o.origins.appUrl(uuid, req.headers.host, isSecure(o.config, req));
      if (req.method !== 'GET' && req.method !== 'HEAD') { redirect(res, 307, origin + path); return; }
      const code = o.handshake.issue(uuid, userId, hashSecret(sid));
      redirect(res, 302, `${origin}${AUTH_PATH}?code=${code}&next=${encodeURIComponent(path)}`);
    },
    /** toGateway sends a signed-out browser on an app origin to the gateway's link for the same path, which comes back signed in. */
    toGateway(req: IncomingMessage, res: ServerResponse, uuid: string, path: string): void {
      redirect(res, 302, o.origins.gatewayUrl(req.headers.host, isSecure(o.config, req)) + PREFIX + uuid + path);
    },
    /** exchange answers <app origin>/.portico/…: the code is spent for the origin's cookie. */
    exchange(req: IncomingMessage, res: ServerResponse, uuid: string, navigation: boolean): void {
      const url = req.url!;
      const q = url.indexOf('?');
      const path = q < 0 ? url : url.slice(0, q);
      if (path !== AUTH_PATH) { sendFailure(res, new PorticoError('E_NOT_FOUND', 404, `no such endpoint: ${path} (paths under ${RESERVED} are Portico's)`), navigation, undefined, undefined, o.origins.gatewayUrl(req.headers.host, isSecure(o.config, req)) + '/'); return; }
      if (req.method !== 'GET' && req.method !== 'HEAD') { sendFailure(res, new PorticoError('E_METHOD_NOT_ALLOWED', 405, `method ${req.method} not allowed here`), false, { allow: 'GET, HEAD' }); return; }
      const params = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
      const next = localPath(params.get('next'));
      const code = params.get('code') ?? '';
      const grant = code ? o.handshake.redeem(code, uuid) : null;
      const id = grant ? o.appSessions.create(grant.sessionHash, grant.userId, uuid) : null;
      if (id === null) {
        // A code used before (the back button, a reload) is no harm to a browser signed in already.
        if (o.isSignedIn(req, uuid)) { redirect(res, 302, next); return; }
        sendFailure(res, REFUSED, navigation, undefined, undefined, o.origins.gatewayUrl(req.headers.host, isSecure(o.config, req)) + '/');
        return;
      }
      const secure = o.config.secureCookies === 'auto' ? isSecure(o.config, req) : o.config.secureCookies;
      // Host-only (no Domain), HttpOnly, Lax: sent to this app's origin alone, never readable by its scripts.
      redirect(res, 302, next, { 'set-cookie': `${APP_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}` });
    },
  };
}
