/**
 * request-head.ts: reads a request head for the listener's fast path (front.ts), strictly. Only
 * the plain case is accepted: GET, HEAD, OPTIONS or DELETE over HTTP/1.1, an origin-form target under a given prefix, a Host field,
 * token field names, values of visible characters, no body (neither Content-Length nor
 * Transfer-Encoding), no Upgrade or Expect, no obs-fold. Anything else returns null and the
 * connection goes to Node's HTTP server, whose parser answers it or refuses it: this parser only
 * ever says "mine" or "not mine", never "bad request".
 */
import { headCharsOk, isToken } from './token.ts';

/** RequestHead is one accepted request head. */
export interface RequestHead {
  method: string;
  /** target is the request target as sent (path and query). */
  target: string;
  /** headers are as sent, name, value, … with the value's surrounding whitespace removed (like IncomingMessage.rawHeaders). */
  headers: string[];
  /** keepAlive is false when the client asked to close the connection after this answer. */
  keepAlive: boolean;
}

/** METHODS are the ones taken here: those that carry no body in practice (the rest go to Node's parser). */
const METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'DELETE']);

function isOws(c: number): boolean {
  return c === 32 || c === 9;
}

/** lowerIs compares s[from, to) with a lower-case word, ignoring case, without allocating. */
function lowerIs(s: string, from: number, to: number, word: string): boolean {
  if (to - from !== word.length) return false;
  for (let i = 0; i < word.length; i++) {
    if ((s.charCodeAt(from + i) | 0x20) !== word.charCodeAt(i)) return false;
  }
  return true;
}

/** targetOk: visible ASCII only (no spaces, controls or raw 8-bit bytes), as an origin-form target must be. */
function targetOk(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c <= 32 || c >= 127) return false;
  }
  return true;
}

/**
 * parseRequestHead reads `text` (latin1, the head without its final blank line) when its target
 * starts with `prefix`; null for anything outside the plain case.
 */
export function parseRequestHead(text: string, prefix: string): RequestHead | null {
  let eol = text.indexOf('\r\n');
  if (eol < 0) eol = text.length;
  const sp1 = text.indexOf(' ');
  const method = sp1 > 0 ? text.slice(0, sp1) : '';
  if (!METHODS.has(method)) return null;
  if (!text.startsWith(prefix, sp1 + 1)) return null;
  const sp2 = text.indexOf(' ', sp1 + 1);
  if (sp2 < 0 || sp2 + 9 !== eol || !text.startsWith('HTTP/1.1', sp2 + 1)) return null;
  if (!targetOk(text, sp1 + 1, sp2) || !headCharsOk(text)) return null;
  const headers: string[] = [];
  let hosts = 0;
  let keepAlive = true;
  for (let i = eol + 2; i < text.length;) {
    let end = text.indexOf('\r\n', i);
    if (end < 0) end = text.length;
    const colon = text.indexOf(':', i);
    // No obs-fold, no whitespace before the colon, a token name (RFC 9112 §5.1, §5.2).
    if (colon < 0 || colon > end || !isToken(text, i, colon)) return null;
    let vs = colon + 1;
    let ve = end;
    while (vs < ve && isOws(text.charCodeAt(vs))) vs++;
    while (ve > vs && isOws(text.charCodeAt(ve - 1))) ve--;
    const n = colon - i;
    if (n === 4 && lowerIs(text, i, colon, 'host')) hosts++;
    else if ((n === 14 && lowerIs(text, i, colon, 'content-length')) || (n === 17 && lowerIs(text, i, colon, 'transfer-encoding'))
      || (n === 7 && lowerIs(text, i, colon, 'upgrade')) || (n === 6 && lowerIs(text, i, colon, 'expect'))) return null;
    else if (n === 10 && lowerIs(text, i, colon, 'connection')) {
      const v = text.slice(vs, ve).toLowerCase();
      if (v.includes('upgrade')) return null;
      if (v.includes('close')) keepAlive = false;
    }
    headers.push(text.slice(i, colon), text.slice(vs, ve));
    i = end + 2;
  }
  if (hosts !== 1) return null;
  return { method, target: text.slice(sp1 + 1, sp2), headers, keepAlive };
}
