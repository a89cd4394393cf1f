/**
 * src.ts (OpenAPI): the SRC Container API (admin/api/src/; docs/src-api.md): its document's
 * endpoints under /src-api/{facility}, parameters in the query string, answers in the Docker CLI's
 * JSON shapes.
 */
import { EXAMPLE, TOKEN_READ, TOKEN_WRITE, errors, json, op, pathParam } from './components.ts';
import type { Operation, Parameter, Paths, Schema } from './types.ts';

const tags = ['src'];
const str: Schema = { type: 'string' };
const strings = (keys: string[]): Schema => ({ type: 'object', required: keys, properties: Object.fromEntries(keys.map((k) => [k, str])) });
const facility = pathParam('facility', 'The facility id (PORTICO_SRC_FACILITY; `demo` by default).', 'demo', { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' });
const q = (name: string, description: string, example: string, required = true): Parameter => ({ name, in: 'query', required, description, schema: str, example });
/** The example app: the openapi test's SRC fixture instance (app openapi-src of its admin). */
const NAME = 'openapi-src--openapi-admin';
const name = q('name', 'The app\'s name, `IMAGE--USER`.', NAME);
const nameOptional: Parameter = { name: 'name', in: 'query', required: false, description: 'The app\'s name, `IMAGE--USER`; omitted: every app the caller sees.', schema: str };

const done: Schema = { type: 'object', required: ['name', 'action', 'state'], properties: { name: str, action: str, state: str } };
const ps = strings(['Command', 'CreatedAt', 'ID', 'Image', 'Labels', 'LocalVolumes', 'Mounts', 'Names', 'Networks', 'Ports', 'RunningFor', 'Size', 'State', 'Status']);
const stats = strings(['BlockIO', 'CPUPerc', 'Container', 'ID', 'MemPerc', 'MemUsage', 'Name', 'NetIO', 'PIDs']);
const nodeLs: Schema = {
  type: 'object', required: ['Availability', 'EngineVersion', 'Hostname', 'ID', 'ManagerStatus', 'Self', 'Status', 'TLSStatus'],
  properties: { Availability: str, EngineVersion: str, Hostname: str, ID: str, ManagerStatus: str, Self: { type: 'boolean' }, Status: str, TLSStatus: str },
};
const image: Schema = {
  type: 'object', required: ['ID', 'Repository', 'Tag', 'Size', 'CreatedContainerCount', 'App'],
  properties: {
    Containers: str, CreatedAt: str, CreatedSince: str, Digest: str, ID: str, Repository: str, SharedSize: str, Size: str, Tag: str,
    UniqueSize: str, VirtualSize: str, CreatedContainerCount: { type: 'integer' }, App: { type: 'string', description: 'The IMAGE to pass to create-app.' },
  },
};

/** action documents one SRC action; each reaches the engine, which may fail it (502) or not answer (503). */
function action(endpoint: string, summary: string): Record<string, { post: Operation }> {
  return {
    [`/src-api/{facility}/${endpoint}`]: {
      post: op({
        operationId: `src${endpoint.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase())}`, tags, security: TOKEN_WRITE, summary,
        parameters: [facility, name],
        responses: { 200: json('Done: the app\'s name, the endpoint and the state now.', done), ...errors(400, 401, 403, 404, 409, 502, 503) },
      }),
    },
  };
}

function get(endpoint: string, operationId: string, summary: string, parameters: Parameter[], ok: Schema, codes: number[] = [400, 401, 403, 404]): Paths {
  return {
    [`/src-api/{facility}/${endpoint}`]: {
      get: op({ operationId, tags, security: TOKEN_READ, summary, parameters: [facility, ...parameters], responses: { 200: json('The answer.', ok), ...errors(...codes) } }),
    },
  };
}

/** SRC_PATHS documents the SRC Container API. */
export const SRC_PATHS: Paths = {
  '/src-api/{facility}': {
    get: op({
      operationId: 'srcOutline', tags, security: TOKEN_READ, summary: 'A plain-text outline of every endpoint (the SRC\'s base URL).',
      parameters: [facility], responses: { 200: { description: 'One endpoint a line.', content: { 'text/plain': { schema: str } } }, ...errors(401, 404) },
    }),
  },
  '/src-api/{facility}/create-app': {
    post: op({
      operationId: 'srcCreateApp', tags, security: TOKEN_WRITE,
      summary: 'Create the app `IMAGE--USER` from an approved image (a catalogue app granted to the user); solo mode leaves it stopped, swarm mode starts it. Users create their own; site admins anyone\'s.',
      parameters: [facility, q('image', 'An approved image: a catalogue app\'s name (get-images, its App).', 'openapi-src'), q('user', 'The user who uses the app.', 'openapi-member')],
      responses: { 201: json('Created.', done), ...errors(400, 401, 403, 404, 409, 429) },
    }),
  },
  ...action('start-app', 'Start the app (`docker start`); a paused app must be unpaused instead (409).'),
  ...action('stop-app', 'Stop the app (`docker stop`: SIGTERM, then SIGKILL after its timeout).'),
  ...action('pause-app', 'Pause a running app (`docker pause`); solo mode only: a swarm site answers 409.'),
  ...action('unpause-app', 'Unpause a paused app (`docker unpause`); solo mode only.'),
  ...action('restart-app', 'Restart the app (`docker restart`).'),
  ...action('kill-app', 'Kill the app with SIGKILL.'),
  ...action('delete-app', 'Delete the app and its container (a home volume stays; docs/apps.md).'),
  ...action('hard-reset-app', 'Remove the app\'s container and make it again from its image.'),
  ...get('get-users', 'srcGetUsers', 'The users that have apps (the caller; site admins: all).', [], { type: 'array', items: str }),
  ...get('get-app-names', 'srcGetAppNames', 'The apps\' names, IMAGE--USER, in any state.', [], { type: 'array', items: str }),
  ...get('get-app-status', 'srcGetAppStatus', '`docker ps` of one app, or of every app without `name`.', [nameOptional], { anyOf: [ps, { type: 'array', items: ps }] }),
  ...get('get-app-stats', 'srcGetAppStats', '`docker stats` of one app, or of every app without `name` (zeros when not running).', [nameOptional], { anyOf: [stats, { type: 'array', items: stats }] }),
  ...get('get-app-info', 'srcGetAppInfo', '`docker inspect` of the app, secrets masked (409 before its first start makes its container).', [name], { type: 'object', required: ['Id'] }, [400, 401, 403, 404, 409]),
  ...get('get-node-names', 'srcGetNodeNames', 'Site admins: the host names of the engine\'s nodes (a plain engine is one).', [], { type: 'array', items: str }, [401, 403, 409]),
  ...get('get-node-status', 'srcGetNodeStatus', 'Site admins: `docker node ls` of one node, or of every node without `hostname`.',
    [{ name: 'hostname', in: 'query', required: false, description: 'A node\'s host name; omitted: every node.', schema: str }], { anyOf: [nodeLs, { type: 'array', items: nodeLs }] }, [401, 403, 404, 409]),
  ...get('get-node-info', 'srcGetNodeInfo', 'Site admins: `docker node inspect` of one node (an array of one).', [q('hostname', 'The node\'s host name.', EXAMPLE.hostname)],
    { type: 'array', items: { type: 'object', required: ['ID', 'Description'] } }, [400, 401, 403, 404, 409]),
  ...get('get-uptime-summary', 'srcGetUptimeSummary', 'The app\'s uptime samples since `duration` ago: `{"2023-06-20T13:50:45": true, …}` (UTC; true when running).',
    [name, { name: 'duration', in: 'query', required: true, description: 'hour, day, week or month.', schema: { type: 'string', enum: ['hour', 'day', 'week', 'month'] }, example: 'hour' }],
    { type: 'object', additionalProperties: { type: 'boolean' } }),
  '/src-api/{facility}/request-image': {
    post: op({
      operationId: 'srcRequestImage', tags, security: TOKEN_WRITE,
      summary: 'Site admins: pull an image (with its image host\'s credentials) and approve it: it joins the app catalogue from its labels.',
      parameters: [facility, q('image', 'The image, repository[:tag].', EXAMPLE.image),
        { name: 'registry', in: 'query', required: false, description: 'An image host\'s name, put before a repository that names no registry.', schema: str }],
      responses: {
        200: json('Pulled; the app was in the catalogue already (refreshed from its labels).', { type: 'object', required: ['image', 'app', 'status', 'created'], properties: { image: str, app: str, status: str, created: { type: 'boolean' }, label_problems: { type: 'array', items: str } } }),
        201: json('Pulled and added to the catalogue as `app`.', { type: 'object', required: ['image', 'app', 'status', 'created'], properties: { image: str, app: str, status: str, created: { type: 'boolean' }, label_problems: { type: 'array', items: str } } }),
        ...errors(400, 401, 403, 502),
      },
    }),
  },
  ...get('get-images', 'srcGetImages', 'The approved images (catalogue apps) the caller may create apps from, as `docker images` rows plus CreatedContainerCount and App.', [], { type: 'array', items: image }, [401, 404]),
};
