/**
 * hosts.ts (OpenAPI): the container-host endpoints (admin/api/hosts.ts; docs/container-hosts.md).
 */
import { WRITE, READ, errors, json, jsonBody, noContent, op, pathParam } from './components.ts';
import type { Paths, Schema } from './types.ts';

const tags = ['hosts'];
const str: Schema = { type: 'string' };
const cert: Schema = {
  type: ['object', 'null'], description: 'What the certificate says about itself.',
  properties: { subject: str, issuer: str, valid_to: str, fingerprint256: str },
};

/** HOST is a container host as the API shows it (never its key). */
const HOST: Schema = {
  type: 'object', required: ['id', 'name', 'url', 'mode', 'builtin', 'default', 'status'],
  properties: {
    id: { type: 'integer' }, name: str, url: str, mode: { type: 'string', enum: ['engine', 'swarm'] },
    builtin: { type: 'boolean', description: 'The host of DOCKER_HOST (not editable here, never removed).' },
    default: { type: 'boolean', description: 'New containers go here unless a site admin names another host.' },
    publish_address: { type: ['string', 'null'], description: 'The host\'s IP address the gateway reaches published app ports on.' },
    tls: { type: ['object', 'null'], properties: { ca: cert, cert, key: { type: 'string', enum: ['<masked>'] } } },
    status: { type: 'object', required: ['engine'], properties: { engine: { type: 'string', enum: ['up', 'down'] }, reason: { type: ['string', 'null'] }, since: str } },
    containers: { type: 'integer' }, templates: { type: 'integer' }, created_at: str, modified_at: str,
  },
};

const INPUT: Schema = {
  type: 'object',
  properties: {
    name: str, url: { type: 'string', description: '`unix:///path` or `tcp://host:port` (tcp:// needs `tls`).' },
    mode: { type: 'string', enum: ['engine', 'swarm'] },
    tls: { type: 'object', properties: { ca: str, cert: str, key: { type: 'string', description: 'PEM; `<masked>` or left out keeps the stored key on an edit.' } } },
    publish_address: { type: 'string', description: 'An IP address of that host (not a wildcard); unix:// hosts default to 127.0.0.1.' },
    default: { type: 'boolean' },
    check: { type: 'boolean', description: 'Connect before saving (default true): a host that does not answer is refused with the reason.' },
  },
};

const host = pathParam('host', 'The host\'s name or id.', 'local', { type: 'string' });

/** HOST_PATHS documents the container-host endpoints (site admins only). */
export const HOST_PATHS: Paths = {
  '/containers/api/hosts': {
    get: op({
      operationId: 'listHosts', tags, security: READ,
      summary: 'Site admins: the container hosts with their live status (from memory: a host that is down never holds the answer).',
      responses: { 200: json('The hosts, the built-in one first.', { type: 'array', items: HOST }), ...errors(403) },
    }),
    post: op({
      operationId: 'addHost', tags, security: WRITE,
      summary: 'Site admins: add a container host; it must answer (ping and version) unless `check` is false. Nothing is stored when refused.',
      requestBody: jsonBody(INPUT, { name: 'example', url: 'unix:///run/portico-example/docker.sock', check: false }),
      responses: { 201: json('The new host.', HOST), ...errors(400, 413, 415) },
    }),
  },
  '/containers/api/hosts/{host}': {
    get: op({
      operationId: 'getHost', tags, security: READ, summary: 'Site admins: one container host.', parameters: [host],
      responses: { 200: json('The host.', HOST), ...errors(403, 404) },
    }),
    patch: op({
      operationId: 'editHost', tags, security: WRITE,
      summary: 'Site admins: change a host (fields left out are kept; the built-in host takes only `default`).',
      parameters: [host], requestBody: jsonBody(INPUT, { default: true }),
      responses: { 200: json('The host.', HOST), ...errors(400, 404, 413, 415) },
    }),
    delete: op({
      operationId: 'removeHost', tags, security: WRITE,
      summary: 'Site admins: remove a host; refused (409) for the built-in host, the default, or one that containers or templates use.',
      parameters: [pathParam('host', 'The host\'s name or id.', 'example', { type: 'string' })], responses: { 204: noContent, ...errors(404, 409) },
    }),
  },
  '/containers/api/hosts/{host}/test': {
    post: op({
      operationId: 'testHost', tags, security: WRITE,
      summary: 'Site admins: ping the host and read its engine version within 5 s; `reason` and `field` (url or tls) say why not.',
      parameters: [host],
      responses: {
        200: json('The outcome.', {
          type: 'object', required: ['host', 'ok', 'ms'],
          properties: {
            host: str, ok: { type: 'boolean' }, ms: { type: 'integer' }, reason: { type: ['string', 'null'] }, field: { type: ['string', 'null'] },
            version: { type: ['object', 'null'], properties: { version: str, api_version: str, os: str, arch: str } },
          },
        }),
        ...errors(404),
      },
    }),
  },
  '/containers/api/hosts/{host}/default': {
    post: op({
      operationId: 'setDefaultHost', tags, security: WRITE, summary: 'Site admins: make this the default host of new containers.',
      parameters: [host], responses: { 200: json('The host.', HOST), ...errors(404) },
    }),
  },
};
