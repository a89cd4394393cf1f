/**
 * session.ts (OpenAPI): the session endpoints (admin/api/session.ts) and the document itself.
 */
import { PUBLIC, errors, json, noContent, op } from './components.ts';
import type { Paths } from './types.ts';

const tags = ['session'];

/** SESSION_PATHS documents the session endpoints and /api/openapi.json. */
export const SESSION_PATHS: Paths = {
  '/api/session': {
    post: op({
      operationId: 'createSession', tags, security: [{ token: [] }, { bearer: [] }],
      summary: 'Trade an API token for a browser session cookie; the answer carries its CSRF token.',
      responses: { 200: json('The session was made; `Set-Cookie` carries it.', { $ref: '#/components/schemas/Session' }), ...errors(400) },
    }),
    delete: op({
      operationId: 'deleteSession', tags, security: PUBLIC,
      summary: 'Log out: end the session of the cookie sent, if any, and clear the cookie.',
      responses: { 204: noContent },
    }),
  },
  '/api/openapi.json': {
    get: op({
      operationId: 'openapi', tags: ['meta'], security: PUBLIC,
      summary: 'This document (OpenAPI 3.1), for generating clients.',
      responses: {
        200: json('The document.', { type: 'object', required: ['openapi', 'info', 'paths'], properties: { openapi: { type: 'string' } } }),
        304: { description: 'Not modified (`If-None-Match` matched the ETag).' },
      },
    }),
  },
};
