/**
 * apps.ts (OpenAPI): the app platform's endpoints (admin/api/apps.ts; docs/apps.md).
 */
import { EXAMPLE, TOKEN_READ, TOKEN_WRITE, errors, json, jsonBody, noContent, op, pathParam, queryParam } from './components.ts';
import type { Paths, Schema } from './types.ts';

const tags = ['apps'];
const str: Schema = { type: 'string' };
const strOrNull: Schema = { type: ['string', 'null'] };
const bool: Schema = { type: 'boolean' };
const int: Schema = { type: 'integer' };
const app = pathParam('app', 'The app\'s UUID (or its slug).', EXAMPLE.app);
const instance = pathParam('instance', 'The instance\'s (container\'s) UUID.', EXAMPLE.instance);

const policy: Schema = {
  type: 'object', required: ['allow_home', 'allow_view', 'allow_env', 'volume'],
  properties: { allow_home: bool, allow_view: bool, allow_env: bool, volume: strOrNull, summary: str },
};
const appSchema: Schema = {
  type: 'object', required: ['uuid', 'slug', 'image', 'title', 'description', 'port', 'public', 'enabled'],
  properties: {
    uuid: str, slug: str, image: str, source: { type: 'string', enum: ['labels', 'admin'] }, title: str, description: str,
    icon_url: strOrNull, icon_type: strOrNull, type: str, port: int, path: str, strip_prefix: bool, readiness_path: str,
    env: { type: 'object', description: 'Each variable the image declares (env.* labels) with its default.' },
    public: bool, public_url: strOrNull, enabled: bool,
    label_problems: { type: 'array', items: str, description: 'Site admins: labels that were refused, with why.' },
    overrides: { type: 'object' }, scanned_at: strOrNull, date_created: str, date_modified: str,
  },
};
const instanceRef: Schema = { type: ['object', 'null'], properties: { uuid: str, state: str, link: str } };
const choice: Schema = { allOf: [appSchema, { type: 'object', required: ['policy_key', 'policy', 'instance'], properties: { policy_key: str, policy, instance: instanceRef } }] };
const list = (item: Schema): Schema => ({ type: 'object', required: ['count', 'results'], properties: { count: int, results: { type: 'array', items: item } } });
const grant: Schema = {
  type: 'object', required: ['uuid', 'app', 'policy_key'],
  properties: { uuid: str, app: str, user: strOrNull, project: strOrNull, allow_home: bool, allow_view: bool, allow_env: bool, volume: strOrNull, summary: str, policy_key: str, created_by: str, date_created: str },
};
const instanceSchema: Schema = {
  type: 'object', required: ['uuid', 'app', 'state', 'link'],
  properties: {
    uuid: str, app: str, app_slug: str, app_title: str, owner: strOrNull, state: str, state_reason: strOrNull, link: str, policy_key: strOrNull,
    public: bool, docker_name: strOrNull, date_created: str, date_last_status_update: strOrNull, date_accessed: strOrNull,
  },
};
const opened: Schema = { type: 'object', required: ['uuid', 'state', 'link', 'app', 'policy_key', 'created'], properties: { uuid: str, state: str, link: str, app: str, policy_key: str, created: bool } };

/** APP_PATHS documents the app platform's endpoints. */
export const APP_PATHS: Paths = {
  '/api/apps': {
    get: op({
      operationId: 'listApps', tags, security: TOKEN_READ,
      summary: 'The apps the caller may launch, one entry per (app, policy), each with the caller\'s instance. Site admins: `all=1` lists the whole catalogue.',
      parameters: [queryParam('all', 'Site admins: `1` for every app.', { type: 'string', enum: ['1'] })],
      responses: { 200: json('The choices (or, with all=1, the apps).', list({ anyOf: [choice, appSchema] })), ...errors(403) },
    }),
    post: op({
      operationId: 'defineApp', tags, security: TOKEN_WRITE,
      summary: 'Site admins: add an app; the image\'s labels, when the engine has it, fill in what the body leaves out.',
      requestBody: jsonBody({ type: 'object', required: ['image'], properties: { image: str, title: str, description: str, port: int, path: str, strip_prefix: bool, readiness_path: str, env: { type: 'object' }, public: bool, enabled: bool } },
        { image: 'ghcr.io/example/shiny-app:1.0', title: 'Example app', port: 80 }),
      responses: { 201: json('The new app.', appSchema), ...errors(400, 403, 413, 415) },
    }),
  },
  '/api/apps/scan': {
    post: op({
      operationId: 'scanApps', tags, security: TOKEN_WRITE,
      summary: 'Site admins: read one local image\'s labels (`{"image"}`) or those of every local image with app labels (`{}`) into the catalogue.',
      requestBody: jsonBody({ type: 'object', properties: { image: str } }, {}),
      responses: { 200: json('The apps scanned, each with `created`.', list(appSchema)), ...errors(400, 403, 404, 413, 415, 502, 503) },
    }),
  },
  '/api/apps/grants/{grant}': {
    delete: op({
      operationId: 'revokeAppGrant', tags, security: TOKEN_WRITE, summary: 'Site admins: revoke a grant.',
      parameters: [pathParam('grant', 'The grant\'s UUID.', EXAMPLE.grant)],
      responses: { 204: noContent, ...errors(404) },
    }),
  },
  '/api/apps/{app}': {
    get: op({
      operationId: 'getApp', tags, security: TOKEN_READ, summary: 'One app, with the caller\'s choices of it.', parameters: [app],
      responses: { 200: json('The app.', appSchema), ...errors(404) },
    }),
    patch: op({
      operationId: 'updateApp', tags, security: TOKEN_WRITE,
      summary: 'Site admins: override fields over the labels (null returns a field to the label\'s value), mark public, enable or disable.',
      parameters: [app],
      requestBody: jsonBody({ type: 'object', properties: { title: strOrNull, description: strOrNull, port: { type: ['integer', 'null'] }, path: strOrNull, strip_prefix: { type: ['boolean', 'null'] }, readiness_path: strOrNull, env: { type: ['object', 'null'] }, public: bool, enabled: bool } },
        { description: 'An example app.' }),
      responses: { 200: json('The app.', appSchema), ...errors(400, 404, 413, 415) },
    }),
    delete: op({
      operationId: 'deleteApp', tags, security: TOKEN_WRITE, summary: 'Site admins: remove an app that has no instances.', parameters: [app],
      responses: { 204: noContent, ...errors(404, 409) },
    }),
  },
  '/api/apps/{app}/icon': {
    get: op({
      operationId: 'getAppIcon', tags, security: TOKEN_READ,
      summary: 'The app\'s icon as PNG, JPEG or SVG (nosniff, `default-src \'none\'`, SVG as an attachment). Public apps\' icons need no login.',
      parameters: [app],
      responses: {
        200: { description: 'The icon.', content: { 'image/png': { schema: str }, 'image/jpeg': { schema: str }, 'image/svg+xml': { schema: str } } },
        ...errors(404),
      },
    }),
  },
  '/api/apps/{app}/grants': {
    get: op({
      operationId: 'listAppGrants', tags, security: TOKEN_READ, summary: 'Site admins: who the app is granted to, under which policies.', parameters: [app],
      responses: { 200: json('The grants.', list(grant)), ...errors(403, 404) },
    }),
    post: op({
      operationId: 'grantApp', tags, security: TOKEN_WRITE,
      summary: 'Site admins: grant the app to a user or to every member of a project, with a policy (`volume` is SOURCE:TARGET:MODE from PORTICO_APP_VOLUMES).',
      parameters: [app],
      requestBody: jsonBody({ type: 'object', properties: { user: str, project: str, allow_home: bool, allow_view: bool, allow_env: bool, volume: strOrNull } },
        { user: 'example-new-owner', allow_home: true }),
      responses: { 200: json('That grant existed already.', grant), 201: json('The new grant.', grant), ...errors(400, 404, 413, 415) },
    }),
  },
  '/api/apps/{app}/open': {
    post: op({
      operationId: 'openApp', tags, security: TOKEN_WRITE,
      summary: 'The caller\'s instance of the app (made when missing; `start` starts it now). `env` sets declared variables where the grant has allow_env.',
      parameters: [app],
      requestBody: jsonBody({ type: 'object', properties: { policy_key: str, env: { type: 'object' }, start: bool } }, {}),
      responses: { 200: json('The caller\'s instance.', opened), 201: json('A new instance.', opened), ...errors(400, 404, 409, 413, 415, 429, 502, 503) },
    }),
  },
  '/api/instances': {
    get: op({
      operationId: 'listInstances', tags, security: TOKEN_READ, summary: 'The caller\'s app instances ("My apps"); site admins: `all=1` for every one.',
      parameters: [queryParam('all', 'Site admins: `1` for every instance.', { type: 'string', enum: ['1'] })],
      responses: { 200: json('The instances.', list(instanceSchema)), ...errors(403) },
    }),
  },
  '/api/instances/{instance}/{action}': {
    post: op({
      operationId: 'actOnInstance', tags, security: TOKEN_WRITE, summary: 'Start, stop, restart or delete one of the caller\'s instances (site admins: any).',
      parameters: [instance, pathParam('action', 'The action.', 'delete', { type: 'string', enum: ['start', 'stop', 'restart', 'delete'] })],
      responses: { 200: json('The instance afterwards.', instanceRef), 204: noContent, ...errors(404, 409, 429, 502, 503) },
    }),
  },
};
