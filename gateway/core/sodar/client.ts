/**
 * client.ts: reads a SODAR source site's remote-sync document over a narrow HTTP interface, as
 * sodar-core's RemoteProjectAPI.get_remote_data does: GET <source>/project/api/remote/get/<secret>
 * with `Accept: application/vnd.bihealth.sodar-core.projectroles.sync+json; version=1.0`. Version
 * 1.0 is accepted by every sodar-core since 0.8 (newer ones also speak 2.0, which adds "project
 * viewer" roles Portico has no use for). Every failure is a SodarSyncError whose message names the
 * cause and never contains the secret.
 */
import { PorticoError } from '../errors.ts';

/** SYNC_MEDIA_TYPE and SYNC_VERSION are what the Accept header asks for. */
export const SYNC_MEDIA_TYPE = 'application/vnd.bihealth.sodar-core.projectroles.sync+json';
export const SYNC_VERSION = '1.0';

/** SYNC_PATH is sodar-core's URL of RemoteProjectGetAPIView below the site's address. */
export const SYNC_PATH = '/project/api/remote/get/';

/** MAX_DOCUMENT_BYTES bounds the document read into memory. */
export const MAX_DOCUMENT_BYTES = 64 * 1024 * 1024;

/** HttpAnswer is what the sync needs from an HTTP response. */
export interface HttpAnswer { status: number; contentType: string; body: string }

/** HttpGet fetches one URL; it rejects on network errors and when `timeoutMs` or `maxBytes` is exceeded. */
export type HttpGet = (url: string, headers: Record<string, string>, limits: { timeoutMs: number; maxBytes: number }) => Promise<HttpAnswer>;

/** SodarSyncError is a sync that could not read the source; nothing was changed. */
export class SodarSyncError extends PorticoError {
  readonly expose = true;
  constructor(message: string) {
    super('E_SODAR_SYNC', 502, message);
    this.name = 'SodarSyncError';
  }
}

class TooLarge extends Error {}

/** fetchGet is HttpGet over Node's fetch (undici). */
export const fetchGet: HttpGet = async (url, headers, limits) => {
  const res = await fetch(url, { headers, redirect: 'error', signal: AbortSignal.timeout(limits.timeoutMs) });
  const length = Number(res.headers.get('content-length') ?? 0);
  if (length > limits.maxBytes) { await res.body?.cancel(); throw new TooLarge(); }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (res.body) {
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      size += chunk.byteLength;
      if (size > limits.maxBytes) throw new TooLarge();
      chunks.push(chunk);
    }
  }
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', body: Buffer.concat(chunks).toString('utf8') };
};

/** SourceSite is where to read from. */
export interface SourceSite { url: string; secret: string; timeoutMs: number }

/** readSourceDocument fetches and parses the source's document; throws SodarSyncError. */
export async function readSourceDocument(get: HttpGet, site: SourceSite): Promise<unknown> {
  const shown = `${site.url}${SYNC_PATH}<secret>`;
  let answer: HttpAnswer;
  try {
    answer = await get(site.url + SYNC_PATH + encodeURIComponent(site.secret), { accept: `${SYNC_MEDIA_TYPE}; version=${SYNC_VERSION}` },
      { timeoutMs: site.timeoutMs, maxBytes: MAX_DOCUMENT_BYTES });
  } catch (err) {
    throw new SodarSyncError(`cannot read ${shown}: ${reason(err, site.timeoutMs)}`);
  }
  if (answer.status === 401 || answer.status === 403) {
    throw new SodarSyncError(`the source site refused this site's secret (HTTP ${answer.status}${excerpt(answer.body)}); check PORTICO_SODAR_SOURCE_SECRET against the source's "Remote sites" list`);
  }
  if (answer.status === 404) throw new SodarSyncError(`${shown} answered HTTP 404: no SODAR remote-sync API there; check PORTICO_SODAR_SOURCE_URL`);
  if (answer.status === 406) throw new SodarSyncError(`the source site does not speak remote-sync API version ${SYNC_VERSION} (HTTP 406${excerpt(answer.body)})`);
  if (answer.status !== 200) throw new SodarSyncError(`${shown} answered HTTP ${answer.status}${excerpt(answer.body)}`);
  try {
    return JSON.parse(answer.body);
  } catch (err) {
    throw new SodarSyncError(`${shown} did not answer JSON (${answer.contentType || 'no content type'}): ${(err as Error).message}`);
  }
}

function reason(err: unknown, timeoutMs: number): string {
  if (err instanceof TooLarge) return `the document is larger than ${MAX_DOCUMENT_BYTES / 1024 / 1024} MiB`;
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `no answer within ${timeoutMs / 1000} s`;
  const cause = e.cause?.code ?? e.cause?.message;
  return cause ? `${e.message ?? 'request failed'} (${cause})` : e.message ?? String(err);
}

function excerpt(body: string): string {
  const s = body.replace(/\s+/g, ' ').trim().slice(0, 120);
  return s ? `: ${s}` : '';
}
