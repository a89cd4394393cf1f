/**
 * headers.ts: the request headers an app receives. Hop-by-hop headers are dropped, the gateway's
 * own credentials (its cookies, its API token) are removed, and X-Forwarded-* are set (the
 * client's own forwarding fields only pass from a trusted proxy).
 * Works on req.rawHeaders (flat name/value list) so duplicates and order survive.
 */
import { withoutGatewayCookies } from '../core/auth/cookies.ts';
import { knownNames, lowerName } from '../http/token.ts';

/** KNOWN are field names clients commonly send, read without a new lower-cased string (token.ts). */
const KNOWN = knownNames(['host', 'accept', 'cookie', 'origin', 'referer', 'user-agent', 'connection', 'authorization', 'accept-encoding',
  'accept-language', 'cache-control', 'sec-fetch-mode', 'sec-fetch-site', 'sec-fetch-dest', 'sec-fetch-user', 'if-none-match',
  'if-modified-since', 'content-length', 'content-type', 'x-requested-with', 'upgrade-insecure-requests', 'priority', 'pragma']);

/**
 * HOP_BY_HOP are connection-specific fields a proxy must not forward
 * (RFC 9110 §7.6.1, https://www.rfc-editor.org/rfc/rfc9110#section-7.6.1), plus Expect, which
 * the gateway answers itself (Node sends the 100 Continue).
 */
const HOP_BY_HOP = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade',
  'proxy-authorization', 'proxy-authenticate', 'expect',
]);

/**
 * NOT_LISTABLE are names a Connection header cannot make hop-by-hop: the request's framing and
 * its Host stay, whatever Connection says ("Connection: content-length" would drop the body's length).
 */
const NOT_LISTABLE = new Set(['content-length', 'transfer-encoding', 'host', 'close', 'keep-alive', 'upgrade']);

/**
 * isForwarding tells the client's own forwarding fields (X-Forwarded-*, Forwarded, X-Real-IP), in
 * the underscore spelling too (X_Forwarded_For), which some app servers (CGI, WSGI, PHP) read as
 * the same variable: an app must only see the ones the gateway sets.
 */
function isForwarding(lower: string): boolean {
  const n = lower.indexOf('_') < 0 ? lower : lower.replaceAll('_', '-');
  return n.startsWith('x-forwarded-') || n === 'forwarded' || n === 'x-real-ip';
}

/** connectionTokens lists the header names a Connection header marks as hop-by-hop (lower-case). */
function connectionTokens(raw: string[]): Set<string> | null {
  let tokens: Set<string> | null = null;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].length === 10 && raw[i].toLowerCase() === 'connection') {
      for (const t of raw[i + 1].split(',')) {
        const name = t.trim().toLowerCase();
        if (name && !NOT_LISTABLE.has(name)) (tokens ??= new Set()).add(name);
      }
    }
  }
  return tokens;
}

/** Scanned is one pass over the client's raw headers: the list for the app, plus what the proxy reads. */
export interface Scanned {
  /** out is the header list for the app so far (X-Forwarded-* are added by finishHeaders). */
  out: string[];
  /** authIndex is where Authorization sits in `out` (-1: none), so it can be dropped after authentication. */
  authIndex: number;
  authorization: string | undefined;
  cookie: string | undefined;
  accept: string | undefined;
  fetchMode: string | undefined;
  /** fetchSite is Sec-Fetch-Site: whether a browser request came from this origin, its site, or elsewhere. */
  fetchSite: string | undefined;
  host: string | null;
  xff: string | null;
  xfProto: string | null;
  xfHost: string | null;
  hasBody: boolean;
}

/**
 * scanHeaders walks req.rawHeaders once (no req.headers object is built): hop-by-hop fields and
 * those named in Connection are dropped (kept for upgrades: Connection and Upgrade), the gateway's
 * cookies are removed, incoming X-Forwarded-* are kept only from a trusted proxy (Forwarded,
 * X-Real-IP and underscore spellings never).
 */
export function scanHeaders(raw: string[], upgrade: boolean, trustProxy: boolean): Scanned {
  const out: string[] = [];
  const listed = raw.length > 2 ? connectionTokens(raw) : null;
  const s: Scanned = {
    out, authIndex: -1, authorization: undefined, cookie: undefined, accept: undefined, fetchMode: undefined, fetchSite: undefined,
    host: null, xff: null, xfProto: null, xfHost: null, hasBody: false,
  };
  let cookieAt = -1;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    const lower = lowerName(name, 0, name.length, KNOWN);
    const value = raw[i + 1];
    if (HOP_BY_HOP.has(lower)) {
      // RFC 9112 §6.3: a body is announced by Transfer-Encoding or a non-zero Content-Length.
      if (lower === 'transfer-encoding') s.hasBody = true;
      else if (upgrade && (lower === 'upgrade' || lower === 'connection')) out.push(name, value);
      continue;
    }
    if (listed !== null && listed.has(lower)) continue;
    switch (lower) {
      case 'host': s.host = value; break;
      case 'content-length': if (value !== '0') s.hasBody = true; break;
      case 'accept': s.accept = value; break;
      case 'sec-fetch-mode': s.fetchMode = value; break;
      case 'sec-fetch-site': s.fetchSite = value; break;
      case 'cookie': {
        // Several Cookie lines are read as one, as Node's req.headers.cookie joins them, and reach
        // the app as one (RFC 6265 §5.4: one Cookie header; many apps read only one of several).
        s.cookie = s.cookie === undefined ? value : s.cookie + '; ' + value;
        const kept = withoutGatewayCookies(value);
        if (kept === null) continue;
        if (cookieAt < 0) { cookieAt = out.length + 1; out.push(name, kept); }
        else out[cookieAt] += '; ' + kept;
        continue;
      }
      case 'authorization': if (s.authIndex >= 0) continue; s.authorization = value; s.authIndex = out.length; break;
      case 'x-forwarded-for': if (trustProxy) s.xff = s.xff === null ? value : s.xff + ', ' + value; continue;
      case 'x-forwarded-proto': if (trustProxy && s.xfProto === null) s.xfProto = value.split(',')[0].trim(); continue;
      case 'x-forwarded-host': if (trustProxy && s.xfHost === null) s.xfHost = value.split(',')[0].trim(); continue;
      case 'x-forwarded-prefix': continue;
      // Who is viewing is the gateway's to say, never the client's.
      case 'x-portico-user': case 'x-portico-role': continue;
      default: {
        const c = lower.charCodeAt(0);
        if ((c === 120 || c === 102) && isForwarding(lower)) continue; // x…, f…
      }
    }
    out.push(name, value);
  }
  return s;
}

/** viewerValue is a user name or role as a header value: percent-encoded when it holds anything but visible ASCII, or a '%'. */
export function viewerValue(v: string): string {
  return /^[\x21-\x24\x26-\x7e]*$/.test(v) ? v : encodeURIComponent(v);
}

/** finishHeaders drops the gateway's Authorization when it authenticated the call and adds X-Forwarded-* and, with a viewer, X-Portico-User and -Role. */
export function finishHeaders(s: Scanned, o: { dropAuthorization: boolean; clientIp: string; proto: 'http' | 'https'; prefix: string | null; viewer?: { user: string; role: string } }): string[] {
  const out = s.out;
  if (o.dropAuthorization && s.authIndex >= 0) out.splice(s.authIndex, 2);
  out.push('x-forwarded-for', s.xff === null ? o.clientIp : s.xff + ', ' + o.clientIp);
  out.push('x-forwarded-proto', s.xfProto ?? o.proto);
  const fwdHost = s.xfHost ?? s.host;
  if (fwdHost !== null) out.push('x-forwarded-host', fwdHost);
  if (o.prefix !== null) out.push('x-forwarded-prefix', o.prefix);
  if (o.viewer !== undefined) out.push('x-portico-user', viewerValue(o.viewer.user), 'x-portico-role', o.viewer.role);
  return out;
}

/** ForwardOptions say what to drop and what to add for one request. */
export interface ForwardOptions {
  upgrade: boolean;
  dropAuthorization: boolean;
  trustProxy: boolean;
  clientIp: string;
  proto: 'http' | 'https';
  prefix: string | null;
  viewer?: { user: string; role: string };
}

/** forwardHeaders is scanHeaders then finishHeaders, in one call. */
export function forwardHeaders(raw: string[], o: ForwardOptions): string[] {
  return finishHeaders(scanHeaders(raw, o.upgrade, o.trustProxy), o);
}

/** clientAddress is the peer address without the IPv4-mapped IPv6 prefix. */
export function clientAddress(addr: string | undefined): string {
  if (!addr) return '';
  return addr.startsWith('::ffff:') ? addr.slice(7) : addr;
}
