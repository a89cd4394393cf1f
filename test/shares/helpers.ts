/**
 * helpers.ts: test fixtures for session sharing. An instance is a container row with an owner
 * (migration 11); until the app platform makes them, a test makes one from a project container.
 */
import type { TestGateway } from '../helpers/gateway.ts';
import { createContainer, startContainer } from '../proxy/helpers.ts';

/** makeInstance gives container `uuid` an owner, which makes it a per-user instance for sharing. */
export function makeInstance(gw: TestGateway, uuid: string, ownerId: number): void {
  gw.core.store.db.prepare('UPDATE containers SET owner_user_id = ? WHERE uuid = ?').run(ownerId, uuid);
}

/**
 * aliceInstance is the sharing tests' common start: a site admin (root), alice and bob, and a
 * container made with `fields` (an image and any settings) that is alice's instance, started
 * unless `start` is false. Alice is no member of its project: only ownership lets her in.
 */
export async function aliceInstance(gw: TestGateway, fields: Record<string, unknown>, { start = true } = {}) {
  const { token: admin } = await gw.user('root', { admin: true });
  const alice = await gw.user('alice');
  const bob = await gw.user('bob');
  const uuid = await createContainer(gw, admin, gw.project(), fields);
  makeInstance(gw, uuid, alice.user.id);
  if (start) await startContainer(gw, admin, uuid);
  return { admin, alice, bob, uuid };
}
