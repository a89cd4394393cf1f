/**
 * login.test.ts: the login page over real sockets: cookies and their flags, login CSRF, session
 * fixation, the `next` redirect, logout, CSRF on UI and API writes, idle and absolute expiry,
 * password change ending other sessions, and failed-login throttling.
 */
import t from 'tap';
import { startGateway } from '../helpers/gateway.ts';
import { createWebClient, formField } from '../helpers/web.ts';
import { SESSION_COOKIE } from '../../gateway/core/auth/sessions.ts';
import { hashSecret } from '../../gateway/core/auth/tokens.ts';

t.test('login page, session cookie flags, next redirect, logout', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  await gw.user('alice', { password: 'alice-password' });
  const web = createWebClient(gw.base);

  const anon = await web.request('GET', '/tokens');
  t.equal(anon.status, 303, 'a page needs login');
  t.equal(anon.headers.get('location'), '/login?next=%2Ftokens');

  const page = await web.request('GET', '/login?next=%2Ftokens');
  t.equal(page.status, 200);
  t.match(page.text, /<form class="stacked" method="post" action="\/login">/);
  t.equal(formField(page.text, 'next'), '/tokens', 'next carried in the form');
  const loginCookie = page.headers.getSetCookie().find((c) => c.startsWith('portico_login='))!;
  t.match(loginCookie, /; Path=\/login; HttpOnly; SameSite=Strict/, 'login-form nonce cookie is scoped and strict');

  const res = await web.login('alice', 'alice-password', '/tokens');
  t.equal(res.status, 303, 'login redirects');
  t.equal(res.headers.get('location'), '/tokens', 'back to where the user was going');
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`))!;
  t.match(cookie, /; Path=\/; HttpOnly; SameSite=Lax; Max-Age=604800$/, 'HttpOnly, SameSite=Lax, no Secure over plain HTTP');
  t.notOk(web.cookies.has('portico_login'), 'login nonce dropped after login');
  t.equal((await web.request('GET', '/tokens')).status, 200, 'logged in');
  t.equal((await web.request('GET', '/login?next=/password')).headers.get('location'), '/password', 'logged-in visitors skip the form');

  for (const next of ['//evil.example/x', 'https://evil.example/', '/\\evil.example', '/.//evil.example']) {
    const r = await createWebClient(gw.base).login('alice', 'alice-password', next);
    t.equal(r.headers.get('location'), '/', `open redirect refused: ${next}`);
  }

  const sid = web.cookies.get(SESSION_COOKIE)!;
  const noCsrf = await web.request('POST', '/logout', { form: {} });
  t.equal(noCsrf.status, 403, 'logout without the CSRF token is refused');
  t.ok(gw.core.sessions.find(sid), 'and the session lives on');
  const csrf = await web.csrf();
  const out = await web.request('POST', '/logout', { form: { csrf_token: csrf } });
  t.equal(out.status, 303);
  t.equal(out.headers.get('location'), '/login');
  t.equal(gw.core.sessions.find(sid), null, 'session ended in the store');
  t.equal((await web.request('GET', '/tokens')).status, 303, 'logged out');
});

t.test('wrong password, empty password, deactivated account', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const { user } = await gw.user('bob', { password: 'bob-password' });
  const web = createWebClient(gw.base);
  const wrong = await web.login('bob', 'nope-nope');
  t.equal(wrong.status, 401);
  t.match(wrong.text, /data-code="E_UNAUTHENTICATED">Wrong user name or password\./);
  t.notOk(web.cookies.has(SESSION_COOKIE), 'no session');
  t.equal(formField(wrong.text, 'next'), '/');
  t.match(wrong.text, /value="bob"/, 'user name kept in the form');
  const unknown = await web.login('nobody', 'whatever-pw');
  t.equal(unknown.status, 401, 'unknown user: same answer');
  t.equal((await web.login('bob', '')).status, 401, 'empty password refused');
  gw.core.store.users.setActive(user.id, false);
  const inactive = await web.login('bob', 'bob-password');
  t.equal(inactive.status, 403);
  t.match(inactive.text, /deactivated/);
});

t.test('login CSRF: the form needs its signed nonce and a same-origin post', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  await gw.user('carol', { password: 'carol-password' });
  const before = Number((gw.core.store.db.prepare('SELECT COUNT(*) AS n FROM sessions').get() as { n: number }).n);

  const bare = await fetch(gw.base + '/login', { method: 'POST', redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'username=carol&password=carol-password' });
  t.equal(bare.status, 403, 'no token, no cookie: refused');
  t.match(await bare.text(), /data-code="E_CSRF"/);

  const a = createWebClient(gw.base);
  const b = createWebClient(gw.base);
  const pageA = await a.request('GET', '/login');
  await b.request('GET', '/login');
  const swapped = await b.request('POST', '/login', { form: { csrf_token: formField(pageA.text, 'csrf_token')!, username: 'carol', password: 'carol-password' } });
  t.equal(swapped.status, 403, "another browser's token does not fit this nonce");

  const page = await a.request('GET', '/login');
  const token = formField(page.text, 'csrf_token')!;
  t.equal(token, formField(pageA.text, 'csrf_token'), 'a second login tab reuses the nonce, so both tabs work');
  const cross = await a.request('POST', '/login', { form: { csrf_token: token, username: 'carol', password: 'carol-password' }, headers: { origin: 'https://evil.example' } });
  t.equal(cross.status, 403, 'foreign Origin refused');
  const site = await a.request('POST', '/login', { form: { csrf_token: token, username: 'carol', password: 'carol-password' }, headers: { 'sec-fetch-site': 'cross-site' } });
  t.equal(site.status, 403, 'Sec-Fetch-Site: cross-site refused');
  const sameSite = await a.request('POST', '/login', { form: { csrf_token: token, username: 'carol', password: 'carol-password' }, headers: { 'sec-fetch-site': 'same-site' } });
  t.equal(sameSite.status, 403, 'same-site (a sibling subdomain) refused too');
  // Origin: null is what a page sent with Referrer-Policy: no-referrer (a one-time link's) posts with.
  const opaque = await a.request('POST', '/login', { form: { csrf_token: token, username: 'carol', password: 'carol-password' }, headers: { origin: 'null' } });
  t.equal(opaque.status, 403, 'Origin: null without Sec-Fetch-Site: refused (a sandboxed or opaque origin)');
  const opaqueCross = await a.request('POST', '/login', { form: { csrf_token: token, username: 'carol', password: 'carol-password' }, headers: { origin: 'null', 'sec-fetch-site': 'cross-site' } });
  t.equal(opaqueCross.status, 403, 'Origin: null from another site: refused');
  const after = Number((gw.core.store.db.prepare('SELECT COUNT(*) AS n FROM sessions').get() as { n: number }).n);
  t.equal(after, before, 'no session was created by any refused post');

  const ok = await a.request('POST', '/login', { form: { csrf_token: token, username: 'carol', password: 'carol-password' },
    headers: { origin: gw.base, 'sec-fetch-site': 'same-origin' } });
  t.equal(ok.status, 303, 'same origin with the right token logs in');
  const c = createWebClient(gw.base);
  const cToken = formField((await c.request('GET', '/login')).text, 'csrf_token')!;
  const noReferrer = await c.request('POST', '/login', { form: { csrf_token: cToken, username: 'carol', password: 'carol-password' },
    headers: { origin: 'null', 'sec-fetch-site': 'same-origin' } });
  t.equal(noReferrer.status, 303, 'regression: Origin: null with Sec-Fetch-Site: same-origin (a no-referrer page, as a one-time link\'s login) logs in');
});

t.test('session fixation: login always issues a new session id and ends the old one', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const { token: malloryToken } = await gw.user('mallory', { password: 'mallory-password' });
  await gw.user('dave', { password: 'dave-password' });

  // Mallory gets a real session and plants its cookie in Dave's browser.
  const planted = await fetch(gw.base + '/api/session', { method: 'POST', headers: { authorization: `token ${malloryToken}` } });
  const plantedId = planted.headers.getSetCookie()[0].split(';')[0].split('=')[1];
  t.ok(gw.core.sessions.find(plantedId), 'the planted session is valid before');
  const web = createWebClient(gw.base);
  web.cookies.set(SESSION_COOKIE, plantedId);
  await web.request('GET', '/tokens'); // Dave browses as Mallory without noticing…
  // …then opens the login form (he is "logged in", so use a fresh form) and logs in as himself.
  web.cookies.delete(SESSION_COOKIE);
  const page = await web.request('GET', '/login');
  web.cookies.set(SESSION_COOKIE, plantedId);
  const res = await web.request('POST', '/login', { form: { csrf_token: formField(page.text, 'csrf_token')!, username: 'dave', password: 'dave-password' } });
  t.equal(res.status, 303);
  const newId = web.cookies.get(SESSION_COOKIE)!;
  t.not(newId, plantedId, 'the session id changed at login');
  t.equal(gw.core.sessions.find(plantedId), null, 'the planted session is gone');
  const row = gw.core.store.db.prepare('SELECT user_id FROM sessions WHERE id_hash = ?').get(hashSecret(newId)) as { user_id: number };
  t.equal(row.user_id, gw.core.store.users.byUsername('dave')!.id, 'the new session is Dave’s');

  // A made-up id is not adopted either.
  const web2 = createWebClient(gw.base);
  const page2 = await web2.request('GET', '/login');
  web2.cookies.set(SESSION_COOKIE, 'attacker-chosen-session-id-0000000000000');
  await web2.request('POST', '/login', { form: { csrf_token: formField(page2.text, 'csrf_token')!, username: 'dave', password: 'dave-password' } });
  t.not(web2.cookies.get(SESSION_COOKIE), 'attacker-chosen-session-id-0000000000000');
  t.equal(gw.core.store.db.prepare('SELECT 1 FROM sessions WHERE id_hash = ?').get(hashSecret('attacker-chosen-session-id-0000000000000')), undefined);
});

t.test('CSRF on UI and API writes made with the session cookie', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  await gw.user('erin', { password: 'erin-password', project, role: 'owner' });
  const web = createWebClient(gw.base);
  await web.login('erin', 'erin-password');
  const csrf = await web.csrf();
  t.ok(csrf.length > 20, 'the layout carries the token');

  const none = await web.request('POST', '/tokens', { form: { name: 'x' } });
  t.equal(none.status, 403, 'UI POST without token refused');
  t.match(none.text, /"code":"E_CSRF"/);
  const wrong = await web.request('POST', '/tokens', { form: { name: 'x', csrf_token: 'A'.repeat(csrf.length) } });
  t.equal(wrong.status, 403, 'wrong token refused');
  t.equal(gw.core.store.users.tokensOf(gw.core.store.users.byUsername('erin')!.id).length, 1, 'nothing was created (only the helper token)');
  const viaHeader = await web.request('POST', '/tokens', { form: { name: 'via-htmx' }, headers: { 'x-csrf-token': csrf } });
  t.equal(viaHeader.status, 201, 'htmx-style header accepted');
  const viaField = await web.request('POST', '/tokens', { form: { name: 'via-form', csrf_token: csrf } });
  t.equal(viaField.status, 201, 'form field accepted');

  const api = await web.request('POST', `/containers/api/create/${project}`, { headers: { 'content-type': 'application/json' } });
  t.equal(api.status, 403, 'REST write with the cookie but no token refused');
  t.match(api.text, /E_CSRF/);
  const members = await web.request('POST', `/projects/${project}/members`, { form: { username: 'erin', role: 'guest' } });
  t.equal(members.status, 403, 'members POST without token refused');
  t.equal((await web.request('GET', '/logout')).status, 405, 'UI actions are POST-only');
});

t.test('Secure cookie behind a trusted HTTPS proxy only', async (t) => {
  const trusted = await startGateway({ PORTICO_TRUST_PROXY: 'true' });
  const untrusted = await startGateway();
  t.teardown(async () => { await trusted.close(); await untrusted.close(); });
  for (const [gw, secure] of [[trusted, true], [untrusted, false]] as const) {
    await gw.user('frank', { password: 'frank-password' });
    const web = createWebClient(gw.base);
    const page = await web.request('GET', '/login', { headers: { 'x-forwarded-proto': 'https' } });
    const res = await web.request('POST', '/login', { form: { csrf_token: formField(page.text, 'csrf_token')!, username: 'frank', password: 'frank-password' },
      headers: { 'x-forwarded-proto': 'https' } });
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`))!;
    t.equal(cookie.endsWith('; Secure'), secure, secure ? 'Secure when the trusted proxy says https' : 'X-Forwarded-Proto ignored unless trusted');
  }
});

t.test('idle and absolute expiry', async (t) => {
  const gw = await startGateway({ PORTICO_SESSION_IDLE_MINUTES: '30', PORTICO_SESSION_ABSOLUTE_HOURS: '2' });
  t.teardown(() => gw.close());
  await gw.user('gina', { password: 'gina-password' });
  const web = createWebClient(gw.base);
  await web.login('gina', 'gina-password');
  const idHash = hashSecret(web.cookies.get(SESSION_COOKIE)!);
  const row = gw.core.store.db.prepare('SELECT created_at, expires_at FROM sessions WHERE id_hash = ?').get(idHash) as { created_at: string; expires_at: string };
  t.equal(Date.parse(row.expires_at) - Date.parse(row.created_at), 2 * 3600_000, 'absolute expiry from config');
  const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
  gw.core.store.db.prepare('UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?').run(ago(29 * 60_000), idHash);
  t.equal((await web.request('GET', '/tokens')).status, 200, 'used within the idle window: still valid');
  gw.core.store.db.prepare('UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?').run(ago(31 * 60_000), idHash);
  t.equal((await web.request('GET', '/tokens')).status, 303, 'idle too long: back to login');

  await web.login('gina', 'gina-password');
  const id2 = hashSecret(web.cookies.get(SESSION_COOKIE)!);
  gw.core.store.db.prepare('UPDATE sessions SET expires_at = ? WHERE id_hash = ?').run(ago(1000), id2);
  t.equal((await web.request('GET', '/tokens')).status, 303, 'past the absolute expiry: back to login, however active');
});

t.test('password change: checks, then every other session ends', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  await gw.user('hank', { password: 'old-password' });
  const laptop = createWebClient(gw.base);
  const phone = createWebClient(gw.base);
  await laptop.login('hank', 'old-password');
  await phone.login('hank', 'old-password');
  const csrf = await laptop.csrf('/password');
  const post = (form: Record<string, string>) => laptop.request('POST', '/password', { form: { csrf_token: csrf, ...form } });

  const wrongCurrent = await post({ current: 'nope-nope', password: 'new-password', repeat: 'new-password' });
  t.equal(wrongCurrent.status, 400);
  t.match(wrongCurrent.text, /The current password is wrong\./);
  const differ = await post({ current: 'old-password', password: 'new-password', repeat: 'new-passw0rd' });
  t.equal(differ.status, 400);
  t.match(differ.text, /The two new passwords differ\./);
  const short = await post({ current: 'old-password', password: 'short', repeat: 'short' });
  t.equal(short.status, 400);
  t.match(short.text, /at least 8 characters/);
  t.equal((await phone.request('GET', '/tokens')).status, 200, 'failed attempts end nothing');

  const oldId = laptop.cookies.get(SESSION_COOKIE);
  const ok = await post({ current: 'old-password', password: 'new-password', repeat: 'new-password' });
  t.equal(ok.status, 303);
  t.not(laptop.cookies.get(SESSION_COOKIE), oldId, 'this browser got a fresh session');
  t.equal((await laptop.request('GET', '/password?ok=changed')).status, 200, 'and stays logged in');
  t.equal((await phone.request('GET', '/tokens')).status, 303, 'the other session ended');
  t.equal((await createWebClient(gw.base).login('hank', 'old-password')).status, 401, 'old password no longer works');
  t.equal((await createWebClient(gw.base).login('hank', 'new-password')).status, 303, 'new password works');
});

t.test('throttling: per account, with a message and Retry-After, without locking out others', async (t) => {
  const gw = await startGateway({ PORTICO_LOGIN_USER_FAILURES: '3', PORTICO_LOGIN_ADDRESS_FAILURES: '8', PORTICO_LOGIN_LOCK_SECONDS: '2' });
  t.teardown(() => gw.close());
  await gw.user('ivy', { password: 'ivy-password' });
  await gw.user('jack', { password: 'jack-password' });
  const attacker = createWebClient(gw.base);
  for (let i = 0; i < 3; i++) t.equal((await attacker.login('ivy', 'guess-' + i)).status, 401, `guess ${i + 1}: plain failure`);
  const locked = await attacker.login('ivy', 'ivy-password');
  t.equal(locked.status, 429, 'locked: even the right password is not checked');
  t.equal(locked.headers.get('retry-after'), '2');
  t.match(locked.text, /data-code="E_THROTTLED">Too many failed logins for this account\. Try again in 2 seconds\./);
  const json = await fetch(gw.base + '/login', { method: 'POST', redirect: 'manual',
    headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded', cookie: `portico_login=${attacker.cookies.get('portico_login')}` },
    body: new URLSearchParams({ csrf_token: formField((await attacker.request('GET', '/login')).text, 'csrf_token')!, username: 'IVY', password: 'x' }).toString() });
  t.equal(json.status, 429, 'the name is matched case-insensitively');
  t.same(await json.json(), { error: 'Too many failed logins for this account. Try again in 2 seconds.', code: 'E_THROTTLED' });

  t.equal((await createWebClient(gw.base).login('jack', 'jack-password')).status, 303, 'another account logs in from the same address meanwhile');
  await new Promise((r) => setTimeout(r, 2100));
  t.equal((await createWebClient(gw.base).login('ivy', 'ivy-password')).status, 303, 'after the delay the right password works');
  for (let i = 0; i < 3; i++) await attacker.login('ivy', 'again-' + i);
  const doubled = await attacker.login('ivy', 'x');
  t.equal(doubled.headers.get('retry-after'), '2', 'success reset the account counter: first lock again');
});

t.test('throttling per client address (only via a trusted proxy can addresses differ)', async (t) => {
  const gw = await startGateway({ PORTICO_TRUST_PROXY: 'true', PORTICO_LOGIN_USER_FAILURES: '50', PORTICO_LOGIN_ADDRESS_FAILURES: '4', PORTICO_LOGIN_LOCK_SECONDS: '60' });
  const direct = await startGateway({ PORTICO_LOGIN_USER_FAILURES: '50', PORTICO_LOGIN_ADDRESS_FAILURES: '4', PORTICO_LOGIN_LOCK_SECONDS: '60' });
  t.teardown(async () => { await gw.close(); await direct.close(); });
  await gw.user('kim', { password: 'kim-password' });
  const from = (ip: string) => ({ 'x-forwarded-for': `203.0.113.99, ${ip}` });
  const sprayer = createWebClient(gw.base);
  for (const u of ['u1', 'u2', 'u3', 'u4']) {
    const p = await sprayer.request('GET', '/login');
    await sprayer.request('POST', '/login', { form: { csrf_token: formField(p.text, 'csrf_token')!, username: u, password: 'spray-pw' }, headers: from('198.51.100.1') });
  }
  const p = await sprayer.request('GET', '/login');
  const blocked = await sprayer.request('POST', '/login', { form: { csrf_token: formField(p.text, 'csrf_token')!, username: 'kim', password: 'kim-password' }, headers: from('198.51.100.1') });
  t.equal(blocked.status, 429, 'the spraying address is locked');
  t.match(blocked.text, /Too many failed logins from your network address/);
  const other = createWebClient(gw.base);
  const p2 = await other.request('GET', '/login');
  const fine = await other.request('POST', '/login', { form: { csrf_token: formField(p2.text, 'csrf_token')!, username: 'kim', password: 'kim-password' }, headers: from('198.51.100.2') });
  t.equal(fine.status, 303, 'the same account from another address logs in');

  await direct.user('lee', { password: 'lee-password' });
  const spoofer = createWebClient(direct.base);
  for (let i = 0; i < 4; i++) {
    const q = await spoofer.request('GET', '/login');
    await spoofer.request('POST', '/login', { form: { csrf_token: formField(q.text, 'csrf_token')!, username: `v${i}`, password: 'spray-pw' }, headers: { 'x-forwarded-for': `192.0.2.${i}` } });
  }
  const q = await spoofer.request('GET', '/login');
  const still = await spoofer.request('POST', '/login', { form: { csrf_token: formField(q.text, 'csrf_token')!, username: 'lee', password: 'lee-password' }, headers: { 'x-forwarded-for': '192.0.2.200' } });
  t.equal(still.status, 429, 'without PORTICO_TRUST_PROXY a forged X-Forwarded-For does not escape the address lock');
});
