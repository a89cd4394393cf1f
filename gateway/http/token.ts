/**
 * token.ts: the character rules of HTTP/1.1 heads (RFC 9110 §5.6.2 and §5.5), without regular
 * expressions or allocation, for the parsers of the fast path (request-head.ts) and of app answers.
 */

/** TCHAR marks the characters of a token: ALPHA, DIGIT and !#$%&'*+-.^_`|~ */
const TCHAR = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || "!#$%&'*+-.^_`|~".includes(String.fromCharCode(c))) TCHAR[c] = 1;
}

/** isToken tells whether s[from, to) is a non-empty token (a field name, a method). */
export function isToken(s: string, from: number, to: number): boolean {
  if (to <= from) return false;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || TCHAR[c] === 0) return false;
  }
  return true;
}

/**
 * headCharsOk checks a whole head (latin1 text) in one pass: no control characters other than
 * HTAB, and no CR or LF outside a CRLF pair (a bare one would end a line for some readers and not
 * others). Field values may then be passed on as they are. (A loop: the regular expression it
 * replaced, with its lookbehind, took about 1.4× the instructions on a typical request head.)
 */
export function headCharsOk(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 32) { if (c === 127) return false; continue; }
    if (c === 9) continue;
    if (c === 13 && text.charCodeAt(i + 1) === 10) { i++; continue; }
    return false; // a control character, a bare CR, or an LF without its CR
  }
  return true;
}

/**
 * fieldCharsOk is headCharsOk for an app's field lines from `from` on, which may end in a bare LF
 * (response-head.ts): no control characters but HTAB, and no CR that does not end its line.
 */
export function fieldCharsOk(text: string, from: number): boolean {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 32) { if (c === 127) return false; continue; }
    if (c === 9 || c === 10) continue;
    if (c === 13 && text.charCodeAt(i + 1) === 10) continue;
    return false;
  }
  return true;
}

/** isDigits tells whether s is 1 to `max` ASCII digits. */
export function isDigits(s: string, max: number): boolean {
  if (s.length === 0 || s.length > max) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** KnownNames are lower-case field names by length, for lowerName. */
export type KnownNames = ReadonlyArray<readonly string[] | undefined>;

/** knownNames indexes lower-case field names by length. */
export function knownNames(names: string[]): KnownNames {
  const by: string[][] = [];
  for (const n of names) (by[n.length] ??= []).push(n);
  return by;
}

/**
 * lowerName is the token s[from, to) in lower case: one of `known` itself when it is one (no new
 * string), else a lowered slice. (c | 0x20) folds A-Z onto a-z; among token characters only
 * letters and '-' land on a letter or '-', so the token must have been checked (isToken).
 */
export function lowerName(s: string, from: number, to: number, known: KnownNames): string {
  const list = known[to - from];
  if (list !== undefined) {
    next: for (const w of list) {
      for (let k = 0; k < w.length; k++) if ((s.charCodeAt(from + k) | 0x20) !== w.charCodeAt(k)) continue next;
      return w;
    }
  }
  const name = from === 0 && to === s.length ? s : s.slice(from, to);
  return name.toLowerCase();
}
