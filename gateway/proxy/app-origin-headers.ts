/**
 * app-origin-headers.ts: the response rewrites on an app's own origin (docs/app-origins.md). At
 * the root there is no prefix to put back: a Location only loses the app's internal address, and
 * a cookie keeps its Path. On every app origin a cookie loses any Domain
 * attribute, so it stays host-only: an app cannot set cookies for other apps or for the gateway
 * (their common parent domain), and Portico's own cookie names are refused.
 */
import { isGatewayCookieName } from '../core/auth/cookies.ts';
import type { Scope } from './response-headers.ts';

/** hostOnlyCookie is a Set-Cookie without its Domain attributes, or null for a cookie named like Portico's own. */
export function hostOnlyCookie(setCookie: string): string | null {
  const semi = setCookie.indexOf(';');
  const name = (semi < 0 ? setCookie : setCookie.slice(0, semi)).split('=')[0].trim();
  if (isGatewayCookieName(name)) return null;
  if (semi < 0 || !/;\s*domain\s*=/i.test(setCookie)) return setCookie;
  const parts = setCookie.split(';');
  return parts.filter((p, i) => i === 0 || !/^\s*domain\s*=/i.test(p)).join(';');
}

/** originLocation maps a Location on an app origin's root: the app's internal address is dropped (paths are the app's own, container_path included). */
export function originLocation(location: string, s: Scope): string {
  let path: string | null = null;
  if (location.charCodeAt(0) === 47) {
    if (location.charCodeAt(1) === 47) return location; // protocol-relative: another host
    path = location;
  } else {
    for (const origin of s.upstreamOrigins) {
      if (location.startsWith(origin)) {
        const rest = location.slice(origin.length);
        if (rest === '' || rest.charCodeAt(0) === 47 || rest.charCodeAt(0) === 63) { path = rest.charCodeAt(0) === 47 ? rest : '/' + rest; break; }
      }
    }
    if (path === null) return location;
  }
  return path;
}
