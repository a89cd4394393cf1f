/**
 * app-origin.test.ts: apps on their own origin (PORTICO_APP_ORIGINS=per-app, docs/app-origins.md):
 * routing by Host, the sign-in handshake and its refusals, credentials that never cross the
 * boundary, the viewer headers, the rewrites at an origin's root, old links, WebSockets and the
 * end of access on logout, deactivation and removal.
 */
import t from 'tap';
import WebSocket from 'ws';
import { startGateway, WS_IMAGE } from '../helpers/gateway.ts';
import type { TestGateway } from '../helpers/gateway.ts';
import { login } from '../helpers/session.ts';
import { createContainer, startContainer } from './helpers.ts';
import { appHost, codeFor, ECHO_APP, NAV, send, signIn } from './app-origin-helpers.ts';

const ORIGINS = { PORTICO_APP_ORIGINS: 'per-app' };

async function echoApp(gw: TestGateway, token: string, project: string, fields: Record<string, unknown> = {}): Promise<string> {
  const uuid = await createContainer(gw, token, project, { ...WS_IMAGE, command: 'node -e "eval(process.env.APP_JS)"', environment: { APP_JS: ECHO_APP }, ...fields });
  await startContainer(gw, token, uuid);
  return uuid;
}

function openWs(gw: TestGateway, host: string, path: string, headers: Record<string, string>): Promise<{ ws: WebSocket; hello: any } | { status: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${gw.port}${path}`, { headers: { host, ...headers } });
    ws.once('message', (d) => resolve({ ws, hello: JSON.parse(String(d)) }));
    ws.once('unexpected-response', (_req, res) => { resolve({ status: res.statusCode ?? 0 }); res.resume(); });
    ws.once('error', reject);
  });
}

t.test('the handshake: old link → code → own cookie → the app at the root of its origin', async (t) => {
  const gw = await startGateway(ORIGINS);
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('alice', { project, role: 'contributor' });
  const uuid = await echoApp(gw, token, project);
  const s = await login(gw, token);
  const host = appHost(gw, uuid);

  const { location, code, next } = await codeFor(gw, uuid, '/deep/link?q=a%20b&x=1', s.cookie);
  t.ok(location.startsWith(`http://${host}/.portico/auth?code=`), `the old link goes to the app's origin: ${location}`);
  t.equal(next, '/deep/link?q=a%20b&x=1', 'deep path and query kept, byte for byte');
  t.ok(code.length >= 40, 'a long random code');

  const ex = await send(gw, host, `/.portico/auth?code=${code}&next=${encodeURIComponent(next)}`, { headers: NAV });
  t.equal(ex.status, 302);
  t.equal(ex.headers.location, '/deep/link?q=a%20b&x=1', 'then on to the path asked for');
  const set = String(ex.headers['set-cookie']);
  t.match(set, /^portico_app=[A-Za-z0-9_-]{40,}; Path=\/; HttpOnly; SameSite=Lax$/, 'its own cookie: host-only (no Domain), HttpOnly, Lax');
  t.equal(ex.headers['referrer-policy'], 'no-referrer');
  const appCookie = set.split(';')[0];

  const r = await send(gw, host, '/deep/link?q=a%20b&x=1', { headers: { cookie: `${appCookie}; theme=dark`, 'x-portico-user': 'root', 'X-Portico-Role': 'admin' } });
  t.equal(r.status, 200, 'the app answers on its origin');
  const seen = r.json();
  t.equal(seen.url, '/deep/link?q=a%20b&x=1', 'the path passes as is: no prefix to strip');
  t.equal(seen.headers.cookie, 'theme=dark', "Portico's cookie never reaches the app; the app's own do");
  t.equal(seen.headers['x-portico-user'], 'alice', 'X-Portico-User is the viewer, whatever the client sent');
  t.equal(seen.headers['x-portico-role'], 'contributor', 'X-Portico-Role is the project role');
  t.equal(seen.headers['x-forwarded-prefix'], undefined, 'no prefix at the root');
  t.equal(seen.headers.host, host, 'Host passes unchanged');

  const viaNode = await send(gw, host, '/p', { method: 'POST', headers: { cookie: appCookie }, body: 'x' });
  t.equal(viaNode.json().method, 'POST', "a request with a body (Node's server, not the fast path) works the same");
  t.equal(viaNode.json().headers['x-portico-user'], 'alice');

  const replay = await send(gw, host, `/.portico/auth?code=${code}&next=%2F`, { headers: NAV });
  t.equal(replay.status, 400, 'a replayed code is refused');
  t.match(replay.text, /E_HANDSHAKE_REFUSED/);
  t.notOk(replay.headers['set-cookie'], 'and sets nothing');
  const back = await send(gw, host, `/.portico/auth?code=${code}&next=%2Fdeep`, { headers: { ...NAV, cookie: appCookie } });
  t.equal(back.status, 302, 'the same replay from a browser signed in already (the back button) just goes on');
  t.equal(back.headers.location, '/deep');

  const open = await send(gw, host, `/.portico/auth?code=${(await codeFor(gw, uuid, '/', s.cookie)).code}&next=//evil.example/x`, { headers: NAV });
  t.equal(open.headers.location, '/', 'next is a path on this origin only: no open redirect');
  t.equal((await send(gw, host, '/.portico/other')).status, 404, "paths under /.portico/ are Portico's");
});

t.test('refusals: codes for another app or a gone session, cookies on the wrong origin', async (t) => {
  const gw = await startGateway(ORIGINS);
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('owner', { project, role: 'owner' });
  const { token: bob } = await gw.user('bob', { project, role: 'guest' });
  const a = await echoApp(gw, token, project);
  const b = await echoApp(gw, token, project);
  const s = await login(gw, token);

  const forA = await codeFor(gw, a, '/', s.cookie);
  const atB = await send(gw, appHost(gw, b), `/.portico/auth?code=${forA.code}&next=%2F`, { headers: NAV });
  t.equal(atB.status, 400, "a code for app A is refused on app B's origin");
  t.equal((await send(gw, appHost(gw, a), `/.portico/auth?code=${forA.code}&next=%2F`, { headers: NAV })).status, 400, 'and is spent by the attempt');

  const bobSession = await login(gw, bob);
  const bobs = await codeFor(gw, a, '/', bobSession.cookie);
  await fetch(`${gw.base}/api/session`, { method: 'DELETE', headers: { cookie: bobSession.cookie } });
  t.equal((await send(gw, appHost(gw, a), `/.portico/auth?code=${bobs.code}&next=%2F`, { headers: NAV })).status, 400,
    "a code is bound to its user's session: once that session ended, it makes nothing");
  t.equal((await send(gw, appHost(gw, a), '/.portico/auth?code=not-a-code&next=%2F', { headers: NAV })).status, 400, 'an unknown code is refused');

  const { app: cookieA, gateway } = await signIn(gw, token, a);
  t.equal((await send(gw, appHost(gw, a), '/x', { headers: { cookie: cookieA } })).status, 200, "A's cookie works on A");
  const onB = await send(gw, appHost(gw, b), '/x', { headers: { cookie: cookieA } });
  t.equal(onB.status, 401, "A's cookie copied to B's origin is nobody there");
  const onGw = await fetch(`${gw.base}/containers/api/${project}`, { headers: { cookie: `portico_session=${cookieA.split('=')[1]}` } });
  t.equal(onGw.status, 401, "an app cookie's value is no gateway session either");
  t.equal((await send(gw, `127.0.0.1:${gw.port}`, `/containers/api/${project}`, { headers: { cookie: cookieA } })).status, 401, 'nor is the app cookie itself');
  const gwOnApp = await send(gw, appHost(gw, a), '/x', { headers: { cookie: gateway } });
  t.equal(gwOnApp.status, 401, "the gateway's session cookie is never valid on an app origin");

  const nav = await send(gw, appHost(gw, a), '/deep?x=1', { headers: NAV });
  t.equal(nav.status, 302, 'a signed-out navigation on an app origin goes to the gateway');
  t.equal(nav.headers.location, `http://127.0.0.1:${gw.port}/containers/proxy/${a}/deep?x=1`, 'through the old link, which comes back through the handshake');

  const fromB = await send(gw, appHost(gw, a), '/x', { headers: { cookie: cookieA, 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'cors' } });
  t.equal(fromB.status, 401, "another app's page calling this one: the cookie does not count");
  const formFromB = await send(gw, appHost(gw, a), '/x', { method: 'POST', body: 'a=1', headers: { cookie: cookieA, 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'navigate' } });
  t.equal(formFromB.status, 401, 'nor does a form it posts');
  const linkFromB = await send(gw, appHost(gw, a), '/x', { headers: { cookie: cookieA, 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'navigate' } });
  t.equal(linkFromB.status, 200, 'a link from it is a navigation, and works');

  const api = await send(gw, appHost(gw, a), `/containers/api/${project}`, { headers: { authorization: `token ${token}` } });
  t.equal(api.json().url, `/containers/api/${project}`, "the gateway's API is not served on an app origin: the path is the app's");
  const ui = await send(gw, appHost(gw, a), '/login', { headers: { cookie: cookieA } });
  t.equal(ui.json().url, '/login', 'nor is the UI');
});

t.test('rewrites at the root: Host-built redirects, cookies host-only, the prefix still served', async (t) => {
  const gw = await startGateway(ORIGINS);
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('owner', { project, role: 'owner' });
  const { token: admin } = await gw.user('root', { admin: true });
  const uuid = await echoApp(gw, token, project);
  const host = appHost(gw, uuid);
  const { app } = await signIn(gw, token, uuid);

  const r1 = await send(gw, host, '/redir-host', { headers: { cookie: app } });
  t.equal(r1.headers.location, `http://${host}/dashboard?from=host`, 'a redirect built from Host stays on the app origin');
  const r2 = await send(gw, host, '/redir-root', { headers: { cookie: app } });
  t.equal(r2.headers.location, '/landing?x=1', 'a root-relative redirect is left as it is');
  const c = await send(gw, host, '/cookie', { headers: { cookie: app } });
  t.same(c.headers['set-cookie'], ['a=1; Path=/', 'b=2; Path=/sub; HttpOnly'], "Domain is dropped (host-only), Path kept, and Portico's cookie name refused");

  const pre = await send(gw, host, `/containers/proxy/${uuid}/sub/x?y=1`, { headers: { cookie: app } });
  t.equal(pre.json().url, '/sub/x?y=1', '__KIOSC_URL_PREFIX__ links on the same origin: stripped as before');
  t.equal(pre.json().headers['x-forwarded-prefix'], `/containers/proxy/${uuid}`);
  const pr = await send(gw, host, `/containers/proxy/${uuid}/redir-root`, { headers: { cookie: app } });
  t.equal(pr.headers.location, `/containers/proxy/${uuid}/landing?x=1`, 'and put back under it');
  t.equal((await send(gw, host, `/containers/proxy/00000000-0000-4000-8000-000000000000/x`, { headers: { cookie: app } })).status, 404, "another app's prefix is not served here");

  const byToken = await send(gw, `127.0.0.1:${gw.port}`, `/containers/proxy/${uuid}/api?z=1`, { headers: { authorization: `token ${admin}` } });
  t.equal(byToken.status, 200, "an API client's token still works on the gateway's link");
  t.equal(byToken.json().headers['x-portico-role'], 'admin', 'a site admin is role admin');
  const onOrigin = await send(gw, host, '/api', { headers: { authorization: `token ${admin}` } });
  t.equal(onOrigin.json().headers['x-portico-user'], 'root', 'and on the app origin');
  t.equal(onOrigin.json().headers.authorization, undefined, "a Portico token never reaches the app");

  const based = await echoApp(gw, token, project, { strip_prefix: false });
  const ownerSession = await login(gw, token);
  const bh = await codeFor(gw, based, '/tree?x=1', ownerSession.cookie);
  t.equal(bh.next, `/containers/proxy/${based}/tree?x=1`, 'an app with strip_prefix false (a base URL) goes to the prefix on its origin');
  const bx = await send(gw, appHost(gw, based), `/.portico/auth?code=${bh.code}&next=${encodeURIComponent(bh.next)}`, { headers: NAV });
  const bApp = String(bx.headers['set-cookie']).split(';')[0];
  t.equal((await send(gw, appHost(gw, based), bh.next, { headers: { cookie: bApp } })).json().url, `/containers/proxy/${based}/tree?x=1`, 'and sees the full path, as it is configured to');

  const post = await send(gw, `127.0.0.1:${gw.port}`, `/containers/proxy/${uuid}/form?a=1`, { method: 'POST', body: 'x', headers: { cookie: (await login(gw, token)).cookie } });
  t.equal(post.status, 307, "a browser's POST to the old link goes to the same path on the app's origin");
  t.equal(post.headers.location, `http://${host}/form?a=1`);
});

t.test('WebSockets on the app origin; logout, deactivation and removal end access at once', async (t) => {
  const gw = await startGateway(ORIGINS);
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('owner', { project, role: 'owner' });
  const { user: guestUser, token: guest } = await gw.user('guest', { project, role: 'guest' });
  const uuid = await echoApp(gw, token, project);
  const host = appHost(gw, uuid);

  const one = await signIn(gw, token, uuid);
  const o = await openWs(gw, host, '/socket?room=1', { cookie: `${one.app}; theme=1` });
  if (!('ws' in o)) throw new Error(`refused: ${o.status}`);
  t.equal(o.hello.url, '/socket?room=1', 'the WebSocket reaches the app at the root');
  t.equal(o.hello.headers.cookie, 'theme=1', 'without Portico cookies');
  t.equal(o.hello.headers['x-portico-user'], 'owner');
  const echoed = new Promise((r) => o.ws.once('message', (d) => r(String(d))));
  o.ws.send('ping');
  t.equal(await echoed, 'ping', 'and echoes');
  const gwWs = await openWs(gw, `127.0.0.1:${gw.port}`, `/containers/proxy/${uuid}/`, { cookie: one.gateway });
  t.equal('status' in gwWs && gwWs.status, 403, "a browser's WebSocket on the gateway's origin is refused");
  const foreign = await openWs(gw, host, '/', { cookie: one.app, 'sec-fetch-site': 'same-site' });
  t.equal('status' in foreign && foreign.status, 401, "another app's page cannot open this app's WebSocket as the viewer");

  // Logout elsewhere (the UI in another tab): the next request and the open WebSocket are cut.
  const closed = new Promise((r) => o.ws.once('close', r));
  await fetch(`${gw.base}/api/session`, { method: 'DELETE', headers: { cookie: one.gateway } });
  t.equal((await send(gw, host, '/after', { headers: { cookie: one.app } })).status, 401, 'logout: the next request is refused');
  await closed;
  t.pass('logout: the open WebSocket is closed');

  // Deactivation and a removed membership, each with an open WebSocket.
  const g = await signIn(gw, guest, uuid);
  t.equal((await send(gw, host, '/x', { headers: { cookie: g.app } })).json().headers['x-portico-role'], 'guest');
  const gw1 = await openWs(gw, host, '/', { cookie: g.app });
  if (!('ws' in gw1)) throw new Error('refused');
  const closed1 = new Promise((r) => gw1.ws.once('close', r));
  const p = gw.core.store.projects.byUuid(project)!;
  gw.core.store.projects.removeMember(p.id, guestUser.id);
  await closed1;
  t.equal((await send(gw, host, '/x', { headers: { cookie: g.app } })).status, 404, 'a removed member: refused at once, WebSocket closed');

  gw.core.store.projects.setRole(p.id, guestUser.id, 'guest');
  const g2 = await signIn(gw, guest, uuid);
  t.equal((await send(gw, host, '/x', { headers: { cookie: g2.app } })).status, 200);
  gw.core.store.users.setActive(guestUser.id, false);
  t.equal((await send(gw, host, '/x', { headers: { cookie: g2.app } })).status, 401, 'deactivated: refused at once');
});

t.test('on-demand start on the app origin: the waiting page and its status stream, held requests', async (t) => {
  const gw = await startGateway(ORIGINS);
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('owner', { project, role: 'owner' });
  const uuid = await createContainer(gw, token, project, { ...WS_IMAGE, command: 'node -e "eval(process.env.APP_JS)"', environment: { APP_JS: ECHO_APP } });
  const host = appHost(gw, uuid);
  const { app } = await signIn(gw, token, uuid);
  const page = await send(gw, host, '/', { headers: { ...NAV, 'sec-fetch-site': 'none', cookie: app } });
  t.equal(page.status, 202, 'a navigation gets the waiting page');
  t.match(page.text, `data-status="/containers/proxy/_status/${uuid}"`, 'whose status stream is on the same origin');
  const held = await send(gw, host, '/held?x=1', { headers: { cookie: app } });
  t.equal(held.status, 200, 'a fetch is held until the app answers');
  t.equal(held.json().url, '/held?x=1');
  const status = await send(gw, host, `/containers/proxy/_status/${uuid}`, { headers: { cookie: app } });
  t.match(status.text, /event: ready/, 'the status stream answers on the app origin');
});
