/**
 * access.ts: resolves what a caller may see and do. Every surface (REST API, UI, HTTP proxy,
 * WebSocket proxy) asks these functions, so the rules live in one place. Objects the caller may
 * not see are reported as not found (404), never as forbidden, so nothing leaks.
 */
import { NotFoundError, forbidden } from '../errors.ts';
import type { Store } from '../store/index.ts';
import type { Container, Project, Role, User } from '../types.ts';
import { can, isWrite } from './roles.ts';
import type { Permission } from './roles.ts';
import { requireNotArchived } from '../projects/archive.ts';
import { containerRole, isInstance } from '../apps/access.ts';

/** ProjectAccess is a project with the caller's role in it (null for site admins who are not members). */
export interface ProjectAccess { project: Project; role: Role | null; user: User }

/** Access answers permission questions against the store. */
export type Access = ReturnType<typeof createAccess>;

/** createAccess builds the access checks over a store. */
export function createAccess(store: Store) {
  function project(user: User | null, projectUuid: string, permission: Permission = 'project.view'): ProjectAccess {
    const p = isUuid(projectUuid) ? store.projects.byUuid(projectUuid) : null;
    // A project whose delete began is gone for everyone (its delete finishes in the background).
    // The hidden 'apps' project holds per-user instances (docs/apps.md): it is no project anyone opens.
    if (!p || !user || p.deletingAt || p.kind !== 'project') throw new NotFoundError('E_PROJECT_NOT_FOUND', 'project not found');
    const role = store.projects.roleOf(p.id, user.id);
    if (!user.isAdmin && !role) throw new NotFoundError('E_PROJECT_NOT_FOUND', 'project not found');
    if (!can(user.isAdmin, role, permission)) throw forbidden(`your role (${role}) does not allow this`);
    if (isWrite(permission)) requireNotArchived(p);
    return { project: p, role, user };
  }

  function container(user: User | null, containerUuid: string, permission: Permission = 'container.view'): { container: Container; role: Role | null } {
    const c = isUuid(containerUuid) ? store.containers.byUuid(containerUuid) : null;
    if (!c || !user) throw new NotFoundError('E_CONTAINER_NOT_FOUND', 'container not found');
    const role = containerRole(store, c, user.id);
    if (!user.isAdmin && !role) throw new NotFoundError('E_CONTAINER_NOT_FOUND', 'container not found');
    if (!can(user.isAdmin, role, permission)) throw forbidden(`your role (${role}) does not allow this`);
    // An instance's settings come from its catalogue app (docs/apps.md): only a site admin changes them.
    if (permission === 'container.update' && isInstance(c) && !user.isAdmin) throw forbidden('an app instance takes its settings from the catalogue; only a site admin changes them');
    if (isWrite(permission)) {
      const p = store.projects.byId(c.projectId);
      if (!p || p.deletingAt) throw new NotFoundError('E_CONTAINER_NOT_FOUND', 'container not found');
      requireNotArchived(p);
    }
    return { container: c, role };
  }

  return {
    project, container,
    roleOf: (projectId: number, userId: number) => store.projects.roleOf(projectId, userId),
    /** containerRole is a user's role on one container, per-user app instances included (apps/access.ts). */
    containerRole: (c: Container, userId: number) => containerRole(store, c, userId),
  };
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** isUuid tells whether `s` looks like a UUID (cheap rejection before any lookup). */
export function isUuid(s: string): boolean {
  return s.length === 36 && UUID_RE.test(s);
}
