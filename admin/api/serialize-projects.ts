/**
 * serialize-projects.ts: the JSON shapes of SODAR Core's projectroles API (ProjectSerializer,
 * RoleAssignmentSerializer, SODARUserSerializer), and the role names it uses ("project owner" …).
 * Portico has no categories: every project is of type PROJECT with parent null.
 */
import { ValidationError } from '../../gateway/core/errors.ts';
import type { Store } from '../../gateway/core/store/index.ts';
import { ROLES } from '../../gateway/core/types.ts';
import type { Membership, Project, Role, User } from '../../gateway/core/types.ts';

/** sodarRole is SODAR's name of a role. */
export const sodarRole = (role: Role): string => `project ${role}`;

/** parseRole reads a role by SODAR's name ("project contributor"), or Portico's ("contributor"). */
export function parseRole(raw: unknown, field = 'role'): Role {
  const name = typeof raw === 'string' ? raw.trim().toLowerCase().replace(/^project /, '') : '';
  if (!(ROLES as readonly string[]).includes(name)) {
    throw new ValidationError({ [field]: `Object with name=${JSON.stringify(String(raw ?? '')).slice(0, 80)} does not exist: use one of ${ROLES.map(sodarRole).join(', ')}` });
  }
  return name as Role;
}

/** serializeUser renders a user as SODARUserSerializer does. */
export function serializeUser(u: User): Record<string, unknown> {
  return { username: u.username, name: u.name, email: u.email, additional_emails: [], is_superuser: u.isAdmin, sodar_uuid: u.uuid };
}

/** serializeAssignment renders a role assignment (RoleAssignmentSerializer). */
export function serializeAssignment(project: Project, m: Membership, store: Store): Record<string, unknown> {
  return { project: project.uuid, role: sodarRole(m.role), user: store.users.byId(m.userId)?.uuid ?? null, sodar_uuid: m.uuid };
}

/** serializeProject renders a project (ProjectSerializer): its roles keyed by assignment UUID. */
export function serializeProject(p: Project, store: Store): Record<string, unknown> {
  const roles: Record<string, unknown> = {};
  for (const m of store.projects.members(p.id)) {
    const user = store.users.byId(m.userId);
    if (!user) continue;
    roles[m.uuid] = { role: sodarRole(m.role), user: serializeUser(user), inherited: false, sodar_uuid: m.uuid };
  }
  return {
    title: p.title,
    type: 'PROJECT',
    parent: null,
    description: p.description,
    readme: p.readme,
    public_guest_access: false,
    archive: p.archived,
    full_title: p.title,
    roles,
    sodar_uuid: p.uuid,
  };
}
