/**
 * roles.ts: Kiosc's permission tables as one function. Site admins may do everything;
 * project roles grant per Kiosc section 1.4; non-members get nothing (and see 404s).
 * Kiosc 1.4.1 (containers): contributor and up create/update, delete, start, stop, (un)pause and
 * view; guests view, and start only indirectly by opening the app. Kiosc 1.4.2 (templates):
 * project-wide templates as containers (guests view); site-wide templates are edited by admins
 * only and viewed by everyone.
 */
import type { ContainerAction, Role } from '../types.ts';

/** Permission is every permission the surfaces check. */
export type Permission =
  | 'container.view' | 'container.proxy' | 'container.create' | 'container.update' | 'container.delete'
  | 'container.start' | 'container.stop' | 'container.pause' | 'container.restart' | 'container.kill' | 'container.reset'
  | 'container.logs'
  | 'template.view' | 'template.edit'
  | 'file.view' | 'file.edit'
  | 'project.view' | 'project.members'
  // SODAR's update_project (title, description, archive) and delete_project: owners and delegates.
  | 'project.update' | 'project.delete'
  // SODAR's update_project_delegate and update_project_owner: owners only.
  | 'project.delegate' | 'project.owner';

const RANK: Record<Role, number> = { owner: 4, delegate: 3, contributor: 2, guest: 1 };

const MIN_ROLE: Record<Permission, Role> = {
  'container.view': 'guest',
  // Guests start a stopped container only indirectly, by opening it through the proxy (Kiosc 1.4.1).
  'container.proxy': 'guest',
  'container.logs': 'guest',
  'container.create': 'contributor',
  'container.update': 'contributor',
  'container.delete': 'contributor',
  'container.start': 'contributor',
  'container.stop': 'contributor',
  'container.pause': 'contributor',
  'container.restart': 'contributor',
  'container.kill': 'contributor',
  'container.reset': 'contributor',
  'template.view': 'guest',
  'template.edit': 'contributor',
  'file.view': 'guest',
  'file.edit': 'contributor',
  'project.view': 'guest',
  'project.members': 'delegate',
  'project.update': 'delegate',
  'project.delete': 'delegate',
  'project.delegate': 'owner',
  'project.owner': 'owner',
};

/** READS are the permissions that change nothing: all an archived project still allows (docs/projects-api.md). */
const READS: ReadonlySet<Permission> = new Set(['container.view', 'container.proxy', 'container.logs', 'template.view', 'file.view', 'project.view']);

/** isWrite tells whether `permission` changes a project's data (refused while the project is archived). */
export function isWrite(permission: Permission): boolean {
  return !READS.has(permission);
}

/** SitePermission is a permission that does not depend on a project. */
export type SitePermission = 'template.site.view' | 'template.site.edit' | 'site.manage';

/** canSite tells whether a logged-in user holds a site-wide permission: admins everything, others only viewing site templates. */
export function canSite(isAdmin: boolean, permission: SitePermission): boolean {
  return isAdmin || permission === 'template.site.view';
}

/** can tells whether a user with `role` in a project (or a site admin) holds `permission`. */
export function can(isAdmin: boolean, role: Role | null, permission: Permission): boolean {
  if (isAdmin) return true;
  if (!role) return false;
  return RANK[role] >= RANK[MIN_ROLE[permission]];
}

/** atLeast tells whether `role` is `min` or stronger. */
export function atLeast(role: Role | null, min: Role): boolean {
  return role !== null && RANK[role] >= RANK[min];
}

/** ACTION_PERMISSIONS maps each container action to the permission it needs (unpause goes with pause). */
export const ACTION_PERMISSIONS: Readonly<Record<ContainerAction, Permission>> = {
  start: 'container.start', stop: 'container.stop', pause: 'container.pause', unpause: 'container.pause',
  restart: 'container.restart', kill: 'container.kill', reset: 'container.reset', delete: 'container.delete',
};
