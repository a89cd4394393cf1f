/**
 * pages.ts: helpers every UI page uses: who is logged in (or a redirect to /login), the common data
 * the layout needs, and HTML error answers (a full error page for browsers, a flash message for htmx).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Caller } from '../../gateway/core/auth/authenticate.ts';
import { toPorticoError, PorticoError } from '../../gateway/core/errors.ts';
import type { Services } from '../../gateway/core/services.ts';
import type { Handler } from '../../gateway/http/router.ts';
import type { PageData, Renderer } from './render.ts';
import type { LiveHub } from './live-hub.ts';
import type { ImagePulls } from './image-pulls.ts';
import { ResponseSent, clientWentAway } from '../../gateway/http/respond.ts';

/** UiDeps is what every UI page module receives; `on` registers a route whose errors answer as HTML. */
export interface UiDeps {
  svc: Services;
  ui: Renderer;
  hub: LiveHub;
  pulls: ImagePulls;
  on(method: string, path: string, handler: Handler): void;
}

/** Flash is a one-off message shown above the page content. */
export interface Flash { kind: 'ok' | 'bad' | 'info'; text: string }

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

const TITLES: Record<number, string> = { 400: 'Bad request', 401: 'Not logged in', 403: 'Not allowed', 404: 'Not found', 405: 'Method not allowed', 409: 'Conflict', 413: 'Too large' };

/** sendPageError answers a UI request that failed: an error page, or for htmx a flash message swapped into #flash. */
export function sendPageError(svc: Services, ui: Renderer, req: IncomingMessage, res: ServerResponse, err: unknown): void {
  if (err instanceof ResponseSent) return;
  if (clientWentAway(err, res, svc.logger)) { res.destroy(); return; }
  const e = toPorticoError(err);
  if (e.status >= 500 && !(err instanceof PorticoError)) svc.logger.error('unhandled error', { err });
  if (res.headersSent) { res.destroy(); return; }
  const caller = svc.auth.authenticate(req.headers);
  const title = TITLES[e.status] ?? (e.status >= 500 ? 'Something went wrong' : 'Error');
  // A 404 hides whether a project exists; a container host is named only on site-admin pages, after the role check.
  const message = e.status === 404 && e.code !== 'E_HOST_NOT_FOUND' ? 'This page does not exist, or you are not a member of its project.' : e.message;
  if (req.headers['hx-request'] === 'true') {
    res.setHeader('hx-retarget', '#flash');
    res.setHeader('hx-reswap', 'innerHTML');
    ui.fragment(res, 'partials/flash', { flash: { kind: 'bad', text: `${title}: ${message}` } }, e.status);
    return;
  }
  ui.page(req, res, 'pages/error', pageData(caller, title, { status: e.status, code: e.code, message }), e.status);
}

/** htmlRoute wraps a UI handler so its errors answer as HTML (sendPageError) instead of the API's JSON. */
export function htmlRoute(svc: Services, ui: Renderer, handler: Handler): Handler {
  return async (ctx) => {
    try {
      await handler(ctx);
    } catch (err) {
      sendPageError(svc, ui, ctx.req, ctx.res, err);
    }
  };
}

/** wantsHtml tells browser navigations (Accept: text/html) from API clients, which keep getting JSON. */
export function wantsHtml(req: IncomingMessage, pathname: string): boolean {
  if (pathname.startsWith('/api/') || pathname.startsWith('/containers/api/') || pathname.startsWith('/project/api/')) return false;
  return (req.headers.accept ?? '').includes('text/html') || req.headers['hx-request'] === 'true';
}

/** DONE maps the `?done=` codes a redirect after a successful change carries to the message shown. */
const DONE: Record<string, string> = {
  'project-created': 'Project created: you are its owner. Next, create a container (from a template, or any image with a web server), then invite collaborators on the Members page.',
  created: 'Container created. Start it from the controls menu, or open it with the eye button.',
  updated: 'Container updated.',
  deleted: 'Container deleted.',
  start: 'Container started.', stop: 'Container stopped.', pause: 'Container paused.', unpause: 'Container unpaused.',
  restart: 'Container restarted.', kill: 'Container killed.', reset: 'Container reset.',
};

/** doneFlash is the success message for a `?done=` code (fixed texts only: nothing from the URL is echoed). */
export function doneFlash(url: URL): Flash | undefined {
  const code = url.searchParams.get('done');
  return code && Object.hasOwn(DONE, code) ? { kind: 'ok', text: DONE[code] } : undefined;
}
