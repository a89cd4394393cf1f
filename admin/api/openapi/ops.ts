/**
 * ops.ts (OpenAPI): the operations endpoints (admin/api/ops.ts) and /healthz (gateway/app.ts).
 */
import { EXAMPLE, PUBLIC, READ, WRITE, errors, json, jsonBody, op, pathParam, queryParam, ref } from './components.ts';
import type { Paths } from './types.ts';

/** HOST is the optional container host of the engine-wide endpoints (docs/container-hosts.md). */
const HOST = queryParam('host', 'A container host\'s name or id; the built-in host when left out. An unknown one is a 404.', { type: 'string' }, 'local');

const tags = ['operations'];
const NODE = {
  type: 'object', required: ['id', 'name', 'status', 'availability', 'role', 'leader', 'self', 'engine_version', 'cpus', 'memory_bytes'],
  properties: {
    id: { type: 'string' }, name: { type: 'string', description: 'The host name.' },
    status: { type: 'string', description: 'ready, down, unknown or disconnected.' }, availability: { type: 'string', description: 'active, pause or drain.' },
    role: { type: 'string', enum: ['manager', 'worker', 'engine'] }, leader: { type: 'boolean' }, self: { type: 'boolean', description: 'The node Portico\'s engine connection is on.' },
    address: { type: ['string', 'null'] }, engine_version: { type: 'string' }, os: { type: 'string' }, arch: { type: 'string' },
    cpus: { type: 'number' }, memory_bytes: { type: 'integer' }, labels: { type: 'object', additionalProperties: { type: 'string' } },
  },
};
const container = pathParam('container', 'The container\'s UUID.', EXAMPLE.container);

/** OPS_PATHS documents the operations endpoints. */
export const OPS_PATHS: Paths = {
  '/healthz': {
    get: op({
      operationId: 'health', tags, security: PUBLIC,
      summary: 'Whether the engine and the store can be reached and the store can save (`storeError` says why not).',
      responses: { 200: json('All is well.', ref('Health')), 503: json('Degraded: the engine or the store is down.', ref('Health')) },
    }),
  },
  '/metrics': {
    get: op({
      operationId: 'metrics', tags, security: [{ metricsToken: [] }, { token: [] }, { bearer: [] }, { session: [] }],
      summary: 'Prometheus metrics: a site admin, or `Authorization: Bearer $PORTICO_METRICS_TOKEN`.',
      responses: { 200: { description: 'The metrics, in the Prometheus text format.', content: { 'text/plain': { schema: { type: 'string' } } } }, ...errors(403) },
    }),
  },
  '/containers/api/stats/{container}': {
    get: op({
      operationId: 'getContainerStats', tags, security: READ,
      summary: 'CPU %, memory, network and block I/O and PIDs of a running container.',
      parameters: [container],
      responses: { 200: json('One sample.', ref('Stats')), ...errors(404, 409, 502, 503) },
    }),
  },
  '/containers/api/uptime/{container}': {
    get: op({
      operationId: 'getContainerUptime', tags, security: READ,
      summary: 'Uptime summary: the share of samples running, in 60 buckets. `format=src`: SRC\'s `{time: running}` map; `format=svg`: a small chart.',
      parameters: [
        container,
        queryParam('duration', 'The window.', { type: 'string', enum: ['hour', 'day', 'week', 'month'] }, 'day'),
        queryParam('format', 'The answer\'s form.', { type: 'string', enum: ['json', 'src', 'svg'] }),
      ],
      responses: {
        200: {
          description: 'The summary (or SRC\'s map, or the chart).',
          content: { 'application/json': { schema: { anyOf: [ref('Uptime'), ref('UptimeRaw')] } }, 'image/svg+xml': { schema: { type: 'string' } } },
        },
        ...errors(400, 404),
      },
    }),
  },
  '/containers/api/inspect/{container}': {
    get: op({
      operationId: 'inspectContainer', tags, security: READ,
      summary: 'Site admins: the engine\'s full description of the container, secret variables and values masked.',
      parameters: [container],
      responses: { 200: json('`docker inspect`, masked.', { type: 'object' }), ...errors(403, 404, 409, 502, 503) },
    }),
  },
  '/containers/api/images': {
    get: op({
      operationId: 'listImages', tags, security: READ,
      summary: 'Site admins: the engine\'s images, with the containers that use each.',
      parameters: [HOST],
      responses: { 200: json('The images.', { type: 'array', items: ref('Image') }), ...errors(403, 404, 502, 503) },
    }),
  },
  '/containers/api/images/pull': {
    post: op({
      operationId: 'pullImage', tags, security: WRITE,
      summary: 'Site admins: pull an image; progress streams as NDJSON, the last line says `done` or `failed` with a code.',
      parameters: [HOST],
      requestBody: jsonBody({ type: 'object', required: ['image'], properties: {
        image: { type: 'string', description: '`repository[:tag]` or `repository@sha256:…`. The image host at its registry, if any, gives the credentials.' },
        registry: { type: 'string', description: 'An image host\'s name: its address goes before an image that names no registry.' },
      } }, { image: EXAMPLE.image }),
      responses: {
        200: { description: 'The progress, one JSON object a line.', content: { 'application/x-ndjson': { schema: ref('PullProgress') } } },
        ...errors(400, 404, 413, 415, 502, 503),
      },
    }),
  },
  '/containers/api/nodes': {
    get: op({
      operationId: 'listNodes', tags, security: READ,
      summary: 'Site admins: the engine\'s nodes (a swarm\'s nodes with status, availability, role, engine version and resources; a plain engine is one node): docs/swarm.md.',
      parameters: [HOST],
      responses: { 200: json('The mode, the container host and its nodes.', { type: 'object', required: ['mode', 'host', 'nodes'], properties: { mode: { type: 'string', enum: ['engine', 'swarm'] }, host: { type: 'string', description: 'The container host\'s name.' }, nodes: { type: 'array', items: NODE } } }), ...errors(403, 404, 503) },
    }),
  },
  '/containers/api/nodes/{node}': {
    get: op({
      operationId: 'getNode', tags, security: READ,
      summary: 'Site admins: one node, by id or host name.',
      parameters: [pathParam('node', 'The node\'s id or host name.', EXAMPLE.node, { type: 'string' }), HOST],
      responses: { 200: json('The node.', NODE), ...errors(403, 404, 503) },
    }),
  },
  '/containers/api/volumes': {
    get: op({
      operationId: 'listVolumes', tags, security: READ,
      summary: 'Site admins: the containers\' data volumes, with status, owner and (`?size=true`) size (docs/persistence.md).',
      parameters: [queryParam('size', '`true` asks the engine for sizes (it walks every volume).', { type: 'string', enum: ['true', 'false'] }, 'true'), HOST],
      responses: { 200: json('The volumes.', { type: 'array', items: ref('Volume') }), ...errors(400, 403, 404, 502, 503) },
    }),
  },
  '/containers/api/volumes/{name}': {
    delete: op({
      operationId: 'removeVolume', tags, security: WRITE,
      summary: 'Site admins: remove a data volume and its files (refused while its container runs).',
      parameters: [pathParam('name', 'The volume\'s name.', EXAMPLE.volume, { type: 'string' }), HOST],
      responses: { 200: json('The removed volume.', ref('Volume')), ...errors(404, 409, 502, 503) },
    }),
  },
};
