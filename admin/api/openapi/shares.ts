/**
 * shares.ts (OpenAPI): session sharing and the audit trail (admin/api/shares.ts; docs/sharing.md).
 */
import { EXAMPLE, READ, WRITE, errors, json, jsonBody, op, pathParam, queryParam } from './components.ts';
import type { Paths, Schema } from './types.ts';

const tags = ['sharing'];
const container = pathParam('container', 'The instance\'s (container\'s) UUID.', EXAMPLE.container);
const str: Schema = { type: 'string' };
const int: Schema = { type: 'integer' };
const mode: Schema = { type: 'string', enum: ['view', 'use'], description: '`view`: GET, HEAD, OPTIONS and WebSockets reach the app; `use`: everything.' };

/** SHARE is one share as the API shows it. */
const SHARE: Schema = {
  type: 'object', required: ['container', 'title', 'owner', 'user', 'mode', 'created_by', 'date_created', 'state', 'link'],
  properties: {
    container: { type: 'string', format: 'uuid' }, title: str, owner: str, user: str, mode, created_by: str,
    date_created: { type: 'string', format: 'date-time' }, state: str, link: { type: 'string', description: 'The app\'s link (the owner\'s link too).' },
    connected: { type: 'object', required: ['http', 'websocket'], properties: { http: int, websocket: int } },
  },
};
const CONNECTED: Schema = {
  type: 'object', required: ['user', 'http', 'websocket', 'since', 'last_seen'],
  properties: { user: str, http: int, websocket: int, since: str, last_seen: str },
};
const EVENT: Schema = {
  type: 'object', required: ['id', 'at', 'actor', 'action', 'object_type', 'object_uuid', 'object_title', 'project', 'container', 'detail'],
  properties: {
    id: int, at: { type: 'string', format: 'date-time' }, actor: str, action: { type: 'string', description: 'e.g. `container.stop`, `member.add`, `share.revoke` (docs/sharing.md lists them).' },
    object_type: str, object_uuid: str, object_title: str,
    project: { type: ['string', 'null'] }, container: { type: ['string', 'null'] }, detail: { type: 'object' },
  },
};
const uuidQuery = (name: string, what: string) => queryParam(name, what, { type: 'string', format: 'uuid' });

/** SHARE_PATHS documents the sharing and audit endpoints. */
export const SHARE_PATHS: Paths = {
  '/api/shares': {
    get: op({
      operationId: 'listSharedWithMe', tags, security: READ,
      summary: 'The instances shared with the caller ("Shared with me").',
      responses: { 200: json('The shares.', { type: 'array', items: SHARE }) },
    }),
  },
  '/api/instances/{container}/shares': {
    get: op({
      operationId: 'listShares', tags, security: READ,
      summary: 'An instance\'s shares and who is connected to it now (its owner or a site admin).',
      parameters: [container],
      responses: {
        200: json('The shares and the live connections per user.', {
          type: 'object', required: ['container', 'title', 'may_share', 'shares', 'connected'],
          properties: { container: str, title: str, may_share: { type: 'boolean' }, shares: { type: 'array', items: SHARE }, connected: { type: 'array', items: CONNECTED } },
        }),
        ...errors(403, 404),
      },
    }),
    post: op({
      operationId: 'addShare', tags, security: WRITE,
      summary: 'Invite a user to view or use the instance (or change their mode).',
      parameters: [container],
      requestBody: jsonBody({ type: 'object', required: ['user'], properties: { user: str, mode } }, { user: EXAMPLE.username, mode: 'view' }),
      responses: { 201: json('The share.', SHARE), ...errors(400, 403, 404, 413, 415) },
    }),
  },
  '/api/instances/{container}/shares/{user}': {
    delete: op({
      operationId: 'revokeShare', tags, security: WRITE,
      summary: 'Revoke a user\'s share: their open HTTP and WebSocket connections to the instance close at once. An invited user may revoke their own.',
      parameters: [container, pathParam('user', 'The invited user\'s name.', EXAMPLE.username, str)],
      responses: {
        200: json('Revoked.', { type: 'object', required: ['revoked', 'connections_closed'], properties: { revoked: str, connections_closed: int } }),
        ...errors(400, 403, 404),
      },
    }),
  },
  '/api/audit': {
    get: op({
      operationId: 'listAuditEvents', tags, security: READ,
      summary: 'The audit trail, newest first: all of it for site admins, their projects\' for project owners, their instances\' for instance owners.',
      parameters: [
        queryParam('actor', 'Only this user\'s actions.', str),
        queryParam('action', 'An action (`container.stop`), or a prefix ending in a dot (`share.`).', str),
        queryParam('object_type', 'container, project, user, token or share.', str),
        uuidQuery('project', 'Only events about this project.'), uuidQuery('container', 'Only events about this container.'),
        queryParam('since', 'From this time (ISO 8601).', str), queryParam('until', 'Before this time (ISO 8601).', str),
        queryParam('page', 'Page number, from 1.', { type: 'string', pattern: '^[0-9]+$' }),
        queryParam('page_size', 'Events per page (default 50, at most 500).', { type: 'string', pattern: '^[0-9]+$' }),
      ],
      responses: {
        200: json('One page of events.', { type: 'object', required: ['count', 'page', 'page_size', 'results'], properties: { count: int, page: int, page_size: int, results: { type: 'array', items: EVENT } } }),
        ...errors(400),
      },
    }),
  },
};
