/**
 * file-upload.ts: receives one small file from a request, streaming: either the raw body (API
 * `PUT …/<name>`) or the first file part of a multipart/form-data body (browser forms, `curl -F`).
 * Shared by the REST API and the UI. Nothing reaches the disk before the caller's CSRF token (for
 * cookie sessions) and the file name have been checked.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { badRequest } from '../../gateway/core/errors.ts';
import type { Caller } from '../../gateway/core/auth/authenticate.ts';
import type { Services } from '../../gateway/core/services.ts';
import type { Project, StoredFile } from '../../gateway/core/types.ts';
import { MultipartReader, multipartBoundary } from '../../gateway/http/multipart.ts';
import { checkCsrf } from './guard.ts';

const MAX_FIELDS = 20;
const MAX_FIELD_BYTES = 8 * 1024;
// Room for part headers and the few small fields a form sends next to the file.
const MULTIPART_OVERHEAD = 64 * 1024;

function declared(req: IncomingMessage): number | undefined {
  const n = Number(req.headers['content-length']);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** closeIfUnread asks for the connection to close when a refused request's body was not read, so it is not drained. */
export function closeIfUnread(req: IncomingMessage, res: ServerResponse): void {
  if (!req.complete && !res.headersSent) res.setHeader('connection', 'close');
}

/** uploadRaw stores the request body as file `name`. */
export function uploadRaw(svc: Services, req: IncomingMessage, project: Project, caller: Caller, name: string): Promise<StoredFile> {
  return svc.files.upload(project, name, req, {
    uploadedBy: caller.user.username,
    contentType: String(req.headers['content-type'] ?? '').split(';')[0].trim(),
    declaredLength: declared(req),
  });
}

/**
 * uploadMultipart stores the first file part of a multipart body. Fields before it are collected;
 * a session caller's CSRF token (header, or a `csrf_token` field placed before the file) is checked
 * when the file part starts.
 */
export async function uploadMultipart(svc: Services, req: IncomingMessage, project: Project, caller: Caller): Promise<{ file: StoredFile; fields: Record<string, string> }> {
  const boundary = multipartBoundary(req.headers['content-type']);
  if (!boundary) throw badRequest('send the file as multipart/form-data, or PUT the raw bytes to …/upload/<project>/<name>');
  const length = declared(req);
  const reader = new MultipartReader(req, boundary);
  const fields: Record<string, string> = Object.create(null);
  for (let n = 0; n < MAX_FIELDS; n++) {
    const part = await reader.next();
    if (!part) break;
    if (part.filename === null) {
      fields[part.field] = await reader.text(MAX_FIELD_BYTES);
      continue;
    }
    checkCsrf(caller, req, fields.csrf_token ?? null);
    if (part.filename === '') throw badRequest('choose a file to upload');
    const file = await svc.files.upload(project, part.filename, reader.body(), {
      uploadedBy: caller.user.username,
      contentType: part.contentType ?? undefined,
      declaredLength: length !== undefined ? Math.max(0, length - MULTIPART_OVERHEAD) : undefined,
    });
    return { file, fields };
  }
  throw badRequest('the form has no file part');
}
