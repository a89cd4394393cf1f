/**
 * headers.ts: the request headers an app receives. Hop-by-hop headers are dropped, the gateway's
 * own credentials (its session cookie, its API token) are removed, and X-Forwarded-* are set.
 * Works on req.rawHeaders (flat name/value list) so duplicates and order survive.
 */
import { SESSION_COOKIE } from '../core/auth/sessions.ts';

/**
 * HOP_BY_HOP are connection-specific fields a proxy must not forward
 * (RFC 9110 §7.6.1, https://www.rfc-editor.org/rfc/rfc9110#section-7.6.1), plus Expect, which
 * the gateway answers itself (Node sends the 100 Continue).
 */
const HOP_BY_HOP = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade',
  'proxy-authorization', 'proxy-authenticate', 'expect',
]);

/** ForwardOptions say what to drop and what to add for one request. */
export interface ForwardOptions {
  /** keep Connection/Upgrade (WebSocket handshakes). */
  upgrade: boolean;
  /** drop Authorization: it carried the gateway's token. */
  dropAuthorization: boolean;
  /** trust incoming X-Forwarded-* (a reverse proxy in front of the gateway). */
  trustProxy: boolean;
  clientIp: string;
  proto: 'http' | 'https';
  /** X-Forwarded-Prefix value (the stripped prefix), or null when nothing was stripped. */
  prefix: string | null;
}

/** withoutSessionCookie removes the gateway's session cookie from a Cookie header; null when nothing is left. */
export function withoutSessionCookie(cookie: string): string | null {
  if (cookie.indexOf(SESSION_COOKIE) < 0) return cookie;
  let out = '';
  let start = 0;
  while (start < cookie.length) {
    let end = cookie.indexOf(';', start);
    if (end < 0) end = cookie.length;
    let s = start;
    while (s < end && cookie.charCodeAt(s) === 32) s++;
    const isSession = cookie.startsWith(SESSION_COOKIE, s) && cookie.charCodeAt(s + SESSION_COOKIE.length) === 61;
    if (!isSession && s < end) out += (out ? '; ' : '') + cookie.slice(s, end).trimEnd();
    start = end + 1;
  }
  return out || null;
}

/** connectionTokens lists the header names a Connection header marks as hop-by-hop (lower-case). */
function connectionTokens(raw: string[]): Set<string> | null {
  let tokens: Set<string> | null = null;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].length === 10 && raw[i].toLowerCase() === 'connection') {
      for (const t of raw[i + 1].split(',')) {
        const name = t.trim().toLowerCase();
        if (name && name !== 'close' && name !== 'keep-alive' && name !== 'upgrade') (tokens ??= new Set()).add(name);
      }
    }
  }
  return tokens;
}

/** forwardHeaders builds the flat header list for the app from the client's raw headers. */
export function forwardHeaders(raw: string[], o: ForwardOptions): string[] {
  const out: string[] = [];
  const listed = raw.length > 2 ? connectionTokens(raw) : null;
  let xff: string | null = null;
  let xfProto: string | null = null;
  let xfHost: string | null = null;
  let host: string | null = null;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    const lower = name.toLowerCase();
    const value = raw[i + 1];
    if (HOP_BY_HOP.has(lower)) {
      if (o.upgrade && (lower === 'upgrade' || lower === 'connection')) out.push(name, value);
      continue;
    }
    if (listed !== null && listed.has(lower)) continue;
    switch (lower) {
      case 'host': host = value; out.push(name, value); continue;
      case 'cookie': {
        const kept = withoutSessionCookie(value);
        if (kept !== null) out.push(name, kept);
        continue;
      }
      case 'authorization': if (!o.dropAuthorization) out.push(name, value); continue;
      case 'x-forwarded-for': if (o.trustProxy) xff = xff === null ? value : xff + ', ' + value; continue;
      case 'x-forwarded-proto': if (o.trustProxy && xfProto === null) xfProto = value.split(',')[0].trim(); continue;
      case 'x-forwarded-host': if (o.trustProxy && xfHost === null) xfHost = value.split(',')[0].trim(); continue;
      case 'x-forwarded-prefix': continue;
      default: out.push(name, value);
    }
  }
  out.push('x-forwarded-for', xff === null ? o.clientIp : xff + ', ' + o.clientIp);
  out.push('x-forwarded-proto', xfProto ?? o.proto);
  const fwdHost = xfHost ?? host;
  if (fwdHost !== null) out.push('x-forwarded-host', fwdHost);
  if (o.prefix !== null) out.push('x-forwarded-prefix', o.prefix);
  return out;
}

/** clientAddress is the peer address without the IPv4-mapped IPv6 prefix. */
export function clientAddress(addr: string | undefined): string {
  if (!addr) return '';
  return addr.startsWith('::ffff:') ? addr.slice(7) : addr;
}
