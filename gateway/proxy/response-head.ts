/**
 * response-head.ts: reads an app's response head (status line and header fields) from the text
 * between the start of an answer and its blank line, in one pass: a flat name/value list (names
 * in lower case, repeats repeated) plus what framing needs (Content-Length, Transfer-Encoding,
 * close). It refuses what Node's own parser (llhttp) and undici both refuse — the differential
 * corpus is test/corpus/response-cases.ts — with one deliberate leniency: lines may end in a bare
 * LF (RFC 9112 §2.2 lets a recipient accept it; nginx and curl do, and small servers such as
 * busybox httpd's CGI send it).
 */

/** ResponseHead is one parsed head; `interim` marks a 1xx answer (another head follows). */
export interface ResponseHead {
  status: number;
  /** reason is the reason phrase, '' when absent or when it held control characters (not passed on). */
  reason: string;
  headers: string[];
  /** length is Content-Length (-1: none). */
  length: number;
  /** chunked: the final transfer coding is chunked, which the reader decodes. */
  chunked: boolean;
  /**
   * codings are the app's transfer codings that stay on the bytes handed on: '' with no
   * Transfer-Encoding; otherwise the list without the final chunked the reader decodes (RFC 9112
   * §6.3: when chunked is not final, the body runs until the app closes and keeps every coding).
   */
  codings: string;
  /** close: the app closes the connection after this answer. */
  close: boolean;
  interim: boolean;
}

import { fieldCharsOk, isDigits, isToken, knownNames, lowerName } from '../http/token.ts';

/** isOws: optional whitespace (SP, HTAB) around a field value, RFC 9110 §5.6.3. */
function isOws(c: number): boolean {
  return c === 32 || c === 9;
}

/** BAD_REASON_CHAR: a reason phrase with these is accepted (llhttp does) but not passed on. */
const BAD_REASON_CHAR = /[\0-\x08\x0a-\x1f\x7f]/;

/**
 * KNOWN lists lower-case field names apps commonly send: a name read as one of them is that
 * string, not a slice lowered into a new one (two strings less per field).
 */
const KNOWN = knownNames(['date', 'vary', 'etag', 'server', 'expires', 'location', 'connection', 'keep-alive', 'set-cookie', 'content-type',
  'x-powered-by', 'accept-ranges', 'cache-control', 'last-modified', 'content-length', 'content-encoding', 'transfer-encoding']);

/** statusOf reads "HTTP/x.y NNN" at the start of `sl`: the status, or -1 (llhttp's versions: 0.9, 1.x, 2.0). */
function statusOf(sl: string): number {
  if (sl.length < 12 || !sl.startsWith('HTTP/') || sl.charCodeAt(6) !== 46 || sl.charCodeAt(8) !== 32) return -1;
  const major = sl.charCodeAt(5) - 48, minor = sl.charCodeAt(7) - 48;
  if (!(major === 1 && (minor === 0 || minor === 1)) && !(major === 2 && minor === 0) && !(major === 0 && minor === 9)) return -1;
  let status = 0;
  for (let k = 9; k < 12; k++) {
    const d = sl.charCodeAt(k) - 48;
    if (d < 0 || d > 9) return -1;
    status = status * 10 + d;
  }
  if (sl.length > 12 && sl.charCodeAt(12) !== 32) return -1;
  return status >= 100 ? status : -1;
}

/** parseResponseHead parses `text` (latin1, without the blank line that ends it); a string is what is wrong with it. */
export function parseResponseHead(text: string): ResponseHead | string {
  let eol = text.indexOf('\n');
  if (eol < 0) eol = text.length;
  const slEnd = eol > 0 && text.charCodeAt(eol - 1) === 13 ? eol - 1 : eol;
  const sl = text.slice(0, slEnd);
  const status = statusOf(sl);
  if (status < 0) return 'the app sent something that is not HTTP/1.x (a malformed status line)';
  let reason = sl.length > 13 ? sl.slice(13) : '';
  if (reason.indexOf('\r') >= 0) return 'the app sent a bare CR in its status line';
  if (BAD_REASON_CHAR.test(reason)) reason = '';
  if (status === 101) return 'the app switched protocols on a plain request';
  // Values are passed on as they are: no control characters, no CR outside line ends.
  if (!fieldCharsOk(text, eol + 1)) return 'the app sent control characters in its response head';
  const headers: string[] = [];
  let length = -1;
  let te: string | null = null;
  let close = sl.charCodeAt(5) === 48 || sl.charCodeAt(7) === 48; // HTTP/1.0 (and 0.9): closes unless it says otherwise
  for (let i = eol + 1; i < text.length;) {
    let next = text.indexOf('\n', i);
    if (next < 0) next = text.length;
    const end = next > i && text.charCodeAt(next - 1) === 13 ? next - 1 : next;
    const colon = text.indexOf(':', i);
    // A field name is a token right before its colon: no whitespace, no obs-fold (RFC 9112 §5.1, §5.2).
    if (colon < 0 || colon >= end || !isToken(text, i, colon)) return 'the app sent a malformed header field';
    const name = lowerName(text, i, colon, KNOWN);
    let vs = colon + 1;
    let ve = end;
    while (vs < ve && isOws(text.charCodeAt(vs))) vs++;
    while (ve > vs && isOws(text.charCodeAt(ve - 1))) ve--;
    const value = text.slice(vs, ve);
    headers.push(name, value);
    if (name.length === 14 && name === 'content-length') {
      // RFC 9112 §6.3: one length, digits only; a second one (even an equal one) is refused, as llhttp does.
      if (length >= 0 || !isDigits(value, 15)) return 'the app sent an invalid or repeated Content-Length';
      length = Number(value);
    } else if (name.length === 17 && name === 'transfer-encoding') {
      te = te === null ? value : te + ', ' + value;
    } else if (name.length === 10 && name === 'connection') {
      const v = value.toLowerCase();
      if (v.includes('close')) close = true;
      else if (v.includes('keep-alive')) close = false;
    }
    i = next + 1;
  }
  const interim = status < 200;
  let chunked = false;
  let codings = '';
  if (te !== null && !interim) {
    // RFC 9112 §6.3: Transfer-Encoding overrides Content-Length, and an answer with both is refused (as llhttp does).
    if (length >= 0) return 'the app sent both Transfer-Encoding and Content-Length';
    const comma = te.lastIndexOf(',');
    chunked = te.slice(comma + 1).trim().toLowerCase() === 'chunked';
    codings = chunked ? (comma < 0 ? '' : te.slice(0, comma).trim()) : te;
    if (!chunked) close = true; // read until the app closes: the socket is not reused
  }
  return { status, reason, headers, length, chunked, codings, close, interim };
}

/** plainHead tells whether the text before the first CRLFCRLF holds no earlier blank line ending in a bare LF. */
export function plainHead(text: string): boolean {
  return text.indexOf('\n\n') < 0 && text.indexOf('\n\r\n') < 0 && text.charCodeAt(text.length - 1) !== 10;
}

/**
 * lfHeadEnd finds, line by line, the blank line ("\n" or "\r\n" alone) that ends a head starting at
 * `from`: [end of the head's text, start of the body], or null while it is incomplete. For heads
 * with bare LFs; a CRLF head is found by one search for CRLFCRLF and checked with plainHead.
 */
export function lfHeadEnd(c: Buffer, from: number): [number, number] | null {
  for (let i = from; ;) {
    const nl = c.indexOf(10, i);
    if (nl < 0) return null;
    if (nl === i || (nl === i + 1 && c[i] === 13)) return [i, nl + 1];
    i = nl + 1;
  }
}
