/**
 * failure.ts: the proxy's one failure map. No route → 404; no permission → 403 (or a login
 * redirect for browsers); upstream refused → 502, timed out → 504; start failed → 503 with the
 * reason; a bug → 500. Known network errors are logged as one line without a stack (as CHP does).
 */
import type { ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { PorticoError, isNetworkError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'ETIMEDOUT']);

/** POOL_CODES are the upstream pool's own refusals and limits (raw-upstream.ts), logged as one line too. */
const POOL_CODES = new Set(['EBUSY', 'ESTALLED']);

/**
 * upstreamError maps an error talking to an app to 502 (refused, reset, or an answer that is not
 * valid HTTP), 503 (every connection to the app busy for too long) or 504 (timed out).
 */
export function upstreamError(err: unknown, title: string): PorticoError {
  const code = (err as { code?: string }).code ?? 'error';
  const why = (err as { message?: string }).message ?? '';
  if (code === 'EPROTO') return new PorticoError('E_UPSTREAM_INVALID', 502, `the app of "${title}" sent an answer that is not valid HTTP: ${why}`);
  if (code === 'EBUSY') return new PorticoError('E_UPSTREAM_BUSY', 503, `the app of "${title}" is busy: ${why}`);
  if (TIMEOUT_CODES.has(code)) return new PorticoError('E_UPSTREAM_TIMEOUT', 504, `the app of "${title}" did not answer in time (${code})`);
  return new PorticoError('E_UPSTREAM_UNREACHABLE', 502, `the app of "${title}" cannot be reached (${code})`);
}

/** logUpstream writes one line for a known network error, the stack only for anything else. */
export function logUpstream(logger: Logger, err: unknown, what: { uuid: string; title: string; method?: string; path?: string }): void {
  const e = err as { code?: string; message?: string };
  if (isNetworkError(err) || POOL_CODES.has(e.code ?? '')) {
    logger.warn(`proxy: upstream ${e.code}: ${e.message ?? ''}`.trim(), { container: what.uuid, title: what.title, method: what.method, path: what.path });
  } else {
    logger.error('proxy: unexpected upstream error', { container: what.uuid, err });
  }
}

/** escapeHtml escapes text for HTML content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** explainedHtml renders hints as a list and log lines as a preformatted block, all escaped. */
export function explainedHtml(e: Explained | undefined): string {
  if (!e) return '';
  const hints = e.hints?.length ? `<ul id="hints">${e.hints.map((h) => `<li>${escapeHtml(h)}</li>`).join('')}</ul>` : '';
  const log = e.log?.length ? `<p>The app's last lines:</p><pre id="log">${escapeHtml(e.log.join('\n'))}</pre>` : '';
  return hints + log;
}

/** Explained is what may go with a failed start: hints for everyone, the app's last lines for who may read its log. */
export interface Explained { hints?: string[]; log?: string[] }

/**
 * sendFailure answers with the error as JSON, or as a small HTML page for browser navigations;
 * `explained` adds `hints` and `log` (JSON fields, or a list and a block on the page, escaped).
 */
export function sendFailure(res: ServerResponse, err: PorticoError, html: boolean, extra?: Record<string, string>, explained?: Explained): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  let body: string;
  let type: string;
  if (html) {
    const title = `${err.status} ${STATUS_CODES[err.status] ?? ''}`;
    body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(title)}</title>`
      + `<style>body{font:16px/1.5 system-ui,sans-serif;margin:4rem auto;max-width:40rem;padding:0 1rem;color:#222}code{color:#666}</style></head>`
      + `<body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(err.message)}</p><p><code>${err.code}</code></p>${explainedHtml(explained)}</body></html>`;
    type = 'text/html; charset=utf-8';
  } else {
    body = JSON.stringify({ error: err.message, code: err.code, ...explained });
    type = 'application/json; charset=utf-8';
  }
  res.writeHead(err.status, {
    'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store',
    'x-content-type-options': 'nosniff', ...retryAfter(err), ...extra,
  });
  res.end(body);
}

/** retryAfter tells a client when to try a busy app again (RFC 9110 §10.2.3): its wait lists turn over within seconds. */
export function retryAfter(err: PorticoError): Record<string, string> {
  return err.code === 'E_UPSTREAM_BUSY' ? { 'retry-after': '1' } : {};
}

/** socketFailure answers a failed WebSocket handshake with a plain HTTP error and closes the socket. */
export function socketFailure(socket: Duplex, err: PorticoError): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify({ error: err.message, code: err.code });
  socket.end(`HTTP/1.1 ${err.status} ${STATUS_CODES[err.status] ?? 'Error'}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n`
    + (err.code === 'E_UPSTREAM_BUSY' ? 'Retry-After: 1\r\n' : '') + `Content-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\n\r\n${body}`);
}
