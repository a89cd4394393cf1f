/**
 * pages.test.ts: the API tokens page, the Members page and the site-admin pages over HTTP,
 * including the read-only switch from the UI and from the CLI.
 */
import t from 'tap';
import { startGateway } from '../helpers/gateway.ts';
import { createWebClient } from '../helpers/web.ts';
import { hashSecret } from '../../gateway/core/auth/tokens.ts';
import { execFileSync } from 'node:child_process';

t.test('API tokens: create (shown once, stored hashed), use, list, expire, delete', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { user } = await gw.user('tina', { password: 'tina-password', project, role: 'guest' });
  const web = createWebClient(gw.base);
  await web.login('tina', 'tina-password');
  const csrf = await web.csrf();

  const created = await web.request('POST', '/tokens', { form: { csrf_token: csrf, name: 'CI <pipeline>', expires: '' } });
  t.equal(created.status, 201);
  const token = /class="token-once" readonly value="([^"]+)"/.exec(created.text)![1];
  t.match(created.text, /CI &lt;pipeline&gt;/, 'name escaped');
  t.match(created.text, /shown only once/);
  const stored = gw.core.store.db.prepare('SELECT token_hash FROM api_tokens WHERE name = ?').get('CI <pipeline>') as { token_hash: string };
  t.equal(stored.token_hash, hashSecret(token), 'only the hash is stored');
  t.notOk(JSON.stringify(gw.core.store.db.prepare('SELECT * FROM api_tokens').all()).includes(token), 'the token itself is nowhere in the table');

  t.equal((await gw.api('GET', `/containers/api/${project}`, token)).status, 200, 'the new token works on the API');
  const list = await web.request('GET', '/tokens');
  t.notOk(list.text.includes(token), 'the list never shows the token again');
  t.match(list.text, new RegExp(`<code>${token.slice(0, 6)}…</code>`), 'only its first characters');
  const D = (label: string) => `<td data-label="${label}">20\\d\\d-\\d\\d-\\d\\d \\d\\d:\\d\\d</td>`;
  t.match(list.text, new RegExp(`<td class="card-title"><strong>CI &lt;pipeline&gt;</strong></td>\\s*<td data-label="Starts with"><code>\\S+</code></td>\\s*${D('Created')}\\s*${D('Last used')}\\s*<td data-label="Expires"><span class="none">never</span></td>`), 'name, prefix, created, last used (it was used), no expiry');

  const future = new Date(Date.now() + 86_400_000 * 3).toISOString().slice(0, 10);
  const exp = await web.request('POST', '/tokens', { form: { csrf_token: csrf, name: 'short-lived', expires: future } });
  const shortToken = /class="token-once" readonly value="([^"]+)"/.exec(exp.text)![1];
  t.match(exp.text, new RegExp(`<td data-label="Expires">${future}</td>`), 'expiry listed');
  gw.core.store.db.prepare('UPDATE api_tokens SET expires_at = ? WHERE name = ?').run(new Date(Date.now() - 1000).toISOString(), 'short-lived');
  t.equal((await gw.api('GET', `/containers/api/${project}`, shortToken)).status, 401, 'an expired token is refused');
  t.match((await web.request('GET', '/tokens')).text, /expired<\/span>/);

  const bad = await web.request('POST', '/tokens', { form: { csrf_token: csrf, name: '', expires: '2001-01-01' } });
  t.equal(bad.status, 400);
  t.match(bad.text, /Give the token a name/);

  const ids = gw.core.store.users.tokensOf(user.id).filter((x) => x.name === 'CI <pipeline>').map((x) => x.id);
  const other = await gw.user('ulf', { password: 'ulf-password' });
  const ulf = createWebClient(gw.base);
  await ulf.login('ulf', 'ulf-password');
  const stolen = await ulf.request('POST', `/tokens/${ids[0]}/delete`, { form: { csrf_token: await ulf.csrf() } });
  t.equal(stolen.status, 404, "another user cannot delete tina's token");
  t.ok(other);
  const ask = await web.request('POST', `/tokens/${ids[0]}/delete`, { form: { csrf_token: csrf } });
  t.equal(ask.status, 200, 'without confirm=yes (no JavaScript): the confirm page');
  t.match(ask.text, /Delete the API token CI &lt;pipeline&gt;\?[\s\S]*name="confirm" value="yes"/, 'it names the token and posts again with confirm=yes');
  t.equal(gw.core.store.users.tokensOf(user.id).filter((x) => x.id === ids[0]).length, 1, 'nothing deleted yet');
  const del = await web.request('POST', `/tokens/${ids[0]}/delete`, { form: { csrf_token: csrf, confirm: 'yes' } });
  t.equal(del.status, 303);
  t.equal((await gw.api('GET', `/containers/api/${project}`, token)).status, 401, 'a deleted token stops working');
});

t.test('Members page: who sees, who changes, and the owner rules', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project('Members <test>');
  for (const [name, role] of [['olga', 'owner'], ['dora', 'delegate'], ['cody', 'contributor'], ['gus', 'guest']] as const) {
    await gw.user(name, { password: `${name}-password`, project, role });
  }
  await gw.user('nina', { password: 'nina-password' });
  await gw.user('newbie', { password: 'newbie-password' });
  const as = async (name: string) => { const w = createWebClient(gw.base); await w.login(name, `${name}-password`); return { w, csrf: await w.csrf() }; };
  const uuidOf = (name: string) => gw.core.store.users.byUsername(name)!.uuid;
  const url = `/projects/${project}/members`;

  const nina = await as('nina');
  t.equal((await nina.w.request('GET', url)).status, 404, 'a non-member learns nothing');
  t.equal((await nina.w.request('POST', url, { form: { csrf_token: nina.csrf, username: 'nina', role: 'owner' } })).status, 404, 'and cannot add themselves');

  const gus = await as('gus');
  const seen = await gus.w.request('GET', url);
  t.equal(seen.status, 200, 'a guest sees the members');
  t.match(seen.text, /Members &lt;test&gt;/);
  t.notMatch(seen.text, /Add a member/, 'but no add form');
  const gAdd = await gus.w.request('POST', url, { form: { csrf_token: gus.csrf, username: 'newbie', role: 'guest' } });
  t.equal(gAdd.status, 403, 'a guest cannot add');

  const dora = await as('dora');
  const page = await dora.w.request('GET', url);
  t.notMatch(page.text, /<option value="owner"/, 'a delegate is not offered the owner role');
  t.equal((await dora.w.request('POST', url, { form: { csrf_token: dora.csrf, username: 'newbie', role: 'contributor' } })).status, 303, 'a delegate adds a contributor');
  t.equal(gw.core.store.projects.roleOf(gw.core.store.projects.byUuid(project)!.id, gw.core.store.users.byUsername('newbie')!.id), 'contributor');
  const demoteOwner = await dora.w.request('POST', `${url}/${uuidOf('olga')}/role`, { form: { csrf_token: dora.csrf, role: 'guest' } });
  t.equal(demoteOwner.status, 400);
  t.match(demoteOwner.text, /The owner changes only by an ownership transfer/);
  t.equal((await dora.w.request('POST', `${url}/${uuidOf('olga')}/remove`, { form: { csrf_token: dora.csrf } })).status, 400, 'nor remove one (refused at once, no confirm step)');
  t.equal((await dora.w.request('POST', `${url}/${uuidOf('cody')}/role`, { form: { csrf_token: dora.csrf, role: 'owner' } })).status, 400, 'nor make one');
  t.equal((await dora.w.request('POST', `${url}/${uuidOf('cody')}/role`, { form: { csrf_token: dora.csrf, role: 'delegate' } })).status, 403, 'nor give the delegate role (the owner does)');
  t.equal((await dora.w.request('POST', url, { form: { csrf_token: dora.csrf, username: 'ghost', role: 'guest' } })).status, 400, 'unknown user: 400');
  t.equal((await dora.w.request('POST', url, { form: { csrf_token: dora.csrf, username: 'gus', role: 'guest' } })).status, 409, 'already a member: 409');
  t.equal((await dora.w.request('POST', url, { form: { csrf_token: dora.csrf, username: 'nina', role: 'wizard' } })).status, 400, 'bad role: 400');

  const olga = await as('olga');
  const lastOwner = await olga.w.request('POST', `${url}/${uuidOf('olga')}/remove`, { form: { csrf_token: olga.csrf } });
  t.equal(lastOwner.status, 400, 'the owner cannot leave');
  t.match(lastOwner.text, /The owner cannot leave the project/);
  t.equal((await olga.w.request('POST', `${url}/${uuidOf('olga')}/role`, { form: { csrf_token: olga.csrf, role: 'delegate' } })).status, 400, 'nor be demoted');
  t.equal((await olga.w.request('POST', `${url}/${uuidOf('dora')}/role`, { form: { csrf_token: olga.csrf, role: 'owner' } })).status, 400, 'nor make a second owner');
  t.match((await olga.w.request('GET', url)).text, /Transfer ownership/, 'the owner is offered the transfer');
  t.equal((await olga.w.request('POST', `${url}/transfer`, { form: { csrf_token: olga.csrf, user: uuidOf('dora'), old_role: 'guest' } })).status, 303, 'the owner transfers the ownership');
  t.equal((await olga.w.request('POST', `${url}/${uuidOf('olga')}/remove`, { form: { csrf_token: olga.csrf, confirm: 'yes' } })).headers.get('location'), '/', 'now olga may leave, and is sent home');
  t.equal((await olga.w.request('GET', url)).status, 404, 'and no longer sees the project');

  const gAsk = await gus.w.request('POST', `${url}/${uuidOf('gus')}/remove`, { form: { csrf_token: gus.csrf } });
  t.equal(gAsk.status, 200, 'leaving without confirm=yes: the confirm page');
  t.match(gAsk.text, /Leave the project/);
  t.ok(gw.core.store.projects.roleOf(gw.core.store.projects.byUuid(project)!.id, gw.core.store.users.byUsername('gus')!.id), 'still a member');
  const gLeave = await gus.w.request('POST', `${url}/${uuidOf('gus')}/remove`, { form: { csrf_token: gus.csrf, confirm: 'yes' } });
  t.equal(gLeave.status, 303, 'a guest may leave');
});

t.test('site admin pages: users, projects, read-only mode from the UI and the CLI', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  await gw.user('root', { password: 'root-password', admin: true });
  const { token: userToken } = await gw.user('uma', { password: 'uma-password', project, role: 'contributor' });
  const admin = createWebClient(gw.base);
  await admin.login('root', 'root-password');
  const csrf = await admin.csrf('/admin');
  const uma = createWebClient(gw.base);
  await uma.login('uma', 'uma-password');
  const umaCsrf = await uma.csrf();

  for (const path of ['/admin', '/admin/users', '/admin/projects']) {
    t.equal((await uma.request('GET', path)).status, 403, `${path}: not for non-admins`);
    t.equal((await admin.request('GET', path)).status, 200, `${path}: admins`);
  }
  t.equal((await uma.request('POST', '/admin/users', { form: { csrf_token: umaCsrf, username: 'x1' } })).status, 403);

  const made = await admin.request('POST', '/admin/users', { form: { csrf_token: csrf, username: 'vic', name: 'Vic <V>', email: 'vic@example.org', password: '' } });
  t.equal(made.status, 201);
  const generated = /Generated password \(shown once\): <code class="token-once">([^<]+)<\/code>/.exec(made.text)![1];
  t.equal((await createWebClient(gw.base).login('vic', generated)).status, 303, 'the generated password works');
  t.equal((await admin.request('POST', '/admin/users', { form: { csrf_token: csrf, username: 'vic' } })).status, 409, 'duplicate name');
  t.equal((await admin.request('POST', '/admin/users', { form: { csrf_token: csrf, username: '../x' } })).status, 400, 'bad name');

  const vic = gw.core.store.users.byUsername('vic')!;
  const vicWeb = createWebClient(gw.base);
  await vicWeb.login('vic', generated);
  t.equal((await admin.request('POST', `/admin/users/${vic.uuid}/active`, { form: { csrf_token: csrf, active: 'off' } })).status, 303);
  t.equal((await vicWeb.request('GET', '/tokens')).status, 303, 'deactivation ends the sessions');
  t.equal((await createWebClient(gw.base).login('vic', generated)).status, 403, 'and blocks login');
  const self = gw.core.store.users.byUsername('root')!;
  t.equal((await admin.request('POST', `/admin/users/${self.uuid}/admin`, { form: { csrf_token: csrf, admin: 'off' } })).status, 403, 'no self-demotion');

  const newProject = await admin.request('POST', '/admin/projects', { form: { csrf_token: csrf, title: 'Fresh', description: '', owner: 'uma' } });
  t.equal(newProject.status, 303);
  const fresh = gw.core.store.projects.all().find((p) => p.title === 'Fresh')!;
  t.equal(gw.core.store.projects.roleOf(fresh.id, gw.core.store.users.byUsername('uma')!.id), 'owner', 'created with its owner');
  t.equal((await admin.request('POST', '/admin/projects', { form: { csrf_token: csrf, title: 'No owner', owner: '' } })).status, 400);

  // Read-only from the UI.
  t.equal((await uma.request('POST', '/admin/read-only', { form: { csrf_token: umaCsrf, read_only: 'on' } })).status, 403, 'only admins switch it');
  t.equal((await admin.request('POST', '/admin/read-only', { form: { csrf_token: csrf, read_only: 'on' } })).status, 303);
  t.match((await uma.request('GET', '/tokens')).text, /The site is in read-only mode/, 'everyone sees the banner');
  const refused = await gw.api('POST', `/containers/api/create/${project}`, userToken, { title: 'ro', repository: 'portico-test/httpd', tag: '1' });
  t.equal(refused.status, 403);
  t.equal(refused.body.code, 'E_READ_ONLY', 'non-admin writes are refused');
  const { token: adminToken } = await gw.user('root2', { admin: true });
  const allowed = await gw.api('POST', `/containers/api/create/${project}`, adminToken, { title: 'ro', repository: 'portico-test/httpd', tag: '1' });
  t.equal(allowed.status, 201, 'admins still change things');
  const member = await uma.request('POST', `/projects/${fresh.uuid}/members`, { form: { csrf_token: umaCsrf, username: 'root', role: 'guest' } });
  t.equal(member.status, 403, 'member changes refused too');
  t.match(member.text, /read-only mode/);
  t.equal((await uma.request('POST', '/tokens', { form: { csrf_token: umaCsrf, name: 'still possible' } })).status, 201, 'personal credentials can still be managed');

  // The CLI, another process on the same database; the running gateway follows at once.
  const cli = (...args: string[]) => execFileSync(process.execPath, ['gateway/cli.ts', 'site', 'read-only', ...args],
    { env: { PATH: process.env.PATH, PORTICO_DATA_DIR: gw.config.dataDir }, encoding: 'utf8' });
  t.equal(cli(), 'on\n', 'CLI shows the state');
  t.equal(cli('off'), 'off\n');
  const again = await gw.api('POST', `/containers/api/create/${project}`, userToken, { title: 'rw', repository: 'portico-test/httpd', tag: '1' });
  t.equal(again.status, 201, 'writable again without a restart');
  t.equal(cli('on'), 'on\n');
  t.equal((await gw.api('POST', `/containers/api/create/${project}`, userToken, { title: 'rw2', repository: 'portico-test/httpd', tag: '1' })).body.code, 'E_READ_ONLY', 'and read-only again');
  t.throws(() => cli('maybe'), 'bad argument: usage error');
});
