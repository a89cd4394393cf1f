/**
 * serve.ts: GET /api/openapi.json. Public on purpose: it describes the API, not the site's data, so
 * client generators and API users can fetch it without a token. The body is built once; it carries
 * an ETag and may be cached for five minutes.
 */
import { createHash } from 'node:crypto';
import type { Services } from '../../../gateway/core/services.ts';
import type { Router } from '../../../gateway/http/router.ts';
import { buildOpenApi } from './document.ts';

/** registerOpenApi adds GET /api/openapi.json. */
export function registerOpenApi(router: Router, _svc: Services): void {
  const body = JSON.stringify(buildOpenApi());
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  const headers = { etag, 'cache-control': 'public, max-age=300', 'x-content-type-options': 'nosniff' };
  router.on('GET', '/api/openapi.json', (ctx) => {
    const match = String(ctx.req.headers['if-none-match'] ?? '').split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
    if (match) return void ctx.res.writeHead(304, headers).end();
    ctx.res.writeHead(200, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) }).end(ctx.req.method === 'HEAD' ? undefined : body);
  });
}
