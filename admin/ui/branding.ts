/**
 * branding.ts: the site admin's Branding page (/admin/branding: site title, logo, favicon) and the
 * two image URLs. Images are served with the type their bytes were checked to be, nosniff, and a
 * CSP that lets nothing run, so an image can never act as a page.
 */
import { ValidationError, badRequest, toPorticoError } from '../../gateway/core/errors.ts';
import type { Services } from '../../gateway/core/services.ts';
import { MAX_IMAGE_BYTES } from '../../gateway/core/branding.ts';
import type { SiteBranding } from '../../gateway/core/branding.ts';
import { readBody } from '../../gateway/http/body.ts';
import { MultipartParser, multipartBoundary } from '../../gateway/http/multipart.ts';
import type { UiDeps } from './pages.ts';
import { checkCsrf } from '../api/guard.ts';
import { requireSiteAdmin } from './forms.ts';
import { pageData, redirect, requirePageUser } from './pages.ts';
import type { Renderer } from './render.ts';

/** readParts reads a small multipart form whole: text fields as strings, file fields as bytes. */
function readParts(body: Buffer, boundary: string): { fields: Record<string, string>; files: Record<string, Buffer> } {
  const parser = new MultipartParser(boundary);
  const fields: Record<string, string> = {};
  const files: Record<string, Buffer> = {};
  let current: { field: string; file: boolean; chunks: Buffer[] } | null = null;
  for (const e of parser.push(body)) {
    if (e.kind === 'part') current = { field: e.info.field, file: e.info.filename !== null, chunks: [] };
    else if (e.kind === 'data' && current) current.chunks.push(Buffer.from(e.data));
    else if (e.kind === 'end' && current) {
      const data = Buffer.concat(current.chunks);
      if (current.file) files[current.field] = data; else fields[current.field] = data.toString('utf8');
      current = null;
    }
  }
  parser.finish();
  return { fields, files };
}

/** registerBranding adds GET/POST /admin/branding, GET /branding/logo and GET /branding/favicon. */
export function registerBranding(on: UiDeps['on'], svc: Services, ui: Renderer, branding: SiteBranding): void {
  on('GET', '/admin/branding', (ctx) => {
    const caller = requirePageUser(svc, ctx.req, ctx.res);
    requireSiteAdmin(caller);
    ui.page(ctx.req, ctx.res, 'pages/admin-branding', pageData(caller, 'Branding', { b: branding.current(), errors: {}, saved: ctx.url.searchParams.get('ok') === '1', maxKb: MAX_IMAGE_BYTES / 1024 }));
  });

  on('POST', '/admin/branding', async (ctx) => {
    const caller = requirePageUser(svc, ctx.req, ctx.res);
    requireSiteAdmin(caller);
    const boundary = multipartBoundary(ctx.req.headers['content-type']);
    if (!boundary) throw badRequest('send the branding form as multipart/form-data');
    const { fields, files } = readParts(await readBody(ctx.req, 2 * MAX_IMAGE_BYTES + 64 * 1024), boundary);
    checkCsrf(caller, ctx.req, fields.csrf_token ?? null);
    try {
      branding.setTitle(fields.title ?? '');
      for (const kind of ['logo', 'favicon'] as const) {
        if (fields[`remove_${kind}`] === 'on') branding.setImage(kind, Buffer.alloc(0));
        else if (files[kind]?.length) branding.setImage(kind, files[kind]);
      }
    } catch (err) {
      const e = toPorticoError(err);
      if (!(e instanceof ValidationError)) throw err;
      ui.page(ctx.req, ctx.res, 'pages/admin-branding', pageData(caller, 'Branding', { b: branding.current(), errors: e.fields, saved: false, maxKb: MAX_IMAGE_BYTES / 1024 }), 400);
      return;
    }
    svc.logger.info('branding changed', { by: caller.user.username });
    redirect(ctx.req, ctx.res, '/admin/branding?ok=1');
  });

  for (const kind of ['logo', 'favicon'] as const) {
    on('GET', `/branding/${kind}`, (ctx) => {
      const img = branding.image(kind);
      if (!img) { ctx.res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).end('no image\n'); return; }
      ctx.res.writeHead(200, {
        'content-type': img.type, 'content-length': img.data.length, 'x-content-type-options': 'nosniff',
        'content-security-policy': "default-src 'none'; sandbox", 'cross-origin-resource-policy': 'same-origin',
        'content-disposition': `inline; filename="${kind}"`, 'cache-control': 'public, max-age=300',
      });
      ctx.res.end(ctx.req.method === 'HEAD' ? undefined : img.data);
    });
  }
}
