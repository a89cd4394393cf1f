/**
 * names.ts: the rules for small-file names. Names are only labels (the bytes are stored under the
 * file's UUID), but they appear in URLs, downloads and shells, so they stay plain.
 */
import { ValidationError } from '../errors.ts';

/** MAX_NAME_BYTES is the longest name, in UTF-8 bytes (the common file-system limit). */
export const MAX_NAME_BYTES = 255;

// Cc: C0/C1 control characters; Cf: invisible format characters such as the bidi overrides that disguise extensions.
const CONTROL = /[\p{Cc}\p{Cf}\u2028\u2029]/u;

/** checkFileName returns the NFC-normalised name, or throws a ValidationError saying what is wrong. */
export function checkFileName(raw: unknown): string {
  const problem = (msg: string) => new ValidationError({ name: msg }, `file name ${msg}`);
  if (typeof raw !== 'string' || raw.length === 0) throw problem('is required');
  const name = raw.normalize('NFC');
  if (CONTROL.test(name)) throw problem('must not contain control characters');
  if (name.includes('/') || name.includes('\\')) throw problem('must not contain "/" or "\\"');
  if (name === '.' || name === '..') throw problem('must not be "." or ".."');
  if (name.trim() !== name) throw problem('must not start or end with white space');
  if (Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES) throw problem(`must be at most ${MAX_NAME_BYTES} bytes long`);
  return name;
}
