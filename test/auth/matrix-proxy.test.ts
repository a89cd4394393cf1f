/**
 * matrix-proxy.test.ts: the permission matrix on the HTTP and WebSocket proxy, with real app
 * containers: every row opens an app (guests may, and a guest's visit starts a stopped app, as
 * in Kiosc), non-members get 404, anonymous visitors are sent to log in. Also the read-only
 * decision: a non-admin's visit does not start a stopped app while the site is read-only.
 */
import t from 'tap';
import WebSocket from 'ws';
import { request } from 'undici';
import { TEST_IMAGE, WS_IMAGE, startGateway, waitFor } from '../helpers/gateway.ts';
import { WHO, classify, expected, makeActors } from '../helpers/matrix.ts';
import type { Actor } from '../helpers/matrix.ts';

/** wsOpen tries a WebSocket upgrade with the actor's session cookie; resolves 101 or the refusal's status. */
function wsOpen(base: string, path: string, a: Actor): Promise<number> {
  return new Promise((resolve) => {
    const cookie = [...a.web.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const ws = new WebSocket(base.replace('http', 'ws') + path, { headers: cookie ? { cookie } : {}, handshakeTimeout: 30_000 });
    ws.on('open', () => { ws.close(); resolve(101); });
    ws.on('unexpected-response', (_req, res) => { res.resume(); resolve(res.statusCode ?? 0); ws.terminate(); });
    ws.on('error', () => resolve(0));
  });
}

t.test('permission matrix: HTTP and WebSocket proxy', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project('Proxy matrix');
  const projectId = gw.core.store.projects.byUuid(project)!.id;
  const app = gw.core.containers.create(projectId, { title: 'app', ...TEST_IMAGE, container_port: 80 }, 'setup');
  const echo = gw.core.containers.create(projectId, { title: 'ws', ...WS_IMAGE, container_port: 80 }, 'setup');
  const actors = await makeActors(gw, project);
  const admin = actors.get('admin')!;

  for (const who of WHO) {
    const a = actors.get(who)!;
    const res = await a.web.request('GET', `/containers/proxy/${app.uuid}/`);
    const want = expected(who, 'guest', true);
    t.equal(classify(res.status, res.headers.get('location')), want, `proxy-http · open · ${who} → ${want}`);
    if (want === 'allow') t.match(res.text, /portico test app/, `${who} sees the app`);
    t.notOk(res.text.includes('m-') && want !== 'allow', 'nothing about the project leaks');
  }
  for (const who of WHO) {
    const a = actors.get(who)!;
    const want = expected(who, 'guest', true);
    t.equal(classify(await wsOpen(gw.base, `/containers/proxy/${echo.uuid}/`, a)), want, `proxy-ws · open · ${who} → ${want}`);
  }

  // A guest starts a stopped app only indirectly, by opening it.
  await gw.api('POST', `/containers/api/stop/${app.uuid}`, admin.token);
  t.equal(gw.core.store.containers.byId(app.id)!.state, 'exited');
  const guest = actors.get('guest')!;
  t.equal((await gw.api('POST', `/containers/api/start/${app.uuid}`, guest.token)).status, 403, 'a guest cannot start it directly');
  // Opening is a navigation (Node's fetch always says Sec-Fetch-Mode: cors, a background request, which
  // does not start a container a person stopped): the waiting page, and the start behind it.
  const opened = await request(`${gw.base}/containers/proxy/${app.uuid}/`, { headers: { authorization: `token ${guest.token}`, accept: 'text/html', 'sec-fetch-mode': 'navigate' } });
  await opened.body.text();
  t.equal(opened.statusCode, 202, 'but opening it starts it');
  await waitFor(() => gw.core.store.containers.byId(app.id)!.state === 'running' && !gw.core.containers.queue.busy(app.id), 30_000, 'running');

  // Read-only: a non-admin's visit does not start a stopped app (starting is a change); an admin's does.
  await gw.api('POST', `/containers/api/stop/${app.uuid}`, admin.token);
  gw.core.siteMode.setReadOnly(true);
  const refused = await guest.web.request('GET', `/containers/proxy/${app.uuid}/`);
  t.not(refused.status, 200, 'read-only: the guest gets no app');
  t.equal(gw.core.store.containers.byId(app.id)!.state, 'exited', 'and the app was not started');
  t.equal(refused.status, 403);
  t.match(refused.text, /read-only mode/, 'with a page that says why');
  await gw.api('POST', `/containers/api/stop/${echo.uuid}`, admin.token);
  t.equal(await wsOpen(gw.base, `/containers/proxy/${echo.uuid}/`, guest), 403, 'read-only: a WebSocket does not start a stopped app either');
  t.equal(gw.core.store.containers.byId(echo.id)!.state, 'exited');
  const byAdmin = await request(`${gw.base}/containers/proxy/${app.uuid}/`, { headers: { authorization: `token ${admin.token}`, accept: 'text/html', 'sec-fetch-mode': 'navigate' } });
  await byAdmin.body.text();
  t.equal(byAdmin.statusCode, 202, 'an admin still starts it');
  gw.core.siteMode.setReadOnly(false);
  await waitFor(() => !gw.core.containers.queue.busy(app.id) && !gw.core.containers.queue.busy(echo.id), 30_000, 'the queues to drain');
});
