/**
 * image-hosts.ts (OpenAPI): the image-host endpoints (admin/api/image-hosts.ts), for site admins.
 */
import { READ, WRITE, errors, json, jsonBody, op, pathParam } from './components.ts';
import type { Paths, Schema } from './types.ts';

const tags = ['image hosts'];
const name = pathParam('name', 'The image host\'s name.', 'example-registry', { type: 'string' });

const IMAGE_HOST: Schema = {
  type: 'object',
  required: ['name', 'address', 'username', 'has_password', 'credentials_unreadable', 'ca_cert', 'is_default', 'created_at', 'modified_at'],
  properties: {
    name: { type: 'string' },
    address: { type: 'string', description: 'host[:port] of the registry (`docker.io` for Docker Hub).' },
    username: { type: 'string', description: 'Empty: pulls from this registry send no credentials.' },
    has_password: { type: 'boolean', description: 'Whether a password or token is stored. It is never shown again.' },
    credentials_unreadable: { type: 'boolean', description: 'The stored password was sealed with another secret key: enter it again.' },
    ca_cert: { type: 'string', description: 'PEM of the CA the check trusts for this registry (the engine needs its own copy in certs.d).' },
    is_default: { type: 'boolean' },
    created_at: { type: 'string', format: 'date-time' },
    modified_at: { type: 'string', format: 'date-time' },
  },
};

const INPUT: Schema = {
  type: 'object',
  properties: {
    name: { type: 'string', description: '1 to 64 letters, digits, spaces, ".", "_" or "-".' },
    address: { type: 'string', description: 'host[:port], or an https:// URL of one.' },
    username: { type: 'string', description: 'Empty clears the credentials.' },
    password: { type: 'string', description: 'Write-only. Absent or empty on a change: the stored one is kept.' },
    ca_cert: { type: 'string' },
    is_default: { type: 'boolean' },
    check: { type: 'boolean', description: 'First send a /v2/ request with these credentials; anything but `ok` is a 400 and nothing is saved.' },
  },
};

const CHECK: Schema = {
  type: 'object', required: ['name', 'address', 'outcome', 'detail'],
  properties: {
    name: { type: 'string' }, address: { type: 'string' },
    outcome: { type: 'string', enum: ['ok', 'unauthorized', 'unreachable', 'bad certificate'] },
    detail: { type: 'string', description: 'The registry\'s (or the network\'s) own words.' },
  },
};

/** IMAGE_HOST_PATHS documents the image-host endpoints. */
export const IMAGE_HOST_PATHS: Paths = {
  '/containers/api/image-hosts': {
    post: op({
      operationId: 'addImageHost', tags, security: WRITE,
      summary: 'Site admins: add an image host (a registry, with optional credentials); the first one becomes the default.',
      requestBody: jsonBody({ ...INPUT, required: ['name', 'address'] }, { name: 'example-registry', address: '127.0.0.1:9', username: 'robot', password: 'example-token' }),
      responses: { 201: json('The new host.', IMAGE_HOST), ...errors(400, 413, 415) },
    }),
    get: op({
      operationId: 'listImageHosts', tags, security: READ,
      summary: 'Site admins: the image hosts, the default first.',
      responses: { 200: json('The hosts.', { type: 'array', items: IMAGE_HOST }), ...errors(403) },
    }),
  },
  '/containers/api/image-hosts/{name}': {
    get: op({
      operationId: 'getImageHost', tags, security: READ, summary: 'Site admins: one image host.',
      parameters: [name], responses: { 200: json('The host.', IMAGE_HOST), ...errors(403, 404) },
    }),
    patch: op({
      operationId: 'changeImageHost', tags, security: WRITE, summary: 'Site admins: change an image host; absent fields keep their values.',
      parameters: [name], requestBody: jsonBody(INPUT, { username: 'robot2', password: 'another-token' }),
      responses: { 200: json('The host.', IMAGE_HOST), ...errors(400, 404, 413, 415) },
    }),
    delete: op({
      operationId: 'removeImageHost', tags, security: WRITE, summary: 'Site admins: remove an image host and its credentials.',
      parameters: [name], responses: { 200: json('The removed host.', IMAGE_HOST), ...errors(404) },
    }),
  },
  '/containers/api/image-hosts/{name}/test': {
    post: op({
      operationId: 'testImageHost', tags, security: WRITE,
      summary: 'Site admins: send the registry a /v2/ request with the stored credentials: `ok`, `unauthorized`, `unreachable` or `bad certificate`.',
      parameters: [name], responses: { 200: json('What the registry answered.', CHECK), ...errors(404) },
    }),
  },
  '/containers/api/image-hosts/{name}/default': {
    post: op({
      operationId: 'setDefaultImageHost', tags, security: WRITE, summary: 'Site admins: make this the default image host (the pull form picks it first).',
      parameters: [name], responses: { 200: json('The host.', IMAGE_HOST), ...errors(404) },
    }),
  },
};
