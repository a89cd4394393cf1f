/**
 * basic-auth.ts: HTTP Basic authentication for the REST API (Kiosc's REST framework accepts it):
 * the user name and password go through the same login code as the login page (local accounts
 * and LDAP, under the failed-login throttle). It is checked once per request, before the handler.
 */
import type { IncomingMessage } from 'node:http';
import { PorticoError } from '../../gateway/core/errors.ts';
import type { Services } from '../../gateway/core/services.ts';
import type { Handler, Router } from '../../gateway/http/router.ts';
import { clientAddress } from '../../gateway/http/client-address.ts';
import { rememberCaller } from './guard.ts';

/** basicCredentials returns the name and password of an `Authorization: Basic …` header, null for another scheme. */
export function basicCredentials(header: string | undefined): { name: string; password: string } | null {
  const m = /^basic(?:\s+(\S*))?\s*$/i.exec(header ?? '');
  if (!m) return null;
  const encoded = m[1] ?? '';
  const bad = () => new PorticoError('E_UNAUTHENTICATED', 401, 'Invalid basic header. Credentials string is not properly formed (send base64 of "name:password").');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 !== 0) throw bad();
  const text = new TextDecoder('utf-8', { fatal: false }).decode(Buffer.from(encoded, 'base64'));
  const colon = text.indexOf(':');
  if (colon < 0) throw bad();
  return { name: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** authenticateBasic checks HTTP Basic credentials of `req`, if it sends any, and remembers the caller. */
export async function authenticateBasic(svc: Services, req: IncomingMessage): Promise<void> {
  const creds = basicCredentials(req.headers.authorization);
  if (!creds) return;
  const user = await svc.login.login(creds.name, creds.password, clientAddress(req, svc.config.trustProxy));
  rememberCaller(req, { user, via: 'basic', session: null, sessionId: null });
}

/** RouteAdder is the part of a Router the API surfaces register with. */
export interface RouteAdder { on(method: string, path: string, handler: Handler): unknown }

/** withBasicAuth returns a route adder whose handlers accept HTTP Basic credentials too (the other API surfaces). */
export function withBasicAuth(router: Router, svc: Services): RouteAdder {
  return {
    on: (method, path, handler) => router.on(method, path, async (ctx) => {
      await authenticateBasic(svc, ctx.req);
      return handler(ctx);
    }),
  };
}
