/**
 * static.ts: serves the files in static/ (htmx, CSS, icons). Names are checked against a strict
 * pattern, so nothing outside static/ can be reached.
 */
import fs from 'node:fs';
import path from 'node:path';
import { NotFoundError } from '../../gateway/core/errors.ts';
import type { Router } from '../../gateway/http/router.ts';

const STATIC = path.resolve(import.meta.dirname, '../../static');
const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.ico': 'image/x-icon', '.woff2': 'font/woff2',
};

/** registerStatic adds GET /static/:file. */
export function registerStatic(router: Router): void {
  const cache = new Map<string, Buffer>();
  router.on('GET', '/static/:file', (ctx) => {
    const name = ctx.params.file;
    const type = TYPES[path.extname(name)];
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$/.test(name) || !type) throw new NotFoundError();
    let data = cache.get(name);
    if (!data) {
      try { data = fs.readFileSync(path.join(STATIC, name)); } catch { throw new NotFoundError(); }
      cache.set(name, data);
    }
    ctx.res.writeHead(200, {
      'content-type': type, 'content-length': data.length, 'x-content-type-options': 'nosniff',
      // Versioned names (htmx-2.0.11.min.js) may be cached for long; others briefly.
      'cache-control': /\d+\.\d+/.test(name) ? 'public, max-age=31536000, immutable' : 'public, max-age=300',
    });
    ctx.res.end(ctx.req.method === 'HEAD' ? undefined : data);
  });
}
