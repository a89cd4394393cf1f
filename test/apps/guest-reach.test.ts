/**
 * guest-reach.test.ts: what a public app's visitor (docs/apps.md, "Public apps") can reach. The guest
 * is a real user with a real session so the proxy's owner rule works for their instance. Regression:
 * that session also opened every UI page (home, API tokens, My apps, the instance's own page), the
 * REST API (it could mint itself a token), and the guest was a person in the user lists and could
 * be made a project member or invited to share an instance; its log lines named the throwaway
 * user. Now the guest reaches their instance and nothing else, is in no list, and logs as "guest".
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import t from 'tap';
import { createStore } from '../../gateway/core/store/index.ts';
import { MIGRATIONS } from '../../gateway/core/store/migrations.ts';
import { startGateway } from '../helpers/gateway.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { buildAppImage, removeImage } from './images.ts';
import { createContainer, call } from '../proxy/helpers.ts';
import { makeInstance } from '../shares/helpers.ts';

const S = 'eu.simphony-project.docker.';

t.test('regression: a public app\'s guest session reaches its instance and nothing else, and is no person', async (t) => {
  const img = buildAppImage({ [S + 'ui_name']: 'Guest reach' });
  const gw = await startGateway();
  const b = await launchBrowser();
  t.teardown(async () => { await b.close(); await gw.close(); removeImage(img); });
  const admin = await gw.user('reach-admin', { admin: true });
  const project = gw.project();
  const olive = await gw.user('olive', { project, role: 'owner' });
  const app = (await gw.api('POST', '/api/apps/scan', admin.token, { image: img })).body.results[0];
  await gw.api('PATCH', `/api/apps/${app.uuid}`, admin.token, { public: true });
  const other = await createContainer(gw, olive.token, project);
  const shared = await createContainer(gw, olive.token, project);
  makeInstance(gw, shared, olive.user.id);

  await b.page.goto(`${gw.base}/apps/public/${app.slug}`);
  await b.page.locator('h1:has-text("portico test app")').waitFor({ timeout: 30_000 });
  t.pass('the visitor reaches the public app');
  const [inst] = gw.core.store.apps.publicInstances();
  const guest = gw.core.store.users.byId(inst.container.ownerUserId!)!;
  t.ok(guest.guest, 'the visitor is a guest user');
  const cookie = (await b.context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
  t.equal((await call(gw, `/containers/proxy/${inst.container.uuid}/`, { headers: { cookie } })).status, 200, 'with that session: their instance answers');

  // In the browser: every page of the UI is the login page for the guest.
  for (const path of ['/', '/tokens', '/apps', '/apps/mine', `/containers/${inst.container.uuid}`, `/projects/${project}/members`]) {
    await b.page.goto(gw.base + path);
    t.match(new URL(b.page.url()).pathname, /^\/login$/, `${path}: the login page, not the page`);
  }
  t.notOk(await b.page.locator('form[action="/logout"], a[href="/tokens"]').count(), 'the login page shows nobody logged in');

  // Without a browser: pages, the API (no token for the guest), other apps.
  for (const path of ['/', '/tokens', `/containers/${inst.container.uuid}/log.txt`]) {
    const r = await fetch(gw.base + path, { headers: { cookie, accept: 'text/html' }, redirect: 'manual' });
    t.equal(r.status, 303, `${path}: sent to log in`);
  }
  for (const path of ['/api/instances', '/project/api/users/current', `/containers/api/logs/${inst.container.uuid}`]) {
    const r = await fetch(gw.base + path, { headers: { cookie, accept: 'application/json' } });
    t.equal(r.status, 401, `${path}: 401`);
    t.equal(((await r.json()) as { code: string }).code, 'E_UNAUTHENTICATED', `${path}: a JSON body that says why`);
  }
  const csrfSession = gw.core.store.db.prepare('SELECT csrf FROM sessions WHERE user_id = ?').get(guest.id) as { csrf: string };
  const mint = await fetch(gw.base + '/tokens', {
    method: 'POST', redirect: 'manual', body: new URLSearchParams({ name: 'mine', csrf_token: csrfSession.csrf }).toString(),
    headers: { cookie, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
  });
  t.equal(mint.status, 303, 'the tokens form, even with the session\'s CSRF token: sent to log in');
  t.equal((gw.core.store.users.tokensOf(guest.id)).length, 0, 'and holds none');
  t.equal((await call(gw, `/containers/proxy/${other}/`, { headers: { cookie } })).status, 404, 'a project container: 404');
  t.equal((await call(gw, `/containers/proxy/${shared}/`, { headers: { cookie } })).status, 404, "another user's instance: 404");

  // No person: not in the user lists, not a member, not invited to share.
  const list = await gw.api('GET', '/project/api/users/list', admin.token);
  t.notOk(JSON.stringify(list.body).includes(guest.username), 'the users list API leaves the guest out');
  const usersPage = await fetch(gw.base + '/admin/users', { headers: { cookie: (await gw.api('POST', '/api/session', admin.token)).headers.get('set-cookie')!.split(';')[0], accept: 'text/html' } });
  t.equal(usersPage.status, 200);
  t.notOk((await usersPage.text()).includes(guest.username), 'the site admin\'s user list leaves the guest out');
  const member = await gw.api('POST', `/project/api/roles/create/${project}`, olive.token, { role: 'project guest', user: guest.uuid });
  t.equal(member.status, 400, 'the guest cannot be made a project member by UUID');
  t.notOk(gw.core.store.projects.roleOf(gw.core.store.projects.byUuid(project)!.id, guest.id), 'and is none');
  const share = await gw.api('POST', `/api/instances/${shared}/shares`, olive.token, { user: guest.username, mode: 'view' });
  t.equal(share.status, 404, 'the guest cannot be invited to share an instance');
  t.equal(share.body.code, 'E_USER_NOT_FOUND');
  const grant = await gw.api('POST', `/api/apps/${app.uuid}/grants`, admin.token, { user: guest.username });
  t.equal(grant.status, 404, 'nor be granted an app');

  // Its log lines say "guest", never the throwaway name.
  const log = gw.core.store.logs.tail(inst.container.id, 200);
  t.ok(log.some((e) => e.user === 'guest' && e.text === 'Starting succeeded'), 'the on-demand start is by guest');
  t.ok(log.some((e) => e.user === 'guest' && /^Created: Guest reach for guest$/.test(e.text)), 'the creation is by guest');
  t.notOk(log.some((e) => e.user.includes(guest.username) || e.text.includes(guest.username)), 'no line names the guest user');
  t.same(b.errors, [], 'no page errors');
});

t.test('the migration that marks guests marks the visitors the app code made, and no person named like one', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-guests-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'old.db');
  const old = new DatabaseSync(file);
  const at = MIGRATIONS.findIndex((m) => m.includes('users ADD COLUMN is_guest'));
  for (const sql of MIGRATIONS.slice(0, at)) old.exec(sql);
  old.exec(`PRAGMA user_version = ${at}`);
  old.exec(`INSERT INTO users (uuid, username, name, password_hash, created_at) VALUES
    ('00000000-0000-4000-8000-000000000001', 'public-0123456789ab', 'Public visitor', NULL, 'x'),
    ('00000000-0000-4000-8000-000000000002', 'public-relations', 'Pat', 'pbkdf2$x', 'x'),
    ('00000000-0000-4000-8000-000000000003', 'public-ldap', 'Lee', NULL, 'x')`);
  old.close();
  const store = createStore(file);
  t.teardown(() => store.close());
  t.ok(store.users.byUuid('00000000-0000-4000-8000-000000000001')?.guest, 'the visitor is a guest');
  t.same(store.users.all().map((u) => [u.username, u.guest]), [['public-ldap', false], ['public-relations', false]], 'people named public-… stay people, listed');
});
