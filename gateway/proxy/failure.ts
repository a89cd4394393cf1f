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
import { escapeHtml } from './html.ts';
import { shellPage } from './page-shell.ts';

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

export { escapeHtml } from './html.ts';

/** explainedHtml renders hints as a list and log lines as a preformatted block, all escaped. */
export function explainedHtml(e: Explained | undefined): string {
  if (!e) return '';
  const hints = e.hints?.length ? `<ul id="hints">${e.hints.map((h) => `<li>${escapeHtml(h)}</li>`).join('')}</ul>` : '';
  const log = e.log?.length ? `<p id="log-intro">The app's last lines:</p><pre id="log">${escapeHtml(e.log.join('\n'))}</pre>` : '';
  return hints + log;
}

/** Explained is what may go with a failed start: hints for everyone, the app's last lines for who may read its log. */
export interface Explained { hints?: string[]; log?: string[] }

/** HEADINGS and PLAIN say a failure in words for a person who followed a link (the code stays below, for the owner). */
const HEADINGS: Record<number, string> = {
  401: 'Log in first', 403: 'Not allowed', 404: 'No app at this link', 409: 'Not now', 502: 'The app cannot be reached',
  503: 'The app is not available', 504: 'The app did not answer in time',
};
const PLAIN: Record<number, string> = {
  404: 'There is no app at this link, or you may not open it. Check that the link was copied whole, or ask the person who sent it to add you to the project.',
  502: 'The app runs but its answer did not reach you. Try again in a moment; if it keeps failing, tell the project\'s owner.',
  504: 'The app took too long to answer. Try again in a moment; if it keeps failing, tell the project\'s owner.',
};

/** failurePage is the HTML page of a failure: the UI's header, a plain message, the reason, and ways back. */
export function failurePage(err: PorticoError, home: string, explained?: Explained, brand?: string): string {
  const heading = HEADINGS[err.status] ?? `${err.status} ${STATUS_CODES[err.status] ?? ''}`;
  const plain = PLAIN[err.status];
  const reason = plain ? `<p id="msg">${escapeHtml(plain)}</p><p class="tech">${escapeHtml(err.message)} · <code>${err.code}</code></p>`
    : `<p id="msg">${escapeHtml(err.message)}</p><p class="tech"><code>${err.code}</code></p>`;
  return shellPage({
    title: heading, home, brand, bodyAttrs: ' class="failed"',
    inner: `<h1>${escapeHtml(heading)}</h1>${reason}${explainedHtml(explained)}<p class="actions"><a class="btn primary" id="back" href="${escapeHtml(home)}">Back to your projects</a></p>`,
  });
}

/**
 * sendFailure answers with the error as JSON, or as an HTML page for browser navigations (`home`:
 * the gateway's front page, which is another origin's on an app origin); `explained` adds `hints`
 * and `log` (JSON fields, or a list and a block on the page, escaped).
 */
export function sendFailure(res: ServerResponse, err: PorticoError, html: boolean, extra?: Record<string, string>, explained?: Explained, home = '/', brand?: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  let body: string;
  let type: string;
  if (html) {
    body = failurePage(err, home, explained, brand);
    type = 'text/html; charset=utf-8';
  } else {
    body = JSON.stringify({ error: err.message, code: err.code, ...explained });
    type = 'application/json; charset=utf-8';
  }
  res.writeHead(err.status, {
    'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store',
    'x-content-type-options': 'nosniff', ...retryAfter(err),
    // The page's own inline style only: nothing runs, nothing is loaded.
    ...(html ? { 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'" } : {}), ...extra,
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
