/**
 * pages.ts: helpers every UI page uses: who is logged in (or a redirect to /login), and the
 * common data the layout needs.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Caller } from '../../gateway/core/auth/authenticate.ts';
import type { Services } from '../../gateway/core/services.ts';
import type { PageData } from './render.ts';
import { ResponseSent } from '../../gateway/http/respond.ts';


/** redirect writes a 303 (or the htmx equivalent) to `location`. */
export function redirect(req: IncomingMessage, res: ServerResponse, location: string): never {
  if (req.headers['hx-request'] === 'true') res.writeHead(200, { 'hx-redirect': location }).end();
  else res.writeHead(303, { location }).end();
  throw new ResponseSent();
}

/** requirePageUser returns the logged-in caller, or redirects the browser to the login page. */
export function requirePageUser(svc: Services, req: IncomingMessage, res: ServerResponse): Caller {
  const caller = svc.auth.authenticate(req.headers);
  if (caller) return caller;
  const next = req.url && req.url.startsWith('/') && !req.url.startsWith('//') ? req.url : '/';
  redirect(req, res, `/login?next=${encodeURIComponent(next)}`);
}

/** pageData is the layout's common data for `caller`. */
export function pageData(caller: Caller | null, title: string, extra: Record<string, unknown> = {}): PageData {
  return { title, caller, csrf: caller?.session?.csrf ?? '', ...extra };
}
