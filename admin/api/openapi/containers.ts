/**
 * containers.ts (OpenAPI): Kiosc's container endpoints and Portico's additions on the same scheme
 * (admin/api/containers.ts).
 */
import { CONTAINER_ACTIONS } from '../../../gateway/core/types.ts';
import { EXAMPLE, READ, WRITE, errors, json, jsonBody, noContent, op, pathParam, queryParam, ref } from './components.ts';
import type { Operation, Paths } from './types.ts';

const tags = ['containers'];
const project = pathParam('project', 'The project\'s UUID.', EXAMPLE.project);
const container = pathParam('container', 'The container\'s UUID.', EXAMPLE.container);

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
  return op({
    operationId: `${name}Container`, tags, security: WRITE,
    summary: `${ACTION_TEXT[name]} Answers with the container afterwards; \`?wait=0\` submits only (202).`,
    parameters: [container, queryParam('wait', '`0` answers 202 at once instead of waiting for the job.', { type: 'string', enum: ['0', '1'] })],
    responses: {
      200: json('The container after the action.', ref('Container')),
      202: json('The job was submitted (`?wait=0`).', ref('Message')),
      ...errors(404, 409, 502, 503, 504),
      ...(name === 'start' || name === 'restart' || name === 'reset' ? { 502: json('The start failed: the app\'s last lines and hints.', ref('StartFailure')) } : {}),
    },
  });
}

const actions: Paths = {};
for (const a of CONTAINER_ACTIONS.filter((x) => x !== 'delete')) actions[`/containers/api/${a}/{container}`] = { post: action(a) };
for (const a of ['start', 'stop'] as const) {
  actions[`/containers/api/${a}/{container}`].get = op({
    operationId: `${a}ContainerJob`, tags, security: READ,
    summary: `Kiosc's form: submit the ${a} job and answer at once.`,
    parameters: [container],
    responses: { 200: json('The job was submitted.', ref('Message')), ...errors(403, 404) },
  });
}

/** CONTAINER_PATHS documents the container endpoints. */
export const CONTAINER_PATHS: Paths = {
  '/containers/api/{project}': {
    get: op({
      operationId: 'listContainers', tags, security: READ,
      summary: 'List a project\'s containers, a page at a time.',
      parameters: [
        project,
        queryParam('page', 'Page number, from 1.', { type: 'string', pattern: '^[0-9]+$' }, '1'),
        queryParam('page_size', 'Containers per page (default SODAR_API_PAGE_SIZE, 100; at most 1000, or that size if larger).', { type: 'string', pattern: '^[0-9]+$' }),
      ],
      responses: { 200: json('One page of containers.', ref('ContainerPage')), ...errors(400, 404) },
    }),
  },
  '/containers/api/detail/{container}': {
    get: op({
      operationId: 'getContainer', tags, security: READ,
      summary: 'One container. Secret values show as `<masked>`.',
      parameters: [container],
      responses: { 200: json('The container.', ref('Container')), ...errors(404) },
    }),
  },
  '/containers/api/create/{project}': {
    post: op({
      operationId: 'createContainer', tags, security: WRITE,
      summary: 'Create a container (Kiosc\'s fields, plus `strip_prefix` and `data_path`).',
      parameters: [project],
      requestBody: jsonBody(ref('ContainerCreate'), {
        title: 'Shiny demo', repository: 'rocker/shiny', tag: '4.4.1', container_port: 3838,
        environment: { APP_MODE: 'demo', API_KEY: 's3cret' }, environment_secret_keys: 'API_KEY',
        command: '', inactivity_threshold: 7,
      }),
      responses: { 201: json('The new container.', ref('Container')), ...errors(400, 404, 413, 415) },
    }),
  },
  '/containers/api/update/{container}': {
    patch: op({
      operationId: 'updateContainer', tags, security: WRITE,
      summary: 'Change fields; `<masked>` keeps a secret. A running container is recreated.',
      parameters: [container],
      requestBody: jsonBody(ref('ContainerUpdate'), { description: 'Updated through the API', timeout: 60 }),
      responses: { 200: json('The changed container.', ref('Container')), ...errors(400, 404, 413, 415, 502) },
    }),
  },
  '/containers/api/delete/{container}': {
    delete: op({
      operationId: 'deleteContainer', tags, security: WRITE,
      summary: 'Stop and remove the container and its record (its data volume stays).',
      parameters: [container],
      responses: {
        204: noContent,
        400: json('The delete failed (as Kiosc): `message`, `error` and `code`.', ref('Error')),
        ...errors(404),
      },
    }),
  },
  ...actions,
  '/containers/api/logs/{container}': {
    get: op({
      operationId: 'getContainerLogs', tags, security: READ,
      summary: 'The merged log (Portico\'s, the engine\'s and the app\'s lines); `format=text` gives Kiosc\'s line format.',
      parameters: [
        container,
        queryParam('lines', 'How many of the last lines.', { type: 'string', pattern: '^[0-9]+$' }, '100'),
        queryParam('format', '`text` for plain text.', { type: 'string', enum: ['json', 'text'] }),
      ],
      responses: {
        200: { description: 'The last lines.', content: { 'application/json': { schema: ref('LogPage') }, 'text/plain': { schema: { type: 'string' } } } },
        ...errors(400, 403, 404),
      },
    }),
  },
};
