/**
 * read-only.ts: the proxy's part of read-only site mode. Starting or resuming an app is a change,
 * so while the site is read-only only site admins' visits start one; everyone may still use apps
 * that are running (or that an admin's visit is starting). The setting is read only on this
 * not-running path, so the hot path stays free of database reads.
 */
import { PorticoError } from '../core/errors.ts';
import type { Services } from '../core/services.ts';
import type { User } from '../core/types.ts';
import type { Route } from './routes.ts';
import { archivedError } from '../core/projects/archive.ts';

/**
 * readOnlyRefusal returns E_READ_ONLY when opening `route` would start or resume it for a user who
 * may not change anything now, and E_PROJECT_ARCHIVED when its project is archived (or being
 * deleted): for everyone, site admins included (docs/projects-api.md).
 */
export function readOnlyRefusal(svc: Pick<Services, 'siteMode' | 'store'>, route: Route, user: User, startInFlight: boolean): PorticoError | null {
  if (route.state === 'running' || startInFlight) return null;
  const project = svc.store.projects.byId(route.projectId);
  if (!project || project.deletingAt) return new PorticoError('E_CONTAINER_NOT_FOUND', 404, 'container not found');
  if (project.archived) return archivedError(project, 'started');
  if (svc.siteMode.allowsChangesBy(user)) return null;
  return new PorticoError('E_READ_ONLY', 403, `The site is in read-only mode, so "${route.title}" cannot be started now. Ask an administrator, or try again later.`);
}
