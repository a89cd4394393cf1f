/**
 * path.ts: splits a proxy request target by hand (indexOf and slice, no URL parsing):
 * `/containers/proxy/<uuid>/<rest>?<query>` into the container's uuid and what follows it.
 */

/** PREFIX is the public path every proxied app lives under. */
export const PREFIX = '/containers/proxy/';
const UUID_START = PREFIX.length;
const UUID_END = UUID_START + 36;

/** STATUS_SEGMENT names the waiting page's status stream: /containers/proxy/_status/<uuid> (never a uuid, so never an app path). */
export const STATUS_SEGMENT = '_status/';

/** ParsedTarget is where a request points: the uuid and the rest of the target ('' when the slash after the uuid is missing). */
export interface ParsedTarget {
  uuid: string;
  /** rest starts with '/' (path) or '?' (query with no slash), or is ''. */
  rest: string;
}

function isHex(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 97 && code <= 102) || (code >= 65 && code <= 70);
}

/** looksLikeUuid checks the 8-4-4-4-12 hex shape of url[from, from+36) without allocating. */
export function looksLikeUuid(s: string, from: number): boolean {
  if (s.length < from + 36) return false;
  for (let i = 0; i < 36; i++) {
    const c = s.charCodeAt(from + i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 45) return false;
    } else if (!isHex(c)) return false;
  }
  return true;
}

/** parseTarget reads the uuid from a request target under PREFIX, or returns null when there is none. */
export function parseTarget(url: string): ParsedTarget | null {
  if (!looksLikeUuid(url, UUID_START)) return null;
  if (url.length > UUID_END) {
    const next = url.charCodeAt(UUID_END);
    if (next !== 47 /* / */ && next !== 63 /* ? */) return null;
  }
  return { uuid: url.slice(UUID_START, UUID_END).toLowerCase(), rest: url.slice(UUID_END) };
}

/** LOBBY_SEGMENT names Kiosc's lobby link, /containers/proxy/lobby/<uuid>, which old bookmarks and pages still hold. */
export const LOBBY_SEGMENT = 'lobby/';

function namedTarget(url: string, segment: string): string | null {
  if (!url.startsWith(segment, UUID_START)) return null;
  const from = UUID_START + segment.length;
  if (!looksLikeUuid(url, from)) return null;
  const end = from + 36;
  if (url.length > end && url.charCodeAt(end) !== 63) return null;
  return url.slice(from, end).toLowerCase();
}

/** statusTarget returns the uuid of a /containers/proxy/_status/<uuid> request, or null. */
export function statusTarget(url: string): string | null {
  return namedTarget(url, STATUS_SEGMENT);
}

/** lobbyTarget returns the uuid of a /containers/proxy/lobby/<uuid> request (query ignored), or null. */
export function lobbyTarget(url: string): string | null {
  return namedTarget(url, LOBBY_SEGMENT);
}

/**
 * upstreamPath is the path the app receives: the rest after the prefix, unchanged, or the whole
 * target when strip_prefix is off. container_path never changes it (as in Kiosc, where it only
 * shapes the link that opens the app and the value of __KIOSC_URL_PREFIX__): putting it before
 * every path doubled the paths of an app that builds its links from that prefix.
 */
export function upstreamPath(url: string, rest: string, stripPrefix: boolean): string {
  return stripPrefix ? rest : url;
}

/** linkPath is what follows the prefix in the link that opens the app: container_path without leading slashes ('' or 'cgi-bin/echo'). */
export function linkPath(containerPath: string): string {
  return containerPath.replace(/^\/+/, '');
}
