/**
 * pages.test.ts: the UI over real sockets, without a browser: login redirects, HTML error pages
 * (JSON kept for the API), CSRF and roles on every write, form validation, masked secrets on
 * update, and htmx answers to actions.
 */
import t from 'tap';
import { startGateway, TEST_IMAGE } from '../helpers/gateway.ts';
import { page, post, session } from '../helpers/ui-http.ts';

t.test('logins, HTML error pages for browsers, JSON for the API', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const other = gw.project();
  const { token } = await gw.user('mem', { project, role: 'contributor' });
  const { cookie } = await session(gw, token);

  const anon = await page(gw, `/projects/${project}/containers`, null);
  t.equal(anon.status, 303, 'not logged in: redirect');
  t.equal(anon.headers.get('location'), `/login?next=${encodeURIComponent(`/projects/${project}/containers`)}`, 'to the login page, coming back after');

  const ok = await page(gw, `/projects/${project}`, cookie);
  t.equal(ok.status, 303, '/projects/<uuid> opens the containers page');
  t.equal(ok.headers.get('location'), `/projects/${project}/containers`);
  const list = await page(gw, `/projects/${project}/containers`, cookie);
  t.equal(list.status, 200);
  t.match(list.headers.get('content-security-policy'), /script-src 'self'/, 'pages carry a CSP');
  for (const nav of ['containers', 'templates', 'files', 'members']) t.match(list.text, `href="/projects/${project}/${nav}"`, `sidebar links ${nav}`);

  const stranger = await page(gw, `/projects/${other}/containers`, cookie);
  t.equal(stranger.status, 404, 'a non-member gets 404');
  t.match(stranger.headers.get('content-type'), /text\/html/, 'as an HTML page');
  t.match(stranger.text, /not a member of its project/);

  const missing = await page(gw, '/no/such/page', cookie);
  t.equal(missing.status, 404);
  t.match(missing.headers.get('content-type'), /text\/html/, 'unknown paths: HTML 404 for browsers');
  const api = await gw.api('GET', '/no/such/endpoint', token);
  t.equal(api.status, 404);
  t.equal(api.body.code, 'E_NOT_FOUND', 'API clients keep the JSON error');
  const apiHtml = await page(gw, '/containers/api/nothing/here/at/all', cookie);
  t.match(apiHtml.headers.get('content-type'), /json/, 'API paths answer JSON even to browsers');

  const admin = await page(gw, '/siteadmin', cookie);
  t.equal(admin.status, 403, 'site admin: admins only');
  t.match(admin.text, /site administrators only/);
  const adminEvents = await page(gw, '/siteadmin/events', cookie);
  t.equal(adminEvents.status, 403, 'and its live stream too');
});

t.test('UI writes need the CSRF token and the right role', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token: owner } = await gw.user('own', { project, role: 'owner' });
  const { token: guest } = await gw.user('gst', { project, role: 'guest' });
  const c = (await gw.api('POST', `/containers/api/create/${project}`, owner, { title: 'c', ...TEST_IMAGE })).body;
  const o = await session(gw, owner);
  const g = await session(gw, guest);

  const noToken = await post(gw, `/containers/${c.sodar_uuid}/start`, o.cookie, { view: 'row' });
  t.equal(noToken.status, 403, 'no CSRF token: refused');
  t.match(noToken.text, /CSRF token/);
  const wrong = await post(gw, `/containers/${c.sodar_uuid}/start`, o.cookie, { view: 'row', csrf_token: 'x'.repeat(o.csrf.length) });
  t.equal(wrong.status, 403, 'wrong CSRF token: refused');
  const htmx = await post(gw, `/containers/${c.sodar_uuid}/start`, o.cookie, { view: 'row' }, { 'hx-request': 'true' });
  t.equal(htmx.status, 403);
  t.equal(htmx.headers.get('hx-retarget'), '#flash', 'htmx errors land in the flash area');
  t.match(htmx.text, /class="flash bad"/);
  t.equal(gw.core.store.containers.byUuid(c.sodar_uuid)!.state, 'initial', 'nothing happened');
  t.equal(gw.core.store.logs.jobs(gw.core.store.containers.byUuid(c.sodar_uuid)!.id).length, 0, 'no job ran');

  const guestTry = await post(gw, `/containers/${c.sodar_uuid}/stop`, g.cookie, { csrf_token: g.csrf });
  t.equal(guestTry.status, 403, 'guests cannot act');
  const guestForm = await page(gw, `/projects/${project}/containers/create`, g.cookie);
  t.equal(guestForm.status, 403, 'guests cannot open the create form');
  const guestDelete = await page(gw, `/containers/${c.sodar_uuid}/delete`, g.cookie);
  t.equal(guestDelete.status, 403, 'nor the delete confirmation');
  const unknown = await post(gw, `/containers/${c.sodar_uuid}/explode`, o.cookie, { csrf_token: o.csrf });
  t.equal(unknown.status, 404, 'unknown action');
  const badUuid = await post(gw, '/containers/not-a-uuid/start', o.cookie, { csrf_token: o.csrf });
  t.equal(badUuid.status, 404, 'malformed uuid');
});

t.test('read-only site: only admins change anything from the UI', async (t) => {
  const gw = await startGateway({ PORTICO_READ_ONLY: 'true' });
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('ro', { project, role: 'owner' });
  const s = await session(gw, token);
  const r = await post(gw, `/projects/${project}/containers/create`, s.cookie, { csrf_token: s.csrf, title: 'x', repository: 'nginx', tag: 'latest', container_port: '80', timeout: '60', max_retries: '5' });
  t.equal(r.status, 403);
  t.match(r.text, /read-only mode/);
  t.equal(gw.core.store.containers.all().length, 0, 'nothing created');
});

t.test('forms: inline validation, duplicate titles, masked secrets kept on update', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('frm', { project, role: 'contributor' });
  const s = await session(gw, token);
  const base = { csrf_token: s.csrf, title: 'Form app', description: '', repository: 'portico-test/httpd', tag: '1', container_port: '80', container_path: '',
    strip_prefix: 'true', environment: '{"PUBLIC": "yes", "TOKEN": "s3cret"}', environment_secret_keys: 'TOKEN', command: '', timeout: '60', heartbeat_url: '', max_retries: '5', inactivity_threshold: '7' };

  const bad = await post(gw, `/projects/${project}/containers/create`, s.cookie, { ...base, title: ' ', repository: 'Not A Repo', container_port: 'abc', environment: '[1, 2]', environment_secret_keys: 'NOPE' });
  t.equal(bad.status, 400, 'invalid input answers 400 with the form');
  t.match(bad.text, /Title is required/);
  t.match(bad.text, /Repository must be a Docker image name/);
  t.match(bad.text, /Container port must be a whole number/);
  t.match(bad.text, /Environment must be a JSON object/);
  t.match(bad.text, /aria-invalid="true"/);
  t.match(bad.text, /value="abc"/, 'the entered values come back');
  t.equal(gw.core.store.containers.all().length, 0, 'nothing stored');

  const created = await post(gw, `/projects/${project}/containers/create`, s.cookie, { ...base, strip_prefix: 'false' });
  t.equal(created.status, 303);
  const uuid = /\/containers\/([0-9a-f-]{36})\?done=created$/.exec(created.headers.get('location') ?? '')?.[1];
  t.ok(uuid, 'redirects to the new container');
  const stored = gw.core.store.containers.byUuid(uuid!)!;
  t.equal(stored.stripPrefix, false, 'unchecked box (hidden "false") is stored as false');
  t.same(stored.environment, { PUBLIC: 'yes', TOKEN: 's3cret' });

  const dup = await post(gw, `/projects/${project}/containers/create`, s.cookie, base);
  t.equal(dup.status, 400);
  t.match(dup.text, /Title is already used by another container in this project/);

  const form = await page(gw, `/containers/${uuid}/update`, s.cookie);
  t.equal(form.status, 200);
  t.match(form.text, /&quot;TOKEN&quot;: &quot;&lt;masked&gt;&quot;/, 'secret masked in the update form');
  t.notMatch(form.text, /s3cret/, 'the secret never reaches the page');
  t.match(form.text, /name="strip_prefix" value="true" aria-describedby/, 'checkbox unchecked');

  const upd = await post(gw, `/containers/${uuid}/update`, s.cookie, { ...base, environment: '{"PUBLIC": "changed", "TOKEN": "<masked>"}' });
  t.equal(upd.status, 303);
  t.equal(upd.headers.get('location'), `/containers/${uuid}?done=updated`);
  t.same(gw.core.store.containers.byUuid(uuid!)!.environment, { PUBLIC: 'changed', TOKEN: 's3cret' }, '<masked> kept the stored secret');
  const upd2 = await post(gw, `/containers/${uuid}/update`, s.cookie, { ...base, environment: '{"PUBLIC": "changed", "TOKEN": "new"}' });
  t.equal(upd2.status, 303);
  t.equal(gw.core.store.containers.byUuid(uuid!)!.environment.TOKEN, 'new', 'a new value replaces it');

  const detail = await page(gw, `/containers/${uuid}?done=updated`, s.cookie);
  t.match(detail.text, /Container updated\./, 'fixed success text');
  const spoof = await page(gw, `/containers/${uuid}?done=${encodeURIComponent('<b>hacked</b>')}`, s.cookie);
  t.notMatch(spoof.text, /hacked/, 'unknown done codes show nothing');
});

t.test('htmx actions answer with the flash and the refreshed row', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('hx', { project, role: 'owner' });
  const s = await session(gw, token);
  const c = (await gw.api('POST', `/containers/api/create/${project}`, token, { title: 'hx app', ...TEST_IMAGE })).body;
  const hx = { 'hx-request': 'true', 'x-csrf-token': s.csrf };

  const start = await post(gw, `/containers/${c.sodar_uuid}/start`, s.cookie, { view: 'row' }, hx);
  t.equal(start.status, 200);
  t.match(start.text, /<div id="flash" class="toasts" hx-swap-oob="innerHTML">/, 'flash swapped out of band');
  t.match(start.text, /Start: hx app is now running\./);
  t.match(start.text, new RegExp(`<template>\\s*<tr id="row-${c.sodar_uuid}"[^>]*data-state="running" hx-swap-oob="true">`), 'row refreshed out of band');

  const detail = await post(gw, `/containers/${c.sodar_uuid}/stop`, s.cookie, { view: 'detail' }, hx);
  t.match(detail.text, new RegExp(`<div id="status-${c.sodar_uuid}" class="status-bar" hx-swap-oob="true">`), 'detail view: status bar');
  t.match(detail.text, new RegExp(`<section class="card" id="runtime-${c.sodar_uuid}" hx-swap-oob="true">`), 'and runtime fields');

  const pause = await post(gw, `/containers/${c.sodar_uuid}/pause`, s.cookie, { view: 'row' }, hx);
  t.equal(pause.status, 409, 'an action that does not fit the state: 409');
  t.match(pause.text, /Pause of hx app failed: cannot pause a container in state exited/, 'with the reason');

  const plain = await post(gw, `/containers/${c.sodar_uuid}/start`, s.cookie, { view: 'row', csrf_token: s.csrf });
  t.equal(plain.status, 303, 'without JavaScript: redirect back');
  t.equal(plain.headers.get('location'), `/projects/${project}/containers?done=start`);
  const failed = await post(gw, `/containers/${c.sodar_uuid}/unpause`, s.cookie, { view: 'row', csrf_token: s.csrf });
  t.equal(failed.status, 409, 'a failure without JavaScript renders the detail page');
  t.match(failed.text, /Unpause of hx app failed/);
  t.match(failed.text, /<h1 class="c-heading">hx app<\/h1>/);

  const del = await post(gw, `/containers/${c.sodar_uuid}/delete`, s.cookie, { view: 'row' }, hx);
  t.equal(del.headers.get('hx-redirect'), `/projects/${project}/containers?done=deleted`, 'delete redirects to the list');
  t.equal(gw.core.store.containers.byUuid(c.sodar_uuid), null);
});
