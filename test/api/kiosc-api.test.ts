/**
 * kiosc-api.test.ts: the parts of Kiosc's API contract its own tests do not cover: Accept-header
 * versioning (406), the two answer shapes, HTTP Basic auth through the login code and its throttle,
 * OPTIONS metadata, DRF's `detail` in errors, host_port kept, unique and honoured when publishing,
 * date_last_status_update, inactivity_threshold kept as posted, and the TIME_ZONE setting.
 */
import net from 'node:net';
import t from 'tap';
import { startGateway, TEST_IMAGE, dockerInspect } from '../helpers/gateway.ts';
import { KIOSC_ACCEPT, KIOSC_FIELDS, drfDatetime, kioscCall } from '../helpers/kiosc.ts';
import { loadConfig } from '../../gateway/core/config.ts';
import { drfDate } from '../../admin/api/drf-date.ts';
import { ldapEnv, startSlapd } from '../helpers/slapd.ts';

const basic = (name: string, password: string) => `Basic ${Buffer.from(`${name}:${password}`).toString('base64')}`;

t.test('Accept versioning: version 1.0 (or none) gets Kiosc\'s shape, another version 406, other types Portico\'s shape', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('alice', { project, role: 'owner' });
  const c = await gw.api('POST', `/containers/api/create/${project}`, token, { title: 'v', ...TEST_IMAGE });
  const path = `/containers/api/detail/${c.body.sodar_uuid}`;

  const v1 = await kioscCall(gw, 'GET', path, token);
  t.equal(v1.status, 200);
  t.strictSame(Object.keys(v1.body), KIOSC_FIELDS, 'Kiosc\'s fields only');
  t.equal(v1.headers.get('content-type'), KIOSC_ACCEPT);
  t.equal(v1.headers.get('vary'), 'Accept', 'the shape depends on Accept: caches must vary on it');
  const bare = await gw.api('GET', path, token, undefined, { accept: 'application/vnd.bihealth.kiosc-server.containers+json' });
  t.equal(bare.status, 200, 'no version means the default, 1.0');
  t.strictSame(Object.keys(bare.body), KIOSC_FIELDS);

  for (const version of ['2.0', '0.9', '1', '']) {
    const r = await gw.api('GET', path, token, undefined, { accept: `application/vnd.bihealth.kiosc-server.containers+json; version=${version}` });
    t.equal(r.status, 406, `version=${version}: 406`);
    t.equal(r.body.detail, 'Invalid version in "Accept" header.', 'DRF\'s message');
    t.equal(r.body.code, 'E_NOT_ACCEPTABLE');
  }
  const unauth406 = await gw.api('GET', path, null, undefined, { accept: 'application/vnd.bihealth.kiosc-server.containers+json; version=9' });
  t.equal(unauth406.status, 406, 'the version is checked before authentication, as in DRF');

  for (const accept of [undefined, 'application/json', '*/*', 'text/html,application/xhtml+xml,*/*;q=0.8']) {
    const r = await gw.api('GET', path, token, undefined, accept ? { accept } : {});
    t.equal(r.status, 200, `Accept ${accept}: 200`);
    t.match(r.headers.get('content-type'), /^application\/json/);
    t.ok('strip_prefix' in r.body && 'proxy_url' in r.body, 'Portico\'s shape keeps its additions');
    t.equal(r.body.containertemplatesite, null);
  }
  t.equal(v1.body.date_created, drfDatetime(gw.core.store.containers.byUuid(c.body.sodar_uuid)!.createdAt), 'DRF date in Europe/Berlin');
  t.match(v1.body.date_created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+0[12]:00$/);
  t.equal(v1.body.date_last_status_update, null, 'null until the state changes');
});

t.test('dates: DRF\'s format in the configured TIME_ZONE; a bad zone is a start-up error', async (t) => {
  t.equal(drfDate('2026-12-01T21:01:02.123Z', 'Europe/Berlin'), '2026-12-01T22:01:02.123000+01:00');
  t.equal(drfDate('2026-07-01T21:01:02.000Z', 'Europe/Berlin'), '2026-07-01T23:01:02+02:00', 'summer time; a whole second has no fraction (as isoformat)');
  t.equal(drfDate('2026-07-01T21:01:02.005Z', 'UTC'), '2026-07-01T21:01:02.005000Z', 'a zero offset is Z, as DRF writes it');
  t.equal(drfDate('2026-07-01T21:01:02.000Z', 'America/St_Johns'), '2026-07-01T18:31:02-02:30');
  t.equal(drfDate(null, 'UTC'), null);
  t.equal(loadConfig({}).timeZone, 'Europe/Berlin', 'Kiosc\'s TIME_ZONE by default');
  t.equal(loadConfig({ TIME_ZONE: 'UTC' }).timeZone, 'UTC', 'Kiosc\'s name');
  t.equal(loadConfig({ PORTICO_TIME_ZONE: 'Asia/Tokyo', TIME_ZONE: 'UTC' }).timeZone, 'Asia/Tokyo', 'PORTICO_* wins');
  t.throws(() => loadConfig({ TIME_ZONE: 'Mars/Olympus' }), { code: 'E_CONFIG', message: /TIME_ZONE.*IANA time zone.*Mars\/Olympus/ });
  t.equal(loadConfig({ SODAR_API_PAGE_SIZE: '5' }).apiPageSize, 5);
  t.throws(() => loadConfig({ PORTICO_API_PAGE_SIZE: '0' }), { code: 'E_CONFIG', message: /PORTICO_API_PAGE_SIZE/ });

  const gw = await startGateway({ TIME_ZONE: 'UTC' });
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('tz', { project, role: 'owner' });
  const c = await kioscCall(gw, 'POST', `/containers/api/create/${project}`, token, { title: 'tz', ...TEST_IMAGE });
  t.match(c.body.date_created, /Z$/, 'TIME_ZONE=UTC: dates end in Z');
});

t.test('Basic auth: local password through the login code; wrong → 401 with WWW-Authenticate; the throttle applies', async (t) => {
  const gw = await startGateway({ PORTICO_LOGIN_USER_FAILURES: '3' });
  t.teardown(() => gw.close());
  const project = gw.project();
  await gw.user('bob', { project, role: 'contributor', password: 'bob-secret-1' });
  const list = (auth: string) => gw.api('GET', `/containers/api/${project}`, null, undefined, { authorization: auth, accept: KIOSC_ACCEPT });

  const ok = await list(basic('bob', 'bob-secret-1'));
  t.equal(ok.status, 200, 'name and password: 200');
  const created = await gw.api('POST', `/containers/api/create/${project}`, null, { title: 'b', ...TEST_IMAGE }, { authorization: basic('bob', 'bob-secret-1') });
  t.equal(created.status, 201, 'a write with Basic needs no CSRF token (no cookie)');

  const none = await list('');
  t.equal(none.status, 401);
  t.equal(none.headers.get('www-authenticate'), 'Basic realm="api"', 'a 401 names Basic, as DRF does');
  t.ok(none.body.detail, 'DRF\'s detail key');
  for (const bad of ['Basic', 'Basic !!!', `Basic ${Buffer.from('no-colon').toString('base64')}`]) {
    const r = await list(bad);
    t.equal(r.status, 401, `${JSON.stringify(bad)}: 401`);
    t.match(r.body.detail, /Invalid basic header/);
  }
  const wrong = await list(basic('bob', 'nope'));
  t.equal(wrong.status, 401, 'wrong password: 401');
  t.equal(wrong.body.detail, 'Wrong user name or password.');
  await list(basic('bob', 'nope'));
  await list(basic('bob', 'nope'));
  const locked = await list(basic('bob', 'bob-secret-1'));
  t.equal(locked.status, 429, 'after 3 failures the account is locked, even for the right password');
  t.ok(Number(locked.headers.get('retry-after')) > 0, 'Retry-After');
  const unknown = await list(basic('nobody', 'whatever'));
  t.equal(unknown.status, 401, 'unknown user: 401');
});

t.test('OPTIONS: DRF-like metadata; write fields only for whoever may write', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token: owner } = await gw.user('owner', { project, role: 'owner' });
  const { token: guest } = await gw.user('guest', { project, role: 'guest' });
  const { token: stranger } = await gw.user('stranger');

  const r = await kioscCall(gw, 'OPTIONS', `/containers/api/create/${project}`, owner);
  t.equal(r.status, 200);
  t.equal(r.body.name, 'Container Create API');
  t.equal(r.body.description, '');
  t.same(r.body.renders, ['application/vnd.bihealth.kiosc-server.containers+json', 'application/json']);
  t.same(r.body.parses, ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data']);
  const post = r.body.actions.POST;
  t.strictSame(Object.keys(post), KIOSC_FIELDS, 'every field of Kiosc\'s serializer');
  t.match(post.title, { type: 'string', required: true, read_only: false, label: 'Title' });
  t.match(post.sodar_uuid, { read_only: true });
  t.match(post.host_port, { type: 'integer', required: false, min_value: 1, max_value: 65535 });
  t.ok(post.state.choices.some((c: { value: string }) => c.value === 'running'));
  t.match(r.headers.get('allow'), /POST/);

  const g = await kioscCall(gw, 'OPTIONS', `/containers/api/create/${project}`, guest);
  t.equal(g.status, 200, 'a guest may read the metadata');
  t.notOk('actions' in g.body, 'but gets no write fields (DRF leaves out actions the caller may not use)');
  t.equal((await kioscCall(gw, 'OPTIONS', `/containers/api/${project}`, owner)).body.name, 'Container List API');
  t.equal((await kioscCall(gw, 'OPTIONS', `/containers/api/create/${project}`, stranger)).status, 404, 'a non-member: 404');
  t.equal((await kioscCall(gw, 'OPTIONS', `/containers/api/create/${project}`, null)).status, 401);
});

t.test('errors carry DRF\'s detail and per-field lists next to Portico\'s keys; forms and multipart map onto the same fields', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('carol', { project, role: 'owner' });
  const bad = await kioscCall(gw, 'POST', `/containers/api/create/${project}`, token, { title: 'x', repository: 'Bad Name', container_port: 0 });
  t.equal(bad.status, 400);
  t.equal(bad.body.code, 'E_VALIDATION');
  t.ok(bad.body.error && bad.body.detail, 'error and detail');
  t.match(bad.body.fields, { repository: String, container_port: /between 1 and 65535/ });
  t.match(bad.body.container_port, [/between 1 and 65535/], 'DRF\'s {"field": ["message"]}');
  const missing = await kioscCall(gw, 'GET', '/containers/api/detail/11111111-1111-1111-1111-111111111111', token);
  t.equal(missing.status, 404);
  t.equal(missing.body.detail, missing.body.error);

  const form = await gw.api('POST', `/containers/api/create/${project}`, token, 'title=f&repository=portico-test%2Fhttpd&tag=1&container_port=&host_port=&environment=%7B%22A%22%3A%20%221%22%7D&containertemplatesite=', { 'content-type': 'application/x-www-form-urlencoded' });
  t.equal(form.status, 201, 'a form: empty numbers mean the default, empty references null');
  t.equal(form.body.container_port, 80);
  t.equal(form.body.host_port, null);
  t.same(form.body.environment, { A: '1' }, 'environment as a JSON string field');
  const badForm = await gw.api('POST', `/containers/api/create/${project}`, token, 'title=g&repository=portico-test%2Fhttpd&environment=%7Bnope', { 'content-type': 'application/x-www-form-urlencoded' });
  t.equal(badForm.status, 400);
  t.match(badForm.body.fields.environment, /JSON object/);
  const file = await gw.api('POST', `/containers/api/create/${project}`, token, '--b\r\ncontent-disposition: form-data; name="title"; filename="t.txt"\r\n\r\nx\r\n--b--\r\n', { 'content-type': 'multipart/form-data; boundary=b' });
  t.equal(file.status, 400, 'a file part is refused');
  const text = await gw.api('POST', `/containers/api/create/${project}`, token, 'title=t', { 'content-type': 'text/plain' });
  t.equal(text.status, 415);
  t.match(text.body.detail, /application\/json, application\/x-www-form-urlencoded, multipart\/form-data/);
  const unknownId = await kioscCall(gw, 'POST', `/containers/api/create/${project}`, token, { title: 'k', ...TEST_IMAGE, containertemplatesite: 42 });
  t.equal(unknownId.status, 400, 'an unknown Kiosc template id: 400');
  t.match(unknownId.body.containertemplatesite, [/Kiosc id 42/]);
});

t.test('host_port: stored as posted, unique, checked; honoured when PORTICO_PUBLISH_PORTS is on', async (t) => {
  const gw = await startGateway({ PORTICO_PUBLISH_PORTS: 'true' });
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('dave', { project, role: 'owner' });
  // A port that is free now (the engine publishes on 127.0.0.1).
  const port = await new Promise<number>((resolve) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); }); });

  for (const v of [0, 65536, 'abc', 1.5]) {
    const r = await kioscCall(gw, 'POST', `/containers/api/create/${project}`, token, { title: `p${v}`, ...TEST_IMAGE, host_port: v });
    t.equal(r.status, 400, `host_port ${v}: 400`);
    t.ok(r.body.fields.host_port);
  }
  const a = await kioscCall(gw, 'POST', `/containers/api/create/${project}`, token, { title: 'a', ...TEST_IMAGE, host_port: port });
  t.equal(a.status, 201);
  t.equal(a.body.host_port, port, 'kept as posted');
  const clash = await kioscCall(gw, 'POST', `/containers/api/create/${project}`, token, { title: 'b', ...TEST_IMAGE, host_port: port });
  t.equal(clash.status, 400, 'another container asked for it: 400');
  t.match(clash.body.fields.host_port, new RegExp(`port ${port} is already the host port of the container "a"`));
  const b = await kioscCall(gw, 'POST', `/containers/api/create/${project}`, token, { title: 'b', ...TEST_IMAGE });
  t.equal((await kioscCall(gw, 'PATCH', `/containers/api/update/${b.body.sodar_uuid}`, token, { host_port: port })).status, 400, 'also on update');

  const started = await gw.api('POST', `/containers/api/start/${a.body.sodar_uuid}`, token);
  t.equal(started.body.state, 'running', JSON.stringify(started.body.state_reason));
  const bindings = dockerInspect(started.body.container_id).HostConfig.PortBindings;
  t.same(Object.values(bindings).flat().map((x: any) => Number(x.HostPort)), [port], 'published on the host port asked for');
  const res = await fetch(`http://127.0.0.1:${port}/`);
  t.equal(res.status, 200, 'the app answers there');
  await res.text();
  const detail = await kioscCall(gw, 'GET', `/containers/api/detail/${a.body.sodar_uuid}`, token);
  t.equal(detail.body.host_port, port);
  t.ok(detail.body.date_last_status_update, 'date_last_status_update is set once the state changed');
  const stored = gw.core.store.containers.byUuid(a.body.sodar_uuid)!;
  t.equal(detail.body.date_last_status_update, drfDatetime(stored.dateLastStatusUpdate));
  t.ok(Date.parse(stored.dateLastStatusUpdate!) >= Date.parse(stored.createdAt));
});

t.test('inactivity_threshold: stored as posted, capped only when the idle rule uses it', async (t) => {
  const gw = await startGateway({ PORTICO_MAX_INACTIVITY_DAYS: '2' });
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('erin', { project, role: 'owner' });
  const r = await kioscCall(gw, 'POST', `/containers/api/create/${project}`, token, { title: 'i', ...TEST_IMAGE, inactivity_threshold: 30 });
  t.equal(r.status, 201);
  t.equal(r.body.inactivity_threshold, 30, 'not silently changed to 2');
  const u = await kioscCall(gw, 'PATCH', `/containers/api/update/${r.body.sodar_uuid}`, token, { inactivity_threshold: 14 });
  t.equal(u.body.inactivity_threshold, 14);
  t.equal((await kioscCall(gw, 'PATCH', `/containers/api/update/${r.body.sodar_uuid}`, token, { inactivity_threshold: -1 })).status, 400);
});

t.test('Basic auth: an LDAP account (created on its first request), and the other API surfaces', async (t) => {
  const slapd = await startSlapd();
  t.teardown(() => slapd.remove());
  const gw = await startGateway(ldapEnv(slapd.url));
  t.teardown(() => gw.close());
  const project = gw.project();
  const list = (auth: string) => kioscCall(gw, 'GET', `/containers/api/${project}`, null, undefined, { authorization: auth });

  const first = await list(basic('alice', 'alice-ldap-pw'));
  t.equal(first.status, 404, 'authenticated through LDAP (a non-member: 404, not 401)');
  const alice = gw.core.store.users.byUsername('alice@EXAMPLE');
  t.equal(alice?.source, 'ldap', 'the directory user was created, as on the login page');
  gw.core.store.projects.setRole(gw.core.store.projects.byUuid(project)!.id, alice!.id, 'guest');
  t.equal((await list(basic('alice@EXAMPLE', 'alice-ldap-pw'))).status, 200, 'now a guest: 200');
  t.equal((await list(basic('alice', 'wrong-pw'))).status, 401, 'a wrong directory password: 401');
  const templates = await gw.api('GET', `/containers/api/templates/${project}`, null, undefined, { authorization: basic('alice', 'alice-ldap-pw') });
  t.equal(templates.status, 200, 'the template API takes Basic too');
  const files = await gw.api('GET', `/containers/api/files/${project}`, null, undefined, { authorization: basic('alice', 'wrong-pw') });
  t.equal(files.status, 401, 'and refuses a wrong password there');
});

t.test('null where Kiosc gives null: text fields no client gave; a value (even "") sets them', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('fay', { project, role: 'owner' });
  const min = await kioscCall(gw, 'POST', `/containers/api/create/${project}`, token, { title: 'min', ...TEST_IMAGE });
  t.equal(min.status, 201);
  for (const f of ['description', 'heartbeat_url', 'environment', 'environment_secret_keys', 'command', 'host_port', 'image_id', 'container_id', 'container_ip', 'containertemplatesite', 'containertemplateproject', 'date_last_status_update']) {
    t.equal(min.body[f], null, `${f}: null, as Kiosc's API gives for a container created with title, repository and tag`);
  }
  const portico = await gw.api('GET', `/containers/api/detail/${min.body.sodar_uuid}`, token);
  t.equal(portico.body.description, '', "Portico's shape keeps its empty strings");
  t.same(portico.body.environment, {});
  const upd = await kioscCall(gw, 'PATCH', `/containers/api/update/${min.body.sodar_uuid}`, token, { description: '', command: 'httpd -f -p 80' });
  t.equal(upd.body.description, '', 'given "" is "" (as Kiosc\'s form stores it)');
  t.equal(upd.body.command, 'httpd -f -p 80');
  t.equal(upd.body.heartbeat_url, null, 'fields not in the update stay null');
  const back = await kioscCall(gw, 'PATCH', `/containers/api/update/${min.body.sodar_uuid}`, token, { description: null });
  t.equal(back.body.description, null, 'given null is null again');
  const full = await kioscCall(gw, 'POST', `/containers/api/create/${project}`, token, { title: 'full', ...TEST_IMAGE, description: '', environment: {}, command: '' });
  t.equal(full.body.description, '');
  t.same(full.body.environment, {});
  t.equal(full.body.command, '');
  t.equal(full.body.heartbeat_url, null);
});
