/**
 * templates.ts (OpenAPI): the container-template endpoints (admin/api/templates.ts). The scope slot
 * is a project UUID or the word `site`.
 */
import { EXAMPLE, READ, WRITE, errors, json, jsonBody, noContent, op, pathParam, queryParam, ref } from './components.ts';
import type { Paths } from './types.ts';

const tags = ['templates'];
const scopeSchema = { type: 'string', description: 'A project UUID, or `site` for the site-wide templates.' };
const template = pathParam('template', 'The template\'s UUID.', EXAMPLE.template);

/** TEMPLATE_PATHS documents the template endpoints. */
export const TEMPLATE_PATHS: Paths = {
  '/containers/api/templates/{scope}': {
    get: op({
      operationId: 'listTemplates', tags, security: READ,
      summary: 'List a project\'s templates; `site` lists the site-wide ones.',
      parameters: [
        pathParam('scope', 'A project UUID, or `site`.', EXAMPLE.project, scopeSchema),
        queryParam('page', 'Page number, from 1.', { type: 'string', pattern: '^[0-9]+$' }),
        queryParam('page_size', 'Templates per page (default SODAR_API_PAGE_SIZE, 100).', { type: 'string', pattern: '^[0-9]+$' }),
      ],
      responses: { 200: json('The templates (one page).', ref('TemplatePage')), ...errors(400, 404) },
    }),
  },
  '/containers/api/templates/detail/{template}': {
    get: op({
      operationId: 'getTemplate', tags, security: READ,
      summary: 'One template (site-wide, or of a project the caller belongs to).',
      parameters: [template],
      responses: { 200: json('The template.', ref('Template')), ...errors(404) },
    }),
  },
  '/containers/api/templates/create/{scope}': {
    post: op({
      operationId: 'createTemplate', tags, security: WRITE,
      summary: 'Create a template (the container fields; only `title` is required). `site`: site admins only.',
      parameters: [pathParam('scope', 'A project UUID, or `site`.', EXAMPLE.project, scopeSchema)],
      requestBody: jsonBody(ref('TemplateCreate'), { title: 'Jupyter notebook', repository: 'jupyter/base-notebook', tag: 'latest', container_port: 8888 }),
      responses: { 201: json('The new template.', ref('Template')), ...errors(400, 404, 413, 415) },
    }),
  },
  '/containers/api/templates/update/{template}': {
    patch: op({
      operationId: 'updateTemplate', tags, security: WRITE,
      summary: 'Change a template\'s fields (containers made from it keep theirs).',
      parameters: [template],
      requestBody: jsonBody(ref('TemplateUpdate'), { description: 'Notebook with the lab interface', timeout: 120 }),
      responses: { 200: json('The changed template.', ref('Template')), ...errors(400, 404, 413, 415) },
    }),
  },
  '/containers/api/templates/delete/{template}': {
    delete: op({
      operationId: 'deleteTemplate', tags, security: WRITE,
      summary: 'Delete a template; containers made from it keep their settings.',
      parameters: [template],
      responses: { 204: noContent, ...errors(404) },
    }),
  },
  '/containers/api/templates/duplicate/{template}': {
    post: op({
      operationId: 'duplicateTemplate', tags, security: WRITE,
      summary: 'Copy a template within its scope as `<title> (Duplicate)`.',
      parameters: [template],
      responses: { 201: json('The copy.', ref('Template')), ...errors(404) },
    }),
  },
  '/containers/api/templates/copy/{project}': {
    post: op({
      operationId: 'copyTemplate', tags, security: WRITE,
      summary: 'Copy a template (site-wide, or of a project the caller belongs to) into the project as `<title> (Copy)`.',
      parameters: [pathParam('project', 'The project\'s UUID.', EXAMPLE.project)],
      requestBody: jsonBody({ type: 'object', required: ['template'], properties: { template: { type: 'string', format: 'uuid' } } }, { template: EXAMPLE.template }),
      responses: { 201: json('The copy.', ref('Template')), ...errors(400, 404, 413, 415) },
    }),
  },
};
