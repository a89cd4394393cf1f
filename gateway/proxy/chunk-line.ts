/**
 * chunk-line.ts: the lines of a chunked body an app sends (RFC 9112 §7.1): a chunk-size line —
 * hex digits, then extensions `;name[=token|"quoted"]` that are checked and skipped — and the
 * trailer fields after the last chunk, which are checked and dropped. As strict as llhttp: no
 * whitespace, no control characters, no bytes past ASCII.
 */

const HEX = new Int8Array(256).fill(-1);
for (let c = 0; c < 10; c++) HEX[48 + c] = c;
for (let c = 0; c < 6; c++) { HEX[65 + c] = 10 + c; HEX[97 + c] = 10 + c; }

/** TCHAR marks token characters (RFC 9110 §5.6.2). */
const TCHAR = new Uint8Array(256);
for (const ch of "!#$%&'*+-.^_`|~") TCHAR[ch.charCodeAt(0)] = 1;
for (let c = 48; c < 58; c++) TCHAR[c] = 1;
for (let c = 65; c < 91; c++) { TCHAR[c] = 1; TCHAR[c + 32] = 1; }

/** chunkSize reads the chunk-size line c[from, to) (its CRLF excluded): the size, or -1 when it is malformed. */
export function chunkSize(c: Buffer, from: number, to: number): number {
  let n = 0;
  let i = from;
  for (; i < to; i++) {
    const h = HEX[c[i]];
    if (h < 0) break;
    n = n * 16 + h;
    if (n > Number.MAX_SAFE_INTEGER) return -1;
  }
  if (i === from) return -1;
  if (i === to) return n;
  return c[i] === 59 && extensionsOk(c, i, to) ? n : -1;
}

/** extensionsOk checks `;name[=value]…` in c[i, to), `i` at the first ';'. */
function extensionsOk(c: Buffer, i: number, to: number): boolean {
  while (i < to) {
    if (c[i] !== 59) return false;
    i++;
    while (i < to && TCHAR[c[i]] === 1) i++;
    if (i === to || c[i] === 59) continue;
    if (c[i] !== 61) return false;
    i++;
    if (i < to && c[i] === 34) {
      // quoted-string: qdtext or a quoted-pair, up to the closing quote.
      for (i++; ; i++) {
        if (i >= to) return false;
        const b = c[i];
        if (b === 34) { i++; break; }
        if (b === 92) { i++; if (i >= to || !(c[i] === 9 || (c[i] >= 32 && c[i] < 127))) return false; continue; }
        if (!(b === 9 || (b >= 32 && b < 127))) return false;
      }
    } else {
      const s = i;
      while (i < to && TCHAR[c[i]] === 1) i++;
      if (i === s) return false;
    }
  }
  return true;
}

/** trailerOk checks one trailer field line c[from, to) (its CRLF excluded): `token: value` without control characters. */
export function trailerOk(c: Buffer, from: number, to: number): boolean {
  let i = from;
  while (i < to && TCHAR[c[i]] === 1) i++;
  if (i === from || i === to || c[i] !== 58) return false;
  for (i++; i < to; i++) {
    const b = c[i];
    if (b < 32 ? b !== 9 : b === 127) return false;
  }
  return true;
}
