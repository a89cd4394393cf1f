/**
 * matrix.test.ts: the permission matrix. Every role (site admin, owner, delegate, contributor,
 * guest, non-member, anonymous) × every container action × every surface gets the expected
 * allow or deny, and a denied request changes nothing (no job, no record change).
 *
 * Surfaces: the REST API and the UI routes here (the container pages, their forms and action POSTs
 * included); the HTTP and WebSocket proxy in
 * matrix-proxy.test.ts (same rows and expectations, real app containers).
 */
import t from 'tap';
import { startGateway, waitFor } from '../helpers/gateway.ts';
import type { TestGateway } from '../helpers/gateway.ts';
import { WHO, classify, expected, makeActors } from '../helpers/matrix.ts';
import type { Actor, Case, Need, Outcome, Who } from '../helpers/matrix.ts';
import { fingerprint } from '../../admin/ui/bulk-view.ts';


// Starts fail fast (no registry at 127.0.0.1:9), so allowed actions run as jobs without real containers.
const BROKEN_IMAGE = { repository: '127.0.0.1:9/portico-matrix/none', tag: '1' };
const BROKEN_FORM = { repository: BROKEN_IMAGE.repository, tag: BROKEN_IMAGE.tag, container_port: '80' };

t.test('permission matrix', async (t) => {
  const gw: TestGateway = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project('Matrix');
  const projectId = gw.core.store.projects.byUuid(project)!.id;

  const actors = await makeActors(gw, project);
  const setup = 'matrix-setup';
  const shared = gw.core.containers.create(projectId, { title: 'shared', ...BROKEN_IMAGE }, setup);
  // Each row acts on its own container, so the action queue never merges one row's job into another's.
  const own = new Map(WHO.map((who) => [who, gw.core.containers.create(projectId, { title: `own-${who}`, ...BROKEN_IMAGE }, setup)]));
  const ownUi = new Map(WHO.map((who) => [who, gw.core.containers.create(projectId, { title: `own-ui-${who}`, ...BROKEN_IMAGE }, setup)]));
  const freshFor = (who: string) => gw.core.containers.create(projectId, { title: `del-${who}`, ...BROKEN_IMAGE }, setup);
  const jobsBy = (name: string) => (gw.core.store.db.prepare('SELECT COUNT(*) AS n FROM jobs WHERE user = ?').get(name) as { n: number }).n;
  const api = (a: Actor, method: string, path: string, body?: unknown) => gw.api(method, path, a.token, body).then((r) => r.status);
  const ui = (a: Actor, method: string, path: string, form?: Record<string, string>) =>
    a.web.request(method, path, method === 'GET' ? {} : { form: { csrf_token: a.csrf, ...form } })
      .then((r) => (classify(r.status, r.headers.get('location')) === 'login' ? 401 : r.status));
  // An allowed action on a broken image runs and fails (its page says so, with the engine's status):
  // that is past the permission check, so it counts as allowed.
  const uiAction = (a: Actor, path: string) =>
    a.web.request('POST', path, { form: { csrf_token: a.csrf, view: 'detail', confirm: 'yes' } }).then((r) => {
      if (classify(r.status, r.headers.get('location')) === 'login') return 401;
      return r.status >= 400 && r.status !== 403 && r.status !== 404 && new RegExp(` of own-ui-${a.who} failed: `).test(r.text) ? 200 : r.status;
    });

  const apiCases: Case[] = [
    { surface: 'api', action: 'list', need: 'guest', projectScoped: true, run: (a) => api(a, 'GET', `/containers/api/${project}`) },
    { surface: 'api', action: 'view', need: 'guest', projectScoped: true, run: (a) => api(a, 'GET', `/containers/api/detail/${shared.uuid}`) },
    { surface: 'api', action: 'logs', need: 'guest', projectScoped: true, run: (a) => api(a, 'GET', `/containers/api/logs/${shared.uuid}`) },
    {
      surface: 'api', action: 'create', need: 'contributor', projectScoped: true,
      run: (a) => api(a, 'POST', `/containers/api/create/${project}`, { title: `new-${a.who}`, ...BROKEN_IMAGE }),
      after: (a, o) => t.equal(gw.core.store.containers.titleTaken(projectId, `new-${a.who}`), o === 'allow', `api create as ${a.who}: record ${o === 'allow' ? 'made' : 'not made'}`),
    },
    {
      surface: 'api', action: 'update', need: 'contributor', projectScoped: true,
      run: (a) => api(a, 'PATCH', `/containers/api/update/${shared.uuid}`, { description: `by ${a.who}` }),
      after: (a, o) => t.equal(gw.core.store.containers.byId(shared.id)!.description === `by ${a.who}`, o === 'allow', `api update as ${a.who}: ${o === 'allow' ? 'changed' : 'unchanged'}`),
    },
    ...(['start', 'stop'] as const).map((action): Case => ({
      surface: 'api', action: `${action} (Kiosc GET)`, need: 'contributor', projectScoped: true,
      run: (a) => api(a, 'GET', `/containers/api/${action}/${own.get(a.who)!.uuid}`),
    })),
    ...(['start', 'stop', 'pause', 'unpause', 'restart', 'kill', 'reset'] as const).map((action): Case => ({
      surface: 'api', action, need: 'contributor', projectScoped: true,
      run: (a) => api(a, 'POST', `/containers/api/${action}/${own.get(a.who)!.uuid}?wait=0`),
    })),
    {
      surface: 'api', action: 'delete', need: 'contributor', projectScoped: true,
      run: async (a) => {
        const c = freshFor(a.who);
        const status = await api(a, 'DELETE', `/containers/api/delete/${c.uuid}`);
        t.equal(gw.core.store.containers.byUuid(c.uuid) === null, status === 204, `api delete as ${a.who}: record ${status === 204 ? 'gone' : 'kept'}`);
        return status;
      },
    },
  ];

  const uiCases: Case[] = [
    { surface: 'ui', action: 'members page', need: 'guest', projectScoped: true, run: (a) => ui(a, 'GET', `/projects/${project}/members`) },
    {
      surface: 'ui', action: 'members add', need: 'delegate', projectScoped: true,
      run: (a) => ui(a, 'POST', `/projects/${project}/members`, { username: 'm-target', role: 'guest' }),
      after: (a, o) => {
        const target = gw.core.store.users.byUsername('m-target')!;
        t.equal(gw.core.store.projects.roleOf(projectId, target.id) !== null, o === 'allow', `ui members add as ${a.who}`);
        gw.core.store.projects.removeMember(projectId, target.id);
      },
    },
    // Container pages (admin/ui): the list, the detail page and its stats, the forms and their POSTs.
    { surface: 'ui', action: 'containers list', need: 'guest', projectScoped: true, run: (a) => ui(a, 'GET', `/projects/${project}/containers`) },
    { surface: 'ui', action: 'container detail', need: 'guest', projectScoped: true, run: (a) => ui(a, 'GET', `/containers/${shared.uuid}`) },
    { surface: 'ui', action: 'container stats', need: 'guest', projectScoped: true, run: (a) => ui(a, 'GET', `/containers/${shared.uuid}/stats`) },
    { surface: 'ui', action: 'create form', need: 'contributor', projectScoped: true, run: (a) => ui(a, 'GET', `/projects/${project}/containers/create`) },
    {
      surface: 'ui', action: 'create POST', need: 'contributor', projectScoped: true,
      run: (a) => ui(a, 'POST', `/projects/${project}/containers/create`, { title: `ui-new-${a.who}`, ...BROKEN_FORM }),
      after: (a, o) => t.equal(gw.core.store.containers.titleTaken(projectId, `ui-new-${a.who}`), o === 'allow', `ui create as ${a.who}: record ${o === 'allow' ? 'made' : 'not made'}`),
    },
    { surface: 'ui', action: 'update form', need: 'contributor', projectScoped: true, run: (a) => ui(a, 'GET', `/containers/${shared.uuid}/update`) },
    {
      surface: 'ui', action: 'update POST', need: 'contributor', projectScoped: true,
      run: (a) => ui(a, 'POST', `/containers/${shared.uuid}/update`, { title: 'shared', description: `ui by ${a.who}`, ...BROKEN_FORM }),
      after: (a, o) => t.equal(gw.core.store.containers.byId(shared.id)!.description === `ui by ${a.who}`, o === 'allow', `ui update as ${a.who}: ${o === 'allow' ? 'changed' : 'unchanged'}`),
    },
    ...(['start', 'stop', 'pause', 'unpause', 'restart', 'kill', 'reset'] as const).map((action): Case => ({
      surface: 'ui', action: `${action} POST`, need: 'contributor', projectScoped: true,
      run: (a) => uiAction(a, `/containers/${ownUi.get(a.who)!.uuid}/${action}`),
    })),
    { surface: 'ui', action: 'delete confirm', need: 'contributor', projectScoped: true, run: (a) => ui(a, 'GET', `/containers/${shared.uuid}/delete`) },
    {
      surface: 'ui', action: 'delete POST', need: 'contributor', projectScoped: true,
      run: async (a) => {
        const c = freshFor(`ui-${a.who}`);
        const status = await ui(a, 'POST', `/containers/${c.uuid}/delete`, { view: 'row' });
        const gone = gw.core.store.containers.byUuid(c.uuid) === null;
        t.equal(gone, classify(status) === 'allow', `ui delete as ${a.who}: record ${gone ? 'gone' : 'kept'}`);
        return status;
      },
    },
    // Site admin: the bulk actions (preview, and a confirm of stop-unused, which finds nothing to stop here).
    { surface: 'ui', action: 'bulk preview', need: 'admin', run: (a) => ui(a, 'GET', '/siteadmin/bulk/stop-all') },
    { surface: 'ui', action: 'bulk confirm', need: 'admin', run: (a) => ui(a, 'POST', '/siteadmin/bulk/stop-unused', { expect: fingerprint({ items: [] }) }) },
    // Image hosts (docs/image-hosts.md): site admins only, on the API and in the UI; a refused add stores nothing.
    { surface: 'api', action: 'image hosts', need: 'admin', run: (a) => api(a, 'GET', '/containers/api/image-hosts') },
    {
      surface: 'api', action: 'add image host', need: 'admin',
      run: (a) => api(a, 'POST', '/containers/api/image-hosts', { name: `api-${a.who}`, address: `api-${a.who}.example.org` }),
      after: (a, o) => t.equal(gw.core.store.imageHosts.byName(`api-${a.who}`) !== null, o === 'allow', `image host add as ${a.who}: ${o === 'allow' ? 'made' : 'not made'}`),
    },
    { surface: 'ui', action: 'image hosts page', need: 'admin', run: (a) => ui(a, 'GET', '/siteadmin/image-hosts') },
    {
      surface: 'ui', action: 'add image host', need: 'admin',
      run: (a) => ui(a, 'POST', '/siteadmin/image-hosts', { name: `ui-${a.who}`, address: `ui-${a.who}.example.org`, check: 'false' }),
      after: (a, o) => t.equal(gw.core.store.imageHosts.byName(`ui-${a.who}`) !== null, o === 'allow', `ui image host add as ${a.who}: ${o === 'allow' ? 'made' : 'not made'}`),
    },
    { surface: 'ui', action: 'tokens page', need: 'user', run: (a) => ui(a, 'GET', '/tokens') },
    { surface: 'ui', action: 'password page', need: 'user', run: (a) => ui(a, 'GET', '/password') },
    { surface: 'ui', action: 'site admin page', need: 'admin', run: (a) => ui(a, 'GET', '/admin') },
    { surface: 'ui', action: 'users page', need: 'admin', run: (a) => ui(a, 'GET', '/admin/users') },
    { surface: 'ui', action: 'projects page', need: 'admin', run: (a) => ui(a, 'GET', '/admin/projects') },
    { surface: 'ui', action: 'read-only switch', need: 'admin', run: (a) => ui(a, 'POST', '/admin/read-only', { read_only: 'off' }) },
  ];
  await gw.user('m-target');

  for (const c of [...apiCases, ...uiCases]) {
    for (const who of WHO) {
      const a = actors.get(who)!;
      const want = expected(who, c.need, c.projectScoped ?? false);
      const got = classify(await c.run(a));
      t.equal(got, want, `${c.surface} · ${c.action} · ${who} → ${want}`);
      c.after?.(a, want);
    }
  }

  // Allowed actions really ran as jobs; denied ones left none. Let the queue drain first.
  await waitFor(() => [...own.values(), ...ownUi.values()].every((c) => !gw.core.containers.queue.busy(c.id)), 60_000, 'the action queues to drain');
  for (const who of WHO) {
    const n = jobsBy(`m-${who}`);
    if (['admin', 'owner', 'delegate', 'contributor'].includes(who)) t.ok(n > 0, `${who}: actions ran as jobs (${n})`);
    else t.equal(n, 0, `${who}: no job at all`);
  }
});
