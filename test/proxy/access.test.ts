/**
 * access.test.ts: who may use the proxy (admins and members of any role; others refused) and how
 * access is recorded: in memory, flushed in batches, aggregated in the container log.
 */
import t from 'tap';
import WebSocket from 'ws';
import { startGateway, WS_IMAGE } from '../helpers/gateway.ts';
import { call, createContainer, startContainer } from './helpers.ts';

t.test('access control on HTTP', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token: owner } = await gw.user('owner', { project, role: 'owner' });
  const { token: guest } = await gw.user('guest', { project, role: 'guest' });
  const { token: admin } = await gw.user('root', { admin: true });
  const { token: stranger } = await gw.user('stranger');
  const uuid = await createContainer(gw, owner, project);
  await startContainer(gw, owner, uuid);
  const path = `/containers/proxy/${uuid}/cgi-bin/echo`;
  const ghost = '/containers/proxy/00000000-0000-4000-8000-000000000000/cgi-bin/echo';

  for (const [who, token] of [['owner', owner], ['guest', guest], ['site admin', admin]]) {
    t.equal((await call(gw, path, { headers: { authorization: `token ${token}` } })).status, 200, `${who} gets through`);
  }
  const nm = await call(gw, path, { headers: { authorization: `token ${stranger}` } });
  t.equal(nm.status, 404, 'a non-member gets 404');
  t.equal(nm.json().code, 'E_CONTAINER_NOT_FOUND');
  t.equal((await call(gw, ghost, { headers: { authorization: `token ${owner}` } })).status, 404, 'an unknown container: the same 404');

  const anon = await call(gw, path);
  t.equal(anon.status, 401, 'anonymous API client: 401');
  t.equal((await call(gw, ghost)).status, 401, 'the same for an unknown container (nothing leaks)');
  const bogus = await call(gw, path, { headers: { authorization: 'token not-a-real-token-123' } });
  t.equal(bogus.status, 401, 'an unknown token is no identity');

  const nav = await call(gw, `${path}?a=1`, { headers: { accept: 'text/html', 'sec-fetch-mode': 'navigate' } });
  t.equal(nav.status, 302, 'a browser navigation without a session is sent to log in');
  t.equal(nav.headers.location, `/login?next=${encodeURIComponent(`${path}?a=1`)}`, 'and comes back afterwards');

  const s = await gw.api('POST', '/api/session', stranger);
  const sid = /portico_session=([^;]+)/.exec(s.headers.get('set-cookie')!)![1];
  const nmNav = await call(gw, path, { headers: { cookie: `portico_session=${sid}`, accept: 'text/html', 'sec-fetch-mode': 'navigate' } });
  t.equal(nmNav.status, 404, 'a logged-in non-member navigating: 404 page');
  t.match(nmNav.headers['content-type'], /text\/html/);

  // A new membership is seen on the next request.
  const strangerUser = gw.core.store.users.byUsername('stranger')!;
  gw.core.store.projects.setRole(gw.core.store.projects.byUuid(project)!.id, strangerUser.id, 'guest');
  t.equal((await call(gw, path, { headers: { authorization: `token ${stranger}` } })).status, 200, 'a new member gets through');
});

t.test('withdrawn access ends on the next request, not after the cache lifetime', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const projectId = gw.core.store.projects.byUuid(project)!.id;
  const { token: owner } = await gw.user('owner', { project, role: 'owner' });
  const uuid = await createContainer(gw, owner, project);
  await startContainer(gw, owner, uuid);
  const path = `/containers/proxy/${uuid}/cgi-bin/echo`;
  const asToken = (token: string) => call(gw, path, { headers: { authorization: `token ${token}` } });
  const asCookie = (sid: string) => call(gw, path, { headers: { cookie: `portico_session=${sid}` } });
  const login = async (token: string) => /portico_session=([^;]+)/.exec((await gw.api('POST', '/api/session', token)).headers.get('set-cookie')!)![1];
  const t0 = Date.now();

  // Logout: the same cookie is refused right away.
  const { token: a } = await gw.user('alice', { project, role: 'contributor' });
  const sidA = await login(a);
  t.equal((await asCookie(sidA)).status, 200, 'logged in: through (and now cached)');
  t.equal((await gw.api('DELETE', '/api/session', null, undefined, { cookie: `portico_session=${sidA}` })).status, 204);
  t.equal((await asCookie(sidA)).status, 401, 'after logout: refused at once');

  // A deleted token.
  const { user: b, token: bTok } = await gw.user('bob', { project, role: 'contributor' });
  t.equal((await asToken(bTok)).status, 200, 'token: through (cached)');
  const tokenId = gw.core.store.users.tokensOf(b.id)[0].id;
  gw.core.store.users.deleteToken(b.id, tokenId);
  t.equal((await asToken(bTok)).status, 401, 'after the token is deleted: refused at once');

  // Removed from the project.
  const { user: c, token: cTok } = await gw.user('carol', { project, role: 'guest' });
  t.equal((await asToken(cTok)).status, 200, 'member: through (cached)');
  gw.core.store.projects.removeMember(projectId, c.id);
  t.equal((await asToken(cTok)).status, 404, 'after removal from the project: refused at once');

  // Deactivated (the UI also ends the sessions).
  const { user: d, token: dTok } = await gw.user('dave', { project, role: 'contributor' });
  t.equal((await asToken(dTok)).status, 200, 'active: through (cached)');
  gw.core.store.users.setActive(d.id, false);
  t.equal((await asToken(dTok)).status, 401, 'after deactivation: refused at once');

  // A demoted site admin who is no member.
  const { user: e, token: eTok } = await gw.user('eve', { admin: true });
  t.equal((await asToken(eTok)).status, 200, 'site admin: through (cached)');
  gw.core.store.users.setAdmin(e.id, false);
  t.equal((await asToken(eTok)).status, 404, 'after losing the admin flag: refused at once');

  t.ok(Date.now() - t0 < 5_000, 'all within the cache lifetime, so no TTL did the work');
  t.equal((await asToken(owner)).status, 200, 'everyone else is unaffected');
});

t.test('access is recorded in memory, flushed in batches and logged per minute, not per request', async (t) => {
  const gw = await startGateway({ PORTICO_ACCESS_FLUSH_MS: '60000' });
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('owner', { project, role: 'owner' });
  const uuid = await createContainer(gw, token, project);
  const ws = await createContainer(gw, token, project, { ...WS_IMAGE });
  await startContainer(gw, token, uuid);
  await startContainer(gw, token, ws);
  const c = gw.core.store.containers.byUuid(uuid)!;
  t.equal(c.dateAccessed, null, 'never accessed yet');
  // The app's own output (process Docker) is copied into the log too; count only Portico's rows.
  const porticoRows = () => gw.core.store.logs.tail(c.id, 100_000).filter((e) => e.process !== 'Docker').length;
  const logsBefore = porticoRows();

  const before = Date.now();
  for (let i = 0; i < 20; i++) await call(gw, `/containers/proxy/${uuid}/`, { headers: { authorization: `token ${token}` } });
  await call(gw, `/containers/proxy/${uuid}/cgi-bin/status?404`, { headers: { authorization: `token ${token}` } });
  t.equal(gw.core.store.containers.byUuid(uuid)!.dateAccessed, null, 'no database write per request');
  t.equal(porticoRows(), logsBefore, 'no log row per request');
  t.ok(gw.core.accessRecorder.lastAccess(c.id)! >= before, 'the access is in memory');

  gw.core.accessRecorder.flush({ log: true });
  t.ok(Date.parse(gw.core.store.containers.byUuid(uuid)!.dateAccessed!) >= before, 'flushed to the store');
  const lines = gw.core.store.logs.tail(c.id, 10).filter((e) => e.process === 'Proxy');
  t.equal(lines.length, 1, 'one aggregated Proxy line');
  t.match(lines[0].text, /^Accessed: 20 requests in the last minute$/, 'counting successful responses only');
  t.equal(lines[0].user, 'owner');

  const wsc = gw.core.store.containers.byUuid(ws)!;
  const sock = new WebSocket(`ws://127.0.0.1:${gw.port}/containers/proxy/${ws}/`, { headers: { authorization: `token ${token}` } });
  await new Promise((r) => sock.once('message', r));
  gw.core.accessRecorder.flush({ log: true });
  const first = gw.core.store.containers.byId(wsc.id)!.dateAccessed!;
  await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => { sock.once('message', r); sock.send('ping'); });
  gw.core.accessRecorder.flush();
  const second = gw.core.store.containers.byId(wsc.id)!.dateAccessed!;
  t.ok(second > first, 'live WebSocket traffic counts as access');
  t.match(gw.core.store.logs.tail(wsc.id, 10).filter((e) => e.process === 'Proxy')[0]?.text, /1 WebSocket connection/);
  sock.close();
});
