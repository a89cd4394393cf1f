/**
 * proxy-sharing.test.ts: session sharing over the real proxy, with a real container. The owner of
 * an instance invites a viewer and a user; the viewer reads (GET, and a WebSocket) but cannot act
 * (POST: 403), the user acts, anyone else gets 404; revoking closes the viewer's open WebSocket and
 * keep-alive HTTP connection within a second, and the next request is refused at once (the proxy's
 * auth and route caches do not let it through). The audit trail holds every step.
 */
import t from 'tap';
import net from 'node:net';
import WebSocket from 'ws';
import { Agent } from 'undici';
import { startGateway, WS_IMAGE } from '../helpers/gateway.ts';
import { call } from '../proxy/helpers.ts';
import { aliceInstance } from './helpers.ts';
import { appHost, send } from '../proxy/app-origin-helpers.ts';

/** rawGet sends one keep-alive GET on `sock` and resolves with the status once the whole answer arrived. */
function rawGet(sock: net.Socket, path: string, token: string): Promise<number> {
  return new Promise((resolve) => {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString('latin1');
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const len = Number(/content-length: *(\d+)/i.exec(buf.slice(0, end))?.[1] ?? 0);
      if (buf.length >= end + 4 + len) { sock.off('data', onData); resolve(Number(buf.slice(9, 12))); }
    };
    sock.on('data', onData);
    sock.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: token ${token}\r\nContent-Length: 0\r\n\r\n`);
  });
}

t.test('a viewer reads, a user acts, others get 404; revoking cuts the viewer at once; the audit trail shows it all', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const { admin, alice, bob, uuid } = await aliceInstance(gw, WS_IMAGE);
  const carol = await gw.user('carol');
  const { token: mallory } = await gw.user('mallory');
  const path = `/containers/proxy/${uuid}/`;
  // One connection pool per user, as one browser each (the API calls go on another).
  const pools = new Map<string, Agent>();
  t.teardown(() => Promise.all([...pools.values()].map((p) => p.close())));
  const as = (token: string, method = 'GET') => {
    if (!pools.has(token)) pools.set(token, new Agent());
    return call(gw, path, { method, headers: { authorization: `token ${token}` }, dispatcher: pools.get(token) });
  };

  t.equal((await as(alice.token)).status, 200, 'the owner opens their instance (not a member of its project)');
  t.equal((await as(bob.token)).status, 404, 'before an invitation: 404');

  const inv = await gw.api('POST', `/api/instances/${uuid}/shares`, alice.token, { user: 'bob', mode: 'view' });
  t.equal(inv.status, 201, 'the owner invites bob to view');
  t.same([inv.body.user, inv.body.mode, inv.body.owner], ['bob', 'view', 'alice']);
  t.equal((await gw.api('POST', `/api/instances/${uuid}/shares`, alice.token, { user: 'carol', mode: 'use' })).status, 201, 'and carol to use');
  const bad = await gw.api('POST', `/api/instances/${uuid}/shares`, alice.token, { user: 'carol', mode: 'admin' });
  t.equal(bad.status, 400, 'an unknown mode is a 400');
  t.match(bad.body.error, /mode/);
  t.equal((await gw.api('POST', `/api/instances/${uuid}/shares`, bob.token, { user: 'mallory', mode: 'use' })).status, 403, 'a viewer cannot share further');
  t.equal((await gw.api('POST', `/api/instances/${uuid}/shares`, mallory, { user: 'mallory', mode: 'use' })).status, 404, 'a stranger: the instance does not exist');

  const viewGet = await as(bob.token);
  t.equal(viewGet.status, 200, 'the viewer reads');
  t.equal(viewGet.text, 'ws-echo ready');
  t.equal((await as(bob.token, 'HEAD')).status, 200, 'HEAD is a read');
  const viewPost = await as(bob.token, 'POST');
  t.equal(viewPost.status, 403, 'the viewer cannot act (POST)');
  t.equal(viewPost.json().code, 'E_FORBIDDEN');
  t.equal((await as(carol.token, 'POST')).status, 200, 'the user acts (POST)');
  t.equal((await as(carol.token, 'DELETE')).status, 200, 'and so on (DELETE)');
  const stranger = await as(mallory, 'GET');
  t.equal(stranger.status, 404, 'a non-invited user gets 404');
  t.equal(stranger.json().code, 'E_CONTAINER_NOT_FOUND');

  const shared = await gw.api('GET', '/api/shares', bob.token);
  t.same(shared.body.map((s: any) => [s.container, s.mode, s.link]), [[uuid, 'view', path]], 'bob sees it under "Shared with me"');

  // The viewer's open connections: a WebSocket and a keep-alive HTTP connection.
  const ws = new WebSocket(`ws://127.0.0.1:${gw.port}${path}`, { headers: { authorization: `token ${bob.token}` } });
  const hello = JSON.parse(String(await new Promise((r) => ws.once('message', r))));
  t.equal(hello.headers['x-portico-role'], 'guest', 'the app is told the viewer is a guest');
  const echoed = await new Promise((r) => { ws.once('message', (d) => r(String(d))); ws.send('hi'); });
  t.equal(echoed, 'hi', 'the viewer\'s WebSocket works');
  const sock = net.connect(gw.port, '127.0.0.1');
  await new Promise((r) => sock.once('connect', r));
  t.equal(await rawGet(sock, path, bob.token), 200, 'a keep-alive GET of the viewer');

  const list = await gw.api('GET', `/api/instances/${uuid}/shares`, alice.token);
  t.equal(list.status, 200);
  const bobLive = list.body.connected.find((c: any) => c.user === 'bob');
  t.ok(bobLive && bobLive.websocket === 1 && bobLive.http >= 1, `the owner sees bob connected now (${JSON.stringify(bobLive)})`);
  t.same(list.body.shares.map((s: any) => [s.user, s.mode]), [['bob', 'view'], ['carol', 'use']]);

  const wsClosed = new Promise<number>((r) => ws.once('close', () => r(performance.now())));
  const sockClosed = new Promise<number>((r) => sock.once('close', () => r(performance.now())));
  const t0 = performance.now();
  const rev = await gw.api('DELETE', `/api/instances/${uuid}/shares/bob`, alice.token);
  t.equal(rev.status, 200, 'the owner revokes bob');
  const deadline = new Promise<number>((r) => setTimeout(() => r(Infinity), 1000));
  const wsAt = await Promise.race([wsClosed, deadline]);
  const sockAt = await Promise.race([sockClosed, deadline]);
  t.ok(wsAt - t0 < 1000, `the viewer's WebSocket closed within a second (${Math.round(wsAt - t0)} ms)`);
  t.ok(sockAt - t0 < 1000, `the viewer's keep-alive HTTP connection closed within a second (${Math.round(sockAt - t0)} ms)`);
  t.equal((await as(bob.token)).status, 404, 'the next request is refused at once: no cache lets it through');
  t.equal((await as(carol.token, 'POST')).status, 200, 'carol is unaffected');
  t.same((await gw.api('GET', '/api/shares', bob.token)).body, [], 'nothing is shared with bob any more');
  t.equal((await gw.api('DELETE', `/api/instances/${uuid}/shares/bob`, alice.token)).status, 404, 'revoking twice: 404');

  const audit = await gw.api('GET', `/api/audit?container=${uuid}`, alice.token);
  t.equal(audit.status, 200, 'the owner reads the trail of their instance');
  const lines = audit.body.results.map((e: any) => `${e.actor} ${e.action}${e.detail.user ? ' ' + e.detail.user : ''}`).reverse();
  for (const want of ['alice share.invite bob', 'alice share.invite carol', 'bob share.open', 'carol share.open', 'alice share.revoke bob']) {
    t.ok(lines.includes(want), `the trail has "${want}"`);
  }
  t.equal(lines.filter((l: string) => l === 'bob share.open').length, 1, 'one "open" for bob\'s session, not one per request');
  t.equal(audit.body.results.find((e: any) => e.action === 'share.revoke').detail.connectionsClosed >= 2, true, 'the revocation says it closed connections');
  t.ok(lines.includes('root container.start'), 'the container action is in the trail too');
  const bobsView = await gw.api('GET', `/api/audit?container=${uuid}`, bob.token);
  t.same(bobsView.body.results, [], 'someone who is not the owner reads none of it');
  const all = await gw.api('GET', '/api/audit?action=share.', admin);
  t.equal(all.body.count, 5, 'a site admin reads all of it; action "share." filters by prefix');
  const bad2 = await gw.api('GET', '/api/audit?since=yesterday', admin);
  t.equal(bad2.status, 400, 'a malformed filter is a 400');
  t.match(bad2.body.error, /since must be a date/);
});

t.test('an app instance is shared only when its grant has allow_view; the shared instance opens for the invited user', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const { token: admin } = await gw.user('root', { admin: true });
  const alice = await gw.user('alice');
  const bob = await gw.user('bob');
  const app = await gw.api('POST', '/api/apps', admin, { image: 'portico-test/httpd:1', title: 'Viewer', port: 80 });
  t.equal(app.status, 201, JSON.stringify(app.body));
  t.equal((await gw.api('POST', `/api/apps/${app.body.uuid}/grants`, admin, { user: 'alice' })).status, 201, 'a grant without allow_view');
  const closed = await gw.api('POST', `/api/apps/${app.body.uuid}/open`, alice.token, {});
  t.ok(closed.status === 200 || closed.status === 201, JSON.stringify(closed.body));
  const closedUuid = closed.body.uuid;
  const refused = await gw.api('POST', `/api/instances/${closedUuid}/shares`, alice.token, { user: 'bob', mode: 'view' });
  t.equal(refused.status, 403, 'allow_view off: the owner cannot share it');
  t.match(refused.body.error, /allow_view/);
  const list = await gw.api('GET', `/api/instances/${closedUuid}/shares`, alice.token);
  t.equal(list.body.may_share, false, 'and the dialog says so');
  t.equal((await gw.api('GET', `/api/instances/${closedUuid}/shares`, bob.token)).status, 404, 'someone else: 404');
  t.equal((await call(gw, `/containers/proxy/${closedUuid}/`, { headers: { authorization: `token ${bob.token}` } })).status, 404, 'bob cannot open it');

  // (Another user: one user's instances of one app under two policies would share a title; see the report.)
  const carol = await gw.user('carol');
  const viewGrant = await gw.api('POST', `/api/apps/${app.body.uuid}/grants`, admin, { user: 'carol', allow_view: true });
  t.equal(viewGrant.status, 201, 'a grant with allow_view');
  const open = await gw.api('POST', `/api/apps/${app.body.uuid}/open`, carol.token, { start: true });
  t.ok(open.status === 200 || open.status === 201, JSON.stringify(open.body));
  t.equal((await gw.api('POST', `/api/instances/${open.body.uuid}/shares`, carol.token, { user: 'bob', mode: 'view' })).status, 201, 'allow_view on: shared');
  const seen = await call(gw, `/containers/proxy/${open.body.uuid}/`, { headers: { authorization: `token ${bob.token}` } });
  t.equal(seen.status, 200, 'bob opens the shared instance');
  t.match(seen.text, /portico test app/);
});

t.test('on an app\'s own origin (PORTICO_APP_ORIGINS=per-app) a viewer reads and cannot act, on the fast path and Node\'s', async (t) => {
  const gw = await startGateway({ PORTICO_APP_ORIGINS: 'per-app' });
  t.teardown(() => gw.close());
  const { alice, bob, uuid } = await aliceInstance(gw, WS_IMAGE);
  const { token: mallory } = await gw.user('mallory');
  t.equal((await gw.api('POST', `/api/instances/${uuid}/shares`, alice.token, { user: 'bob', mode: 'view' })).status, 201);
  const host = appHost(gw, uuid);
  const as = (token: string, method: string, extra: Record<string, string> = {}) => send(gw, host, '/', { method, headers: { authorization: `token ${token}`, ...extra } });
  t.equal((await as(bob.token, 'GET')).status, 200, 'the viewer reads on the fast path');
  t.equal((await as(bob.token, 'GET', { 'content-length': '0' })).status, 200, 'and on Node\'s path');
  t.equal((await as(bob.token, 'POST', { 'content-length': '0' })).status, 403, 'a POST is refused');
  t.equal((await as(bob.token, 'PUT', { 'content-length': '0' })).status, 403, 'so is a PUT');
  t.equal((await as(mallory, 'GET')).status, 404, 'a non-invited user: 404');
  t.equal((await as(alice.token, 'POST', { 'content-length': '0' })).status, 200, 'the owner acts');
});
