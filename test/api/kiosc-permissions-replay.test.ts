/**
 * kiosc-permissions-replay.test.ts: Kiosc's API permission tests
 * (containers/tests/test_permissions_api.py, Kiosc v0.5) replayed against Portico: every endpoint ×
 * every user of SODAR's ProjectAPIPermissionTestBase, with Kiosc's media type and version and a
 * token (Knox in Kiosc), the anonymous user without. Kiosc's status codes are expected, with the
 * one allowed difference: a user without a role in the project (no roles, or a finder in the
 * parent category: Portico has no categories) gets 404 where Kiosc says 403, so a non-member
 * learns nothing about a project.
 */
import t from 'tap';
import type { Test } from 'tap';
import { startGateway } from '../helpers/gateway.ts';
import type { TestGateway } from '../helpers/gateway.ts';
import { containerFactory, kioscCall } from '../helpers/kiosc.ts';
import type { Role } from '../../gateway/core/types.ts';

type User = 'superuser' | 'owner' | 'delegate' | 'contributor' | 'guest' | 'no_roles' | 'finder_cat' | 'anonymous';
const NON_MEMBERS: ReadonlySet<User> = new Set(['no_roles', 'finder_cat']);

/** porticoStatus is Kiosc's expected status, but 404 for a non-member where Kiosc says 403. */
const porticoStatus = (kiosc: number, who: User) => (kiosc === 403 && NON_MEMBERS.has(who) ? 404 : kiosc);

async function setUp(t: Test) {
  const gw = await startGateway({ SODAR_API_PAGE_SIZE: '1' });
  t.teardown(() => gw.close());
  const project = gw.project('TestProject');
  const category = gw.project('TestCategory'); // the finder's role is elsewhere, as a category role is in Kiosc
  const tokens = new Map<User, string | null>([['anonymous', null]]);
  tokens.set('superuser', (await gw.user('superuser', { admin: true })).token);
  for (const role of ['owner', 'delegate', 'contributor', 'guest'] as Role[]) tokens.set(role as User, (await gw.user(`user_${role}`, { project, role })).token);
  tokens.set('no_roles', (await gw.user('user_no_roles')).token);
  tokens.set('finder_cat', (await gw.user('user_finder_cat', { project: category, role: 'guest' })).token);
  return { gw, project, tokens };
}

/** assertResponseApi is SODAR's assert_response_api: each user in turn, then the cleanup after a request. */
async function assertResponseApi(
  t: Test, gw: TestGateway, tokens: Map<User, string | null>, url: string, users: User[], kioscStatus: number,
  opts: { method?: string; data?: unknown; cleanup?: () => void } = {},
) {
  for (const who of users) {
    const r = await kioscCall(gw, opts.method ?? 'GET', url, tokens.get(who)!, opts.data);
    const want = porticoStatus(kioscStatus, who);
    t.equal(r.status, want, `user=${who}: ${want}${want !== kioscStatus ? ` (Kiosc: ${kioscStatus})` : ''}; content=${JSON.stringify(r.body).slice(0, 200)}`);
    if (opts.cleanup) opts.cleanup();
  }
}

const GOOD_VIEW: User[] = ['superuser', 'owner', 'delegate', 'contributor', 'guest'];
const BAD_VIEW: User[] = ['no_roles', 'finder_cat'];
const GOOD_CHANGE: User[] = ['superuser', 'owner', 'delegate', 'contributor'];
const BAD_CHANGE: User[] = ['guest', 'no_roles', 'finder_cat'];

t.test('TestContainerAPIPermissions', async (t) => {
  t.test('TestContainerAPIPermissions.test_container_list', async (t) => {
    const { gw, project, tokens } = await setUp(t);
    containerFactory(gw, project);
    const url = `/containers/api/${project}`;
    await assertResponseApi(t, gw, tokens, url, GOOD_VIEW, 200);
    await assertResponseApi(t, gw, tokens, url, BAD_VIEW, 403);
    await assertResponseApi(t, gw, tokens, url, ['anonymous'], 401);
  });

  t.test('TestContainerAPIPermissions.test_container_create', async (t) => {
    const { gw, project, tokens } = await setUp(t);
    containerFactory(gw, project);
    const projectId = gw.core.store.projects.byUuid(project)!.id;
    const cleanup = () => {
      const newest = gw.core.store.containers.list({ projectId, limit: 1, offset: 0 }).results[0];
      gw.core.store.containers.remove(newest.id);
    };
    const url = `/containers/api/create/${project}`;
    const data = { title: 'title', repository: 'repository', tag: 'tag' };
    await assertResponseApi(t, gw, tokens, url, GOOD_CHANGE, 201, { method: 'POST', data, cleanup });
    await assertResponseApi(t, gw, tokens, url, BAD_CHANGE, 403, { method: 'POST', data });
    await assertResponseApi(t, gw, tokens, url, ['anonymous'], 401, { method: 'POST', data });
    t.equal(gw.core.store.containers.list({ projectId, limit: 10, offset: 0 }).count, 1, 'only the factory container is left: refused creates made nothing');
  });

  t.test('TestContainerAPIPermissions.test_container_detail', async (t) => {
    const { gw, project, tokens } = await setUp(t);
    const c = containerFactory(gw, project);
    const url = `/containers/api/detail/${c.uuid}`;
    await assertResponseApi(t, gw, tokens, url, GOOD_VIEW, 200);
    await assertResponseApi(t, gw, tokens, url, BAD_VIEW, 403);
    await assertResponseApi(t, gw, tokens, url, ['anonymous'], 401);
  });

  t.test('TestContainerAPIPermissions.test_container_delete', async (t) => {
    const { gw, project, tokens } = await setUp(t);
    const c = containerFactory(gw, project);
    const uuid = c.uuid;
    // Kiosc's cleanup makes a container with the same UUID again (the factory may set it; here the record is given it).
    const cleanup = () => {
      const again = containerFactory(gw, project);
      gw.core.store.db.prepare('UPDATE containers SET uuid = ? WHERE id = ?').run(uuid, again.id);
    };
    const url = `/containers/api/delete/${uuid}`;
    await assertResponseApi(t, gw, tokens, url, GOOD_CHANGE, 204, { method: 'DELETE', cleanup });
    await assertResponseApi(t, gw, tokens, url, BAD_CHANGE, 403, { method: 'DELETE' });
    await assertResponseApi(t, gw, tokens, url, ['anonymous'], 401, { method: 'DELETE' });
    t.ok(gw.core.store.containers.byUuid(uuid), 'refused deletes left the container');
  });

  for (const action of ['start', 'stop'] as const) {
    t.test(`TestContainerAPIPermissions.test_container_${action}`, async (t) => {
      const { gw, project, tokens } = await setUp(t);
      const c = containerFactory(gw, project);
      const url = `/containers/api/${action}/${c.uuid}`;
      await assertResponseApi(t, gw, tokens, url, GOOD_CHANGE, 200);
      await assertResponseApi(t, gw, tokens, url, BAD_CHANGE, 403);
      await assertResponseApi(t, gw, tokens, url, ['anonymous'], 401);
      // mock.assert_called(): the job was submitted (by an allowed user only).
      const jobs = gw.core.store.db.prepare('SELECT DISTINCT user FROM jobs WHERE container_id = ? AND action = ?').all(c.id, action) as Array<{ user: string }>;
      t.ok(jobs.length > 0, `${action} jobs were submitted`);
      t.ok(jobs.every((j) => ['superuser', 'user_owner', 'user_delegate', 'user_contributor'].includes(j.user)), 'only by allowed users');
    });
  }
});
