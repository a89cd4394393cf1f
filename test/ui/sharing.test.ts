/**
 * sharing.test.ts: onboarding and sharing over real sockets, without a browser: who may create a
 * project (PORTICO_PROJECT_CREATORS), invitations (hashed at rest, once, expiring, roles and
 * CSRF), password reset links, branding (checked images served with safe headers), the home
 * page's cards, and the login page's context (no container title for anonymous visitors).
 */
import t from 'tap';
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { startGateway, TEST_IMAGE } from '../helpers/gateway.ts';
import type { TestGateway } from '../helpers/gateway.ts';
import { page, post, session } from '../helpers/ui-http.ts';
import { loadConfig } from '../../gateway/core/config.ts';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4f00000000049454e44ae426082', 'hex');

/** loginForm opens an anonymous form page and returns its login-CSRF cookie and token. */
async function loginForm(gw: TestGateway, path: string): Promise<{ cookie: string; csrf: string; text: string; status: number }> {
  const r = await page(gw, path, null);
  const cookie = (r.headers.get('set-cookie') ?? '').split(';')[0];
  const csrf = /name="csrf_token" value="([^"]+)"/.exec(r.text)?.[1] ?? '';
  return { cookie, csrf, text: r.text, status: r.status };
}

/** navigate GETs `path` as a browser navigation (Sec-Fetch-Mode: navigate, which fetch cannot send), optionally to another Host. */
function navigate(gw: TestGateway, path: string, cookie: string | null, host?: string): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { accept: 'text/html', 'sec-fetch-mode': 'navigate', ...(cookie ? { cookie } : {}), ...(host ? { host } : {}) };
    const req = httpRequest({ host: '127.0.0.1', port: gw.port, path, headers }, (res) => {
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function invite(gw: TestGateway, project: string, s: { cookie: string; csrf: string }, fields: Record<string, string>) {
  const r = await post(gw, `/projects/${project}/invitations`, s.cookie, { csrf_token: s.csrf, role: 'guest', container: '', ...fields });
  const token = /\/invite\/([A-Za-z0-9_-]{43})"/.exec(r.text)?.[1] ?? null;
  return { ...r, token };
}

t.test('PORTICO_PROJECT_CREATORS: every user by default, site admins only when set; a bad value names the setting', async (t) => {
  t.equal(loadConfig({}).projectCreators, 'all');
  t.throws(() => loadConfig({ PORTICO_PROJECT_CREATORS: 'everyone' }), /PORTICO_PROJECT_CREATORS must be one of all, admins, got "everyone"/);
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const { token } = await gw.user('una');
  const s = await session(gw, token);
  const home = await page(gw, '/', s.cookie);
  t.match(home.text, /href="\/new-project"/, 'the home page offers "Create project"');
  const r = await post(gw, '/new-project', s.cookie, { csrf_token: s.csrf, title: 'Una\'s project', description: 'Mine' });
  t.equal(r.status, 303);
  const uuid = /\/projects\/([0-9a-f-]{36})\/containers/.exec(r.headers.get('location') ?? '')?.[1];
  const p = gw.core.store.projects.byUuid(uuid ?? '')!;
  t.equal(gw.core.store.projects.roleOf(p.id, gw.core.store.users.byUsername('una')!.id), 'owner', 'the creator is the owner');
  const dup = await post(gw, '/new-project', s.cookie, { csrf_token: s.csrf, title: 'Una\'s project' });
  t.equal(dup.status, 400, 'a taken title: the form again, with the reason');
  t.match(dup.text, /already exists/);
  const noCsrf = await post(gw, '/new-project', s.cookie, { title: 'x' });
  t.equal(noCsrf.status, 403, 'CSRF is checked');

  const gw2 = await startGateway({ PORTICO_PROJECT_CREATORS: 'admins' });
  t.teardown(() => gw2.close());
  const { token: t2 } = await gw2.user('una');
  const s2 = await session(gw2, t2);
  t.notMatch((await page(gw2, '/', s2.cookie)).text, /href="\/new-project"/, 'admins only: no "Create project" for others');
  t.match((await page(gw2, '/', s2.cookie)).text, /Ask a project owner/);
  t.equal((await post(gw2, '/new-project', s2.cookie, { csrf_token: s2.csrf, title: 'x' })).status, 403, 'and the POST is refused');
  t.equal(gw2.core.store.projects.all().length, 0);
});

t.test('invitations: only a hash is stored; once; expiring; roles; an invitation by user name is that user\'s', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project('Atlas');
  const { token: ownerT } = await gw.user('olive', { project, role: 'owner' });
  const { token: delegateT } = await gw.user('dele', { project, role: 'delegate' });
  const { token: guestT } = await gw.user('gus', { project, role: 'guest' });
  const { token: eveT } = await gw.user('eve');
  const o = await session(gw, ownerT);

  const made = await invite(gw, project, o, { invitee: 'carol@example.org', role: 'contributor' });
  t.equal(made.status, 201);
  t.ok(made.token, 'the page shows the link');
  t.match(made.text, new RegExp(`value="${gw.base}/invite/`), 'absolute, in a selectable field');
  const rows = gw.core.store.db.prepare('SELECT * FROM invitations').all() as Array<Record<string, unknown>>;
  t.equal(rows.length, 1);
  t.equal(rows[0].token_hash, createHash('sha256').update(made.token!).digest('hex'), 'stored as its SHA-256');
  t.notMatch(JSON.stringify(rows), made.token!, 'the token itself is nowhere in the table');

  const g = await session(gw, guestT);
  t.equal((await invite(gw, project, g, { invitee: 'x@example.org' })).status, 403, 'a guest cannot invite');
  const d = await session(gw, delegateT);
  const del = await invite(gw, project, d, { invitee: 'y@example.org', role: 'delegate' });
  t.equal(del.status, 403, 'a delegate cannot invite a delegate');
  const eve = await session(gw, eveT);
  t.equal((await invite(gw, project, eve, { invitee: 'z@example.org' })).status, 404, 'a non-member gets 404');
  t.equal((await invite(gw, project, o, { invitee: '<script>' })).status, 400, 'a malformed invitee: 400');
  t.equal((await invite(gw, project, o, { invitee: 'gus' })).status, 409, 'a member already: 409');

  // The anonymous page names the project (the link is the owner's choice to share it).
  const anon = await loginForm(gw, `/invite/${made.token}`);
  t.equal(anon.status, 200);
  t.match(anon.text, /olive<\/strong> invites you to the project <strong>Atlas/);
  t.match((await page(gw, '/login?next=' + encodeURIComponent(`/invite/${made.token}`), null)).text, /Log in to join Atlas/, 'the login page from the link says where it leads');
  // Signing up needs the form's CSRF token and cookie.
  const noCsrf = await post(gw, `/login/invite/${made.token}`, '', { username: 'carol', password: 'carol-pass-1', repeat: 'carol-pass-1' });
  t.equal(noCsrf.status, 403, 'no CSRF token: refused');
  const short = await post(gw, `/login/invite/${made.token}`, anon.cookie, { csrf_token: anon.csrf, username: 'carol', password: 'short', repeat: 'short' });
  t.equal(short.status, 400, 'a short password: the form again');
  t.equal(gw.core.store.users.byUsername('carol'), null, 'and no account');
  const ok = await post(gw, `/login/invite/${made.token}`, anon.cookie, { csrf_token: anon.csrf, username: 'carol', password: 'carol-pass-1', repeat: 'carol-pass-1' });
  t.equal(ok.status, 303);
  t.equal(ok.headers.get('location'), `/projects/${project}/containers`, 'lands in the project');
  t.match(ok.headers.get('set-cookie') ?? '', /portico_session=/, 'logged in');
  t.equal(gw.core.store.projects.roleOf(gw.core.store.projects.byUuid(project)!.id, gw.core.store.users.byUsername('carol')!.id), 'contributor');
  const again = await page(gw, `/invite/${made.token}`, null);
  t.equal(again.status, 410, 'used: 410');
  t.equal((await page(gw, '/invite/' + 'A'.repeat(43), null)).status, 404, 'unknown: 404');
  t.equal((await page(gw, '/invite/short', null)).status, 404, 'malformed: 404');

  const old = await invite(gw, project, o, { invitee: 'late@example.org' });
  gw.core.store.db.prepare("UPDATE invitations SET expires_at = '2000-01-01T00:00:00.000Z' WHERE token_hash = ?").run(createHash('sha256').update(old.token!).digest('hex'));
  const expired = await page(gw, `/invite/${old.token}`, null);
  t.equal(expired.status, 410, 'expired: 410');
  t.match(expired.text, /expired/);

  // By user name: only that account may accept.
  const forEve = await invite(gw, project, o, { invitee: 'eve' });
  const gusTry = await post(gw, `/invite/${forEve.token}/accept`, g.cookie, { csrf_token: g.csrf });
  t.equal(gusTry.status, 403, 'another account: refused');
  const eveOk = await post(gw, `/invite/${forEve.token}/accept`, eve.cookie, { csrf_token: eve.csrf });
  t.equal(eveOk.status, 303, 'eve accepts');
  t.equal(gw.core.store.projects.roleOf(gw.core.store.projects.byUuid(project)!.id, gw.core.store.users.byUsername('eve')!.id), 'guest');

  // An invitation is worth its inviter's rights when it is used.
  const fromDelegate = await invite(gw, project, d, { invitee: 'fay@example.org' });
  gw.core.store.projects.setRole(gw.core.store.projects.byUuid(project)!.id, gw.core.store.users.byUsername('dele')!.id, 'guest');
  const f = await loginForm(gw, `/invite/${fromDelegate.token}`);
  const refused = await post(gw, `/login/invite/${fromDelegate.token}`, f.cookie, { csrf_token: f.csrf, username: 'fay', password: 'fay-pass-12', repeat: 'fay-pass-12' });
  t.equal(refused.status, 403, 'a delegate who lost the role: the old link adds nobody');

  // Pending invitations are listed for managers and can be revoked.
  const members = await page(gw, `/projects/${project}/members`, o.cookie);
  t.match(members.text, /id="invitations"/);
  const id = /\/invitations\/(\d+)\/revoke/.exec(members.text)![1];
  t.equal((await post(gw, `/projects/${project}/invitations/${id}/revoke`, o.cookie, { csrf_token: o.csrf })).status, 303);
  t.notMatch((await page(gw, `/projects/${project}/members`, g.cookie)).text, /id="invitations"/, 'guests see no invitations');
});

t.test('password reset links: site admins issue them for local users; used once; every session ends', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const { token: adminT } = await gw.user('root', { admin: true });
  const { user: bob, token: bobT } = await gw.user('bob', { password: 'old-password-1' });
  const a = await session(gw, adminT);
  const bobSession = await session(gw, bobT);
  const b = await session(gw, bobT);
  t.equal((await post(gw, `/admin/users/${bob.uuid}/reset-link`, b.cookie, { csrf_token: b.csrf })).status, 403, 'not for non-admins');
  const issued = await post(gw, `/admin/users/${bob.uuid}/reset-link`, a.cookie, { csrf_token: a.csrf });
  t.equal(issued.status, 201);
  const token = /\/reset\/([A-Za-z0-9_-]{43})"/.exec(issued.text)![1];
  const stored = gw.core.store.db.prepare('SELECT token_hash FROM password_resets').all() as Array<{ token_hash: string }>;
  t.same(stored.map((r) => r.token_hash), [createHash('sha256').update(token).digest('hex')], 'only the hash is stored');

  const form = await loginForm(gw, `/reset/${token}`);
  t.match(form.text, /For the user <strong>bob/);
  const differ = await post(gw, `/login/reset/${token}`, form.cookie, { csrf_token: form.csrf, password: 'new-password-1', repeat: 'new-password-2' });
  t.equal(differ.status, 400, 'two different passwords: 400');
  const done = await post(gw, `/login/reset/${token}`, form.cookie, { csrf_token: form.csrf, password: 'new-password-1', repeat: 'new-password-1' });
  t.equal(done.status, 303);
  t.match(done.headers.get('location'), /^\/login\?reset=1&user=bob$/);
  t.match((await page(gw, done.headers.get('location')!, null)).text, /Your password is set/);
  t.equal((await page(gw, '/', bobSession.cookie)).status, 303, 'the old session ended');
  t.ok(await gw.core.login.login('bob', 'new-password-1', '127.0.0.1'), 'the new password logs in');
  await t.rejects(gw.core.login.login('bob', 'old-password-1', '127.0.0.2'), /Wrong user name or password/, 'the old one does not');
  t.equal((await page(gw, `/reset/${token}`, null)).status, 410, 'the link worked once');

  const ldap = gw.core.store.users.create({ username: 'dir', passwordHash: null, source: 'ldap' });
  t.equal((await post(gw, `/admin/users/${ldap.uuid}/reset-link`, a.cookie, { csrf_token: a.csrf })).status, 400, 'directory users: 400');
});

t.test('branding: title, logo and favicon; images are checked and served as images only', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const { token: adminT } = await gw.user('root', { admin: true });
  const { token: userT } = await gw.user('una');
  const a = await session(gw, adminT);
  const send = async (cookie: string, fields: Record<string, string>, files: Record<string, { data: Buffer; type: string }>) => {
    const fd = new FormData();
    for (const [k, v] of Object.entries(fields)) fd.append(k, v);
    for (const [k, f] of Object.entries(files)) fd.append(k, new Blob([f.data], { type: f.type }), k + '.bin');
    const r = await fetch(gw.base + '/admin/branding', { method: 'POST', body: fd, redirect: 'manual', headers: { cookie, accept: 'text/html' } });
    return { status: r.status, text: await r.text() };
  };
  const u = await session(gw, userT);
  t.equal((await send(u.cookie, { csrf_token: u.csrf, title: 'Hijack' }, {})).status, 403, 'site admins only');
  const svg = await send(a.cookie, { csrf_token: a.csrf, title: 'Lab' }, { logo: { data: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), type: 'image/png' } });
  t.equal(svg.status, 400, 'SVG (whatever type it claims) is refused');
  t.match(svg.text, /SVG is not accepted/);
  t.equal((await send(a.cookie, { title: 'Lab' }, {})).status, 403, 'CSRF is checked');
  const ok = await send(a.cookie, { csrf_token: a.csrf, title: 'Genomics <Lab>' }, { logo: { data: PNG, type: 'image/png' }, favicon: { data: PNG, type: 'image/png' } });
  t.equal(ok.status, 303);
  const logo = await fetch(gw.base + '/branding/logo');
  t.equal(logo.status, 200);
  t.equal(logo.headers.get('content-type'), 'image/png', 'served with the checked type');
  t.equal(logo.headers.get('x-content-type-options'), 'nosniff');
  t.match(logo.headers.get('content-security-policy'), /default-src 'none'; sandbox/);
  t.same(Buffer.from(await logo.arrayBuffer()), PNG);
  const home = await page(gw, '/', u.cookie);
  t.match(home.text, /<title>Projects · Genomics &lt;Lab&gt;<\/title>/, 'the title, escaped');
  t.match(home.text, /<img src="\/branding\/logo\?v=[a-z0-9]+" alt="">Genomics &lt;Lab&gt;/, 'the logo in the header');
  t.match(home.text, /<link rel="icon" href="\/branding\/favicon\?v=/, 'the favicon');
  t.match((await page(gw, '/login', null)).text, /Log in to Genomics &lt;Lab&gt;/, 'the login page says where');
  const proxy404 = await navigate(gw, '/containers/proxy/00000000-0000-4000-8000-000000000000/', u.cookie);
  t.equal(proxy404.status, 404);
  t.match(proxy404.text, /<header class="top"><a href="\/">Genomics &#60;Lab&#62;<\/a><\/header>/, 'the proxy\'s own pages carry the site title too');
});

t.test('home cards: description, container counts, running apps; the switcher; the login page names no container to anonymous visitors', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project('Atlas');
  const other = gw.project('Brain');
  gw.core.store.projects.update(gw.core.store.projects.byUuid(project)!.id, { title: 'Atlas', description: 'Single cells <b>all</b>', readme: '' });
  const { token } = await gw.user('una', { project, role: 'owner' });
  gw.core.store.projects.setRole(gw.core.store.projects.byUuid(other)!.id, gw.core.store.users.byUsername('una')!.id, 'guest');
  const ids: string[] = [];
  for (const title of ['Secret explorer', 'Idle one']) {
    const r = await gw.api('POST', `/containers/api/create/${project}`, token, { title, ...TEST_IMAGE, container_port: 80 });
    ids.push(r.body.sodar_uuid);
  }
  gw.core.store.containers.setRuntime(gw.core.store.containers.byUuid(ids[0])!.id, { state: 'running' });
  const s = await session(gw, token);
  const home = await page(gw, '/', s.cookie);
  t.match(home.text, /Single cells &lt;b&gt;all&lt;\/b&gt;/, 'the description, escaped');
  t.match(home.text, /2 containers, 1 running/, 'the counts');
  t.match(home.text, new RegExp(`href="/containers/${ids[0]}">Secret explorer</a>`), 'the running app');
  t.notMatch(home.text, /Idle one/, 'not the stopped one');
  t.match(home.text, /0 containers, 0 running/, 'an empty project');
  const list = await page(gw, `/projects/${project}/containers`, s.cookie);
  t.match(list.text, new RegExp(`<nav class="project-switcher" aria-label="Projects">[\\s\\S]*<summary>Atlas</summary>[\\s\\S]*href="/projects/${project}" aria-current="page">Atlas</a>[\\s\\S]*href="/projects/${other}">Brain</a>`), 'the header\'s switcher: the current project and the other');
  t.match(home.text, /<nav class="project-switcher"/, 'on the home page too');
  const frag = await page(gw, `/projects/${project}/containers`, s.cookie, { 'hx-request': 'true' });
  t.notMatch(frag.text, /project-switcher/, 'not in htmx fragments');

  const login = await page(gw, `/login?next=${encodeURIComponent(`/containers/proxy/${ids[0]}/`)}`, null);
  t.match(login.text, /Log in to open the app this link leads to/, 'a proxy link gets context');
  t.notMatch(login.text, /Secret explorer/, 'but not the app\'s title');
});

t.test('regression: the proxy\'s 404 on an app\'s own origin linked "/" (the app) as the way back; it links the gateway', async (t) => {
  const gw = await startGateway({ PORTICO_APP_ORIGINS: 'per-app' });
  t.teardown(() => gw.close());
  const uuid = '0b8fa1cc-621c-4272-977b-0b8fa1cc9fb5';
  const r = await navigate(gw, '/.portico/nothing', null, `${uuid}.localhost:${gw.port}`);
  t.equal(r.status, 404);
  t.match(r.text, /<header class="top"><a href="http:\/\/127\.0\.0\.1:\d+\/">Portico<\/a><\/header>/, 'the header links the gateway');
  t.match(r.text, new RegExp(`id="back" href="http://127\\.0\\.0\\.1:${gw.port}/"`), 'and so does the way back');
  t.match(String(r.headers['content-security-policy']), /default-src 'none'/, 'nothing on the page can run');
  t.notMatch(r.text, /<script/, 'no script');
});
