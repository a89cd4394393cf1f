/**
 * audit.test.ts: the audit trail records admin and owner actions across Portico — container actions
 * and settings (field names, never values), memberships and roles, user administration, tokens —
 * each reader sees only what they may (site admins everything, project owners their projects'),
 * the retention job bounds it, and a record never writes on the caller's stack.
 */
import t from 'tap';
import { startGateway, TEST_IMAGE } from '../helpers/gateway.ts';
import { post, session } from '../helpers/ui-http.ts';
import { applyRetention } from '../../gateway/core/scheduler/jobs.ts';
import { loadConfig } from '../../gateway/core/config.ts';

t.test('container, project, member, user and token actions are in the trail, each reader seeing what they may', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const root = await gw.user('root', { admin: true });
  const projectUuid = gw.project('Audited');
  const project = gw.core.store.projects.byUuid(projectUuid)!;
  const owner = await gw.user('olga');
  gw.core.projects.addRole(root.user, project, owner.user, 'owner');
  const dave = await gw.user('dave');
  gw.core.projects.addRole(owner.user, project, dave.user, 'contributor');
  gw.core.projects.changeRole(owner.user, project, dave.user, 'guest');
  gw.core.projects.removeRole(owner.user, project, dave.user);

  const c = gw.core.containers.create(project.id, { title: 'audited app', ...TEST_IMAGE, container_port: 80, environment: { TOKEN: 'hush' } }, 'olga');
  await gw.core.containers.perform(c.id, 'start', 'olga');
  await gw.core.containers.update(c.id, { environment: { TOKEN: 'hush-hush' }, description: 'now described' }, 'olga');
  await gw.core.containers.perform(c.id, 'stop', 'olga');
  await gw.core.containers.perform(c.id, 'stop', 'scheduler', { idle: true });

  const { cookie: rootCookie, csrf } = await session(gw, root.token);
  t.equal((await post(gw, `/admin/users/${dave.user.uuid}/active`, rootCookie, { csrf_token: csrf })).status, 303, 'deactivate dave in the UI');
  t.equal((await post(gw, `/admin/users/${dave.user.uuid}/admin`, rootCookie, { csrf_token: csrf, admin: 'on' })).status, 303, 'make dave a site admin');
  t.equal((await post(gw, '/tokens', rootCookie, { csrf_token: csrf, name: 'ci' })).status, 201, 'create a token');

  const mine = gw.core.audit.list({ viewer: null, limit: 100, offset: 0 });
  const lines = mine.events.map((e) => `${e.actor} ${e.action} ${e.objectTitle}`).reverse();
  for (const want of [
    'root member.add Audited', 'olga member.add Audited', 'olga member.role Audited', 'olga member.remove Audited',
    'olga container.create audited app', 'olga container.start audited app', 'olga container.update audited app',
    'olga container.stop audited app', 'root user.deactivate dave', 'root user.admin dave', 'root token.create ci',
  ]) t.ok(lines.includes(want), `the trail has "${want}"`);
  t.notOk(lines.some((l) => l.startsWith('scheduler ')), 'the idle rule\'s stop is nobody\'s action');
  const update = mine.events.find((e) => e.action === 'container.update')!;
  t.same(update.detail.fields, ['description', 'environment'], 'an update names the fields it changed');
  t.notOk(JSON.stringify(mine.events).includes('hush'), 'and no value (environments hold secrets)');
  t.equal(mine.events.find((e) => e.action === 'member.role')!.detail.role, 'guest');
  t.equal(update.actorUserId, owner.user.id, 'the actor\'s user id is resolved');

  const asOwner = await gw.api('GET', '/api/audit', owner.token);
  t.ok(asOwner.body.results.length > 0 && asOwner.body.results.every((e: any) => e.project === projectUuid), 'a project owner reads their project\'s events only');
  t.notOk(asOwner.body.results.some((e: any) => e.action.startsWith('user.')), 'not the site\'s user administration');
  const someone = await gw.user('someone');
  t.same((await gw.api('GET', '/api/audit', someone.token)).body.results, [], 'a user who owns nothing reads nothing');
  const paged = await gw.api('GET', '/api/audit?page_size=2&page=2&object_type=container', root.token);
  t.equal(paged.body.results.length, 2, 'pages');
  t.equal(paged.body.count, mine.events.filter((e) => e.objectType === 'container').length, 'count is of the filtered events');
  t.same((await gw.api('GET', '/api/audit?actor=olga&action=member.', root.token)).body.results.map((e: any) => e.action).sort(), ['member.add', 'member.remove', 'member.role'], 'actor and action-prefix filters');

  const { cookie: ownerCookie } = await session(gw, owner.token);
  const htmlPage = await fetch(`${gw.base}/audit?action=container.`, { headers: { cookie: ownerCookie, accept: 'text/html' } });
  const html = await htmlPage.text();
  t.equal(htmlPage.status, 200, 'the audit page');
  t.match(html, /data-action="container.stop"/);
  t.notMatch(html, /data-action="member.add"/, 'filtered');
});

t.test('a record is written after the caller returns; the retention job drops events older than PORTICO_AUDIT_RETENTION_DAYS', async (t) => {
  const gw = await startGateway({ PORTICO_AUDIT_RETENTION_DAYS: '30' });
  t.teardown(() => gw.close());
  const count = () => (gw.core.store.db.prepare('SELECT COUNT(*) AS n FROM audit_events').get() as { n: number }).n;
  gw.core.audit.record({ actor: 'x', action: 'site.test', object: { type: 'site' } });
  t.equal(count(), 0, 'nothing written on the caller\'s stack');
  await new Promise((r) => setImmediate(r));
  t.equal(count(), 1, 'written on the next turn');
  gw.core.store.audit.insertMany([{ at: new Date(Date.now() - 40 * 86_400_000).toISOString(), actor: 'old', actorUserId: null, action: 'site.test', objectType: 'site', objectUuid: '', objectTitle: '', projectId: null, containerId: null, ownerUserId: null, detail: {} }]);
  t.equal(count(), 2);
  t.match(String(applyRetention(gw.core)), /1 audit event/, 'the retention job says what it dropped');
  t.equal(count(), 1, 'the old event is gone, the new one kept');
  t.throws(() => loadConfig({ PORTICO_DATA_DIR: '/tmp/unused', PORTICO_AUDIT_RETENTION_DAYS: '0' }), /PORTICO_AUDIT_RETENTION_DAYS must be between 1 and 36500/, 'a bad setting is refused with a precise message');
});
