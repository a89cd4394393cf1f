/**
 * openapi.test.ts: the OpenAPI document (admin/api/openapi/) against what the server really does:
 * it is structurally valid OpenAPI 3.1; the router's API routes and the documented operations are
 * the same set (each one missing on either side is named); every operation's example request, sent
 * to a real gateway with real containers, gets a documented status and a body that validates; the
 * table of docs/api.md is the one generated from it.
 */
import fs from 'node:fs';
import t from 'tap';
import { startGateway, TEST_IMAGE } from '../helpers/gateway.ts';
import type { TestGateway } from '../helpers/gateway.ts';
import { validate } from '../helpers/json-schema.ts';
import { METHODS, lintOpenApi } from '../helpers/openapi-lint.ts';
import { createGateway } from '../../gateway/app.ts';
import { SURFACES } from '../../gateway/main.ts';
import { volumeName } from '../../gateway/core/containers/spec.ts';
import { buildOpenApi, isApiPath, toTemplate } from '../../admin/api/openapi/document.ts';
import { EXAMPLE } from '../../admin/api/openapi/components.ts';
import { apiTable, replaceTable } from '../../admin/api/openapi/table.ts';
import type { Operation } from '../../admin/api/openapi/types.ts';
import { DEFAULT_SETTINGS } from '../../gateway/core/apps/labels.ts';
import { DEFAULT_POLICY, policyKey } from '../../gateway/core/apps/policy.ts';
import { PNG_1PX } from '../apps/images.ts';

type Doc = Record<string, any>;
const doc = buildOpenApi() as Doc;

/** operations lists the document's operations as `METHOD /path/{param}` with their objects. */
function operations(d: Doc): Array<{ key: string; method: string; path: string; op: Operation }> {
  const out = [];
  for (const [path, item] of Object.entries(d.paths as Record<string, Record<string, Operation>>)) {
    for (const m of METHODS) if (item[m]) out.push({ key: `${m.toUpperCase()} ${path}`, method: m.toUpperCase(), path, op: item[m] });
  }
  return out;
}

t.test('the document is valid OpenAPI 3.1: structure, schemas, and examples that validate', async (t) => {
  t.same(lintOpenApi(doc), [], 'no structural problem');
  t.equal(doc.openapi, '3.1.0');
  t.ok(operations(doc).length >= 40, `${operations(doc).length} operations`);
  t.same(operations(doc).filter((o) => !o.op.operationId).map((o) => o.key), [], 'every operation has an operationId (client generators name methods by it)');
});

t.test('the structural check finds what is broken (it can fail)', async (t) => {
  const broken = (change: (d: Doc) => void) => { const d = buildOpenApi() as Doc; change(d); return lintOpenApi(d).join('\n'); };
  t.match(broken((d) => { d.openapi = '3.0.3'; }), /3\.1\.x/);
  t.match(broken((d) => { d.paths['/containers/api/detail/{container}'].get.operationId = 'listContainers'; }), /not unique/);
  t.match(broken((d) => { d.paths['/containers/api/detail/{container}'].get.parameters = []; }), /do not match the template/);
  t.match(broken((d) => { d.paths['/containers/api/detail/{container}'].get.responses = {}; }), /at least one answer/);
  t.match(broken((d) => { d.paths['/containers/api/detail/{container}'].get.responses['2xx'] = { description: 'x' }; }), /not a status code/);
  t.match(broken((d) => { d.paths['/containers/api/detail/{container}'].get.security = [{ nosuch: [] }]; }), /undeclared scheme nosuch/);
  t.match(broken((d) => { d.components.schemas.Container.properties.state.minLength = 1; }), /unsupported keyword minLength/);
  t.match(broken((d) => { d.paths['/containers/api/create/{project}'].post.requestBody.content['application/json'].example.container_port = 'eighty'; }), /example: \$\.container_port: is string, expected integer/);
  t.match(broken((d) => { d.paths['/containers/api/x/{a}'] = d.paths['/containers/api/detail/{container}']; d.paths['/containers/api/x/{b}'] = {}; }), /same hierarchy/);
  t.match(broken((d) => { d.paths['/containers/api/detail/{container}'].get.tags = ['nosuch']; }), /tag nosuch is not declared/);
});

t.test('every API route of the router is documented with its method and path, and every documented operation is a route', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const routes = createGateway(gw.core, SURFACES, null).router.list();
  t.ok(routes.some((r) => r.path === '/login'), 'the list holds the UI routes too');
  const inRouter = new Set(routes.filter((r) => isApiPath(r.path)).map((r) => `${r.method} ${toTemplate(r.path)}`));
  const inDoc = new Set(operations(doc).map((o) => o.key));
  t.same([...inRouter].filter((k) => !inDoc.has(k)), [], 'routes the document lacks (add an op(…) entry in admin/api/openapi/)');
  t.same([...inDoc].filter((k) => !inRouter.has(k)), [], 'documented operations no route serves');
  t.ok(inRouter.size >= 40, `${inRouter.size} API routes`);
});

t.test('GET /api/openapi.json serves the document without a token, with an ETag and caching headers', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const res = await fetch(`${gw.base}/api/openapi.json`);
  t.equal(res.status, 200);
  t.match(res.headers.get('content-type'), /^application\/json/);
  t.equal(res.headers.get('cache-control'), 'public, max-age=300');
  const etag = res.headers.get('etag');
  t.match(etag, /^"[\w-]+"$/);
  t.same(await res.json(), doc, 'the served document is the one built');
  const again = await fetch(`${gw.base}/api/openapi.json`, { headers: { 'if-none-match': etag! } });
  t.equal(again.status, 304, 'a matching If-None-Match gets 304');
  t.equal(await again.text(), '');
  const head = await fetch(`${gw.base}/api/openapi.json`, { method: 'HEAD' });
  t.equal(head.status, 200);
  t.equal(await head.text(), '', 'HEAD has no body');
});

// Actions on the one fixture container run in this order (each needs the state the previous left);
// every other operation runs before them, deletions after, the volume's removal last.
const LIFECYCLE = [
  'GET /containers/api/start/{container}', 'POST /containers/api/start/{container}', 'POST /containers/api/pause/{container}',
  'POST /containers/api/unpause/{container}', 'POST /containers/api/restart/{container}', 'POST /containers/api/kill/{container}',
  'POST /containers/api/reset/{container}', 'GET /containers/api/stop/{container}', 'POST /containers/api/stop/{container}',
  'POST /src-api/{facility}/pause-app', 'POST /src-api/{facility}/unpause-app', 'POST /src-api/{facility}/restart-app', 'POST /src-api/{facility}/kill-app',
  'POST /src-api/{facility}/start-app', 'POST /src-api/{facility}/hard-reset-app', 'POST /src-api/{facility}/stop-app',
];
const LAST = ['DELETE /containers/api/delete/{container}', 'POST /src-api/{facility}/delete-app', 'DELETE /containers/api/volumes/{name}'];
function rank(key: string, method: string): number {
  if (LIFECYCLE.includes(key)) return 100 + LIFECYCLE.indexOf(key);
  if (LAST.includes(key)) return 300 + LAST.indexOf(key);
  return method === 'DELETE' ? 200 : 0;
}
// The tests may reach no registry: the pull's example names one that refuses at once (127.0.0.1:9).
const EXPECTED: Record<string, number> = { 'POST /containers/api/images/pull': 502, 'POST /src-api/{facility}/request-image': 502 };
const UNREACHABLE_IMAGE = '127.0.0.1:9/portico-openapi-test:1';

interface World { swap: Array<[string, string]>; token: string }

async function world(gw: TestGateway, opts: { start?: boolean } = {}): Promise<World> {
  const { user, token } = await gw.user('openapi-admin', { admin: true });
  const projectUuid = gw.project('OpenAPI examples');
  const project = gw.core.store.projects.byUuid(projectUuid)!;
  const template = gw.core.templates.create(null, { title: 'Site-wide example', ...TEST_IMAGE, container_port: 80 });
  // Made from the template, started, with a volume: every field of the container has a value to check.
  const c = gw.core.containers.create(project.id, {
    title: 'fixture app', ...TEST_IMAGE, container_port: 80, data_path: '/data', containertemplatesite: template.uuid,
    environment: { MODE: 'demo', TOKEN: 'secret' }, environment_secret_keys: 'TOKEN',
  }, user.username);
  // Owned by the admin, the fixture is an instance too, so the sharing examples have one to share.
  gw.core.store.db.prepare('UPDATE containers SET owner_user_id = ? WHERE id = ?').run(user.id, c.id);
  if (opts.start !== false) await gw.core.containers.perform(c.id, 'start', user.username);
  // The projectroles examples: a contributor's role to change and remove, a user to give a role and a
  // new project, and a spare project whose owner hands it to a member before it is destroyed.
  const member = await gw.user('openapi-member', { project: projectUuid, role: 'contributor' });
  const outsider = await gw.user('openapi-outsider');
  const spareUuid = gw.project('OpenAPI spare');
  await gw.user(EXAMPLE.username, { project: spareUuid, role: 'contributor' });
  gw.core.store.projects.setRole(gw.core.store.projects.byUuid(spareUuid)!.id, user.id, 'owner');
  const assignment = gw.core.store.projects.member(project.id, member.user.id)!;
  // The app platform's examples: an app with an icon, a grant of it, and the caller's instance of it.
  const app = gw.core.store.apps.create('openapi-fixture', 'admin', {
    image: 'portico-test/openapi-fixture:1', title: 'Fixture app', description: 'For the examples', settings: { ...DEFAULT_SETTINGS, env: {} },
    labelProblems: [], icon: { bytes: Buffer.from(PNG_1PX, 'base64'), type: 'image/png' }, imageId: null,
  });
  const grant = gw.core.store.apps.grant(app.id, { userId: member.user.id }, DEFAULT_POLICY, policyKey(DEFAULT_POLICY), 'openapi');
  const instance = gw.core.apps.instances.open(user, gw.core.apps.grants.choice(user, app)).container;
  // The SRC API's examples: an app on the test image, the caller's instance of it (openapi-src--openapi-admin), granted to the member too.
  const srcApp = gw.core.store.apps.create('openapi-src', 'admin', {
    image: `${TEST_IMAGE.repository}:${TEST_IMAGE.tag}`, title: 'SRC example', description: '', settings: { ...DEFAULT_SETTINGS, env: {} }, labelProblems: [], icon: null, imageId: null,
  });
  gw.core.store.apps.grant(srcApp.id, { userId: member.user.id }, DEFAULT_POLICY, policyKey(DEFAULT_POLICY), 'openapi');
  const srcInstance = gw.core.apps.instances.open(user, gw.core.apps.grants.choice(user, srcApp)).container;
  if (opts.start !== false) await gw.core.containers.perform(srcInstance.id, 'start', user.username);
  const file = await gw.api('PUT', `/containers/api/files/upload/${projectUuid}/fixture.txt`, token, 'fixture bytes\n', { 'content-type': 'text/plain' });
  if (file.status !== 201) throw new Error(`fixture file: ${file.status} ${JSON.stringify(file.body)}`);
  return {
    token,
    swap: [
      [EXAMPLE.project, projectUuid], [EXAMPLE.container, c.uuid], [EXAMPLE.template, template.uuid],
      [EXAMPLE.file, file.body.sodar_uuid], [EXAMPLE.volume, volumeName(gw.instance, c.uuid)], [EXAMPLE.image, UNREACHABLE_IMAGE],
      [EXAMPLE.app, app.uuid], [EXAMPLE.grant, grant.uuid], [EXAMPLE.instance, instance.uuid],
      [EXAMPLE.spareProject, spareUuid], [EXAMPLE.roleAssignment, assignment.uuid], [EXAMPLE.user, outsider.user.uuid],
      [EXAMPLE.node, (await gw.core.engine.nodes!())[0].id], [EXAMPLE.hostname, (await gw.core.engine.nodes!())[0].name],
    ],
  };
}

// Longest first: the example volume name holds the example container id.
const swapIn = (w: World, s: string) => [...w.swap].sort((x, y) => y[0].length - x[0].length).reduce((acc, [a, b]) => acc.split(a).join(b), s);

/** exampleRequest builds the operation's example request: parameters' examples, the first body example. */
function exampleRequest(w: World, path: string, method: string, op: Operation): { url: string; init: RequestInit } {
  let url = path;
  const query = new URLSearchParams();
  for (const p of op.parameters ?? []) {
    if (p.in === 'path') url = url.replace(`{${p.name}}`, encodeURIComponent(String(p.example)));
    if (p.in === 'query' && p.example !== undefined) query.set(p.name, String(p.example));
  }
  url = swapIn(w, url) + (query.size ? `?${swapIn(w, query.toString())}` : '');
  const headers: Record<string, string> = {};
  if ((op.security ?? []).length > 0) headers.authorization = `token ${w.token}`;
  let body: string | FormData | undefined;
  const content = Object.entries(op.requestBody?.content ?? {}).find(([, m]) => m.example !== undefined);
  if (content) {
    const [type, media] = content;
    const example = JSON.parse(swapIn(w, JSON.stringify(media.example)));
    if (type === 'multipart/form-data') {
      const form = new FormData();
      const props = (media.schema?.properties ?? {}) as Record<string, { contentMediaType?: string }>;
      for (const [k, v] of Object.entries(example as Record<string, string>)) {
        if (props[k]?.contentMediaType) form.append(k, new Blob([v], { type: props[k].contentMediaType }), `example-${k}.csv`);
        else form.append(k, v);
      }
      body = form;
    } else if (type === 'application/x-www-form-urlencoded') {
      headers['content-type'] = type;
      body = new URLSearchParams(example as Record<string, string>).toString();
    } else {
      headers['content-type'] = type;
      body = type.endsWith('json') ? JSON.stringify(example) : String(example);
    }
  }
  return { url, init: { method, headers, body, redirect: 'manual' } };
}

/** checkAnswer returns what is wrong with an answer by the operation's documentation. */
async function checkAnswer(res: Response, op: Operation): Promise<string[]> {
  const status = String(res.status);
  const documented = op.responses[status] ?? op.responses[`${status[0]}XX`] ?? op.responses.default;
  const text = await res.text();
  if (!documented) return [`status ${status} is not documented (${Object.keys(op.responses).join(', ')}); body ${text.slice(0, 300)}`];
  if (!documented.content) return text === '' ? [] : [`status ${status} is documented without a body, got ${text.slice(0, 200)}`];
  const type = (res.headers.get('content-type') ?? '').split(';')[0].trim();
  const media = documented.content[type];
  if (!media) return [`content-type ${type} is not among ${Object.keys(documented.content).join(', ')}`];
  if (!media.schema) return [];
  if (type.endsWith('json')) {
    let value: unknown;
    try { value = JSON.parse(text); } catch { return [`the ${status} body is not JSON: ${text.slice(0, 200)}`]; }
    return validate(doc, media.schema, value);
  }
  if (type === 'application/x-ndjson') {
    return text.split('\n').filter(Boolean).flatMap((line, i) => validate(doc, media.schema, JSON.parse(line), `line ${i + 1}`));
  }
  return validate(doc, media.schema, text);
}

t.test('every operation\'s example request gets a documented status and a body that validates against its schema', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const w = await world(gw);
  const ops = operations(doc).sort((a, b) => rank(a.key, a.method) - rank(b.key, b.method));
  for (const { key, method, path, op } of ops) {
    const { url, init } = exampleRequest(w, path, method, op);
    const res = await fetch(gw.base + url, init);
    const status = res.status;
    const problems = await checkAnswer(res, op);
    t.same(problems, [], `${key}: the ${status} answer is documented and validates`);
    const want = EXPECTED[key];
    if (want) t.equal(status, want, `${key}: ${want} (as expected here)`);
    else t.ok(status >= 200 && status < 300, `${key}: the example succeeds (${status})`);
  }
});

t.test('without credentials, every authenticated operation answers a documented 401; an unknown id a documented 404', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const w = await world(gw, { start: false });
  for (const { key, method, path, op } of operations(doc)) {
    if ((op.security ?? []).length === 0) continue;
    const { url, init } = exampleRequest(w, path, method, op);
    const res = await fetch(gw.base + url, { ...init, headers: { ...(init.headers as Record<string, string>), authorization: '' } });
    const status = res.status;
    t.same(await checkAnswer(res, op), [], `${key}: the ${status} answer without credentials is documented and validates`);
    t.equal(status, 401, `${key}: 401 without credentials`);
  }
  // Every id in the path replaced by one that names nothing (the example's, before it is swapped for a real one).
  const nobody: World = { token: w.token, swap: [] };
  for (const { key, method, path, op } of operations(doc)) {
    if (!(op.parameters ?? []).some((p) => p.in === 'path' && p.schema.format === 'uuid')) continue;
    const { url, init } = exampleRequest(nobody, path, method, op);
    const res = await fetch(gw.base + url, init);
    const status = res.status;
    t.same(await checkAnswer(res, op), [], `${key}: the ${status} answer for an unknown id is documented and validates`);
    t.equal(status, 404, `${key}: 404 for an unknown id`);
  }
});

// Regression: the container-host operations documented a 501 (from before swarm-mode hosts were
// built) that no route answers, and the app and sharing operations that read a JSON body left out
// the 413 and 415 such a body can get. Each status here is sent for, not only declared.
t.test('every operation that reads a JSON body answers a documented 400 for malformed JSON, 413 over the limit and 415 for another type; none documents a 501', async (t) => {
  t.same(operations(doc).filter((o) => o.op.responses['501']).map((o) => o.key), [],
    'no operation documents 501 (only the front answers it, for a transfer coding other than chunked, before any route)');
  const gw = await startGateway({ PORTICO_MAX_JSON_BODY: '4096' });
  t.teardown(() => gw.close());
  const w = await world(gw, { start: false });
  let checked = 0;
  for (const { key, method, path, op } of operations(doc)) {
    const types = Object.keys(op.requestBody?.content ?? {});
    // Only JSON bodies: an operation that also takes a form or raw bytes reads those without the type check.
    if (!types.length || types.some((ty) => ty !== 'application/json')) continue;
    const { url, init } = exampleRequest(w, path, method, op);
    const send = (contentType: string, body: string) => fetch(gw.base + url, { ...init, headers: { ...(init.headers as Record<string, string>), 'content-type': contentType }, body });
    for (const [want, contentType, body] of [
      [400, 'application/json', '{"unclosed": '],
      [413, 'application/json', JSON.stringify({ padding: 'x'.repeat(8192) })],
      [415, 'text/plain', 'not json'],
    ] as const) {
      const res = await send(contentType, body);
      const status = res.status;
      t.same(await checkAnswer(res, op), [], `${key}: the ${status} answer to ${want === 400 ? 'malformed JSON' : want === 413 ? 'an over-limit body' : 'a text/plain body'} is documented`);
      t.equal(status, want, `${key}: ${want}`);
    }
    checked++;
  }
  t.ok(checked >= 12, `${checked} operations with a JSON body`);
});

t.test('answers under Kiosc\'s and SODAR\'s media types fit the vendor-typed schemas; an unknown version is a documented 406; a form body creates', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const w = await world(gw, { start: false });
  const vendor: Array<[RegExp, string]> = [
    [/^\/containers\/api\//, 'application/vnd.bihealth.kiosc-server.containers+json'],
    [/^\/project\/api\//, 'application/vnd.bihealth.sodar-core.projectroles+json'],
  ];
  let checked = 0;
  for (const { key, method, path, op } of operations(doc)) {
    if (method !== 'GET' && method !== 'OPTIONS') continue;
    const type = vendor.find(([re]) => re.test(path))?.[1];
    const ok = Object.entries(op.responses).find(([s]) => s.startsWith('2'))?.[1];
    if (!type || !ok?.content?.[type]) continue;
    const { url, init } = exampleRequest(w, path, method, op);
    for (const [version, want] of [['1.0', 200], ['9.9', 406]] as const) {
      const res = await fetch(gw.base + url, { ...init, headers: { ...(init.headers as Record<string, string>), accept: `${type}; version=${version}` } });
      t.equal(res.status, want, `${key} with version=${version}: ${want}`);
      if (want === 200) t.equal(res.headers.get('content-type'), `${type}; version=1.0`, `${key}: the answer names the type and version`);
      t.same(await checkAnswer(res, op), [], `${key} with version=${version}: the answer is documented and validates`);
    }
    checked++;
  }
  t.ok(checked >= 12, `${checked} operations answered under a vendor type`);
  // A create sent as a form (Kiosc's UI and DRF's browsable API send forms): every value is text.
  const create = doc.paths['/containers/api/create/{project}'].post as Operation;
  const formSchema = create.requestBody!.content['application/x-www-form-urlencoded'].schema!;
  const fields = { title: 'Form app', repository: TEST_IMAGE.repository, tag: TEST_IMAGE.tag, container_port: '80', timeout: '', environment: '{"MODE": "form"}' };
  t.same(validate(doc, formSchema, fields), [], 'the form fields fit the documented form schema');
  const res = await fetch(`${gw.base}${swapIn(w, '/containers/api/create/' + EXAMPLE.project)}`, {
    method: 'POST', headers: { authorization: `token ${w.token}`, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString(),
  });
  t.equal(res.status, 201, 'the form creates the container');
  t.same(await checkAnswer(res, create), [], 'the answer to a form is documented and validates');
});

t.test('an answer that does not fit the document is caught (the check can fail)', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const w = await world(gw);
  const op = structuredClone(doc.paths['/containers/api/detail/{container}'].get) as Operation;
  const { url, init } = exampleRequest(w, '/containers/api/detail/{container}', 'GET', op);
  const strict = structuredClone(op);
  strict.responses['200'].content!['application/json'].schema = { type: 'object', required: ['no_such_field'] };
  t.match((await checkAnswer(await fetch(gw.base + url, init), strict)).join(), /no_such_field is required/);
  const fewer = structuredClone(op);
  delete fewer.responses['200'];
  t.match((await checkAnswer(await fetch(gw.base + url, init), fewer)).join(), /status 200 is not documented/);
});

t.test('the table in docs/api.md is the one generated from the document (node scripts/api-table.ts)', async (t) => {
  const md = fs.readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
  t.equal(replaceTable(md, apiTable(doc as Parameters<typeof apiTable>[0])), md, 'docs/api.md is current');
  for (const { key } of operations(doc)) t.ok(md.includes(`| \`${key}\` |`), `${key} has a row`);
});
