/**
 * document.ts: assembles the OpenAPI 3.1 document of the REST API from the area modules. To add a
 * route: add its `op(…)` entry to the area's module (or a new area module listed in AREAS); the
 * test (test/api/openapi.test.ts) names every router route the document lacks, and sends each
 * entry's example to a real gateway.
 */
import pkg from '../../../package.json' with { type: 'json' };
import { SCHEMAS, SECURITY_SCHEMES } from './components.ts';
import { APP_PATHS } from './apps.ts';
import { CONTAINER_PATHS } from './containers.ts';
import { FILE_PATHS } from './files.ts';
import { HOST_PATHS } from './hosts.ts';
import { OPS_PATHS } from './ops.ts';
import { IMAGE_HOST_PATHS } from './image-hosts.ts';
import { PROJECT_PATHS } from './projects.ts';
import { SESSION_PATHS } from './session.ts';
import { TEMPLATE_PATHS } from './templates.ts';
import { SHARE_PATHS } from './shares.ts';
import { SRC_PATHS } from './src.ts';
import type { Paths } from './types.ts';

/** AREAS are the document's parts, one module each. */
export const AREAS: Paths[] = [CONTAINER_PATHS, TEMPLATE_PATHS, FILE_PATHS, OPS_PATHS, HOST_PATHS, IMAGE_HOST_PATHS, PROJECT_PATHS, SESSION_PATHS, APP_PATHS, SHARE_PATHS, SRC_PATHS];

const TAGS = [
  { name: 'containers', description: 'Kiosc\'s container endpoints (same paths, shapes and status codes) and Portico\'s additions.' },
  { name: 'templates', description: 'Container templates, site-wide or per project.' },
  { name: 'files', description: 'Small files of a project, for containers to fetch.' },
  { name: 'operations', description: 'Statistics, uptime, images, volumes, health and metrics.' },
  { name: 'hosts', description: 'Container hosts: the engines Portico drives (docs/container-hosts.md).' },
  { name: 'image hosts', description: 'Registries with optional credentials, used by pulls of images they hold (docs/image-hosts.md).' },
  { name: 'projects', description: 'SODAR Core\'s projectroles API: projects, role assignments and users, in SODAR\'s shapes and media type.' },
  { name: 'session', description: 'Trading a token for a browser session, and logging out.' },
  { name: 'sharing', description: 'Session sharing of per-user instances, and the audit trail.' },
  { name: 'apps', description: 'The app platform: a catalogue from image labels, grants with policies, per-user instances (docs/apps.md).' },
  { name: 'src', description: 'The SRC Container API: per-user apps named IMAGE--USER under a facility id (docs/src-api.md).' },
  { name: 'meta', description: 'This document.' },
];

/** API_PREFIXES are the path prefixes of the REST API; every router route under them must be documented. */
export const API_PREFIXES = ['/api/', '/containers/api/', '/project/api/', '/src-api/'];
/** API_EXTRA are the API routes outside those prefixes. */
export const API_EXTRA = ['/healthz', '/metrics'];

/** isApiPath tells whether a router path (`:param` form) belongs to the REST API (the rest is the HTML UI). */
export function isApiPath(path: string): boolean {
  return API_PREFIXES.some((p) => path.startsWith(p)) || API_EXTRA.includes(path);
}

/** toTemplate turns a router path (`/a/:id`) into an OpenAPI path template (`/a/{id}`). */
export function toTemplate(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/** mergePaths joins area path maps; one method on one path documented twice is a mistake and throws. */
export function mergePaths(areas: Paths[]): Paths {
  const out: Paths = {};
  for (const area of areas) {
    for (const [path, item] of Object.entries(area)) {
      const into = (out[path] ??= {});
      for (const [method, operation] of Object.entries(item)) {
        if (method in into) throw new Error(`OpenAPI: ${method.toUpperCase()} ${path} is documented twice`);
        (into as Record<string, unknown>)[method] = operation;
      }
    }
  }
  return out;
}

/** buildOpenApi returns the whole document (a fresh object each call). */
export function buildOpenApi(): Record<string, unknown> {
  return structuredClone({
    openapi: '3.1.0',
    info: {
      title: 'Portico REST API',
      version: pkg.version,
      summary: 'Docker web apps behind stable links; a drop-in for Kiosc\'s REST API.',
      description: 'Authenticate with `Authorization: token <token>` (Kiosc\'s form) or `Bearer` (the container, template, file and operations APIs take HTTP Basic too). Errors are JSON `{"error", "code"}` (docs/errors.md). A non-member gets 404, never 403, so nothing leaks.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    tags: TAGS,
    paths: mergePaths(AREAS),
    components: { schemas: SCHEMAS, securitySchemes: SECURITY_SCHEMES },
  });
}
