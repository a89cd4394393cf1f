/**
 * response-headers.ts: what the client receives from an app's response headers. Hop-by-hop
 * fields are dropped, root-relative redirects are put back under the container's prefix when
 * the prefix was stripped, and cookies are scoped to the prefix, so two apps (and the gateway)
 * never overwrite each other's cookies.
 */
import { GATEWAY_COOKIE_PREFIX, isGatewayCookieName } from '../core/auth/cookies.ts';
import { hostOnlyCookie, originLocation } from './app-origin-headers.ts';

/** Scope is what the rewrites need to know about one container. */
export interface Scope {
  /** prefix is the public path without a trailing slash: /containers/proxy/<uuid> ('' at the root of the app's own origin) */
  readonly prefix: string;
  readonly stripPrefix: boolean;
  /** upstreamOrigins are absolute origins of the app (http://ip:port and http://ip) whose Location is made relative. */
  readonly upstreamOrigins: readonly string[];
  /** hostOnly: served on the app's own origin, where cookies stay host-only (app-origin-headers.ts). */
  readonly hostOnly?: boolean;
}

// RFC 9110 §7.6.1 (https://www.rfc-editor.org/rfc/rfc9110#section-7.6.1): connection-specific fields stay on their hop.
const DROP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade']);

function underPrefix(path: string, prefix: string): boolean {
  if (!path.startsWith(prefix)) return false;
  const c = path.charCodeAt(prefix.length);
  return Number.isNaN(c) || c === 47 /* / */ || c === 63 /* ? */ || c === 35 /* # */;
}

/** mapAppPath turns a root-relative path in the app's view into the public path under the prefix. */
function mapAppPath(path: string, s: Scope): string {
  if (underPrefix(path, s.prefix)) return path;
  let p = path;
  if (p === '' || p.charCodeAt(0) !== 47) p = '/' + p;
  return s.prefix + p;
}

/** rewriteLocation re-prefixes a root-relative (or app-absolute) Location when the prefix was stripped. */
export function rewriteLocation(location: string, s: Scope): string {
  if (!s.stripPrefix) return location;
  if (location.charCodeAt(0) === 47) {
    if (location.charCodeAt(1) === 47) return location; // protocol-relative: another host
    return mapAppPath(location, s);
  }
  for (const origin of s.upstreamOrigins) {
    if (location.startsWith(origin)) {
      const rest = location.slice(origin.length);
      if (rest === '' || rest.charCodeAt(0) === 47) return mapAppPath(rest || '/', s);
    }
  }
  return location;
}

/**
 * scopeCookie rewrites an app's Set-Cookie so the cookie stays inside the container's prefix, or
 * returns null to drop it. Every attribute is read (RFC 6265 §5.2,
 * https://www.rfc-editor.org/rfc/rfc6265#section-5.2): all Path attributes go and exactly one is
 * written — the last one the app sent (the one a browser would use) when it is under the prefix,
 * else the prefix — and Domain goes, so the cookie is host-only. A cookie in the gateway's
 * namespace (portico_session, …) is dropped: an app must not replace the viewer's session.
 */
export function scopeCookie(setCookie: string, s: Scope): string | null {
  let end = setCookie.indexOf(';');
  if (end < 0) end = setCookie.length;
  // The name as a browser will send it back: a nameless cookie ("=portico_session=x", or no '=')
  // goes out as its bare value (RFC 6265bis §5.7), so leading '=' and blanks do not count.
  let n = 0;
  while (n < end && (setCookie.charCodeAt(n) === 61 || isBlank(setCookie.charCodeAt(n)))) n++;
  if (isGatewayCookieName(setCookie.slice(n, n + GATEWAY_COOKIE_PREFIX.length))) return null;
  let out = setCookie.slice(0, end).trimEnd();
  let path: string | null = null;
  while (end < setCookie.length) {
    const a = end + 1;
    end = setCookie.indexOf(';', a);
    if (end < 0) end = setCookie.length;
    const av = setCookie.slice(a, end).trim();
    if (av === '') continue;
    const aeq = av.indexOf('=');
    const name = (aeq < 0 ? av : av.slice(0, aeq)).trimEnd().toLowerCase();
    if (name === 'path') { path = aeq < 0 ? '' : av.slice(aeq + 1).trim(); continue; }
    if (name === 'domain') continue;
    out += '; ' + av;
  }
  return out + '; Path=' + scopedPath(path, s);
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9;
}

/** scopedPath is the Path a cookie gets: the app's own when under the prefix (mapped when the prefix is stripped), else the prefix. */
function scopedPath(path: string | null, s: Scope): string {
  // RFC 6265 §5.2.4: a Path that does not start with '/' counts as none.
  if (path === null || path.charCodeAt(0) !== 47) return s.prefix;
  if (underPrefix(path, s.prefix)) return path;
  if (!s.stripPrefix) return s.prefix;
  const scoped = mapAppPath(path, s);
  return scoped.length === s.prefix.length + 1 ? s.prefix : scoped;
}

const KEEP_OR_CLOSE = /^(?:keep-alive|close)$/i;

/** connectionListed lists the extra header names a Connection field marks as hop-by-hop (null: none). */
function connectionListed(raw: readonly string[]): string[] | null {
  let listed: string[] | null = null;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i] !== 'connection') continue;
    const v = raw[i + 1];
    // The usual values name no field: nothing to split.
    if ((v.length === 10 || v.length === 5) && KEEP_OR_CLOSE.test(v)) continue;
    for (const t of v.split(',')) {
      const name = t.trim().toLowerCase();
      if (name !== '' && name !== 'close' && name !== 'keep-alive') (listed ??= []).push(name);
    }
  }
  return listed;
}

/**
 * responseHeaders builds the flat header list for the client from the app's flat list
 * (name, value, name, value…; names in lower case, repeated fields repeated).
 */
export function responseHeaders(raw: readonly string[], s: Scope): string[] {
  const out: string[] = [];
  const listed = raw.length > 0 ? connectionListed(raw) : null;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    if (DROP.has(name)) continue;
    if (listed !== null && listed.includes(name)) continue;
    const value = raw[i + 1];
    if (s.hostOnly === true && (name === 'set-cookie' || name === 'location')) { originHeader(out, name, value, s); continue; }
    if (name === 'set-cookie') {
      const scoped = scopeCookie(value, s);
      if (scoped !== null) out.push(name, scoped);
    }
    else if (name === 'location') out.push(name, rewriteLocation(value, s));
    else out.push(name, value);
  }
  return out;
}

/** originHeader adds a Set-Cookie or Location as served on the app's own origin, at its root or under its prefix. */
function originHeader(out: string[], name: string, value: string, s: Scope): void {
  if (name === 'location') { out.push(name, s.prefix === '' ? originLocation(value, s) : rewriteLocation(value, s)); return; }
  const kept = hostOnlyCookie(value);
  if (kept === null) return;
  const scoped = s.prefix === '' ? kept : scopeCookie(kept, s);
  if (scoped !== null) out.push(name, scoped);
}

/** flatHeaders turns Node's parsed headers object (lower-case names, arrays for repeats) into a flat list. */
export function flatHeaders(headers: Record<string, string | string[] | undefined>): string[] {
  const out: string[] = [];
  for (const name in headers) {
    const v = headers[name];
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const x of v) out.push(name, x);
    else out.push(name, v);
  }
  return out;
}
