/**
 * projects.ts (OpenAPI): SODAR Core's projectroles endpoints for projects, role assignments and
 * users (admin/api/projects.ts), in SODAR's shapes. Answers come under SODAR's media type
 * (`Accept: application/vnd.bihealth.sodar-core.projectroles+json; version=1.0`, or 1.1; an unknown
 * version is 406); errors are application/json with DRF's `detail`. Bodies may be JSON or a form.
 */
import { EXAMPLE, SODAR_TYPES, TOKEN_READ, TOKEN_WRITE, errors, json, jsonBody, noContent, op, pathParam, queryParam, ref } from './components.ts';
import type { Operation, Paths, Response, Schema } from './types.ts';

const tags = ['projects'];
const project = pathParam('project', 'The project\'s UUID.', EXAMPLE.project);
const spare = pathParam('project', 'The project\'s UUID.', EXAMPLE.spareProject);
const assignment = pathParam('roleassignment', 'The role assignment\'s UUID.', EXAMPLE.roleAssignment);
const sodar = (description: string, schema: Schema): Response => json(description, schema, undefined, SODAR_TYPES);

/** form is the form variant of a SODAR body (DRF's form parser: every value is text). */
const form = (schema: Schema) => ({ schema, multipart: false });
const textFields = (names: string[]): Schema => ({ type: 'object', properties: Object.fromEntries(names.map((n) => [n, { type: 'string' }])) });

const paged = (what: string) => [
  queryParam('page', `Page number, from 1: without it the answer is the whole list (an array), with it DRF's page of ${what}.`, { type: 'string', pattern: '^[0-9]+$' }),
  queryParam('page_size', `${what[0].toUpperCase()}${what.slice(1)} per page (default SODAR_API_PAGE_SIZE, 100; at most 1000, or that size if larger).`, { type: 'string', pattern: '^[0-9]+$' }),
];
const listOf = (item: string, page: string): Schema => ({ oneOf: [{ type: 'array', items: { $ref: `#/components/schemas/${item}` } }, { $ref: `#/components/schemas/${page}` }] });

function update(method: 'put' | 'patch'): Operation {
  const put = method === 'put';
  return op({
    operationId: put ? 'replaceProject' : 'updateProject', tags, security: TOKEN_WRITE,
    summary: put ? 'Update a project (SODAR\'s PUT: `title` and `type` required); `archive` archives or unarchives.' : 'Change some of a project\'s fields (`title`, `description`, `readme`, `archive`).',
    parameters: [project],
    requestBody: jsonBody(ref('ProjectInput'), put
      ? { title: 'OpenAPI examples', type: 'PROJECT', parent: null, description: 'Replaced through the API', readme: '', public_guest_access: false }
      : { description: 'Changed through the API' }, undefined, form(textFields(['title', 'type', 'parent', 'description', 'readme', 'public_guest_access', 'owner', 'archive']))),
    responses: { 200: sodar('The project.', ref('Project')), ...errors(400, 403, 404, 406, 413, 415) },
  });
}

function roleUpdate(method: 'put' | 'patch'): Operation {
  const put = method === 'put';
  return op({
    operationId: put ? 'replaceRoleAssignment' : 'updateRoleAssignment', tags, security: TOKEN_WRITE,
    summary: put ? 'Change a member\'s role (`role` required; the user cannot change). The owner\'s role changes only by a transfer.' : 'Change a member\'s role, if `role` is given.',
    parameters: [assignment],
    requestBody: jsonBody(ref('RoleAssignmentInput'), { role: put ? 'project guest' : 'project contributor' }, undefined, form(textFields(['role', 'user']))),
    responses: { 200: sodar('The role assignment.', ref('RoleAssignment')), ...errors(400, 403, 404, 406, 413, 415) },
  });
}

/** PROJECT_PATHS documents the projectroles endpoints. */
export const PROJECT_PATHS: Paths = {
  '/project/api/list': {
    get: op({
      operationId: 'listProjects', tags, security: TOKEN_READ,
      summary: 'The projects the caller belongs to (site admins: all), as SODAR lists them.',
      parameters: paged('projects'),
      responses: { 200: sodar('The projects.', listOf('Project', 'ProjectPage')), ...errors(400, 404, 406) },
    }),
  },
  '/project/api/retrieve/{project}': {
    get: op({
      operationId: 'getProject', tags, security: TOKEN_READ,
      summary: 'One project with its members\' roles.',
      parameters: [project],
      responses: { 200: sodar('The project.', ref('Project')), ...errors(404, 406) },
    }),
  },
  '/project/api/create': {
    post: op({
      operationId: 'createProject', tags, security: TOKEN_WRITE,
      summary: 'Site admins: create a project (type PROJECT, parent null) with its owner (a user UUID).',
      requestBody: jsonBody(ref('ProjectInput'), { title: 'Made through the API', type: 'PROJECT', parent: null, description: 'A new project', readme: '', owner: EXAMPLE.user },
        undefined, form(textFields(['title', 'type', 'parent', 'description', 'readme', 'public_guest_access', 'owner']))),
      responses: { 201: sodar('The new project.', ref('Project')), ...errors(400, 406, 413, 415) },
    }),
  },
  '/project/api/update/{project}': { put: update('put'), patch: update('patch') },
  '/project/api/destroy/{project}': {
    delete: op({
      operationId: 'destroyProject', tags, security: TOKEN_WRITE,
      summary: 'Delete a project with everything in it: containers, templates, files (SODAR Core 1.1). Asking again finishes an interrupted delete.',
      parameters: [spare],
      responses: { 204: noContent, ...errors(404, 406, 502, 503) },
    }),
  },
  '/project/api/roles/create/{project}': {
    post: op({
      operationId: 'createRoleAssignment', tags, security: TOKEN_WRITE,
      summary: 'Give a user who is not yet a member a role (`role` by SODAR\'s name, `user` by UUID).',
      parameters: [project],
      requestBody: jsonBody(ref('RoleAssignmentInput'), { role: 'project contributor', user: EXAMPLE.user }, undefined, form(textFields(['role', 'user']))),
      responses: { 201: sodar('The new role assignment.', ref('RoleAssignment')), ...errors(400, 403, 404, 406, 413, 415) },
    }),
  },
  '/project/api/roles/update/{roleassignment}': { put: roleUpdate('put'), patch: roleUpdate('patch') },
  '/project/api/roles/destroy/{roleassignment}': {
    delete: op({
      operationId: 'destroyRoleAssignment', tags, security: TOKEN_WRITE,
      summary: 'Remove a member from the project (not the owner).',
      parameters: [assignment],
      responses: { 204: noContent, ...errors(400, 403, 404, 406) },
    }),
  },
  '/project/api/roles/owner-transfer/{project}': {
    post: op({
      operationId: 'transferProjectOwner', tags, security: TOKEN_WRITE,
      summary: 'The owner or a site admin: make a member (by user name) the owner; the old owner gets `old_owner_role`.',
      parameters: [spare],
      requestBody: jsonBody(ref('OwnerTransfer'), { new_owner: EXAMPLE.username, old_owner_role: 'project contributor' }, undefined, form(textFields(['new_owner', 'old_owner_role']))),
      responses: { 200: sodar('The ownership was transferred.', ref('OwnerTransferDone')), ...errors(400, 403, 404, 406, 413, 415) },
    }),
  },
  '/project/api/users/list': {
    get: op({
      operationId: 'listUsers', tags, security: TOKEN_READ,
      summary: 'The site\'s users (site admins also see deactivated ones).',
      parameters: paged('users'),
      responses: { 200: sodar('The users.', listOf('User', 'UserPage')), ...errors(400, 404, 406) },
    }),
  },
  '/project/api/users/current': {
    get: op({
      operationId: 'currentUser', tags, security: TOKEN_READ,
      summary: 'The caller.',
      responses: { 200: sodar('The caller.', ref('User')), ...errors(406) },
    }),
  },
};
