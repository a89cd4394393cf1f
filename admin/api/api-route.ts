/**
 * api-route.ts: what every container API request goes through before and after its handler:
 * the Accept header (Kiosc's media type and version, kiosc-media.ts), HTTP Basic credentials, and
 * errors written for both kinds of clients: Portico's `{error, code, fields}` plus DRF's `detail`
 * (and, for a bad field, DRF's `{"field": ["message"]}`), so Kiosc clients read them too.
 */
import type { ServerResponse } from 'node:http';
import { PorticoError, ValidationError } from '../../gateway/core/errors.ts';
import type { Services } from '../../gateway/core/services.ts';
import { errorBody, sendJson } from '../../gateway/http/respond.ts';
import type { Ctx, Handler } from '../../gateway/http/router.ts';
import { authenticateBasic } from './basic-auth.ts';
import { KIOSC_MEDIA_TYPE, negotiate } from './kiosc-media.ts';
import type { Flavour } from './kiosc-media.ts';

/** ApiHandler is a container API handler: the request and the negotiated answer shape. */
export type ApiHandler = (ctx: Ctx, flavour: Flavour) => unknown;

/** sendApi writes `body` as JSON under the negotiated media type (the shape depends on Accept, so caches must vary on it). */
export function sendApi(res: ServerResponse, flavour: Flavour, status: number, body: unknown): void {
  sendJson(res, status, body, { 'content-type': flavour.contentType, vary: 'Accept' });
}

/** apiErrorBody is Portico's error body plus DRF's keys. */
export function apiErrorBody(err: PorticoError): Record<string, unknown> {
  const body: Record<string, unknown> = { detail: err.message, ...errorBody(err) };
  if (err instanceof ValidationError) {
    for (const [field, message] of Object.entries(err.fields)) if (!Object.hasOwn(body, field)) body[field] = [message];
  }
  return body;
}

/** apiRoute wraps a handler with negotiation, Basic authentication and DRF-readable errors. */
export function apiRoute(svc: Services, handler: ApiHandler): Handler {
  return async (ctx) => {
    let flavour: Flavour | null = null;
    try {
      flavour = negotiate(ctx.req.headers.accept);
      await authenticateBasic(svc, ctx.req);
      await handler(ctx, flavour);
    } catch (err) {
      if (!(err instanceof PorticoError) || ctx.res.headersSent) throw err;
      const headers: Record<string, string> = {
        'content-type': flavour?.contentType ?? (err.code === 'E_NOT_ACCEPTABLE' ? KIOSC_MEDIA_TYPE : 'application/json; charset=utf-8'),
      };
      // As Django REST framework with Basic authentication: a 401 names the scheme to use.
      if (err.status === 401) headers['www-authenticate'] = 'Basic realm="api"';
      if (err.status === 429 && err.details?.retryAfter) headers['retry-after'] = String(err.details.retryAfter);
      sendJson(ctx.res, err.status, apiErrorBody(err), headers);
    }
  };
}
