/**
 * cookies.ts: the one reader of Cookie headers (RFC 6265 §4.2.1, §5.4,
 * https://www.rfc-editor.org/rfc/rfc6265#section-4.2.1): pairs are separated by ';' only, a
 * pair's name runs to its first '=', and whitespace around names and values is not part of them.
 * The session is read (cookieValue) and the gateway's cookies are stripped before a request
 * reaches an app (withoutGatewayCookies) by this one module, so the two can never disagree about
 * which pair is the session — "a=1, portico_session=…" is one cookie named "a", on every path.
 *
 * The gateway owns every cookie name that starts with `portico_` (the session, the login nonce):
 * apps may neither receive nor set them (response-headers.ts refuses such a Set-Cookie).
 */

/** GATEWAY_COOKIE_PREFIX starts the name of every cookie the gateway itself sets. */
export const GATEWAY_COOKIE_PREFIX = 'portico_';

function isOws(c: number): boolean {
  return c === 32 || c === 9;
}

/** cookieValue returns the value of the first pair named `name` in a Cookie header (as sent, not decoded), or null. */
export function cookieValue(header: string | undefined, name: string): string | null {
  if (header === undefined || header.indexOf(name) < 0) return null;
  let start = 0;
  while (start < header.length) {
    let end = header.indexOf(';', start);
    if (end < 0) end = header.length;
    let s = start;
    while (s < end && isOws(header.charCodeAt(s))) s++;
    const eq = header.indexOf('=', s);
    if (eq >= 0 && eq < end) {
      let ne = eq;
      while (ne > s && isOws(header.charCodeAt(ne - 1))) ne--;
      if (ne - s === name.length && header.startsWith(name, s)) {
        let vs = eq + 1;
        let ve = end;
        while (vs < ve && isOws(header.charCodeAt(vs))) vs++;
        while (ve > vs && isOws(header.charCodeAt(ve - 1))) ve--;
        return header.slice(vs, ve);
      }
    }
    start = end + 1;
  }
  return null;
}

/** isGatewayCookieName tells whether a cookie name is in the gateway's namespace (ignoring case). */
export function isGatewayCookieName(name: string): boolean {
  return name.length >= GATEWAY_COOKIE_PREFIX.length && name.slice(0, GATEWAY_COOKIE_PREFIX.length).toLowerCase() === GATEWAY_COOKIE_PREFIX;
}

/** mentionsGateway tells whether s[from, to) contains `portico_` in any case, without allocating. */
function mentionsGateway(s: string, from: number, to: number): boolean {
  const n = GATEWAY_COOKIE_PREFIX.length;
  for (let i = s.indexOf('_', from + n - 1); i >= 0 && i < to; i = s.indexOf('_', i + 1)) {
    let k = 0;
    while (k < n - 1 && (s.charCodeAt(i - n + 1 + k) | 0x20) === GATEWAY_COOKIE_PREFIX.charCodeAt(k)) k++;
    if (k === n - 1) return true;
  }
  return false;
}

/**
 * withoutGatewayCookies removes the gateway's cookies from a Cookie header for an app; null when
 * nothing is left. Any pair that mentions `portico_` at all goes, not only a pair of that name: an
 * app whose parser also splits on ',' or ' ' (RFC 2965 style) would otherwise find the session in
 * "a=1, portico_session=…".
 */
export function withoutGatewayCookies(header: string): string | null {
  if (!mentionsGateway(header, 0, header.length)) return header.length > 0 ? header : null;
  let out = '';
  let start = 0;
  while (start < header.length) {
    let end = header.indexOf(';', start);
    if (end < 0) end = header.length;
    let s = start;
    while (s < end && isOws(header.charCodeAt(s))) s++;
    let e = end;
    while (e > s && isOws(header.charCodeAt(e - 1))) e--;
    if (e > s && !mentionsGateway(header, s, e)) out += (out ? '; ' : '') + header.slice(s, e);
    start = end + 1;
  }
  return out || null;
}
