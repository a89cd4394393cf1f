/**
 * response-head.ts: reads an app's response head (status line and header fields) from the text
 * between the start of an answer and its blank line, in one pass: a flat name/value list (names
 * in lower case, repeats repeated) plus what framing needs (Content-Length, chunked, close).
 */

/** ResponseHead is one parsed head; `interim` marks a 1xx answer (another head follows). */
export interface ResponseHead {
  status: number;
  reason: string;
  headers: string[];
  /** length is Content-Length (-1: none). */
  length: number;
  chunked: boolean;
  /** close: the app closes the connection after this answer. */
  close: boolean;
  interim: boolean;
}

import { headCharsOk, isToken } from '../http/token.ts';

/** isOws: optional whitespace (SP, HTAB) around a field value, RFC 9110 §5.6.3. */
function isOws(c: number): boolean {
  return c === 32 || c === 9;
}

function withoutContentLength(flat: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < flat.length; i += 2) if (flat[i] !== 'content-length') out.push(flat[i], flat[i + 1]);
  return out;
}

const DIGITS = /^\d{1,15}$/;

/** contentLength reads a Content-Length value: digits, or a list of identical ones ("5, 5"); -1 when invalid. */
function contentLength(value: string): number {
  if (value.indexOf(',') < 0) return DIGITS.test(value) ? Number(value) : -1; // the usual case: no list to split
  let n = -1;
  for (const part of value.split(',')) {
    const v = part.trim();
    if (!DIGITS.test(v)) return -1;
    const x = Number(v);
    if (n >= 0 && x !== n) return -1;
    n = x;
  }
  return n;
}

/** parseResponseHead parses `text` (latin1, without the final blank line); a string is what is wrong with it. */
export function parseResponseHead(text: string): ResponseHead | string {
  let eol = text.indexOf('\r\n');
  if (eol < 0) eol = text.length;
  const sl = text.slice(0, eol);
  const status = Number(sl.slice(9, 12));
  if (!sl.startsWith('HTTP/1.') || !(status >= 100 && status < 1000)) return 'the app sent something that is not HTTP/1.x';
  // Values are passed on as they are: no control characters, no CR or LF outside line ends.
  if (!headCharsOk(text)) return 'the app sent control characters in its response head';
  if (status >= 100 && status < 200) {
    if (status === 101) return 'the app switched protocols on a plain request';
    return { status, reason: '', headers: [], length: -1, chunked: false, close: false, interim: true };
  }
  const headers: string[] = [];
  let length = -1;
  let chunked = false;
  let badLength = false;
  let close = sl.charCodeAt(7) === 48; // HTTP/1.0: closes unless it says otherwise
  for (let i = eol + 2; i < text.length;) {
    let end = text.indexOf('\r\n', i);
    if (end < 0) end = text.length;
    const colon = text.indexOf(':', i);
    if (colon > i && colon < end) {
      let ne = colon;
      while (ne > i && isOws(text.charCodeAt(ne - 1))) ne--;
      if (!isToken(text, i, ne)) return 'the app sent a malformed header field name';
      const name = text.slice(i, ne).toLowerCase();
      let vs = colon + 1;
      let ve = end;
      while (vs < ve && isOws(text.charCodeAt(vs))) vs++;
      while (ve > vs && isOws(text.charCodeAt(ve - 1))) ve--;
      const value = text.slice(vs, ve);
      headers.push(name, value);
      if (name.length === 14 && name === 'content-length') {
        // RFC 9112 §6.3: repeated (or listed) lengths must agree, else the framing is unknowable.
        const n = contentLength(value);
        if (n < 0 || (length >= 0 && n !== length)) badLength = true;
        else length = n;
      }
      else if (name.length === 17 && name === 'transfer-encoding') chunked = value.toLowerCase().endsWith('chunked');
      else if (name.length === 10 && name === 'connection') {
        const v = value.toLowerCase();
        if (v.includes('close')) close = true;
        else if (v.includes('keep-alive')) close = false;
      }
    }
    i = end + 2;
  }
  // RFC 9112 §6.3: with Transfer-Encoding, any Content-Length is wrong and is not passed on;
  // without it, an invalid or conflicting one leaves the framing unknowable: a 502.
  if (badLength && !chunked) return 'the app sent an invalid or conflicting Content-Length';
  return { status, reason: sl.slice(13), headers: chunked && (length >= 0 || badLength) ? withoutContentLength(headers) : headers, length, chunked, close, interim: false };
}
