/**
 * python-str.ts: environment values as Kiosc wrote them. Kiosc hands its environment dict to
 * docker-py, which writes each variable as f'{key}={value}', that is Python's str() of the value
 * read from the JSON field: ['A', 'B'] for a list, True for a boolean, {'k': None} for an object,
 * and a null variable as the bare key, which the engine leaves unset.
 */

// Python's str.isprintable() is false for these general categories (the ASCII space aside).
const NOT_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/** pythonRepr is Python's repr() of a str: single quotes unless the text holds ' and no ", with Python's escapes. */
export function pythonRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === quote || ch === '\\') out += '\\' + ch;
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (cp < 0x20 || cp === 0x7f) out += '\\x' + hex(cp, 2);
    else if (cp < 0x7f || !NOT_PRINTABLE.test(ch)) out += ch;
    else if (cp <= 0xff) out += '\\x' + hex(cp, 2);
    else if (cp <= 0xffff) out += '\\u' + hex(cp, 4);
    else out += '\\U' + hex(cp, 8);
  }
  return out + quote;
}

/**
 * pythonNumber is Python's str() of the number Kiosc read: a whole number is an int (PostgreSQL's
 * jsonb keeps 1e3 as 1000, which Python reads as an int), anything else a float in Python's
 * shortest repr, with an exponent only below 1e-4 (1e-05, 2.5e-07).
 */
export function pythonNumber(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  const sign = n < 0 ? '-' : '';
  // toExponential() gives the shortest digits that read back as the same double, as Python's repr
  // does; for a whole number they are the digits as typed (64748980904011710, not the double's ...712).
  const [mantissa, exp] = Math.abs(n).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const point = Number(exp) + 1; // digits before the decimal point
  if (Number.isInteger(n)) return n === 0 ? '0' : sign + digits + '0'.repeat(Math.max(0, point - digits.length));
  if (point <= -4 || point > 16) {
    const e = point - 1;
    return `${sign}${digits[0]}${digits.length > 1 ? '.' + digits.slice(1) : ''}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}.0`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

function repr(v: unknown, text: (s: string) => string): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return pythonNumber(v);
  if (typeof v === 'string') return pythonRepr(text(v));
  if (Array.isArray(v)) return '[' + v.map((x) => repr(x, text)).join(', ') + ']';
  if (typeof v === 'object') return '{' + Object.entries(v).map(([k, x]) => `${pythonRepr(k)}: ${repr(x, text)}`).join(', ') + '}';
  return pythonRepr(String(v));
}

/**
 * pythonStr is Python's str() of a JSON value: a string as it is, anything else as its repr; null
 * gives null (the variable stays unset). `text` rewrites each string value first (placeholders),
 * so what it puts in is quoted and escaped like the rest.
 */
export function pythonStr(v: unknown, text: (s: string) => string = (s) => s): string | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'string' ? text(v) : repr(v, text);
}
