/**
 * membership.ts: the rules for changing who belongs to a project. Owners and delegates manage
 * members (site admins too); a delegate can neither touch an owner nor make anyone owner; any
 * member may leave; a project never loses its last owner; a project synced from SODAR changes only there. Used by the UI (and any later API).
 */
import { PorticoError, conflict, forbidden } from '../errors.ts';
import type { Store } from '../store/index.ts';
import type { Project, Role, User } from '../types.ts';
import { can } from './roles.ts';
import { assertLocallyEditable } from '../projects/remote-guard.ts';

/** MembershipChange sets `target`'s role in `project` (null removes them), done by `actor`. */
export interface MembershipChange { project: Project; actor: User; target: User; role: Role | null }

/** changeMembership applies a change after checking every rule atomically; returns false when nothing changed. */
export function changeMembership(store: Store, change: MembershipChange): boolean {
  const { project, actor, target, role } = change;
  return store.transaction(() => {
    assertLocallyEditable(store, project.id);
    const actorRole = store.projects.roleOf(project.id, actor.id);
    const current = store.projects.roleOf(project.id, target.id);
    const leaving = role === null && target.id === actor.id && current !== null;
    if (!leaving && !can(actor.isAdmin, actorRole, 'project.members')) {
      throw forbidden('Only owners and delegates of this project can change its members.');
    }
    if (current === role) return false;
    if (role === null && current === null) throw new PorticoError('E_USER_NOT_FOUND', 404, `${target.username} is not a member of this project.`);
    if (!actor.isAdmin && actorRole === 'delegate') {
      if (current === 'owner') throw forbidden('A delegate cannot remove or change an owner.');
      if (role === 'owner') throw forbidden('A delegate cannot make anyone an owner.');
    }
    if (current === 'owner' && role !== 'owner' && store.projects.ownerCount(project.id) <= 1) {
      throw conflict('The last owner cannot leave or be demoted. Make someone else owner first.');
    }
    if (role === null) store.projects.removeMember(project.id, target.id);
    else store.projects.setRole(project.id, target.id, role);
    return true;
  });
}
