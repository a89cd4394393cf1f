/**
 * request-checks.ts: what Node's parser lets through but the gateway must not, checked once per
 * request on Node's path (the fast path's parser, request-head.ts, takes none of these cases).
 *
 * - Host (RFC 9112 §3.2, https://www.rfc-editor.org/rfc/rfc9112#section-3.2): an HTTP/1.1
 *   request carries exactly one Host, and it must be a host (no space, not empty); nginx answers
 *   400 too. Node would pass two Host lines on to the app and read only the first.
 * - Absolute-form targets (RFC 9112 §3.2.2): `GET http://host/path HTTP/1.1` is accepted; the
 *   target's authority is the Host (the received Host lines are replaced) and the target becomes
 *   origin-form, so every handler sees the same request as for `GET /path`.
 * - A target over 8 KiB is 414 (nginx's limit for a request line; Node's covers the whole head).
 * - Transfer-Encoding: chunked is the only coding the gateway decodes; any other is 501
 *   (RFC 9112 §6.1), not a body passed on still encoded with its label dropped.
 */
import type { IncomingMessage } from 'node:http';
import { PorticoError } from '../core/errors.ts';
import { MAX_TARGET, hostOk } from './request-head.ts';

const BAD_HOST = 'send exactly one Host header holding a host name (and port)';

/** absoluteTarget splits an absolute-form target into authority and origin-form path, or null when it is not one. */
function absoluteTarget(url: string): { authority: string; path: string } | null {
  const colon = url.indexOf('://');
  if (colon < 0) return null;
  const scheme = url.slice(0, colon).toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') return null;
  const a = colon + 3;
  let end = a;
  while (end < url.length && url[end] !== '/' && url[end] !== '?' && url[end] !== '#') end++;
  const rest = url.slice(end);
  return { authority: url.slice(a, end), path: rest === '' || rest[0] === '?' ? '/' + rest : rest };
}

/**
 * checkRequest refuses what must not reach a handler (a PorticoError to answer with) and puts an
 * absolute-form target into origin form; null when the request may go on.
 */
export function checkRequest(req: IncomingMessage): PorticoError | null {
  const url = req.url ?? '';
  const raw = req.rawHeaders;
  if (url.length > MAX_TARGET) return new PorticoError('E_URI_TOO_LONG', 414, `the request target is longer than ${MAX_TARGET} bytes`);
  if (url.charCodeAt(0) !== 47 /* / */ && url !== '*') {
    const abs = absoluteTarget(url);
    if (abs === null) return new PorticoError('E_BAD_REQUEST', 400, 'the request target must be a path or an absolute http(s) URL');
    // '@' would be userinfo, which an http(s) URI used as a target must not carry (RFC 9110 §4.2.4).
    if (!hostOk(abs.authority, 0, abs.authority.length) || abs.authority.includes('@')) return new PorticoError('E_BAD_REQUEST', 400, 'the request target has no valid host');
    for (let i = raw.length - 2; i >= 0; i -= 2) if (raw[i].length === 4 && raw[i].toLowerCase() === 'host') raw.splice(i, 2);
    raw.push('Host', abs.authority);
    req.headers.host = abs.authority;
    req.url = abs.path;
  } else {
    let hosts = 0;
    for (let i = 0; i < raw.length; i += 2) {
      if (raw[i].length !== 4 || raw[i].toLowerCase() !== 'host') continue;
      if (++hosts > 1 || !hostOk(raw[i + 1], 0, raw[i + 1].length)) return new PorticoError('E_BAD_REQUEST', 400, BAD_HOST);
    }
    if (hosts === 0 && req.httpVersion === '1.1') return new PorticoError('E_BAD_REQUEST', 400, BAD_HOST);
  }
  const te = req.headers['transfer-encoding'];
  if (te !== undefined) {
    for (const coding of te.split(',')) {
      const c = coding.trim().toLowerCase();
      if (c !== 'chunked') return new PorticoError('E_NOT_IMPLEMENTED', 501, `the transfer coding "${c.slice(0, 40)}" is not supported; send the body with Content-Length or chunked`);
    }
  }
  return null;
}
