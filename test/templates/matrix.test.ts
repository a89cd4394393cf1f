/**
 * matrix.test.ts: the permission matrix for templates and small files. Every row (site admin,
 * owner, delegate, contributor, guest, non-member, anonymous) × every template and file action ×
 * REST API and UI gets the expected allow or deny, and a denied change leaves nothing behind.
 * Rules (Kiosc 1.4.2 plus small files): project templates and files — guests view, contributors
 * and up change, non-members 404; site-wide templates — everyone logged in views, admins change.
 */
import t from 'tap';
import { startGateway, TEST_IMAGE } from '../helpers/gateway.ts';
import type { TestGateway } from '../helpers/gateway.ts';
import { WHO, classify, expected, makeActors } from '../helpers/matrix.ts';
import type { Actor, Case, Need, Outcome } from '../helpers/matrix.ts';


t.test('templates and files permission matrix', async (t) => {
  const gw: TestGateway = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project('Matrix T');
  const projectId = gw.core.store.projects.byUuid(project)!.id;
  const actors = await makeActors(gw, project);
  const tpl = gw.core.templates;
  const shared = tpl.create(projectId, { title: 'shared', ...TEST_IMAGE });
  const site = tpl.create(null, { title: 'site shared', ...TEST_IMAGE });
  const fresh = (scope: number | null, who: string) => tpl.create(scope, { title: `del-${scope ?? 'site'}-${who}-${Math.random()}` });
  const p = gw.core.store.projects.byId(projectId)!;
  async function* bytes(s: string) { yield Buffer.from(s); }
  const upload = (name: string) => gw.core.files.upload(p, name, bytes('data'), { uploadedBy: 'matrix-setup' });
  const sharedFile = await upload('shared.txt');
  const titles = (scope: number | null) => (scope === null ? tpl.site() : tpl.ofProject(scope)).map((x) => x.title);
  const fileNames = () => gw.core.files.list(projectId).map((f) => f.name);

  const api = (a: Actor, method: string, path: string, body?: unknown, headers?: Record<string, string>) => gw.api(method, path, a.token, body, headers).then((r) => r.status);
  const ui = (a: Actor, method: string, path: string, form?: Record<string, string>) =>
    a.web.request(method, path, method === 'GET' ? {} : { form: { csrf_token: a.csrf, ...form } })
      .then((r) => (classify(r.status, r.headers.get('location')) === 'login' ? 401 : r.status));
  const uiUpload = async (a: Actor, name: string) => {
    const b = 'mxboundary';
    const body = `--${b}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n${a.csrf}\r\n--${b}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\n\r\nx\r\n--${b}--\r\n`;
    const cookie = [...a.web.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const r = await fetch(`${gw.base}/projects/${project}/files`, { method: 'POST', body, redirect: 'manual', headers: { 'content-type': `multipart/form-data; boundary=${b}`, accept: 'text/html', ...(cookie ? { cookie } : {}) } });
    return classify(r.status, r.headers.get('location')) === 'login' ? 401 : r.status;
  };
  const made = (what: string, yes: boolean, o: Outcome, a: Actor) => t.equal(yes, o === 'allow', `${what} as ${a.who}: ${o === 'allow' ? 'done' : 'nothing changed'}`);

  const cases: Case[] = [
    // Project-wide templates, REST API.
    { surface: 'api', action: 'templates list', need: 'guest', projectScoped: true, run: (a) => api(a, 'GET', `/containers/api/templates/${project}`) },
    { surface: 'api', action: 'template detail', need: 'guest', projectScoped: true, run: (a) => api(a, 'GET', `/containers/api/templates/detail/${shared.uuid}`) },
    {
      surface: 'api', action: 'template create', need: 'contributor', projectScoped: true,
      run: (a) => api(a, 'POST', `/containers/api/templates/create/${project}`, { title: `api-${a.who}` }),
      after: (a, o) => made('api template create', titles(projectId).includes(`api-${a.who}`), o, a),
    },
    {
      surface: 'api', action: 'template update', need: 'contributor', projectScoped: true,
      run: (a) => api(a, 'PATCH', `/containers/api/templates/update/${shared.uuid}`, { description: `by ${a.who}` }),
      after: (a, o) => made('api template update', gw.core.store.templates.byUuid(shared.uuid)!.settings.description === `by ${a.who}`, o, a),
    },
    {
      surface: 'api', action: 'template duplicate', need: 'contributor', projectScoped: true,
      run: async (a) => { const n = titles(projectId).length; const s = await api(a, 'POST', `/containers/api/templates/duplicate/${shared.uuid}`); made('api duplicate', titles(projectId).length === n + 1, classify(s) === 'allow' ? 'allow' : 'forbidden', a); return s; },
    },
    {
      surface: 'api', action: 'template copy (site → project)', need: 'contributor', projectScoped: true,
      run: async (a) => { const n = titles(projectId).length; const s = await api(a, 'POST', `/containers/api/templates/copy/${project}`, { template: site.uuid }); made('api copy', titles(projectId).length === n + 1, classify(s) === 'allow' ? 'allow' : 'forbidden', a); return s; },
    },
    {
      surface: 'api', action: 'template delete', need: 'contributor', projectScoped: true,
      run: async (a) => { const x = fresh(projectId, a.who); const s = await api(a, 'DELETE', `/containers/api/templates/delete/${x.uuid}`); made('api template delete', !titles(projectId).includes(x.title), classify(s) === 'allow' ? 'allow' : 'forbidden', a); return s; },
    },
    // Site-wide templates, REST API.
    { surface: 'api', action: 'site templates list', need: 'user', run: (a) => api(a, 'GET', '/containers/api/templates/site') },
    { surface: 'api', action: 'site template detail', need: 'user', run: (a) => api(a, 'GET', `/containers/api/templates/detail/${site.uuid}`) },
    {
      surface: 'api', action: 'site template create', need: 'admin',
      run: (a) => api(a, 'POST', '/containers/api/templates/create/site', { title: `site-${a.who}` }),
      after: (a, o) => made('api site create', titles(null).includes(`site-${a.who}`), o, a),
    },
    { surface: 'api', action: 'site template update', need: 'admin', run: (a) => api(a, 'PATCH', `/containers/api/templates/update/${site.uuid}`, { description: a.who }) },
    { surface: 'api', action: 'site template duplicate', need: 'admin', run: (a) => api(a, 'POST', `/containers/api/templates/duplicate/${site.uuid}`) },
    {
      surface: 'api', action: 'site template delete', need: 'admin',
      run: async (a) => { const x = fresh(null, a.who); const s = await api(a, 'DELETE', `/containers/api/templates/delete/${x.uuid}`); made('api site delete', !titles(null).includes(x.title), classify(s) === 'allow' ? 'allow' : 'forbidden', a); return s; },
    },
    // Small files, REST API.
    { surface: 'api', action: 'files list', need: 'guest', projectScoped: true, run: (a) => api(a, 'GET', `/containers/api/files/${project}`) },
    { surface: 'api', action: 'file detail', need: 'guest', projectScoped: true, run: (a) => api(a, 'GET', `/containers/api/files/detail/${sharedFile.uuid}`) },
    { surface: 'api', action: 'file download', need: 'guest', projectScoped: true, run: (a) => api(a, 'GET', `/containers/api/files/download/${sharedFile.uuid}`) },
    {
      surface: 'api', action: 'file upload', need: 'contributor', projectScoped: true,
      run: (a) => api(a, 'PUT', `/containers/api/files/upload/${project}/api-${a.who}.txt`, 'abc', { 'content-type': 'text/plain' }),
      after: (a, o) => made('api upload', fileNames().includes(`api-${a.who}.txt`), o, a),
    },
    {
      surface: 'api', action: 'file delete', need: 'contributor', projectScoped: true,
      run: async (a) => { const f = await upload(`del-api-${a.who}`); const s = await api(a, 'DELETE', `/containers/api/files/delete/${f.uuid}`); made('api file delete', !fileNames().includes(f.name), classify(s) === 'allow' ? 'allow' : 'forbidden', a); return s; },
    },
    // The UI.
    { surface: 'ui', action: 'templates page', need: 'guest', projectScoped: true, run: (a) => ui(a, 'GET', `/projects/${project}/templates`) },
    { surface: 'ui', action: 'template page', need: 'guest', projectScoped: true, run: (a) => ui(a, 'GET', `/projects/${project}/templates/${shared.uuid}`) },
    { surface: 'ui', action: 'template create form', need: 'contributor', projectScoped: true, run: (a) => ui(a, 'GET', `/projects/${project}/templates/create`) },
    {
      surface: 'ui', action: 'template create', need: 'contributor', projectScoped: true,
      run: (a) => ui(a, 'POST', `/projects/${project}/templates/create`, { title: `ui-${a.who}` }),
      after: (a, o) => made('ui template create', titles(projectId).includes(`ui-${a.who}`), o, a),
    },
    { surface: 'ui', action: 'template update', need: 'contributor', projectScoped: true, run: (a) => ui(a, 'POST', `/projects/${project}/templates/${shared.uuid}/update`, { description: `ui ${a.who}` }) },
    { surface: 'ui', action: 'template duplicate', need: 'contributor', projectScoped: true, run: (a) => ui(a, 'POST', `/projects/${project}/templates/${shared.uuid}/duplicate`) },
    { surface: 'ui', action: 'template copy', need: 'contributor', projectScoped: true, run: (a) => ui(a, 'POST', `/projects/${project}/templates/copy`, { template: site.uuid }) },
    {
      surface: 'ui', action: 'template delete', need: 'contributor', projectScoped: true,
      run: async (a) => { const x = fresh(projectId, a.who); const s = await ui(a, 'POST', `/projects/${project}/templates/${x.uuid}/delete`); made('ui template delete', !titles(projectId).includes(x.title), classify(s) === 'allow' ? 'allow' : 'forbidden', a); return s; },
    },
    { surface: 'ui', action: 'container pre-fill', need: 'contributor', projectScoped: true, run: (a) => ui(a, 'GET', `/projects/${project}/containers/prefill?template=${site.uuid}`) },
    { surface: 'ui', action: 'site templates page', need: 'user', run: (a) => ui(a, 'GET', '/templates') },
    {
      surface: 'ui', action: 'site template create', need: 'admin',
      run: (a) => ui(a, 'POST', '/templates/create', { title: `ui-site-${a.who}` }),
      after: (a, o) => made('ui site create', titles(null).includes(`ui-site-${a.who}`), o, a),
    },
    { surface: 'ui', action: 'files page', need: 'guest', projectScoped: true, run: (a) => ui(a, 'GET', `/projects/${project}/files`) },
    { surface: 'ui', action: 'file download', need: 'guest', projectScoped: true, run: (a) => ui(a, 'GET', `/projects/${project}/files/${sharedFile.uuid}/download`) },
    {
      surface: 'ui', action: 'file upload', need: 'contributor', projectScoped: true,
      run: (a) => uiUpload(a, `ui-${a.who}.txt`),
      after: (a, o) => made('ui upload', fileNames().includes(`ui-${a.who}.txt`), o, a),
    },
    {
      surface: 'ui', action: 'file delete', need: 'contributor', projectScoped: true,
      run: async (a) => { const f = await upload(`del-ui-${a.who}`); const s = await ui(a, 'POST', `/projects/${project}/files/${f.uuid}/delete`, { file: f.uuid }); made('ui file delete', !fileNames().includes(f.name), classify(s) === 'allow' ? 'allow' : 'forbidden', a); return s; },
    },
  ];

  for (const c of cases) {
    for (const who of WHO) {
      const a = actors.get(who)!;
      const want = expected(who, c.need, c.projectScoped ?? false);
      const got = classify(await c.run(a));
      t.equal(got, want, `${c.surface} · ${c.action} · ${who} → ${want}`);
      c.after?.(a, want);
    }
  }
});
