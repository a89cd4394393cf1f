/**
 * container-path.test.ts: container_path as Kiosc means it, on a real container. The path after
 * the prefix reaches the app unchanged; container_path only shapes the link that opens the app
 * (the eye button, Kiosc's lobby link) and the value of __KIOSC_URL_PREFIX__ (no slash added).
 */
import t from 'tap';
import { startGateway } from '../helpers/gateway.ts';
import { session, page } from '../helpers/ui-http.ts';
import { call, createContainer, startContainer } from './helpers.ts';
import { appHost, send } from './app-origin-helpers.ts';

/** envOf reads the app's process environment from the httpd image's /cgi-bin/env CGI. */
function envOf(text: string): Record<string, string> {
  return Object.fromEntries(text.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1).replace(/\r$/, '')]));
}

t.test('container_path: paths reach the app unchanged; the link and the prefix value follow Kiosc', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('owner', { project, role: 'owner' });
  const auth = { authorization: `token ${token}` };
  const uuid = await createContainer(gw, token, project, { container_path: 'cgi-bin', environment: { PREFIX: '__KIOSC_URL_PREFIX__', BASE: 'at __KIOSC_URL_PREFIX__/x' } });
  await startContainer(gw, token, uuid);
  const P = `/containers/proxy/${uuid}`;

  const env = envOf((await call(gw, `${P}/cgi-bin/env`, { headers: auth })).text);
  t.equal(env.PREFIX, `${P}/cgi-bin`, '__KIOSC_URL_PREFIX__ is the prefix and container_path, with no trailing slash (as Kiosc)');
  t.equal(env.BASE, `at ${P}/cgi-bin/x`, 'replaced inside a longer value');

  const direct = await call(gw, `${P}/cgi-bin/echo?q=1`, { headers: auth });
  t.equal(direct.json().url, '/cgi-bin/echo?q=1', 'the path after the prefix reaches the app unchanged');
  const root = await call(gw, `${P}/`, { headers: auth });
  t.equal(root.status, 200, 'the app root is still reachable (nothing is put before it)');

  const s = await session(gw, token);
  const detail = await page(gw, `/containers/${uuid}`, s.cookie);
  t.match(detail.text, new RegExp(`href="${P}/cgi-bin"`), 'the eye button opens the prefix followed by container_path');
});

t.test('regression: an app that builds its links from __KIOSC_URL_PREFIX__ with a container_path got doubled paths (/cgi-bin/cgi-bin/echo)', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('owner', { project, role: 'owner' });
  const auth = { authorization: `token ${token}` };
  const uuid = await createContainer(gw, token, project, { container_path: 'cgi-bin/', environment: { PREFIX: '__KIOSC_URL_PREFIX__' } });
  await startContainer(gw, token, uuid);
  const prefix = envOf((await call(gw, `/containers/proxy/${uuid}/cgi-bin/env`, { headers: auth })).text).PREFIX;
  t.equal(prefix, `/containers/proxy/${uuid}/cgi-bin/`, 'a container_path typed with a slash keeps it');
  // The app links to <prefix>echo, as a Dash or Shiny app does with its base path.
  const r = await call(gw, `${prefix}echo`, { headers: auth });
  t.equal(r.status, 200);
  t.equal(r.json().url, '/cgi-bin/echo', 'the app gets /cgi-bin/echo, not /cgi-bin/cgi-bin/echo');
});

t.test("Kiosc's lobby link redirects to the app's link, after the same checks as the link", async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('owner', { project, role: 'owner' });
  const { token: stranger } = await gw.user('stranger');
  const withPath = await createContainer(gw, token, project, { container_path: 'cgi-bin/echo' });
  const plain = await createContainer(gw, token, project);

  const r = await call(gw, `/containers/proxy/lobby/${withPath}`, { headers: { authorization: `token ${token}` } });
  t.equal(r.status, 302, 'temporary: the target follows container_path (and may move)');
  t.equal(r.headers.location, `/containers/proxy/${withPath}/cgi-bin/echo`, 'to the link that opens the app');
  t.equal(r.headers['cache-control'], 'no-store');
  const q = await call(gw, `/containers/proxy/lobby/${plain.toUpperCase()}?x=1`, { headers: { authorization: `token ${token}` } });
  t.equal(q.headers.location, `/containers/proxy/${plain}/`, 'no container_path: the prefix; the uuid in any case');

  const s = await session(gw, token);
  const viaSession = await page(gw, `/containers/proxy/lobby/${plain}`, s.cookie);
  t.equal(viaSession.status, 302, 'a logged-in browser is sent on too');

  const anon = await call(gw, `/containers/proxy/lobby/${withPath}`, { headers: { accept: 'text/html', 'sec-fetch-mode': 'navigate' } });
  t.equal(anon.status, 302, 'an anonymous browser goes to the login page');
  t.equal(anon.headers.location, `/login?next=${encodeURIComponent(`/containers/proxy/lobby/${withPath}`)}`, 'and comes back to the lobby link');
  const nonMember = await call(gw, `/containers/proxy/lobby/${withPath}`, { headers: { authorization: `token ${stranger}` } });
  t.equal(nonMember.status, 404, 'a non-member learns nothing, not even container_path');
  t.notOk(nonMember.headers.location);
  const missing = await call(gw, '/containers/proxy/lobby/00000000-0000-4000-8000-000000000000', { headers: { authorization: `token ${token}` } });
  t.equal(missing.status, 404);
  t.equal(JSON.parse(missing.text).code, 'E_CONTAINER_NOT_FOUND');
  const post = await call(gw, `/containers/proxy/lobby/${plain}`, { method: 'POST', headers: { authorization: `token ${token}` } });
  t.equal(post.status, 404, 'only GET and HEAD');
  const junk = await call(gw, `/containers/proxy/lobby/${plain}/x`, { headers: { authorization: `token ${token}` } });
  t.equal(junk.status, 404, 'nothing after the uuid');
});

t.test('with app origins: at the root of the app origin too, the path reaches the app unchanged', async (t) => {
  const gw = await startGateway({ PORTICO_APP_ORIGINS: 'per-app' });
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('owner', { project, role: 'owner' });
  const uuid = await createContainer(gw, token, project, { container_path: 'cgi-bin' });
  await startContainer(gw, token, uuid);
  const host = appHost(gw, uuid);
  const auth = { authorization: `token ${token}` };
  t.equal((await send(gw, host, '/cgi-bin/echo?q=1', { headers: auth })).json().url, '/cgi-bin/echo?q=1', 'regression: container_path was put before every path at the root (/cgi-bin/cgi-bin/echo)');
  t.equal((await send(gw, host, `/containers/proxy/${uuid}/cgi-bin/echo`, { headers: auth })).json().url, '/cgi-bin/echo', "and under the app's own prefix there");
  const old = await call(gw, `/containers/proxy/lobby/${uuid}`, { headers: auth });
  t.equal(old.headers.location, `/containers/proxy/${uuid}/cgi-bin`, 'the lobby link still points at the app\'s link (which sends a browser on to the origin)');
});
