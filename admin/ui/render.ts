/**
 * render.ts: server-side rendering with eta (auto-escaping on). One URL serves a full page or, for
 * htmx requests, only the fragment: the layout includes the same partial.
 */
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Eta } from 'eta';
import type { Caller } from '../../gateway/core/auth/authenticate.ts';

const VIEWS = path.resolve(import.meta.dirname, '../../templates');

/** PageData is what every page template receives besides its own fields. */
export interface PageData {
  title: string;
  caller: Caller | null;
  csrf: string;
  [key: string]: unknown;
}

/** Renderer renders pages and fragments. */
export type Renderer = ReturnType<typeof createRenderer>;

// Scripts only from our own origin: content that slipped past escaping still cannot run.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'self'; base-uri 'none'; form-action 'self'";

/**
 * hideReferrer makes the page or redirect on `res` send no Referer at all (`no-referrer`, in place of
 * `same-origin`): its URL carries a one-time token (an invitation, a password reset, a login that
 * leads to one), which must reach neither the page's own requests, an app behind the proxy, an
 * identity provider nor anyone's access log.
 */
export function hideReferrer(res: ServerResponse): void {
  res.setHeader('referrer-policy', 'no-referrer');
}

/** carriesToken tells whether a same-origin path is (or leads to) a one-time link: an invitation or a password reset. */
export function carriesToken(path: string): boolean {
  return /^\/(?:login\/)?(?:invite|reset)\//.test(path);
}

function writeHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'SAMEORIGIN',
    'referrer-policy': (res.getHeader('referrer-policy') as string | undefined) ?? 'same-origin',
    'content-security-policy': CSP,
    'vary': 'HX-Request',
  });
  res.end(html);
}

/** createRenderer loads templates from templates/ (cached in production, re-read when `dev`); `site` gives the layout live site state (the read-only banner, the branding, the project switcher) for a page's data. */
export function createRenderer(opts: { dev?: boolean; site?: (data: PageData, req: IncomingMessage) => Record<string, unknown> } = {}) {
  const eta = new Eta({ views: VIEWS, autoEscape: true, autoTrim: false, cache: !opts.dev, useWith: false });

  /** isFragmentRequest tells htmx requests that want only the fragment (not boosted navigations). */
  function isFragmentRequest(req: IncomingMessage): boolean {
    return req.headers['hx-request'] === 'true' && req.headers['hx-boosted'] !== 'true';
  }

  return {
    /** render returns the HTML of one template (a partial) with `data`. */
    render(view: string, data: Record<string, unknown>): string {
      return eta.render(view, data);
    },
    /** page writes `view` inside the layout, or alone for htmx fragment requests. */
    page(req: IncomingMessage, res: ServerResponse, view: string, data: PageData, status = 200): void {
      const site = opts.site?.(data, req) ?? {};
      const body = eta.render(view, { ...data, site });
      const html = isFragmentRequest(req) ? body : eta.render('layout', { ...data, body, site });
      writeHtml(res, status, html);
    },
    /** fragment writes one partial alone (htmx swaps, out-of-band updates). */
    fragment(res: ServerResponse, view: string, data: Record<string, unknown>, status = 200): void {
      writeHtml(res, status, eta.render(view, data));
    },
    isFragmentRequest,
  };
}
