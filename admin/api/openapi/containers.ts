/**
 * containers.ts (OpenAPI): Kiosc's container endpoints and Portico's additions on the same scheme
 * (admin/api/containers.ts). Answers come as Portico's JSON, or with `Accept:
 * application/vnd.bihealth.kiosc-server.containers+json; version=1.0` in Kiosc's shape under that
 * type (an unknown version is 406); errors come under the negotiated type with DRF's `detail`.
 */
import { CONTAINER_ACTIONS } from '../../../gateway/core/types.ts';
import { EXAMPLE, READ, WRITE, errors, json, jsonBody, kioscErrors, kioscJson, noContent, op, pathParam, queryParam, ref } from './components.ts';
import type { Operation, Paths } from './types.ts';

const tags = ['containers'];
const project = pathParam('project', 'The project\'s UUID.', EXAMPLE.project);
const container = pathParam('container', 'The container\'s UUID.', EXAMPLE.container);
const form = { schema: ref('ContainerForm'), multipart: true };

/** kop is op for a route behind the Kiosc negotiation: its 401, 403 and 406 come under the negotiated type too. */
function kop(o: Parameters<typeof op>[0]): Operation {
  const auth = kioscErrors(401, 406, ...(o.security.some((s) => 'csrf' in s) ? [403] : []));
  return op({ ...o, responses: { ...auth, ...o.responses } });
}

/** options documents an OPTIONS route: DRF's metadata of the view. */
function options(operationId: string, view: string, param: typeof container, writes: string): Operation {
  return kop({
    operationId, tags, security: READ,
    summary: `DRF's metadata of the ${view} view (Kiosc's)${writes ? `; \`actions\` lists the ${writes} fields for whoever may ${writes}` : ''}. \`Allow\` names the methods.`,
    parameters: [param],
    responses: { 200: kioscJson('The view\'s metadata.', ref('Options')), ...kioscErrors(404) },
  });
}

const ACTION_TEXT: Record<string, string> = {
  start: 'Start the container (pull the image if missing, create, start, wait until the app answers).',
  stop: 'Stop the container; it stays stopped until someone opens its link or starts it.',
  pause: 'Pause a running container.',
  unpause: 'Unpause a paused container.',
  restart: 'Restart the container.',
  kill: 'Kill the container at once (SIGKILL).',
  reset: 'Hard reset: force-remove the engine container, then start afresh (the data volume stays).',
};

function action(name: string): Operation {
  return kop({
    operationId: `${name}Container`, tags, security: WRITE,
    summary: `${ACTION_TEXT[name]} Answers with the container afterwards; \`?wait=0\` submits only (202).`,
    parameters: [container, queryParam('wait', '`0` answers 202 at once instead of waiting for the job.', { type: 'string', enum: ['0', '1'] })],
    responses: {
      200: kioscJson('The container after the action.', ref('Container'), ref('KioscContainer')),
      202: kioscJson('The job was submitted (`?wait=0`).', ref('Message')),
      ...kioscErrors(404, 409, 502, 503, 504),
      ...(name === 'start' || name === 'restart' || name === 'reset' ? { 502: kioscJson('The start failed: the app\'s last lines and hints.', ref('StartFailure')) } : {}),
    },
  });
}

const actions: Paths = {};
for (const a of CONTAINER_ACTIONS.filter((x) => x !== 'delete')) actions[`/containers/api/${a}/{container}`] = { post: action(a) };
actions['/containers/api/start/{container}'].options = options('containerStartOptions', 'Container Start API', container, '');
actions['/containers/api/stop/{container}'].options = options('containerStopOptions', 'Container Stop API', container, '');
for (const a of ['start', 'stop'] as const) {
  actions[`/containers/api/${a}/{container}`].get = op({
    operationId: `${a}ContainerJob`, tags, security: READ,
    summary: `Kiosc's form: submit the ${a} job and answer at once (plain application/json, as Kiosc; a session cookie is refused: use POST).`,
    parameters: [container],
    responses: { 200: json('The job was submitted.', ref('Message')), ...kioscErrors(401, 403, 404, 406) },
  });
}

/** CONTAINER_PATHS documents the container endpoints. */
export const CONTAINER_PATHS: Paths = {
  '/containers/api/{project}': {
    get: kop({
      operationId: 'listContainers', tags, security: READ,
      summary: 'List a project\'s containers, a page at a time.',
      parameters: [
        project,
        queryParam('page', 'Page number, from 1.', { type: 'string', pattern: '^[0-9]+$' }, '1'),
        queryParam('page_size', 'Containers per page (default SODAR_API_PAGE_SIZE, 100; at most 1000, or that size if larger).', { type: 'string', pattern: '^[0-9]+$' }),
      ],
      responses: { 200: kioscJson('One page of containers.', ref('ContainerPage'), ref('KioscContainerPage')), ...kioscErrors(400, 404) },
    }),
    options: options('containerListOptions', 'Container List API', project, ''),
  },
  '/containers/api/detail/{container}': {
    get: kop({
      operationId: 'getContainer', tags, security: READ,
      summary: 'One container. Secret values show as `<masked>`.',
      parameters: [container],
      responses: { 200: kioscJson('The container.', ref('Container'), ref('KioscContainer')), ...kioscErrors(404) },
    }),
    options: options('containerDetailOptions', 'Container Detail API', container, ''),
  },
  '/containers/api/create/{project}': {
    post: kop({
      operationId: 'createContainer', tags, security: WRITE,
      summary: 'Create a container (Kiosc\'s fields, plus `strip_prefix` and `data_path`), as JSON or a form; templates by UUID or Kiosc integer id.',
      parameters: [project],
      requestBody: jsonBody(ref('ContainerCreate'), {
        title: 'Shiny demo', repository: 'rocker/shiny', tag: '4.4.1', container_port: 3838,
        environment: { APP_MODE: 'demo', API_KEY: 's3cret' }, environment_secret_keys: 'API_KEY',
        command: '', inactivity_threshold: 7,
      }, undefined, form),
      responses: { 201: kioscJson('The new container.', ref('Container'), ref('KioscContainer')), ...kioscErrors(400, 404, 413, 415) },
    }),
    options: options('containerCreateOptions', 'Container Create API', project, 'POST'),
  },
  '/containers/api/update/{container}': {
    patch: kop({
      operationId: 'updateContainer', tags, security: WRITE,
      summary: 'Change fields; `<masked>` keeps a secret. A running container is recreated.',
      parameters: [container],
      requestBody: jsonBody(ref('ContainerUpdate'), { description: 'Updated through the API', timeout: 60 }, undefined, form),
      responses: { 200: kioscJson('The changed container.', ref('Container'), ref('KioscContainer')), ...kioscErrors(400, 404, 413, 415, 502) },
    }),
    options: options('containerUpdateOptions', 'Container Update API', container, 'PATCH'),
  },
  '/containers/api/delete/{container}': {
    delete: kop({
      operationId: 'deleteContainer', tags, security: WRITE,
      summary: 'Stop and remove the container and its record (its data volume stays).',
      parameters: [container],
      responses: {
        204: noContent,
        ...kioscErrors(404),
        400: json('The delete failed (as Kiosc): `message`, `error` and `code`.', ref('Error')),
        503: json('The engine is away or the gateway is shutting down: the delete is recorded and finishes later.', ref('Error')),
      },
    }),
    options: options('containerDeleteOptions', 'Container Delete API', container, ''),
  },
  ...actions,
  '/containers/api/logs/{container}': {
    get: kop({
      operationId: 'getContainerLogs', tags, security: READ,
      summary: 'The merged log (Portico\'s, the engine\'s and the app\'s lines); `format=text` gives Kiosc\'s line format.',
      parameters: [
        container,
        queryParam('lines', 'How many of the last lines.', { type: 'string', pattern: '^[0-9]+$' }, '100'),
        queryParam('format', '`text` for plain text.', { type: 'string', enum: ['json', 'text'] }),
      ],
      responses: {
        200: { description: 'The last lines.', content: { ...kioscJson('', ref('LogPage')).content, 'text/plain': { schema: { type: 'string' } } } },
        ...kioscErrors(400, 403, 404),
      },
    }),
  },
};
