/**
 * sodar-media.ts: SODAR Core's projectroles media type, as its REST API negotiates it (Django REST
 * framework's Accept-header versioning): `Accept: application/vnd.bihealth.sodar-core.projectroles+json;
 * version=1.0`. A version it does not know is 406; so is an Accept nothing here satisfies. Answers
 * carry the media type with the version, and errors carry DRF's `detail` next to Portico's
 * `error` and `code`. Request bodies may be JSON or a form, as DRF's parsers take them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PorticoError, ValidationError, badRequest, toPorticoError } from '../../gateway/core/errors.ts';
import type { Logger } from '../../gateway/core/log.ts';
import { readBody } from '../../gateway/http/body.ts';
import { ResponseSent, clientWentAway } from '../../gateway/http/respond.ts';

/** PROJECTROLES_MEDIA_TYPE is SODAR Core's media type for the projectroles API. */
export const PROJECTROLES_MEDIA_TYPE = 'application/vnd.bihealth.sodar-core.projectroles+json';
/** PROJECTROLES_VERSIONS are the versions answered: 1.0 (SODAR Core 1.0, as Kiosc pins it) and 1.1 (adds project destroy). */
export const PROJECTROLES_VERSIONS = ['1.0', '1.1'] as const;
const DEFAULT_VERSION = '1.0';
const SATISFIES = new Set([PROJECTROLES_MEDIA_TYPE, 'application/json', 'application/*', '*/*']);

/** negotiate returns the API version a request asks for, or throws 406 as DRF does (the vendor type, when named, decides). */
export function negotiate(accept: string | undefined): string {
  if (!accept || !accept.trim()) return DEFAULT_VERSION;
  let generic = false;
  for (const range of accept.split(',')) {
    const [rawType, ...params] = range.split(';').map((p) => p.trim());
    const type = rawType.toLowerCase();
    if (!SATISFIES.has(type)) continue;
    let version: string | null = null;
    let q = 1;
    for (const p of params) {
      const eq = p.indexOf('=');
      if (eq < 0) continue;
      const name = p.slice(0, eq).trim().toLowerCase();
      const value = p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
      if (name === 'version') version = value;
      if (name === 'q') q = Number(value);
    }
    if (q === 0) continue;
    if (type !== PROJECTROLES_MEDIA_TYPE && version === null) { generic = true; continue; }
    if (version === null) return DEFAULT_VERSION;
    if ((PROJECTROLES_VERSIONS as readonly string[]).includes(version)) return version;
    throw new PorticoError('E_NOT_ACCEPTABLE', 406, `Invalid version in "Accept" header: ${JSON.stringify(version.slice(0, 20))} (this server answers ${PROJECTROLES_VERSIONS.join(', ')}).`);
  }
  if (generic) return DEFAULT_VERSION;
  throw new PorticoError('E_NOT_ACCEPTABLE', 406, `Could not satisfy the request Accept header: send Accept: ${PROJECTROLES_MEDIA_TYPE}; version=${DEFAULT_VERSION}`);
}

/** sendSodar writes `body` as the projectroles media type of `version` (204 has no body). */
export function sendSodar(res: ServerResponse, status: number, body: unknown, version: string): void {
  if (status === 204) { res.writeHead(204, { 'cache-control': 'no-store' }).end(); return; }
  const data = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': `${PROJECTROLES_MEDIA_TYPE}; version=${version}`,
    'content-length': Buffer.byteLength(data),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'vary': 'Accept',
  });
  res.end(data);
}

/** sendSodarError answers an error with DRF's `detail` and Portico's `error`, `code` (and `fields`). */
export function sendSodarError(res: ServerResponse, err: unknown, logger: Logger): void {
  if (err instanceof ResponseSent) return;
  if (clientWentAway(err, res, logger)) { res.destroy(); return; }
  const e = toPorticoError(err);
  if (e.status >= 500 && !(err instanceof PorticoError)) logger.error('unhandled error', { err });
  if (res.headersSent) { res.destroy(); return; }
  const body: Record<string, unknown> = { detail: e.message, error: e.message, code: e.code };
  if (e instanceof ValidationError) body.fields = e.fields;
  const data = JSON.stringify(body);
  const headers: Record<string, string | number> = {
    'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(data),
    'cache-control': 'no-store', 'x-content-type-options': 'nosniff',
  };
  // DRF with token authentication names its scheme on a 401.
  if (e.status === 401) headers['www-authenticate'] = 'Token';
  res.writeHead(e.status, headers).end(data);
}

/** readSodarBody reads a JSON or form body into an object (an empty body is `{}`). */
export async function readSodarBody(req: IncomingMessage, limit: number): Promise<Record<string, unknown>> {
  const type = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  const buf = await readBody(req, limit);
  if (buf.length === 0) return {};
  if (type === 'application/x-www-form-urlencoded') {
    const out: Record<string, unknown> = Object.create(null);
    for (const [k, v] of new URLSearchParams(buf.toString('utf8'))) out[k] = v;
    return out;
  }
  if (type && type !== 'application/json' && !type.endsWith('+json')) {
    throw new PorticoError('E_UNSUPPORTED_MEDIA_TYPE', 415, `Unsupported media type "${type.slice(0, 100)}" in request: send application/json or a form`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(buf.toString('utf8'));
  } catch (err) {
    throw badRequest(`JSON parse error - ${(err as Error).message}`, 'E_MALFORMED_JSON');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw badRequest('the body must be a JSON object');
  return parsed as Record<string, unknown>;
}
