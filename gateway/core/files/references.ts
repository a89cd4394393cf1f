/**
 * references.ts: file references in container commands and environment values.
 *
 * The form inserts `__PORTICO_FILE__<file-uuid>__`. When the container is created, each reference
 * becomes `http://<file-server>/files/<container-uuid>/<file-uuid>/<token>/<name>`, where the token
 * is an HMAC (secret kept in the settings table) over the container and file UUIDs. So a URL
 * is bound to one container and one file, cannot be guessed or edited into another file's URL, and
 * stays the same when the container is recreated or the gateway restarts (it names no IP address).
 * The file server answers only when the file belongs to the container's project.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** FILE_REFERENCE_PREFIX starts every file reference. */
export const FILE_REFERENCE_PREFIX = '__PORTICO_FILE__';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const REFERENCE_RE = new RegExp(`${FILE_REFERENCE_PREFIX}(${UUID})__`, 'gi');

/** fileReference is the placeholder for file `uuid`. */
export function fileReference(uuid: string): string {
  return `${FILE_REFERENCE_PREFIX}${uuid}__`;
}

/** referencedFiles lists the file UUIDs referenced in `text` (lower case, without repeats). */
export function referencedFiles(text: string): string[] {
  return [...new Set([...text.matchAll(REFERENCE_RE)].map((m) => m[1].toLowerCase()))];
}

/** replaceReferences rewrites every reference in `text` with `toUrl(fileUuid)`. */
export function replaceReferences(text: string, toUrl: (fileUuid: string) => string): string {
  if (!text.includes(FILE_REFERENCE_PREFIX)) return text;
  return text.replace(REFERENCE_RE, (_m, uuid: string) => toUrl(uuid.toLowerCase()));
}

/** newReferenceSecret makes the HMAC key (stored once per site). */
export function newReferenceSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** referenceToken is the URL token for (container, file): 32 base64url characters (192 bits of HMAC-SHA256). */
export function referenceToken(secret: string, containerUuid: string, fileUuid: string): string {
  return createHmac('sha256', secret).update(`file-reference\0${containerUuid.toLowerCase()}\0${fileUuid.toLowerCase()}`).digest('base64url').slice(0, 32);
}

/** tokenMatches checks a presented token in constant time. */
export function tokenMatches(secret: string, containerUuid: string, fileUuid: string, token: string): boolean {
  const want = Buffer.from(referenceToken(secret, containerUuid, fileUuid));
  const got = Buffer.from(token);
  return got.length === want.length && timingSafeEqual(got, want);
}

/** FileEndpoint is where containers reach the file server. */
export interface FileEndpoint { host: string; port: number }

/** fileUrl builds the URL a container fetches a file from. */
export function fileUrl(ep: FileEndpoint, containerUuid: string, fileUuid: string, token: string, name: string): string {
  const host = ep.host.includes(':') ? `[${ep.host}]` : ep.host;
  return `http://${host}:${ep.port}/files/${containerUuid}/${fileUuid}/${token}/${encodeURIComponent(name)}`;
}
