/**
 * site-url.ts: the gateway's absolute address as the browser reached it, for links people copy
 * (an app's proxy link, an invitation, a password reset link).
 */
import type { IncomingMessage } from 'node:http';
import type { Services } from '../../gateway/core/services.ts';
import { isSecureRequest } from '../api/session.ts';

const HOST_RE = /^[A-Za-z0-9.-]{1,253}(:\d{1,5})?$|^\[[0-9A-Fa-f:.]{2,45}\](:\d{1,5})?$/;

/** siteUrl is PORTICO_PUBLIC_URL when set, else the scheme and Host of this request (without a trailing slash). */
export function siteUrl(svc: Services, req: IncomingMessage): string {
  if (svc.config.publicUrl !== null) return svc.config.publicUrl.replace(/\/+$/, '');
  const host = String(req.headers.host ?? '');
  return `${isSecureRequest(svc, req) ? 'https' : 'http'}://${HOST_RE.test(host) ? host : '127.0.0.1'}`;
}
