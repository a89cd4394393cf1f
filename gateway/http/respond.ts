/**
 * respond.ts: writing JSON answers and errors. Every error leaves as `{"error", "code"}` with the
 * status its PorticoError carries; unexpected errors become a 500 without internals.
 */
import type { ServerResponse } from 'node:http';
import { PorticoError, ValidationError, toPorticoError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';

/** sendJson writes `body` as JSON with `status`. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const data = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(data),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  res.end(data);
}

/** errorBody is the JSON shape of an error. */
export function errorBody(err: PorticoError): Record<string, unknown> {
  const body: Record<string, unknown> = { error: err.message, code: err.code };
  if (err instanceof ValidationError) body.fields = err.fields;
  return body;
}

/** ResponseSent is thrown by a handler that already wrote its response (e.g. a redirect); it is not an error. */
export class ResponseSent extends Error {}

const CLIENT_GONE = new Set(['ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ABORT_ERR', 'ERR_STREAM_PREMATURE_CLOSE']);

/**
 * clientWentAway logs a client that aborted or reset its request (while sending its body, say) as
 * one info line and tells the caller to just close: nobody is left to answer, and it is no bug.
 */
export function clientWentAway(err: unknown, res: ServerResponse, logger: Logger): boolean {
  const e = err as { code?: string; message?: string } | null;
  if (err instanceof PorticoError || !e || !CLIENT_GONE.has(e.code ?? '')) return false;
  // Only the client's own socket counts: a reset elsewhere (the engine, say) is still a 500.
  if (res.socket && !res.socket.destroyed) return false;
  logger.info(`client went away: ${e.code} ${e.message ?? ''}`.trim());
  return true;
}

/** sendError maps anything thrown to a JSON error response (and logs bugs with their stack). */
export function sendError(res: ServerResponse, err: unknown, logger: Logger): void {
  if (err instanceof ResponseSent) return;
  if (clientWentAway(err, res, logger)) { res.destroy(); return; }
  const e = toPorticoError(err);
  if (e.status >= 500 && !(err instanceof PorticoError)) logger.error('unhandled error', { err });
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const headers: Record<string, string> = {};
  if (e.status === 429 && e.details?.retryAfter) headers['retry-after'] = String(e.details.retryAfter);
  sendJson(res, e.status, errorBody(e), headers);
}
