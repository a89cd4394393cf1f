/**
 * files.ts (OpenAPI): the small-file endpoints (admin/api/files.ts).
 */
import { EXAMPLE, READ, WRITE, errors, json, noContent, op, pathParam, queryParam, ref } from './components.ts';
import type { Paths } from './types.ts';

const tags = ['files'];
const project = pathParam('project', 'The project\'s UUID.', EXAMPLE.project);
const file = pathParam('file', 'The file\'s UUID.', EXAMPLE.file);
const bytes = { type: 'string', contentMediaType: 'application/octet-stream' };
const EXAMPLE_CSV = 'gene,count\nTP53,12\nBRCA1,7\n';

/** FILE_PATHS documents the small-file endpoints. */
export const FILE_PATHS: Paths = {
  '/containers/api/files/{project}': {
    get: op({
      operationId: 'listFiles', tags, security: READ,
      summary: 'List a project\'s small files.',
      parameters: [
        project,
        queryParam('page', 'Page number, from 1.', { type: 'string', pattern: '^[0-9]+$' }),
        queryParam('page_size', 'Files per page (default SODAR_API_PAGE_SIZE, 100).', { type: 'string', pattern: '^[0-9]+$' }),
      ],
      responses: { 200: json('The files (one page).', ref('FilePage')), ...errors(400, 404) },
    }),
  },
  '/containers/api/files/upload/{project}/{name}': {
    put: op({
      operationId: 'uploadFileRaw', tags, security: WRITE,
      summary: 'Upload the raw body as `<name>` (streamed to disk).',
      parameters: [project, pathParam('name', 'The file name.', 'counts.csv', { type: 'string' })],
      requestBody: { required: true, content: { 'application/octet-stream': { schema: bytes, example: EXAMPLE_CSV } } },
      responses: { 201: json('The stored file.', ref('File')), ...errors(400, 404, 409, 413) },
    }),
  },
  '/containers/api/files/upload/{project}': {
    post: op({
      operationId: 'uploadFileForm', tags, security: WRITE,
      summary: 'Upload the first file part of a `multipart/form-data` body (`curl -F file=@counts.csv`).',
      parameters: [project],
      requestBody: {
        required: true,
        content: {
          'multipart/form-data': {
            schema: { type: 'object', required: ['file'], properties: { file: bytes, csrf_token: { type: 'string', description: 'For session callers, before the file part (or the X-CSRF-Token header).' } } },
            encoding: { file: { contentType: 'application/octet-stream' } },
            example: { file: EXAMPLE_CSV },
          },
        },
      },
      responses: { 201: json('The stored file.', ref('File')), ...errors(400, 404, 409, 413) },
    }),
  },
  '/containers/api/files/detail/{file}': {
    get: op({
      operationId: 'getFile', tags, security: READ,
      summary: 'One file, with its `reference` and the containers that use it (`referenced_by`).',
      parameters: [file],
      responses: { 200: json('The file.', ref('FileDetail')), ...errors(403, 404) },
    }),
  },
  '/containers/api/files/download/{file}': {
    get: op({
      operationId: 'downloadFile', tags, security: READ,
      summary: 'The bytes, always as an attachment.',
      parameters: [file],
      responses: { 200: { description: 'The file\'s bytes.', content: { 'application/octet-stream': { schema: bytes } } }, ...errors(403, 404) },
    }),
  },
  '/containers/api/files/delete/{file}': {
    delete: op({
      operationId: 'deleteFile', tags, security: WRITE,
      summary: 'Delete a file, even while containers reference it (they then get 404 for it).',
      parameters: [file],
      responses: { 204: noContent, ...errors(404) },
    }),
  },
};
