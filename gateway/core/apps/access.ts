/**
 * access.ts (apps): who holds which role on a container, instances included. A per-user app
 * instance belongs to its owner, who gets owner-like rights on it (open, stop, delete, log; its
 * settings come from the catalogue, so never edit); site admins are handled by the callers; everyone
 * else has no role and sees 404. Sharing (issue 16 item 4) extends `instanceRole` here, so the REST
 * API, the UI, the HTTP proxy and the WebSocket proxy all follow it.
 */
import type { Store } from '../store/index.ts';
import type { Container, Role } from '../types.ts';

/** InstanceKey is what the role rules need of a container (a Container or a proxy Route). */
export type InstanceKey = Pick<Container, 'id' | 'projectId' | 'ownerUserId' | 'appId' | 'publicSession'>;

/** isInstance tells a per-user app instance from a project container. */
export function isInstance(c: Pick<Container, 'ownerUserId' | 'appId' | 'publicSession'>): boolean {
  return c.ownerUserId !== null || c.appId !== null || c.publicSession !== null;
}

/** instanceRole is `userId`'s role on instance `c`: 'owner' for its owner, else none. */
export function instanceRole(_store: Store, c: InstanceKey, userId: number): Role | null {
  return c.ownerUserId === userId ? 'owner' : null;
}

/** containerRole is `userId`'s role on any container: the project role, or the instance role for an instance. */
export function containerRole(store: Store, c: InstanceKey, userId: number): Role | null {
  return isInstance(c) ? instanceRole(store, c, userId) : store.projects.roleOf(c.projectId, userId);
}
