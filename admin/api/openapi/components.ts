/**
 * components.ts: what the OpenAPI document's areas share: the schemas (Container, Template, File,
 * Error, pages of them, …), the security schemes, the example ids, and small builders that keep
 * one route's entry short (`op`, `json`, `errors`, `pathParam`). An area module adds a route with
 * one `op(…)` entry; the test sends its example to a real gateway and checks the answer.
 */
import { CONTAINER_ACTIONS, CONTAINER_STATES } from '../../../gateway/core/types.ts';
import { SESSION_COOKIE } from '../../../gateway/core/auth/sessions.ts';
import { KIOSC_MEDIA_TYPE } from '../kiosc-media.ts';
import { PROJECTROLES_MEDIA_TYPE } from '../sodar-media.ts';
import type { MediaType, Operation, Parameter, Response, Schema } from './types.ts';

/** EXAMPLE holds the ids the examples use; the test swaps each for a real object of its gateway. */
export const EXAMPLE = {
  project: '6f1c3a52-0b7e-4c43-9a1e-2f7d9b8c4e10',
  container: '3b9e7d1a-5c2f-4e8b-a6d4-1f0c2b3a4d5e',
  template: '9d8c7b6a-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
  file: 'c4d5e6f7-a8b9-4c0d-9e1f-2a3b4c5d6e7f',
  volume: 'portico-portico-3b9e7d1a-5c2f-4e8b-a6d4-1f0c2b3a4d5e',
  image: 'ghcr.io/example/shiny-app:1.0',
  /** A second project, made to be given away (owner transfer) and then destroyed. */
  spareProject: '0e2d4c6b-8a1f-4b3c-9d5e-7f6a8b9c0d1e',
  /** A role assignment (of a contributor) in `project`. */
  roleAssignment: '5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d',
  /** A user who is no member of `project` (given a role; made owner of a new project). */
  user: 'e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b',
  /** The user name of a member of `spareProject`, who takes it over. */
  username: 'example-new-owner',
  /** A node of the engine (docs/swarm.md): its id or host name. */
  node: 'example-node-1',
  /** A node's host name (the SRC API names nodes so). */
  hostname: 'node-1.example.org',
  /** A catalogue app (with an icon), one of its grants, and the caller's instance of it (docs/apps.md). */
  app: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d',
  grant: 'b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e',
  instance: 'c3d4e5f6-a7b8-4c9d-8e0f-2a3b4c5d6e7f',
} as const;

/** ref points at a schema of components.schemas. */
export function ref(name: keyof typeof SCHEMAS): Schema {
  return { $ref: `#/components/schemas/${name}` };
}

const uuid: Schema = { type: 'string', format: 'uuid' };
const uuidOrNull: Schema = { type: ['string', 'null'], format: 'uuid' };
const dateTime: Schema = { type: 'string', format: 'date-time' };
const dateTimeOrNull: Schema = { type: ['string', 'null'], format: 'date-time' };
const str: Schema = { type: 'string' };
const strOrNull: Schema = { type: ['string', 'null'] };
const int: Schema = { type: 'integer' };
const bool: Schema = { type: 'boolean' };
const templateRef: Schema = { type: ['string', 'integer', 'null'], description: 'A template UUID, or Kiosc\'s integer id of an imported template (a number or its digits); empty or null for none.' };

/** page is the schema of Kiosc's (DRF's) paged list: `{count, next, previous, results}`. */
export function page(item: Schema): Schema {
  return {
    type: 'object',
    required: ['count', 'next', 'previous', 'results'],
    properties: { count: int, next: strOrNull, previous: strOrNull, results: { type: 'array', items: item } },
  };
}

// The fields a container and a template share, as clients write them.
const settingsInput: Record<string, Schema> = {
  description: str,
  repository: { type: 'string', description: 'Docker image name without the tag, e.g. `rocker/shiny`.' },
  tag: str,
  container_port: { type: 'integer', minimum: 1, maximum: 65535 },
  container_path: { type: 'string', description: 'Path the app serves under, after the proxy prefix.' },
  heartbeat_url: { type: 'string', description: 'A path such as `/health`, or an http(s) URL.' },
  timeout: { type: 'integer', minimum: 1, maximum: 3600, description: 'Seconds to wait for the app to answer after a start.' },
  environment: { type: ['object', 'string'], description: 'Variables as an object, or Kiosc\'s JSON string. `<masked>` keeps a stored secret.' },
  environment_secret_keys: { type: 'string', description: 'Comma-separated names of `environment` keys whose values are masked.' },
  command: str,
  max_retries: { type: 'integer', minimum: 0, maximum: 100 },
  inactivity_threshold: { type: ['number', 'string', 'null'], description: 'Days without access after which the container is stopped.' },
  strip_prefix: { type: 'boolean', description: 'Portico: strip `/containers/proxy/<uuid>` before forwarding.' },
  data_path: { type: 'string', description: 'Portico: where a persistent data volume is mounted (empty: none).' },
};

/** SCHEMAS are the document's named schemas (components.schemas). */
export const SCHEMAS = {
  Error: {
    type: 'object',
    description: 'Every error. `fields` names invalid fields (`E_VALIDATION`); `detail` is DRF\'s key, for Kiosc clients.',
    required: ['error', 'code'],
    properties: {
      error: { type: 'string', description: 'What was wrong, for people.' },
      code: { type: 'string', pattern: '^E_[A-Z_]+$', description: 'A stable code for programs (docs/errors.md).' },
      fields: { type: 'object', additionalProperties: { type: 'string' } },
      detail: str,
    },
  },
  StartFailure: {
    description: 'A failed start: the error plus the app\'s last lines and hints.',
    allOf: [{ $ref: '#/components/schemas/Error' }, {
      type: 'object',
      properties: { log: { type: 'array', items: str }, hints: { type: 'array', items: str } },
    }],
  },
  Message: { type: 'object', required: ['message'], properties: { message: str } },
  Container: {
    type: 'object',
    required: ['sodar_uuid', 'date_created', 'date_modified', 'project', 'repository', 'tag', 'state', 'title', 'environment', 'proxy_url'],
    properties: {
      sodar_uuid: uuid, date_created: dateTime, date_modified: dateTime, project: uuid,
      date_last_status_update: { ...dateTimeOrNull, description: 'When the state last changed.' },
      repository: str, tag: str, image_id: strOrNull, container_id: strOrNull, container_ip: strOrNull,
      container_port: int, container_path: str, heartbeat_url: str, host_port: { type: ['integer', 'null'] },
      timeout: int, state: { type: 'string', enum: [...CONTAINER_STATES] },
      environment: { type: 'object', description: 'Secret values show as `<masked>`, for every reader.' },
      environment_secret_keys: str, command: str,
      containertemplatesite: uuidOrNull, containertemplateproject: uuidOrNull,
      title: str, description: str, inactivity_threshold: { type: 'number' }, max_retries: int,
      strip_prefix: { type: 'boolean' }, data_path: str,
      last_action: { type: ['string', 'null'], enum: [...CONTAINER_ACTIONS, null] },
      last_action_retries: int, state_reason: strOrNull, readiness_failure: strOrNull,
      date_accessed: dateTimeOrNull, date_last_docker_log: dateTimeOrNull, date_started: dateTimeOrNull,
      proxy_url: { type: 'string', description: 'The app\'s stable link, `/containers/proxy/<uuid>/`.' },
      host_id: { type: ['integer', 'null'], description: 'Its container host (null: the built-in host, DOCKER_HOST); chosen at creation with `host` (docs/container-hosts.md).' },
    },
  },
  KioscContainer: {
    type: 'object',
    description: 'Kiosc\'s ContainerSerializer, field for field (its 25 fields, in its order), under Kiosc\'s media type. Dates as DRF writes them in TIME_ZONE; a text field no client gave is null; an imported template shows its Kiosc integer id.',
    required: ['sodar_uuid', 'date_created', 'date_modified', 'project', 'date_last_status_update', 'repository', 'tag', 'image_id', 'container_id',
      'container_ip', 'container_port', 'container_path', 'heartbeat_url', 'host_port', 'timeout', 'state', 'environment', 'environment_secret_keys',
      'command', 'containertemplatesite', 'containertemplateproject', 'title', 'description', 'inactivity_threshold', 'max_retries'],
    additionalProperties: false,
    properties: {
      sodar_uuid: uuid, date_created: dateTime, date_modified: dateTime, project: uuid, date_last_status_update: dateTimeOrNull,
      repository: str, tag: str, image_id: strOrNull, container_id: strOrNull, container_ip: strOrNull,
      container_port: int, container_path: str, heartbeat_url: strOrNull, host_port: { type: ['integer', 'null'] },
      timeout: int, state: { type: 'string', enum: [...CONTAINER_STATES] },
      environment: { type: ['object', 'null'], description: 'Secret values show as `<masked>`.' },
      environment_secret_keys: strOrNull, command: strOrNull,
      containertemplatesite: { type: ['string', 'integer', 'null'] }, containertemplateproject: { type: ['string', 'integer', 'null'] },
      title: str, description: strOrNull, inactivity_threshold: { type: 'number' }, max_retries: int,
    },
  },
  ContainerCreate: {
    type: 'object', required: ['title', 'repository'],
    properties: {
      title: str, ...settingsInput, host_port: { type: ['integer', 'null'], minimum: 1, maximum: 65535 },
      containertemplatesite: templateRef, containertemplateproject: templateRef,
    },
  },
  ContainerUpdate: {
    type: 'object',
    properties: {
      title: str, ...settingsInput, host_port: { type: ['integer', 'null'], minimum: 1, maximum: 65535 },
      containertemplatesite: templateRef, containertemplateproject: templateRef,
    },
  },
  ContainerForm: {
    type: 'object',
    description: 'A create or update sent as a form (urlencoded or multipart text fields, as DRF\'s parsers take them): every value is text, `environment` is a JSON string, an empty number field is not given, an empty template is none. A file part is refused.',
    additionalProperties: { type: 'string' },
    properties: Object.fromEntries(['title', ...Object.keys(settingsInput), 'host_port', 'containertemplatesite', 'containertemplateproject'].map((k) => [k, str])),
  },
  KioscContainerPage: page({ $ref: '#/components/schemas/KioscContainer' }),
  Options: {
    type: 'object', description: 'Django REST framework\'s metadata of a view (Kiosc\'s labels and help texts); `actions` lists the write fields for whoever may write.',
    required: ['name', 'description', 'renders', 'parses'],
    properties: {
      name: str, description: str, renders: { type: 'array', items: str }, parses: { type: 'array', items: str },
      actions: {
        type: 'object',
        additionalProperties: {
          type: 'object',
          additionalProperties: {
            type: 'object', required: ['type', 'required', 'read_only', 'label'],
            properties: {
              type: str, required: bool, read_only: bool, label: str, help_text: str, max_length: int, min_value: int, max_value: int,
              choices: { type: 'array', items: { type: 'object', required: ['value', 'display_name'], properties: { value: str, display_name: str } } },
            },
          },
        },
      },
    },
  },
  ContainerPage: page({ $ref: '#/components/schemas/Container' }),
  LogPage: {
    type: 'object', required: ['count', 'results'],
    properties: {
      count: int,
      results: {
        type: 'array',
        items: {
          type: 'object', required: ['date', 'level', 'user', 'process', 'text', 'line'],
          properties: {
            date: dateTime, level: { type: 'string', enum: ['DEBUG', 'INFO', 'WARNING', 'ERROR'] }, user: str,
            process: { type: 'string', enum: ['Object', 'Action', 'Task', 'Docker', 'Proxy'] }, text: str,
            line: { type: 'string', description: 'The entry in Kiosc\'s line format.' },
          },
        },
      },
    },
  },
  Template: {
    type: 'object',
    required: ['sodar_uuid', 'scope', 'project', 'date_created', 'date_modified', 'title'],
    properties: {
      sodar_uuid: uuid, scope: { type: 'string', enum: ['site', 'project'] }, project: uuidOrNull,
      date_created: dateTime, date_modified: dateTime, title: str, description: str, repository: str, tag: str,
      container_port: int, container_path: str, heartbeat_url: str, timeout: int,
      environment: { type: 'object', description: 'Secret keys are listed; their values are never stored.' },
      environment_secret_keys: str, command: str, max_retries: int, inactivity_threshold: { type: 'number' },
      strip_prefix: { type: 'boolean' }, data_path: str,
      host_id: { type: ['integer', 'null'], description: 'The container host of its containers (null: the default); site admins set it with `host` (docs/container-hosts.md).' },
    },
  },
  TemplateCreate: { type: 'object', required: ['title'], properties: { title: str, ...settingsInput } },
  TemplateUpdate: { type: 'object', properties: { title: str, ...settingsInput } },
  TemplatePage: page({ $ref: '#/components/schemas/Template' }),
  File: {
    type: 'object',
    required: ['sodar_uuid', 'project', 'name', 'size', 'sha256', 'content_type', 'uploaded_by', 'date_created', 'reference'],
    properties: {
      sodar_uuid: uuid, project: uuid, name: str, size: int, sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
      content_type: str, uploaded_by: str, date_created: dateTime,
      reference: { type: 'string', description: 'What to put in a container\'s command to get the file\'s URL.' },
    },
  },
  FileDetail: {
    allOf: [{ $ref: '#/components/schemas/File' }, {
      type: 'object', required: ['referenced_by'],
      properties: { referenced_by: { type: 'array', items: { type: 'object', required: ['sodar_uuid', 'title'], properties: { sodar_uuid: uuid, title: str } } } },
    }],
  },
  FilePage: page({ $ref: '#/components/schemas/File' }),
  Stats: {
    type: 'object',
    required: ['sodar_uuid', 'state', 'sampled_at', 'cpu_percent', 'memory_bytes'],
    properties: {
      sodar_uuid: uuid, state: { type: 'string', enum: [...CONTAINER_STATES] }, sampled_at: dateTime,
      cpu_percent: { type: 'number' }, memory_bytes: int, memory_limit_bytes: { type: ['integer', 'null'] },
      memory_percent: { type: ['number', 'null'] }, net_rx_bytes: int, net_tx_bytes: int,
      block_read_bytes: int, block_write_bytes: int, pids: int,
    },
  },
  Uptime: {
    type: 'object',
    required: ['sodar_uuid', 'duration', 'from', 'to', 'samples', 'running_samples', 'uptime_percent', 'buckets'],
    properties: {
      sodar_uuid: uuid, duration: { type: 'string', enum: ['hour', 'day', 'week', 'month'] }, from: dateTime, to: dateTime,
      samples: { ...int, description: 'Samples that count: running or down (not deliberate stops, pauses or before the first start).' },
      running_samples: int, stopped_samples: { ...int, description: 'Samples stopped on purpose (a person or the idle rule) or paused.' },
      since: { ...dateTime, description: 'Where the measured time begins: from, or the container\'s creation if later.' },
      uptime_percent: { type: ['number', 'null'] },
      buckets: { type: 'array', items: { type: 'object', required: ['start', 'percent'], properties: { start: dateTime, percent: { type: ['number', 'null'] }, stopped: { type: 'boolean' } } } },
    },
  },
  UptimeRaw: { type: 'object', description: 'SRC\'s form: sample time → running.', additionalProperties: { type: 'boolean' } },
  Image: {
    type: 'object', required: ['id', 'tags', 'size', 'created_at', 'container_count', 'running_count', 'containers'],
    properties: {
      id: str, tags: { type: 'array', items: str }, size: int, created_at: str,
      container_count: int, running_count: int, containers: { type: 'array', items: uuid },
    },
  },
  Volume: {
    type: 'object', required: ['name', 'status', 'size', 'date_created', 'container', 'container_title', 'project', 'data_path'],
    properties: {
      name: str, status: { type: 'string', enum: ['in use', 'kept', 'unmounted', 'orphaned'] }, size: { type: ['integer', 'null'] },
      date_created: strOrNull, container: uuidOrNull, container_title: strOrNull, project: uuidOrNull, data_path: strOrNull,
      removed: { type: 'boolean' },
    },
  },
  PullProgress: {
    type: 'object', required: ['status'], description: 'One line of the NDJSON progress stream; the last says `done` or `failed`.',
    properties: {
      status: str, image: str, layer: strOrNull, current: { type: ['integer', 'null'] }, total: { type: ['integer', 'null'] },
      error: str, code: str,
    },
  },
  Health: {
    type: 'object', required: ['status', 'engine', 'store'],
    properties: {
      status: { type: 'string', enum: ['ok', 'degraded'] }, engine: { type: 'string', enum: ['up', 'down'] },
      store: { type: 'string', enum: ['up', 'down'] },
      storeError: { type: 'object', required: ['kind', 'code', 'reason', 'since'], properties: { kind: str, code: str, reason: str, since: str } },
      hosts: { type: 'array', description: 'Each container host; only the built-in one decides the status code.', items: { type: 'object', required: ['name', 'engine'], properties: { name: str, url: str, builtin: bool, default: bool, engine: { type: 'string', enum: ['up', 'down'] }, reason: strOrNull, since: str } } },
    },
  },
  Session: { type: 'object', required: ['user', 'csrf_token'], properties: { user: str, csrf_token: str } },
  User: {
    type: 'object', description: 'SODAR Core\'s SODARUserSerializer.',
    required: ['username', 'name', 'email', 'additional_emails', 'is_superuser', 'sodar_uuid'],
    properties: { username: str, name: strOrNull, email: strOrNull, additional_emails: { type: 'array', items: str }, is_superuser: bool, sodar_uuid: uuid },
  },
  Project: {
    type: 'object', description: 'SODAR Core\'s ProjectSerializer. Portico has no categories: `type` is always PROJECT and `parent` null; `roles` are keyed by assignment UUID.',
    required: ['title', 'type', 'parent', 'description', 'readme', 'public_guest_access', 'archive', 'full_title', 'roles', 'sodar_uuid'],
    properties: {
      title: str, type: { type: 'string', enum: ['PROJECT'] }, parent: { type: 'null' }, description: strOrNull, readme: strOrNull,
      public_guest_access: { type: 'boolean', enum: [false] }, archive: bool, full_title: str,
      roles: {
        type: 'object',
        additionalProperties: {
          type: 'object', required: ['role', 'user', 'inherited', 'sodar_uuid'],
          properties: { role: { $ref: '#/components/schemas/RoleName' }, user: { $ref: '#/components/schemas/User' }, inherited: bool, sodar_uuid: uuid },
        },
      },
      sodar_uuid: uuid,
    },
  },
  ProjectInput: {
    type: 'object', description: 'A project as clients write it (SODAR\'s fields). `type` must be PROJECT, `parent` null, `public_guest_access` false; `owner` (a user UUID) is required on create and cannot change on update; `archive` archives or unarchives.',
    properties: {
      title: str, type: { type: 'string', enum: ['PROJECT'] }, parent: { type: ['string', 'null'] }, description: str, readme: str,
      public_guest_access: { type: ['boolean', 'string'] }, owner: uuid, archive: { type: ['boolean', 'string'] },
    },
  },
  ProjectPage: page({ $ref: '#/components/schemas/Project' }),
  RoleName: { type: 'string', enum: ['project owner', 'project delegate', 'project contributor', 'project guest'], description: 'SODAR\'s role name (Portico\'s bare name, e.g. `contributor`, is accepted on input).' },
  RoleAssignment: {
    type: 'object', description: 'SODAR Core\'s RoleAssignmentSerializer.',
    required: ['project', 'role', 'user', 'sodar_uuid'],
    properties: { project: uuid, role: { $ref: '#/components/schemas/RoleName' }, user: uuidOrNull, sodar_uuid: uuid },
  },
  RoleAssignmentInput: {
    type: 'object', properties: { role: str, user: { ...uuid, description: 'The user\'s UUID (on create; on update only the same user).' } },
  },
  OwnerTransfer: {
    type: 'object', required: ['new_owner', 'old_owner_role'],
    properties: { new_owner: { type: 'string', description: 'The user name of a member.' }, old_owner_role: { type: 'string', description: 'The old owner\'s new role (not owner).' } },
  },
  OwnerTransferDone: { type: 'object', required: ['detail', 'old_owner_role'], properties: { detail: str, old_owner_role: { $ref: '#/components/schemas/RoleName' } } },
  UserPage: page({ $ref: '#/components/schemas/User' }),
} satisfies Record<string, Schema>;

/** SECURITY_SCHEMES are the ways to authenticate (components.securitySchemes). */
export const SECURITY_SCHEMES = {
  token: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'Kiosc\'s form: `Authorization: token <token>` (tokens are made on the Tokens page or with `portico token create`).' },
  bearer: { type: 'http', scheme: 'bearer', description: 'The same API token as `Authorization: Bearer <token>`.' },
  session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'The browser session cookie (from the login form or `POST /api/session`).' },
  csrf: { type: 'apiKey', in: 'header', name: 'X-CSRF-Token', description: 'With the session cookie, every change also sends the session\'s CSRF token.' },
  basic: { type: 'http', scheme: 'basic', description: 'Kiosc\'s (DRF\'s) Basic authentication with username and password, where the server enables it.' },
  metricsToken: { type: 'http', scheme: 'bearer', description: '`Authorization: Bearer $PORTICO_METRICS_TOKEN`, for /metrics only.' },
} as const;

/** READ is the security of a read: a token, HTTP Basic, or the session cookie. */
export const READ: Array<Record<string, string[]>> = [{ token: [] }, { bearer: [] }, { basic: [] }, { session: [] }];
/** WRITE is the security of a change: a token, HTTP Basic, or the session cookie with its CSRF header. */
export const WRITE: Array<Record<string, string[]>> = [{ token: [] }, { bearer: [] }, { basic: [] }, { session: [], csrf: [] }];
/** TOKEN_READ is READ without HTTP Basic (the projectroles API takes no Basic credentials). */
export const TOKEN_READ: Array<Record<string, string[]>> = [{ token: [] }, { bearer: [] }, { session: [] }];
/** TOKEN_WRITE is WRITE without HTTP Basic. */
export const TOKEN_WRITE: Array<Record<string, string[]>> = [{ token: [] }, { bearer: [] }, { session: [], csrf: [] }];
/** PUBLIC is no security at all. */
export const PUBLIC: Array<Record<string, string[]>> = [];

const ERROR_TEXT: Record<number, string> = {
  400: 'Bad input: the message (and `fields`) say what was wrong.',
  401: 'No valid token or session.',
  403: 'The role does not allow this, the CSRF token is missing, or the site is read-only.',
  404: 'No such object, or one the caller may not see (non-members get 404, not 403).',
  409: 'The action does not fit the state, or the object exists already.',
  413: 'The body is over the limit.',
  406: 'The Accept header names a version of the vendor media type this server does not answer.',
  415: 'The body must be JSON (or, where documented, a form).',
  429: 'Too many attempts; see `Retry-After`.',
  502: 'The engine or the app failed; the message says why.',
  503: 'The engine or the store cannot be reached.',
  504: 'The app was not ready within the container\'s timeout.',
};

/** JSON_TYPES are the media types a JSON answer or body is documented with. */
export const JSON_TYPES = ['application/json'];
/**
 * KIOSC_TYPES are the container API's answer types: Portico's JSON, or Kiosc's vendor type when
 * `Accept` asks for it (`…; version=1.0`, the only version; the answer's Content-Type names it).
 */
export const KIOSC_TYPES = ['application/json', KIOSC_MEDIA_TYPE];
/** SODAR_TYPES are the projectroles API's answer types (`; version=1.0` or `1.1`, by `Accept`; 1.0 without one). */
export const SODAR_TYPES = [PROJECTROLES_MEDIA_TYPE];

function jsonContent(media: MediaType, types: string[] = JSON_TYPES): Record<string, MediaType> {
  return Object.fromEntries(types.map((t) => [t, media]));
}

/** json is a response whose content is JSON of `schema` (under `types`, application/json unless given). */
export function json(description: string, schema: Schema, example?: unknown, types: string[] = JSON_TYPES): Response {
  const media: MediaType = { schema };
  if (example !== undefined) media.example = example;
  return { description, content: jsonContent(media, types) };
}

/** kioscJson is a container API answer: Portico's shape as application/json, Kiosc's under its media type. */
export function kioscJson(description: string, schema: Schema, kioscSchema: Schema = schema): Response {
  return { description, content: { 'application/json': { schema }, [KIOSC_MEDIA_TYPE]: { schema: kioscSchema } } };
}

/** errors documents the given error statuses, each with the Error schema (under `types`, application/json unless given). */
export function errors(...statuses: number[]): Record<string, Response> {
  return errorsIn(JSON_TYPES, ...statuses);
}

/** kioscErrors documents error statuses of the container API (under the negotiated type). */
export function kioscErrors(...statuses: number[]): Record<string, Response> {
  return errorsIn(KIOSC_TYPES, ...statuses);
}

function errorsIn(types: string[], ...statuses: number[]): Record<string, Response> {
  const out: Record<string, Response> = {};
  for (const s of statuses) out[String(s)] = json(ERROR_TEXT[s] ?? 'An error.', ref('Error'), undefined, types);
  return out;
}

/** noContent is a 204 answer. */
export const noContent: Response = { description: 'Done; no body.' };

/** pathParam is a required path parameter with its example value. */
export function pathParam(name: string, description: string, example: string, schema: Schema = uuid): Parameter {
  return { name, in: 'path', required: true, description, schema, example };
}

/** queryParam is an optional query parameter; an `example` given here is sent by the test. */
export function queryParam(name: string, description: string, schema: Schema, example?: string): Parameter {
  const p: Parameter = { name, in: 'query', required: false, description, schema };
  if (example !== undefined) p.example = example;
  return p;
}

/** jsonBody is a required JSON request body with its example (`forms`: also as a form, with that schema). */
export function jsonBody(schema: Schema, example: unknown, description?: string, forms?: { schema: Schema; multipart: boolean }): NonNullable<Operation['requestBody']> {
  const content: Record<string, MediaType> = jsonContent({ schema, example });
  if (forms) {
    content['application/x-www-form-urlencoded'] = { schema: forms.schema };
    if (forms.multipart) content['multipart/form-data'] = { schema: forms.schema };
  }
  return { required: true, ...(description ? { description } : {}), content };
}

/**
 * op builds an operation. Authenticated operations get 401 (and every change 403) added, so an
 * entry lists only its own answers.
 */
export function op(o: Omit<Operation, 'security'> & { security: Array<Record<string, string[]>> }): Operation {
  const responses = { ...o.responses };
  if (o.security.length > 0) {
    responses['401'] ??= errors(401)['401'];
    if (o.security.some((s) => 'csrf' in s)) responses['403'] ??= errors(403)['403'];
  }
  return { ...o, responses };
}
