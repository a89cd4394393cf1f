/**
 * helpers.ts: test fixtures for session sharing. An instance is a container row with an owner
 * (migration 11); until the app platform makes them, a test makes one from a project container.
 */
import type { TestGateway } from '../helpers/gateway.ts';

/** makeInstance gives container `uuid` an owner, which makes it a per-user instance for sharing. */
export function makeInstance(gw: TestGateway, uuid: string, ownerId: number): void {
  gw.core.store.db.prepare('UPDATE containers SET owner_user_id = ? WHERE uuid = ?').run(ownerId, uuid);
}
