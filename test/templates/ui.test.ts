/**
 * ui.test.ts: the template pages and the container form's pre-fill fragment over HTTP, with a
 * session cookie: roles, CSRF, Kiosc's copy dropdown (only templates the user can see), duplicate
 * and copy flashes, delete confirmation, escaping, and the pre-filled fields.
 */
import t from 'tap';
import { startGateway, TEST_IMAGE } from '../helpers/gateway.ts';
import { login } from '../helpers/session.ts';

t.test('template pages, copy dropdown and pre-fill', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const p1 = gw.project('Alpha');
  const p2 = gw.project('Beta');
  const p3 = gw.project('Gamma');
  const admin = (await gw.user('root', { admin: true })).token;
  const carol = await gw.user('carol', { project: p1, role: 'contributor' });
  gw.core.store.projects.setRole(gw.core.store.projects.byUuid(p2)!.id, carol.user.id, 'guest');
  const guestToken = (await gw.user('gus', { project: p1, role: 'guest' })).token;
  const olga = (await gw.user('olga', { project: p3, role: 'owner' })).token;
  const site = (await gw.api('POST', '/containers/api/templates/create/site', admin, { title: 'Site <b>nginx</b>', ...TEST_IMAGE, container_port: 8080, environment: { A: '1' } })).body;
  const beta = (await gw.api('POST', `/containers/api/templates/create/${p2}`, admin, { title: 'Beta app', ...TEST_IMAGE })).body;
  const gamma = (await gw.api('POST', `/containers/api/templates/create/${p3}`, olga, { title: 'Gamma hidden', ...TEST_IMAGE })).body;

  const s = await login(gw, carol.token);
  const guest = await login(gw, guestToken);

  // Create through the form; CSRF is required.
  const noCsrf = await s.post(`/projects/${p1}/templates/create`, { title: 'x' }, { csrf: false });
  t.equal(noCsrf.status, 403, 'form without CSRF token refused');
  const bad = await s.post(`/projects/${p1}/templates/create`, { title: '', container_port: 'abc' });
  t.equal(bad.status, 400, 'invalid form re-rendered with 400');
  t.match(bad.text, /Title is required/);
  t.match(bad.text, /Container port must be a whole number/);
  const created = await s.post(`/projects/${p1}/templates/create`, {
    title: 'Shiny <script>alert(1)</script>', repository: TEST_IMAGE.repository, tag: '', container_port: '8080', strip_prefix: 'false',
    environment: '{"dataset": "iris"}', command: 'httpd -f -p 8080', timeout: '60', max_retries: '5', inactivity_threshold: '',
  });
  t.equal(created.status, 303, 'created: redirect to the list');
  const listed = await s.get(created.headers.get('location')!);
  t.match(listed.text, /Created container template &#39;Shiny &lt;script&gt;alert\(1\)&lt;\/script&gt;&#39;/, 'flash names the template, escaped');
  t.notMatch(listed.text, /<script>alert/, 'no raw script anywhere');
  const shiny = (await gw.api('GET', `/containers/api/templates/${p1}`, carol.token)).body.results[0];
  t.equal(shiny.tag, 'latest', 'empty tag means the default');
  t.equal(shiny.strip_prefix, false);

  // The copy dropdown lists the site-wide templates and those of the user's other projects, not others.
  const options = [...listed.text.matchAll(/<option value="([0-9a-f-]{36})">([^<]*)<\/option>/g)].map((m) => [m[1], m[2]]);
  t.same(options.map((o) => o[0]).sort(), [site.sodar_uuid, beta.sodar_uuid].sort(), 'copy dropdown: site-wide and other projects of mine');
  t.ok(options.some((o) => o[1] === `[Site-wide] Site &lt;b&gt;nginx&lt;/b&gt; (${TEST_IMAGE.repository}:1)`), 'Kiosc\'s [Site-wide] label, escaped');
  t.ok(options.some((o) => o[1] === `[Project-wide] Beta / Beta app (${TEST_IMAGE.repository}:1)`), '[Project-wide] label with the project');
  t.notMatch(listed.text, gamma.sodar_uuid, 'a template of a project I do not belong to is not offered');

  const copied = await s.post(`/projects/${p1}/templates/copy`, { template: beta.sodar_uuid });
  t.equal(copied.status, 303);
  const afterCopy = await s.get(copied.headers.get('location')!);
  t.match(afterCopy.text, /Created container template &#39;Beta app \(Copy\)&#39; from &#39;Beta app&#39;/, 'Kiosc\'s copy message');
  const refused = await s.post(`/projects/${p1}/templates/copy`, { template: gamma.sodar_uuid });
  t.equal(refused.status, 404, 'copy from a project I do not belong to: refused');
  t.notMatch((await s.get(`/projects/${p1}/templates`)).text, /Gamma hidden/, 'nothing copied');

  const dup = await s.post(`/projects/${p1}/templates/${shiny.sodar_uuid}/duplicate`, {});
  t.equal(dup.status, 303);
  t.match((await s.get(dup.headers.get('location')!)).text, /\(Duplicate\)&#39; from/, 'duplicate message');

  // Guests see, but get no controls and cannot post.
  const gl = await guest.get(`/projects/${p1}/templates`);
  t.equal(gl.status, 200);
  t.match(gl.text, /Beta app \(Copy\)/);
  t.notMatch(gl.text, /\/templates\/create"/, 'no Create for guests');
  t.notMatch(gl.text, /copy-template/, 'no copy dropdown for guests');
  t.equal((await guest.post(`/projects/${p1}/templates/create`, { title: 'g' })).status, 403);
  t.equal((await guest.get(`/projects/${p1}/templates/${shiny.sodar_uuid}`)).status, 200, 'guests see details');
  t.equal((await s.get(`/projects/${p3}/templates`)).status, 404, 'non-members: 404');
  t.equal((await s.get(`/projects/${p1}/templates/${site.sodar_uuid}`)).status, 404, 'a site-wide template is not under a project path');

  // Site-wide pages: everyone views; only admins change.
  const sl = await s.get('/templates');
  t.equal(sl.status, 200);
  t.match(sl.text, /Site &lt;b&gt;nginx&lt;\/b&gt;/);
  t.notMatch(sl.text, /\/templates\/create"/, 'no Create for non-admins');
  t.equal((await s.post('/templates/create', { title: 'nope' })).status, 403);
  t.equal((await s.post(`/templates/${site.sodar_uuid}/delete`, {})).status, 403);
  const a = await login(gw, admin);
  t.match((await a.get('/templates')).text, /\/templates\/create"/, 'admins get Create');

  // Delete with confirmation.
  const confirm = await s.get(`/projects/${p1}/templates/${shiny.sodar_uuid}/delete`);
  t.equal(confirm.status, 200);
  t.match(confirm.text, /can <strong>not<\/strong> be undone/);
  const del = await s.post(`/projects/${p1}/templates/${shiny.sodar_uuid}/delete`, {});
  t.equal(del.status, 303);
  t.equal((await gw.api('GET', `/containers/api/templates/detail/${shiny.sodar_uuid}`, carol.token)).status, 404, 'deleted');

  // The container form's pre-fill fragment.
  const pre = await s.get(`/projects/${p1}/containers/prefill?template=${site.sodar_uuid}`, { 'hx-request': 'true' });
  t.equal(pre.status, 200);
  t.match(pre.text, new RegExp(`name="repository" type="text" value="${TEST_IMAGE.repository}"`), 'repository filled in');
  t.match(pre.text, /name="container_port" type="(text|number)" value="8080"/, 'port filled in');
  t.match(pre.text, /name="title" type="text" value="Site &lt;b&gt;nginx&lt;\/b&gt;"/, 'title filled in (escaped)');
  t.match(pre.text, /&quot;A&quot;: &quot;1&quot;/, 'environment filled in');
  t.match(pre.text, new RegExp(`name="containertemplatesite" value="${site.sodar_uuid}"`), 'origin: site-wide template');
  t.match(pre.text, /name="containertemplateproject" value=""/);
  t.notMatch(pre.text, /<html/, 'a fragment, not a page');
  const preProject = await s.get(`/projects/${p1}/containers/prefill?template=${beta.sodar_uuid}`);
  // regression: Get from another project's template pre-filled a hidden origin the create then refused.
  t.match(preProject.text, /name="containertemplateproject" value=""/, 'a template of another project: its values, not its foreign origin');
  t.match(preProject.text, /name="title" type="text" value="Beta app"/, 'the values are copied');
  const fromForeign = await s.post(`/projects/${p1}/containers/create`, {
    title: 'From beta', repository: TEST_IMAGE.repository, tag: TEST_IMAGE.tag, container_port: '80', containertemplatesite: '',
    containertemplateproject: /name="containertemplateproject" value="([^"]*)"/.exec(preProject.text)![1],
  });
  t.equal(fromForeign.status, 303, 'submitting the pre-filled form creates the container');
  const copy = (await gw.api('GET', `/containers/api/templates/${p1}`, carol.token)).body.results.find((x: { title: string }) => x.title === 'Beta app (Copy)');
  const own = await s.get(`/projects/${p1}/containers/prefill?template=${copy.sodar_uuid}`);
  t.match(own.text, new RegExp(`name="containertemplateproject" value="${copy.sodar_uuid}"`), 'a template of this project stays the origin');
  t.equal((await s.get(`/projects/${p1}/containers/prefill?template=${gamma.sodar_uuid}`)).status, 404, 'pre-fill from an invisible template: 404');
  t.equal((await guest.get(`/projects/${p1}/containers/prefill?template=${site.sodar_uuid}`)).status, 403, 'guests cannot create containers');
});
