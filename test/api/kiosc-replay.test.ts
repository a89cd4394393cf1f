/**
 * kiosc-replay.test.ts: Kiosc's own API view tests (containers/tests/test_views_api.py, Kiosc
 * v0.5), replayed against Portico from their assertions. Each test is titled after the Kiosc test
 * it replays. As in Kiosc's test settings, the page size is 1 (SODAR_API_PAGE_SIZE=1), every
 * request sends Kiosc's media type with version 1.0 and a token, and the caller is a superuser.
 * What Kiosc reads with `model_to_dict` is read here from Portico's store (test/helpers/kiosc.ts).
 * Kiosc's mocked Celery task is the real job here, on an image that fails at once.
 */
import t from 'tap';
import type { Test } from 'tap';
import { startGateway, TEST_IMAGE, engineContainers, waitFor } from '../helpers/gateway.ts';
import type { TestGateway } from '../helpers/gateway.ts';
import { KIOSC_FIELDS, containerFactory, kioscCall, modelToDict } from '../helpers/kiosc.ts';

const jobsOf = (gw: TestGateway, uuid: string) => gw.core.store.db.prepare(
  'SELECT j.action FROM jobs j JOIN containers c ON c.id = j.container_id WHERE c.uuid = ? ORDER BY j.id',
).all(uuid) as Array<{ action: string }>;
const countIn = (gw: TestGateway, project: string) => gw.core.store.containers.list({ projectId: gw.core.store.projects.byUuid(project)!.id, limit: 1000, offset: 0 }).count;
const FAKE_UUID = '1c8e0e5f-0b57-4a8e-9c84-7a3b0a1f5d2e';

async function setUp(t: Test, env: Record<string, string> = {}) {
  const gw = await startGateway({ SODAR_API_PAGE_SIZE: '1', ...env });
  t.teardown(() => gw.close());
  const project = gw.project('TestProject');
  const { token } = await gw.user('superuser', { admin: true });
  return { gw, project, token };
}

t.test('TestContainerListAPIView', async (t) => {
  const { gw, token } = await setUp(t);

  t.test('TestContainerListAPIView.test_get_success_list_empty', async (t) => {
    const project = gw.project();
    const r = await kioscCall(gw, 'GET', `/containers/api/${project}`, token);
    t.equal(r.status, 200);
    t.strictSame(r.body, { count: 0, next: null, previous: null, results: [] });
  });

  t.test('TestContainerListAPIView.test_get_success_list_one_item', async (t) => {
    const project = gw.project();
    const c1 = containerFactory(gw, project);
    const r = await kioscCall(gw, 'GET', `/containers/api/${project}`, token);
    t.equal(r.status, 200);
    t.equal(r.body.count, 1);
    t.equal(r.body.next, null);
    t.equal(r.body.previous, null);
    t.strictSame(r.body.results, [modelToDict(gw, c1.uuid)]);
    t.strictSame(Object.keys(r.body.results[0]), KIOSC_FIELDS, "Kiosc's fields, in its serializer's order, and nothing else");
    t.match(r.headers.get('content-type'), /^application\/vnd\.bihealth\.kiosc-server\.containers\+json; version=1\.0$/);
  });

  t.test('TestContainerListAPIView.test_get_success_list_two_items', async (t) => {
    const project = gw.project();
    const c1 = containerFactory(gw, project);
    await new Promise((r) => setTimeout(r, 5)); // distinct creation times, as two factory calls in Kiosc
    const c2 = containerFactory(gw, project);
    const r = await kioscCall(gw, 'GET', `/containers/api/${project}`, token);
    t.equal(r.status, 200);
    t.equal(r.body.count, 2);
    t.equal(r.body.results.length, 1);
    t.strictSame(r.body.results[0], modelToDict(gw, c2.uuid), 'newest first (Kiosc orders by -date_created)');
    const next = await kioscCall(gw, 'GET', new URL(r.body.next).pathname + new URL(r.body.next).search, token);
    t.equal(new URL(r.body.next).host, `127.0.0.1:${gw.port}`, 'next is an absolute URL on this host');
    t.equal(next.status, 200);
    t.equal(next.body.count, 2);
    t.equal(next.body.results.length, 1);
    t.strictSame(next.body.results[0], modelToDict(gw, c1.uuid));
  });
});

t.test('TestContainerCreateAPIView', async (t) => {
  // Each test gets a fresh gateway, as each Kiosc test a fresh database (host_port is unique site-wide).
  // Kiosc's host mode publishes the app on host_port: PORTICO_PUBLISH_PORTS is Portico's equivalent.
  const host = () => setUp(t, { PORTICO_PUBLISH_PORTS: 'true' });
  const shared = () => setUp(t);

  function data(gw: TestGateway) {
    // create_containertemplates: a site-wide template (imported from Kiosc, so it has Kiosc's integer id).
    const site = gw.core.templates.create(null, { title: `Site template ${Math.random()}`, repository: 'repository', tag: 'tag' });
    gw.core.store.kioscIds.remember('template_site', 1, site.uuid);
    const projectPk = 7; // Kiosc's integer project id: read-only, ignored on write (as DRF does)
    const minShared = { title: 'Title', environment: '{"test": 1}', repository: 'repository', tag: 'tag', container_port: 80, timeout: 60, project: projectPk, max_retries: 10, inactivity_threshold: 20 };
    const minHost = { ...minShared, host_port: 8000 };
    const all = {
      ...minHost, description: 'some description', container_path: 'some/path', heartbeat_url: 'https://heartbeat.url',
      environment_secret_keys: 'test', command: 'some command', containertemplatesite: 1,
    };
    return { minShared, minHost, all };
  }

  /** stored is what Kiosc's assertDictEqual compares: the record's posted fields (project: the one posted to). */
  function assertStored(t: Test, gw: TestGateway, project: string, uuid: string, posted: Record<string, unknown>) {
    const fields = Object.keys(posted).filter((k) => k !== 'project');
    const want = { ...posted };
    delete want.project;
    // A JSON string environment is stored as the object it encodes (as DRF reads it from a form).
    if (typeof want.environment === 'string') want.environment = JSON.parse(want.environment);
    t.strictSame(modelToDict(gw, uuid, fields), want, 'stored as posted');
    t.equal(gw.core.store.containers.byUuid(uuid)!.projectUuid, project, 'in the project posted to');
  }

  t.test('TestContainerCreateAPIView.test_post_success_min_fields_mode_host', async (t) => {
    const { gw, token } = await host();
    const project = gw.project();
    const d = data(gw).minHost;
    const r = await kioscCall(gw, 'POST', `/containers/api/create/${project}`, token, d);
    t.equal(r.status, 201, JSON.stringify(r.body));
    t.equal(countIn(gw, project), 1);
    assertStored(t, gw, project, r.body.sodar_uuid, d);
  });

  t.test('TestContainerCreateAPIView.test_post_success_min_fields_mode_docker_shared', async (t) => {
    // Portico's docker-shared mode needs the gateway in a container; what the test checks (no host_port needed) holds without publishing.
    const { gw, token } = await shared();
    const project = gw.project();
    const d = data(gw).minShared;
    const r = await kioscCall(gw, 'POST', `/containers/api/create/${project}`, token, d);
    t.equal(r.status, 201, JSON.stringify(r.body));
    t.equal(countIn(gw, project), 1);
    assertStored(t, gw, project, r.body.sodar_uuid, d);
  });

  t.test('TestContainerCreateAPIView.test_post_success_all_fields', async (t) => {
    const { gw, token } = await shared();
    const project = gw.project();
    const d = data(gw).all;
    const r = await kioscCall(gw, 'POST', `/containers/api/create/${project}`, token, d);
    t.equal(r.status, 201, JSON.stringify(r.body));
    t.equal(countIn(gw, project), 1);
    assertStored(t, gw, project, r.body.sodar_uuid, d);
    t.equal(r.body.containertemplatesite, 1, 'the answer names the template by the Kiosc id it was sent');
    t.equal(r.body.inactivity_threshold, 20, 'inactivity_threshold as posted (above PORTICO_MAX_INACTIVITY_DAYS=7)');
  });

  // The same posts as a form and as multipart, as DRF's form parsers read them (all values text).
  for (const [kind, encode] of [
    ['form body', (o: Record<string, unknown>) => ({ body: new URLSearchParams(Object.entries(o).map(([k, v]): [string, string] => [k, String(v)])).toString(), type: 'application/x-www-form-urlencoded' })],
    ['multipart body', (o: Record<string, unknown>) => {
      const b = 'kioscreplayboundary';
      const body = Object.entries(o).map(([k, v]) => `--${b}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${String(v)}\r\n`).join('') + `--${b}--\r\n`;
      return { body, type: `multipart/form-data; boundary=${b}` };
    }],
  ] as const) {
    t.test(`TestContainerCreateAPIView.test_post_success_all_fields (${kind})`, async (t) => {
      const { gw, token } = await shared();
      const project = gw.project();
      const d = data(gw).all;
      const { body, type } = encode(d);
      const r = await kioscCall(gw, 'POST', `/containers/api/create/${project}`, token, body, { 'content-type': type });
      t.equal(r.status, 201, JSON.stringify(r.body));
      t.equal(countIn(gw, project), 1);
      assertStored(t, gw, project, r.body.sodar_uuid, d);
    });
  }
});

t.test('TestContainerDeleteAPIView', async (t) => {
  const { gw, token } = await setUp(t);

  t.test('TestContainerDeleteAPIView.test_delete_success_initial', async (t) => {
    const project = gw.project();
    const c1 = containerFactory(gw, project);
    const r = await kioscCall(gw, 'DELETE', `/containers/api/delete/${c1.uuid}`, token);
    t.equal(r.status, 204);
    t.equal(countIn(gw, project), 0);
    t.equal(jobsOf(gw, c1.uuid).length, 0, 'no job left (they go with the container)');
  });

  t.test('TestContainerDeleteAPIView.test_delete_success_running', async (t) => {
    const project = gw.project();
    const c1 = containerFactory(gw, project, { ...TEST_IMAGE, host_port: null });
    const started = await gw.api('POST', `/containers/api/start/${c1.uuid}`, token);
    t.equal(started.body.state, 'running', 'a real running container (Kiosc mocks the task)');
    const r = await kioscCall(gw, 'DELETE', `/containers/api/delete/${c1.uuid}`, token);
    t.equal(r.status, 204);
    t.equal(countIn(gw, project), 0);
    t.equal(jobsOf(gw, c1.uuid).length, 0);
    t.equal(engineContainers(gw.instance).length, 0, 'the Docker container is gone too');
  });

  t.test('TestContainerDeleteAPIView.test_delete_non_existent', async (t) => {
    const project = gw.project();
    containerFactory(gw, project);
    const r = await kioscCall(gw, 'DELETE', `/containers/api/delete/${FAKE_UUID}`, token);
    t.equal(r.status, 404);
    t.equal(countIn(gw, project), 1);
  });
});

t.test('TestContainerDetailAPIView', async (t) => {
  const { gw, project, token } = await setUp(t);
  const c1 = containerFactory(gw, project);

  t.test('TestContainerDetailAPIView.test_get_success', async (t) => {
    const r = await kioscCall(gw, 'GET', `/containers/api/detail/${c1.uuid}`, token);
    t.equal(r.status, 200);
    t.strictSame(r.body, modelToDict(gw, c1.uuid));
  });

  t.test('TestContainerDetailAPIView.test_get_non_existent', async (t) => {
    const r = await kioscCall(gw, 'GET', `/containers/api/detail/${FAKE_UUID}`, token);
    t.equal(r.status, 404);
  });
});

for (const [view, action] of [['TestContainerStartAPIView', 'start'], ['TestContainerStopAPIView', 'stop']] as const) {
  t.test(view, async (t) => {
    const { gw, project, token } = await setUp(t);
    const c1 = containerFactory(gw, project);

    t.test(`${view}.test_get_success`, async (t) => {
      const r = await kioscCall(gw, 'GET', `/containers/api/${action}/${c1.uuid}`, token);
      t.equal(r.status, 200);
      t.same(r.body, { message: `container ${action === 'start' ? 'starting' : 'stopping'} job submitted` });
      const jobs = (await waitFor(() => { const j = jobsOf(gw, c1.uuid); return j.length ? j : null; }, 10_000, 'the job'))!;
      t.equal(jobs.length, 1, 'one job');
      t.equal(jobs[0].action, action, `its action is ${action}, on this container`);
    });

    t.test(`${view}.test_get_non_existent`, async (t) => {
      const r = await kioscCall(gw, 'GET', `/containers/api/${action}/${FAKE_UUID}`, token);
      t.equal(r.status, 404);
    });
  });
}
