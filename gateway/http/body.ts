/**
 * body.ts: reads request bodies with a size limit. JSON must be JSON (400 otherwise); too large is 413.
 * `readFields` also takes the form and multipart bodies Django REST framework parses.
 */
import type { IncomingMessage } from 'node:http';
import { PorticoError, badRequest } from '../core/errors.ts';
import { MultipartReader, multipartBoundary } from './multipart.ts';

/** readBody buffers at most `limit` bytes of the body, or throws E_BODY_TOO_LARGE (413). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(tooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        req.resume();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => { if (!failed) resolve(Buffer.concat(chunks)); });
    req.on('error', (err) => { if (!failed) { failed = true; reject(err); } });
  });
}

function tooLarge(limit: number): PorticoError {
  return new PorticoError('E_BODY_TOO_LARGE', 413, `request body is larger than ${limit} bytes`);
}

/** readJson reads and parses a JSON body (an empty body is `{}`). */
export async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  const buf = await readBody(req, limit);
  if (buf.length === 0) return {};
  if (type && !type.includes('json')) {
    throw new PorticoError('E_UNSUPPORTED_MEDIA_TYPE', 415, 'send the body as application/json');
  }
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch (err) {
    throw badRequest(`malformed JSON: ${(err as Error).message}`, 'E_MALFORMED_JSON');
  }
}

/** readForm reads an application/x-www-form-urlencoded body into a plain object (last value wins). */
export async function readForm(req: IncomingMessage, limit: number): Promise<Record<string, string>> {
  const buf = await readBody(req, limit);
  const out: Record<string, string> = Object.create(null);
  for (const [k, v] of new URLSearchParams(buf.toString('utf8'))) out[k] = v;
  return out;
}

/** BodyKind is how a body was sent: forms carry every value as text. */
export type BodyKind = 'json' | 'form';

/** FIELD_PARSERS are the media types `readFields` takes (as DRF's JSON, form and multipart parsers). */
export const FIELD_PARSERS: readonly string[] = ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data'];

const MAX_FORM_FIELDS = 200;

/**
 * readFields reads a JSON, application/x-www-form-urlencoded or multipart/form-data body (text
 * fields only; a file part is refused) into `{kind, value}`. Any other type is 415.
 */
export async function readFields(req: IncomingMessage, limit: number): Promise<{ kind: BodyKind; value: unknown }> {
  const type = (req.headers['content-type'] ?? '').toLowerCase().split(';')[0].trim();
  if (type === 'application/x-www-form-urlencoded') return { kind: 'form', value: await readForm(req, limit) };
  if (type === 'multipart/form-data') {
    const boundary = multipartBoundary(req.headers['content-type']);
    if (!boundary) throw badRequest('the multipart/form-data Content-Type has no boundary');
    const buf = await readBody(req, limit);
    const reader = new MultipartReader((async function* () { yield buf; })(), boundary);
    const out: Record<string, string> = Object.create(null);
    for (let n = 0; ; n++) {
      const part = await reader.next();
      if (!part) break;
      if (n >= MAX_FORM_FIELDS) throw badRequest(`the form has more than ${MAX_FORM_FIELDS} fields`);
      if (part.filename !== null) throw badRequest(`the form field ${JSON.stringify(part.field)} is a file; send every field as text`);
      out[part.field] = await reader.text(limit);
    }
    return { kind: 'form', value: out };
  }
  if (type === '' || type.includes('json')) return { kind: 'json', value: await readJson(req, limit) };
  req.resume();
  throw new PorticoError('E_UNSUPPORTED_MEDIA_TYPE', 415, `send the body as ${FIELD_PARSERS.join(', ')}`);
}
