/**
 * containers-input.test.ts: bad input to the container API gets a clear 4xx and creates nothing.
 */
import t from 'tap';
import { startGateway, TEST_IMAGE } from '../helpers/gateway.ts';

t.test('bad input → 4xx with a clear message, nothing half-created', async (t) => {
  const gw = await startGateway({ PORTICO_MAX_JSON_BODY: '4096' });
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('alice', { project, role: 'owner' });
  const create = (body: unknown, headers?: Record<string, string>) => gw.api('POST', `/containers/api/create/${project}`, token, body, headers);
  const count = async () => (await gw.api('GET', `/containers/api/${project}`, token)).body.count;

  const cases: Array<[string, unknown, number, string, RegExp]> = [
    ['non-object environment (array)', { title: 'a', ...TEST_IMAGE, environment: [1, 2] }, 400, 'E_VALIDATION', /environment: must be a JSON object/],
    ['non-object environment (string JSON)', { title: 'a', ...TEST_IMAGE, environment: '"x"' }, 400, 'E_VALIDATION', /environment/],
    ['environment not JSON', { title: 'a', ...TEST_IMAGE, environment: '{nope' }, 400, 'E_VALIDATION', /environment/],
    ['bad environment key', { title: 'a', ...TEST_IMAGE, environment: { 'A B': '1' } }, 400, 'E_VALIDATION', /not a valid variable name/],
    ['secret key missing from environment', { title: 'a', ...TEST_IMAGE, environment: { A: '1' }, environment_secret_keys: 'A,B' }, 400, 'E_VALIDATION', /not present in environment: B/],
    ['invalid repository', { title: 'a', repository: 'Not/Valid Image', tag: '1' }, 400, 'E_VALIDATION', /repository/],
    ['repository with a tag', { title: 'a', repository: 'nginx:latest', tag: '1' }, 400, 'E_VALIDATION', /repository/],
    ['invalid tag', { title: 'a', repository: 'nginx', tag: '-bad tag' }, 400, 'E_VALIDATION', /tag/],
    ['port 0', { title: 'a', ...TEST_IMAGE, container_port: 0 }, 400, 'E_VALIDATION', /container_port: must be between 1 and 65535/],
    ['port 65536', { title: 'a', ...TEST_IMAGE, container_port: 65536 }, 400, 'E_VALIDATION', /container_port/],
    ['port not a number', { title: 'a', ...TEST_IMAGE, container_port: 'eighty' }, 400, 'E_VALIDATION', /container_port/],
    ['missing title', { ...TEST_IMAGE }, 400, 'E_VALIDATION', /title: is required/],
    ['title wrong type', { title: 5, ...TEST_IMAGE }, 400, 'E_VALIDATION', /title: must be a string/],
    ['missing repository', { title: 'a' }, 400, 'E_VALIDATION', /repository: is required/],
    ['unbalanced quote in command', { title: 'a', ...TEST_IMAGE, command: `sh -c 'oops` }, 400, 'E_VALIDATION', /unterminated single quote/],
    ['container_path traversal', { title: 'a', ...TEST_IMAGE, container_path: 'a/../b' }, 400, 'E_VALIDATION', /container_path/],
    ['negative timeout', { title: 'a', ...TEST_IMAGE, timeout: -1 }, 400, 'E_VALIDATION', /timeout/],
    ['body is an array', [1], 400, 'E_VALIDATION', /must be a JSON object/],
    ['malformed JSON', '{"title": ', 400, 'E_MALFORMED_JSON', /malformed JSON/],
    ['oversized body', JSON.stringify({ title: 'a', ...TEST_IMAGE, description: 'x'.repeat(10_000) }), 413, 'E_BODY_TOO_LARGE', /larger than 4096 bytes/],
  ];
  for (const [name, body, status, code, msg] of cases) {
    const r = await create(body);
    t.equal(r.status, status, `${name}: ${status}`);
    t.equal(r.body.code, code, `${name}: ${code}`);
    t.match(r.body.error, msg, `${name}: message`);
  }
  const wrongType = await create('title=a', { 'content-type': 'text/plain' });
  t.equal(wrongType.status, 415, 'a body neither JSON nor a form: 415');
  const formNoRepo = await create('title=a', { 'content-type': 'application/x-www-form-urlencoded' });
  t.equal(formNoRepo.status, 400, 'a form is read as Kiosc reads it (here: repository missing)');
  t.equal(await count(), 0, 'nothing was created');

  const ok = await create({ title: 'dup', ...TEST_IMAGE });
  t.equal(ok.status, 201);
  const dup = await create({ title: 'dup', ...TEST_IMAGE });
  t.equal(dup.status, 400, 'duplicate title: 400 (as Kiosc)');
  t.equal(dup.body.code, 'E_DUPLICATE_TITLE');
  t.equal(await count(), 1, 'duplicate not created');

  const unknownProject = await gw.api('POST', '/containers/api/create/00000000-0000-0000-0000-000000000000', token, { title: 'x', ...TEST_IMAGE });
  t.equal(unknownProject.status, 404);
  t.equal(unknownProject.body.code, 'E_PROJECT_NOT_FOUND');
  t.equal((await gw.api('GET', '/containers/api/not-a-uuid', token)).status, 404, 'malformed project id: 404');
  t.equal((await gw.api('GET', '/containers/api/detail/11111111-1111-1111-1111-111111111111', token)).body.code, 'E_CONTAINER_NOT_FOUND');
  t.equal((await gw.api('POST', '/containers/api/start/11111111-1111-1111-1111-111111111111', token)).status, 404);
  t.equal((await gw.api('GET', `/containers/api/${project}?page=abc`, token)).status, 400, 'bad page');
  t.equal((await gw.api('GET', `/containers/api/logs/${ok.body.sodar_uuid}?lines=-5`, token)).status, 400, 'bad lines');
  t.equal((await gw.api('PUT', `/containers/api/detail/${ok.body.sodar_uuid}`, token)).status, 405, 'wrong method: 405');
  t.equal((await gw.api('GET', '/nope', token)).status, 404, 'unknown path: 404');

  const pause = await gw.api('POST', `/containers/api/pause/${ok.body.sodar_uuid}`, token);
  t.equal(pause.status, 409, 'pause of an initial container: 409');
  t.equal(pause.body.code, 'E_INVALID_STATE');

  const badUpdate = await gw.api('PATCH', `/containers/api/update/${ok.body.sodar_uuid}`, token, { container_port: 70000, title: 'renamed' });
  t.equal(badUpdate.status, 400);
  const after = await gw.api('GET', `/containers/api/detail/${ok.body.sodar_uuid}`, token);
  t.equal(after.body.title, 'dup', 'a failed update changes nothing');
});

t.test('update keeps <masked> secrets and recreates a running container', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('bob', { project, role: 'contributor' });
  const c = await gw.api('POST', `/containers/api/create/${project}`, token, {
    title: 'u', ...TEST_IMAGE, environment: { KEY: 'secret-1', OTHER: 'a' }, environment_secret_keys: 'KEY',
  });
  const uuid = c.body.sodar_uuid;
  const started = await gw.api('POST', `/containers/api/start/${uuid}`, token);
  const upd = await gw.api('PATCH', `/containers/api/update/${uuid}`, token, { environment: { KEY: '<masked>', OTHER: 'b' }, description: 'new' });
  t.equal(upd.status, 200);
  t.equal(upd.body.environment.KEY, '<masked>');
  t.equal(upd.body.environment.OTHER, 'b');
  t.equal(upd.body.state, 'running');
  t.not(upd.body.container_id, started.body.container_id, 'running container recreated');
  const stored = gw.core.store.containers.byUuid(uuid)!;
  t.equal(stored.environment.KEY, 'secret-1', '<masked> kept the stored secret');
});

t.test('roles as Kiosc: guests view, contributors act, non-members get 404, admins see all', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const owner = await gw.user('owner', { project, role: 'owner' });
  const guest = await gw.user('guest', { project, role: 'guest' });
  const stranger = await gw.user('stranger');
  const admin = await gw.user('root', { admin: true });
  const c = await gw.api('POST', `/containers/api/create/${project}`, owner.token, { title: 'r', ...TEST_IMAGE, environment: { S: 'x' }, environment_secret_keys: 'S' });
  const uuid = c.body.sodar_uuid;

  t.equal((await gw.api('GET', `/containers/api/${project}`, guest.token)).status, 200, 'guest lists');
  const gv = await gw.api('GET', `/containers/api/detail/${uuid}`, guest.token);
  t.equal(gv.status, 200, 'guest views');
  t.equal(gv.body.environment.S, '<masked>', 'secrets masked for guests');
  const av = await gw.api('GET', `/containers/api/detail/${uuid}`, admin.token);
  t.equal(av.body.environment.S, '<masked>', 'secrets masked for admins too');
  for (const [m, p] of [['POST', `/containers/api/start/${uuid}`], ['GET', `/containers/api/start/${uuid}`], ['DELETE', `/containers/api/delete/${uuid}`], ['PATCH', `/containers/api/update/${uuid}`]] as const) {
    const r = await gw.api(m, p, guest.token, m === 'PATCH' ? { title: 'x' } : undefined);
    t.equal(r.status, 403, `guest ${m} ${p.split('/')[3]}: 403`);
  }
  t.equal((await gw.api('POST', `/containers/api/create/${project}`, guest.token, { title: 'g', ...TEST_IMAGE })).status, 403, 'guest cannot create');
  t.equal((await gw.api('GET', `/containers/api/${project}`, stranger.token)).status, 404, 'non-member: project 404');
  t.equal((await gw.api('GET', `/containers/api/detail/${uuid}`, stranger.token)).status, 404, 'non-member: container 404');
  t.equal((await gw.api('POST', `/containers/api/stop/${uuid}`, stranger.token)).status, 404, 'non-member: action 404');
  t.equal((await gw.api('GET', `/containers/api/detail/${uuid}`, admin.token)).status, 200, 'admin sees all');
  t.equal((await gw.api('GET', `/containers/api/detail/${uuid}`, null)).status, 401, 'anonymous: 401');
  t.equal((await gw.api('GET', `/containers/api/detail/${uuid}`, 'not-a-real-token-value')).status, 401, 'bad token: 401');
});

t.test('pagination follows Kiosc: {count, next, previous, results}', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('p', { project, role: 'owner' });
  for (let i = 0; i < 5; i++) await gw.api('POST', `/containers/api/create/${project}`, token, { title: `c${i}`, ...TEST_IMAGE });
  const p1 = await gw.api('GET', `/containers/api/${project}?page_size=2`, token);
  t.equal(p1.body.count, 5);
  t.equal(p1.body.results.length, 2);
  t.equal(p1.body.previous, null);
  t.match(p1.body.next, /page=2/);
  const p3 = await gw.api('GET', `/containers/api/${project}?page_size=2&page=3`, token);
  t.equal(p3.body.results.length, 1);
  t.equal(p3.body.next, null);
  t.match(p3.body.previous, /page=2/);
  t.equal((await gw.api('GET', `/containers/api/${project}?page=9`, token)).status, 404, 'page past the end: 404');
});
