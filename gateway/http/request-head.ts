/**
 * request-head.ts: reads a request head for the listener's fast path (front.ts), strictly. Only
 * the plain case is accepted: GET, HEAD, OPTIONS or DELETE over HTTP/1.1, an origin-form target under a given prefix, a Host field,
 * token field names, values of visible characters, no body (neither Content-Length nor
 * Transfer-Encoding), no Upgrade or Expect, no obs-fold, exactly one Host of valid characters.
 * Anything else returns null and the connection goes to Node's HTTP server, whose parser answers
 * it or refuses it: this parser only ever says "mine" or "not mine", never "bad request".
 *
 * mayBePlain says it early, for a head still incomplete: bytes that can never become a plain head
 * (a TLS ClientHello, bare-LF lines, another method) go to Node at once, not after a timeout.
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
const METHOD_LIST = [...METHODS];

/** MAX_TARGET is the longest request target taken (nginx's 8 KiB request line); a longer one is 414 (request-checks.ts). */
export const MAX_TARGET = 8 * 1024;

/**
 * HOST_CHAR marks what a Host value may hold (RFC 9110 §7.2, RFC 3986 §3.2.2: reg-name,
 * IP-literal, port): unreserved, sub-delims, '%', ':', '[' and ']'.
 */
const HOST_CHAR = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || "-._~!$&'()*+,;=%:[]".includes(String.fromCharCode(c))) HOST_CHAR[c] = 1;
}

/** hostOk tells whether s[from, to) is a non-empty Host value of valid characters (no spaces, no second value). */
export function hostOk(s: string, from: number, to: number): boolean {
  if (to <= from) return false;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || HOST_CHAR[c] === 0) return false;
  }
  return true;
}

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

/** hasCloseToken tells whether a (lower-case) Connection value lists the token "close". */
function hasCloseToken(v: string): boolean {
  for (const t of v.split(',')) if (t.trim() === 'close') return true;
  return false;
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
  if (sp2 - sp1 - 1 > MAX_TARGET || !targetOk(text, sp1 + 1, sp2) || !headCharsOk(text)) return null;
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
    if (n === 4 && lowerIs(text, i, colon, 'host')) { if (!hostOk(text, vs, ve)) return null; hosts++; }
    else if ((n === 14 && lowerIs(text, i, colon, 'content-length')) || (n === 17 && lowerIs(text, i, colon, 'transfer-encoding'))
      || (n === 7 && lowerIs(text, i, colon, 'upgrade')) || (n === 6 && lowerIs(text, i, colon, 'expect'))) return null;
    else if (n === 10 && lowerIs(text, i, colon, 'connection')) {
      const v = text.slice(vs, ve).toLowerCase();
      if (v.includes('upgrade')) return null;
      // A token "close" (not "closed", "x-close"), as llhttp reads it.
      if (v.includes('close') && hasCloseToken(v)) keepAlive = false;
    }
    headers.push(text.slice(i, colon), text.slice(vs, ve));
    i = end + 2;
  }
  if (hosts !== 1) return null;
  return { method, target: text.slice(sp1 + 1, sp2), headers, keepAlive };
}

/**
 * mayBePlain tells whether an incomplete head (no blank line yet) can still become one that
 * parseRequestHead takes: a fast-path method, a target under `prefix`, HTTP/1.1, and only CRLF
 * line ends and characters a head may carry. False hands the bytes to Node's parser now.
 */
export function mayBePlain(buf: Buffer, prefix: string): boolean {
  const n = buf.length;
  const sp = buf.indexOf(32);
  const mEnd = sp < 0 ? n : sp;
  if (mEnd > 7) return false;
  const m = buf.toString('latin1', 0, mEnd);
  let known = false;
  for (const x of METHOD_LIST) if (sp < 0 ? x.startsWith(m) : x === m) known = true;
  if (!known) return false;
  if (sp < 0) return true;
  const t = buf.toString('latin1', sp + 1, Math.min(n, sp + 1 + prefix.length));
  if (!prefix.startsWith(t)) return false;
  for (let i = 0; i < n; i++) {
    const c = buf[i];
    if (c === 10) { if (i === 0 || buf[i - 1] !== 13) return false; }
    else if (c === 13) { if (i + 1 < n && buf[i + 1] !== 10) return false; }
    else if ((c < 32 && c !== 9) || c === 127) return false;
  }
  const eol = buf.indexOf('\r\n');
  return eol < 0 || (eol > 9 && buf.toString('latin1', eol - 9, eol) === ' HTTP/1.1');
}
