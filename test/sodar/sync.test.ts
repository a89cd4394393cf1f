/**
 * sync.test.ts: the SODAR sync (TARGET mode) against a local HTTP server that serves sodar-core's
 * remote-sync document at /project/api/remote/get/<secret>, as a SODAR source site does. The
 * document changes between syncs (a role removed, a project renamed, a user added; later a project
 * withdrawn and one removed) and each sync must leave exactly the source's state; local changes to
 * synced projects are refused on the UI and CLI; a source that fails changes nothing.
 */
import t from 'tap';
import http from 'node:http';
import { execFile } from 'node:child_process';
import { startGateway, waitFor, TEST_IMAGE } from '../helpers/gateway.ts';
import type { TestGateway } from '../helpers/gateway.ts';
import { page, post, session } from '../helpers/ui-http.ts';
import { hashSecret, newSecret } from '../../gateway/core/auth/tokens.ts';
import { loadConfig } from '../../gateway/core/config.ts';
import { createLogger, silentLogger } from '../../gateway/core/log.ts';
import { createSodarSync } from '../../gateway/core/sodar/sync.ts';
import { mapSourceData } from '../../gateway/core/sodar/mapper.ts';
import { applySnapshot } from '../../gateway/core/sodar/apply.ts';
import { createStore } from '../../gateway/core/store/index.ts';

const SECRET = 'Zq8sK2mW9xR4vT6yB1nC3dF5gH7jL0pA';
const U = {
  alice: '1a1a1a1a-0000-4000-8000-000000000001', bob: '1a1a1a1a-0000-4000-8000-000000000002',
  carol: '1a1a1a1a-0000-4000-8000-000000000003', dave: '1a1a1a1a-0000-4000-8000-000000000004',
  srcAdmin: '1a1a1a1a-0000-4000-8000-000000000005', erin: '1a1a1a1a-0000-4000-8000-000000000006',
};
const P = {
  cat: '2b2b2b2b-0000-4000-8000-000000000001', rna: '2b2b2b2b-0000-4000-8000-000000000002',
  img: '2b2b2b2b-0000-4000-8000-000000000003', hidden: '2b2b2b2b-0000-4000-8000-000000000004',
};
const R = (n: number) => `3c3c3c3c-0000-4000-8000-${String(n).padStart(12, '0')}`;

function user(uuid: string, username: string, groups: string[]) {
  const [first, last] = username.split('@')[0].split('.');
  return { username, name: `${first} ${last ?? ''}`.trim(), first_name: first, last_name: last ?? '', email: `${username.split('@')[0]}@example.com`, additional_emails: [], groups, sodar_uuid: uuid };
}

/** docV1 is what the source shares first: two projects under a category, one only "view availability". */
function docV1(): any {
  return {
    users: {
      [U.alice]: user(U.alice, 'alice@EXAMPLE', ['example']),
      [U.bob]: user(U.bob, 'bob@EXAMPLE', ['example']),
      [U.carol]: user(U.carol, 'carol@EXAMPLE', ['example']),
      [U.srcAdmin]: user(U.srcAdmin, 'sodaradmin', ['system']),
    },
    projects: {
      [P.cat]: { title: 'Core Unit', type: 'CATEGORY', parent_uuid: null, description: '', readme: '', level: 'READ_ROLES',
        roles: { [R(1)]: { user: 'carol@EXAMPLE', role: 'project delegate' } } },
      [P.rna]: { level: 'READ_ROLES', title: 'RNA-seq', type: 'PROJECT', remote_sites: [], description: 'Bulk RNA', readme: '', parent_uuid: P.cat,
        roles: { [R(2)]: { user: 'alice@EXAMPLE', role: 'project owner' }, [R(3)]: { user: 'bob@EXAMPLE', role: 'project contributor' } } },
      [P.img]: { level: 'READ_ROLES', title: 'Imaging', type: 'PROJECT', remote_sites: [], description: '', readme: '', parent_uuid: P.cat,
        roles: { [R(4)]: { user: 'sodaradmin', role: 'project owner' }, [R(5)]: { user: 'alice@EXAMPLE', role: 'project guest' } } },
      [P.hidden]: { level: 'VIEW_AVAIL', title: 'Hidden', type: 'PROJECT', remote_sites: [], available: true },
    },
    peer_sites: {},
    app_settings: {},
  };
}

/** docV2 differs from docV1 by exactly: bob's role removed, Imaging renamed, dave added (as guest of RNA-seq). */
function docV2(): any {
  const d = docV1();
  delete d.projects[P.rna].roles[R(3)];
  d.projects[P.img].title = 'Imaging 2';
  d.users[U.dave] = user(U.dave, 'dave@EXAMPLE', ['example']);
  d.projects[P.rna].roles[R(6)] = { user: 'dave@EXAMPLE', role: 'project guest' };
  return d;
}

/** SourceSite is the stand-in SODAR source: it serves `doc`, or fails as `fail` says. */
interface SourceSite { url: string; doc: any; fail: null | '500' | 'garbage' | 'shape' | 'slow'; hits: number; accepts: string[]; close(): Promise<void> }

async function startSource(doc: any): Promise<SourceSite> {
  const site: SourceSite = { url: '', doc, fail: null, hits: 0, accepts: [], close: async () => {} };
  const server = http.createServer((req, res) => {
    site.hits++;
    site.accepts.push(req.headers.accept ?? '');
    const prefix = '/project/api/remote/get/';
    if (req.method !== 'GET' || !req.url?.startsWith(prefix)) { res.writeHead(404).end('not found'); return; }
    // sodar-core's RemoteProjectGetAPIView: an unknown secret is 401 with this body.
    if (decodeURIComponent(req.url.slice(prefix.length)) !== SECRET) {
      res.writeHead(401, { 'content-type': 'application/vnd.bihealth.sodar-core.projectroles.sync+json' }).end('"Remote site not found, unauthorized"');
      return;
    }
    if (site.fail === 'slow') { setTimeout(() => res.writeHead(200).end('{}'), 1500).unref(); return; }
    if (site.fail === '500') { res.writeHead(500, { 'content-type': 'text/html' }).end('<h1>Server Error (500)</h1>'); return; }
    if (site.fail === 'garbage') { res.writeHead(200, { 'content-type': 'text/html' }).end('<html>maintenance</html>'); return; }
    const body = site.fail === 'shape' ? { ...site.doc, users: [] } : site.doc;
    res.writeHead(200, { 'content-type': 'application/vnd.bihealth.sodar-core.projectroles.sync+json; version=1.0' }).end(JSON.stringify(body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  site.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  site.close = () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); });
  return site;
}

const targetEnv = (site: SourceSite, extra: Record<string, string> = {}) => ({
  PROJECTROLES_SITE_MODE: 'TARGET', PORTICO_SODAR_SOURCE_URL: site.url, PORTICO_SODAR_SOURCE_SECRET: SECRET, PORTICO_SODAR_TIMEOUT: '5', ...extra,
});

/** members lists a project's roles as "user=role", sorted. */
function members(gw: TestGateway, uuid: string): string[] {
  const p = gw.core.store.projects.byUuid(uuid);
  return p ? gw.core.store.projects.members(p.id).map((m) => `${m.username}=${m.role}`).sort() : [];
}

/** snapshot is every row the sync may touch, to prove a failed sync changed nothing. */
function snapshot(gw: TestGateway): string {
  const db = gw.core.store.db;
  return JSON.stringify(['users', 'projects', 'memberships', 'sodar_projects', 'sodar_users'].map((tbl) => db.prepare(`SELECT * FROM ${tbl} ORDER BY 1, 2`).all()));
}

const cliPath = new URL('../../gateway/cli.ts', import.meta.url).pathname;
/** cli runs `portico` as its own process (asynchronously: the stand-in source answers from this one). */
function cli(gw: TestGateway, site: SourceSite, args: string[], env: Record<string, string> = {}): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cliPath, ...args], {
      env: { PATH: process.env.PATH, PORTICO_DATA_DIR: gw.config.dataDir, ...targetEnv(site), ...env }, encoding: 'utf8', timeout: 30_000,
    }, (err, stdout, stderr) => resolve({ status: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

/** closedPort is a port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

t.test('SODAR sync: users, projects and roles, then a role removed, a project renamed and a user added', async (t) => {
  const site = await startSource(docV1());
  const logs: Array<Record<string, unknown>> = [];
  const gw = await startGateway({ ...targetEnv(site), PORTICO_LOG_LEVEL: 'info' }, { logger: createLogger({ format: 'json', level: 'warn', write: (l) => logs.push(JSON.parse(l)) }) });
  t.teardown(async () => { await gw.close(); await site.close(); });
  const admin = await gw.user('admin', { admin: true });
  const ui = await session(gw, admin.token);
  const someone = await session(gw, (await gw.user('someone')).token);
  t.equal((await page(gw, '/admin/sodar', someone.cookie)).status, 403, 'the page is for site admins');
  t.equal((await post(gw, '/admin/sodar/sync', someone.cookie, { csrf_token: someone.csrf })).status, 403, 'and so is the button');

  t.equal((await post(gw, '/admin/sodar/sync', ui.cookie, {})).status, 403, 'the sync button needs the CSRF token');
  t.equal(site.hits, 0, 'and nothing was fetched');
  const first = await post(gw, '/admin/sodar/sync', ui.cookie, { csrf_token: ui.csrf });
  t.equal(first.status, 303, 'the button syncs and returns to the page');
  t.match(site.accepts[0], /^application\/vnd\.bihealth\.sodar-core\.projectroles\.sync\+json; version=1\.0$/, 'sodar-core\'s sync media type and version are asked for');

  const alice = gw.core.store.users.byUsername('alice@EXAMPLE')!;
  t.ok(alice, 'LDAP users are created under their names as given');
  t.equal(alice.uuid, U.alice, 'with their SODAR uuid');
  t.equal(alice.source, 'ldap', 'as directory users');
  t.equal(gw.core.store.users.passwordHash('alice@EXAMPLE')!.hash, null, 'without a password');
  t.equal(alice.email, 'alice@example.com');
  t.notOk(gw.core.store.users.byUsername('sodaradmin'), 'a local user of the source is not created');
  t.equal(gw.core.store.projects.byUuid(P.rna)?.title, 'RNA-seq', 'projects keep their SODAR uuid');
  t.equal(gw.core.store.projects.byUuid(P.rna)?.description, 'Bulk RNA');
  t.notOk(gw.core.store.projects.byUuid(P.cat), 'categories are not projects here');
  t.notOk(gw.core.store.projects.byUuid(P.hidden), 'a project shared only as "view availability" is not created');
  t.same(members(gw, P.rna), ['alice@EXAMPLE=owner', 'bob@EXAMPLE=contributor', 'carol@EXAMPLE=delegate'], 'roles, with the category\'s delegate inherited');
  t.same(members(gw, P.img), ['admin=owner', 'alice@EXAMPLE=guest', 'carol@EXAMPLE=delegate'], 'the source\'s local owner is replaced by PROJECTROLES_DEFAULT_ADMIN');

  const pageNow = await page(gw, '/admin/sodar', ui.cookie);
  t.equal(pageNow.status, 200);
  t.match(pageNow.text, 'users: 3 created, 0 updated; projects: 2 created, 0 updated, 0 withdrawn; roles: 6 created, 0 updated, 0 removed', 'the page shows the last result');
  t.match(pageNow.text, site.url, 'and the source');
  t.notMatch(pageNow.text, SECRET, 'but never the secret');
  t.match(pageNow.text, '&lt;masked&gt;');
  const health = await gw.api('GET', '/healthz', null);
  t.equal(health.body.sodarSync.ok, true, '/healthz tells the last sync result');

  t.test('local changes to a synced project are refused on every surface', async (t) => {
    const aliceToken = newSecret(32);
    gw.core.store.users.createToken(alice.id, 'test', hashSecret(aliceToken), aliceToken.slice(0, 6), null);
    const asAlice = await session(gw, aliceToken);
    const bob = gw.core.store.users.byUsername('bob@EXAMPLE')!;
    const before = members(gw, P.rna);
    const membersPage = await page(gw, `/projects/${P.rna}/members`, asAlice.cookie);
    t.match(membersPage.text, `This project is synced from SODAR ${site.url}; change its members there.`, 'the members page says where to change them');
    t.notMatch(membersPage.text, '/remove"', 'and offers no forms');
    for (const [what, path, fields] of [
      ['role change by the owner', `/projects/${P.rna}/members/${bob.uuid}/role`, { role: 'guest' }],
      ['removal by the owner', `/projects/${P.rna}/members/${bob.uuid}/remove`, {}],
      ['adding a member', `/projects/${P.rna}/members`, { username: 'admin', role: 'guest' }],
      ['leaving the project', `/projects/${P.rna}/members/${alice.uuid}/remove`, {}],
    ] as const) {
      const r = await post(gw, path, asAlice.cookie, { csrf_token: asAlice.csrf, ...fields });
      t.equal(r.status, 409, `${what} is refused`);
      t.match(r.text, `This project is synced from SODAR ${site.url}; change it there.`, `${what}: with the reason`);
    }
    const bySiteAdmin = await post(gw, `/projects/${P.rna}/members/${bob.uuid}/remove`, ui.cookie, { csrf_token: ui.csrf });
    t.equal(bySiteAdmin.status, 409, 'a site admin is refused too');
    const viaCli = await cli(gw, site, ['member', 'add', P.rna, 'admin', 'guest']);
    t.equal(viaCli.status, 1, 'the CLI refuses');
    t.match(viaCli.stderr, `This project is synced from SODAR ${site.url}; change it there.`);
    t.same(members(gw, P.rna), before, 'no role changed');

    // Kiosc keeps apps inside remote projects editable (sodar-core refuses only project and member changes).
    const created = await gw.api('POST', `/containers/api/create/${P.rna}`, aliceToken, { title: 'app', ...TEST_IMAGE });
    t.equal(created.status, 201, 'containers inside a synced project stay locally editable');
    const local = gw.project('Local project');
    gw.core.store.projects.setRole(gw.core.store.projects.byUuid(local)!.id, admin.user.id, 'owner');
    t.equal((await cli(gw, site, ['member', 'add', local, 'bob@EXAMPLE', 'guest'])).status, 0, 'local projects keep their local members');
  });

  t.test('a source that fails changes nothing, and the site keeps working', async (t) => {
    const before = snapshot(gw);
    site.doc = docV2();
    const cases: Array<[SourceSite['fail'] | 'secret' | 'down', RegExp]> = [
      ['500', /answered HTTP 500: <h1>Server Error \(500\)<\/h1>/],
      ['garbage', /did not answer JSON \(text\/html\)/],
      ['shape', /the source's sync data is invalid at \$\.users: expected an object, got an array/],
    ];
    for (const [fail, reason] of cases) {
      site.fail = fail as SourceSite['fail'];
      const outcome = await gw.core.sodar.run('test');
      t.equal(outcome.ok, false, `${fail}: the sync fails`);
      t.match(outcome.error, reason, `${fail}: with the reason`);
      t.equal(snapshot(gw), before, `${fail}: nothing changed`);
      const failures = logs.filter((l) => l.msg === 'SODAR sync failed; nothing changed');
      t.equal(failures.length, cases.findIndex((c) => c[0] === fail) + 1, `${fail}: logged once`);
      t.match(String(failures.at(-1)?.reason), reason, `${fail}: the log says why, in one line`);
      t.notOk(failures.at(-1)?.err, `${fail}: without a stack`);
    }
    site.fail = 'slow';
    const impatient = createSodarSync({ config: { ...gw.config.sodar, timeoutSeconds: 0.3 }, store: gw.core.store, logger: silentLogger });
    const slow = await impatient.run('test');
    t.match(slow.error, /: no answer within 0\.3 s$/, 'a source that does not answer in PORTICO_SODAR_TIMEOUT: the reason');
    t.equal(snapshot(gw), before, 'slow: nothing changed');
    site.fail = null;
    const wrongSecret = await cli(gw, site, ['sodar', 'sync'], { PORTICO_SODAR_SOURCE_SECRET: 'not-the-secret' });
    t.equal(wrongSecret.status, 1, 'a wrong secret fails the CLI sync');
    t.match(wrongSecret.stderr, /refused this site's secret \(HTTP 401: "Remote site not found, unauthorized"\); check PORTICO_SODAR_SOURCE_SECRET/);
    t.notMatch(wrongSecret.stderr, 'not-the-secret', 'the secret is not printed');
    t.equal(snapshot(gw), before, 'nothing changed');
    const port = await closedPort();
    const down = await cli(gw, site, ['sodar', 'sync'], { PORTICO_SODAR_SOURCE_URL: `http://127.0.0.1:${port}` });
    t.equal(down.status, 1);
    t.match(down.stderr, `cannot read http://127.0.0.1:${port}/project/api/remote/get/<secret>: fetch failed (ECONNREFUSED)`, 'a source that is down: the reason');
    t.equal(snapshot(gw), before, 'nothing changed');
    const health = await gw.api('GET', '/healthz', null);
    t.equal(health.body.sodarSync.ok, false, '/healthz shows the failed sync');
    t.match(health.body.sodarSync.error, 'ECONNREFUSED');
    const home = await page(gw, '/', ui.cookie);
    t.equal(home.status, 200, 'the site keeps working');
    t.match((await page(gw, '/admin/sodar', ui.cookie)).text, /failed; nothing changed: cannot read/, 'the page shows the failure');
  });

  t.test('the second sync reflects exactly the changes: a role removed, a project renamed, a user added', async (t) => {
    site.doc = docV2();
    const r = await cli(gw, site, ['sodar', 'sync']);
    t.equal(r.status, 0, r.stderr);
    t.equal(r.stdout, 'users: 1 created, 0 updated\nprojects: 0 created, 1 updated, 0 withdrawn\nroles: 1 created, 0 updated, 1 removed\n', 'the CLI prints the summary');
    t.same(members(gw, P.rna), ['alice@EXAMPLE=owner', 'carol@EXAMPLE=delegate', 'dave@EXAMPLE=guest'], 'bob\'s role is gone, dave\'s is there');
    t.equal(gw.core.store.projects.byUuid(P.img)?.title, 'Imaging 2', 'the project is renamed');
    t.same(members(gw, P.img), ['admin=owner', 'alice@EXAMPLE=guest', 'carol@EXAMPLE=delegate'], 'the other project\'s roles are untouched');
    t.equal(gw.core.store.users.byUsername('dave@EXAMPLE')?.uuid, U.dave, 'the new user is there under their SODAR uuid');
    t.ok(gw.core.store.users.byUsername('bob@EXAMPLE'), 'a user without roles is kept (SODAR never deletes users)');
    const bob = gw.core.store.users.byUsername('bob@EXAMPLE')!;
    t.equal(gw.core.store.projects.roleOf(gw.core.store.projects.byUuid(P.rna)!.id, bob.id), null, 'bob has no access to RNA-seq any more');
    const again = await cli(gw, site, ['sodar', 'sync']);
    t.equal(again.stdout, 'users: 0 created, 0 updated\nprojects: 0 created, 0 updated, 0 withdrawn\nroles: 0 created, 0 updated, 0 removed\n', 'the same document again changes nothing');
  });

  t.test('a project whose level drops to NONE, or that leaves the document, keeps its apps but loses every role', async (t) => {
    const d = docV2();
    d.projects[P.rna] = { level: 'NONE', title: 'RNA-seq', type: 'PROJECT', remote_sites: [] };
    delete d.projects[P.img];
    delete d.users[U.srcAdmin];
    // A local account holding a SODAR user's name is not taken over (as an LDAP login would not be).
    await gw.user('erin@EXAMPLE');
    d.users[U.erin] = user(U.erin, 'erin@EXAMPLE', ['example']);
    d.projects[P.hidden] = { level: 'READ_ROLES', title: 'Hidden', type: 'PROJECT', remote_sites: [], description: 'now shared', readme: '',
      roles: { [R(7)]: { user: 'dave@EXAMPLE', role: 'project owner' }, [R(8)]: { user: 'erin@EXAMPLE', role: 'project guest' } } };
    site.doc = d;
    const outcome = await gw.core.sodar.run('test');
    t.equal(outcome.ok, true, outcome.error ?? '');
    t.same(outcome.report?.projects, { created: 1, updated: 0, withdrawn: 2 });
    t.same(members(gw, P.rna), [], 'NONE: no roles');
    t.same(members(gw, P.img), [], 'gone from the document: no roles');
    t.equal(gw.core.store.containers.all().filter((c) => c.projectId === gw.core.store.projects.byUuid(P.rna)!.id).length, 1, 'its container is kept');
    t.equal(gw.core.store.sodar.syncedProject(gw.core.store.projects.byUuid(P.img)!.id)?.level, 'REMOVED', 'and it stays marked as synced');
    t.same(members(gw, P.hidden), ['dave@EXAMPLE=owner'], 'a project shared later is created');
    t.match(outcome.report?.problems.join('\n'), /the local account erin@EXAMPLE has the name of a SODAR user; their roles are not applied/);
    t.equal(gw.core.store.users.byUsername('erin@EXAMPLE')?.source, 'local', 'the local account is left alone');
  });
});

t.test('the scheduled job syncs every PROJECTROLES_TARGET_SYNC_INTERVAL minutes', async (t) => {
  const site = await startSource(docV1());
  const gw = await startGateway(targetEnv(site, { PROJECTROLES_TARGET_SYNC_ENABLE: 'true', PROJECTROLES_TARGET_SYNC_INTERVAL: '0.01' }));
  t.teardown(async () => { await gw.close(); await site.close(); });
  await waitFor(() => gw.core.store.projects.byUuid(P.rna), 10_000, 'the first scheduled sync');
  site.doc = docV2();
  await waitFor(() => gw.core.store.projects.byUuid(P.img)?.title === 'Imaging 2', 10_000, 'a later scheduled sync');
  const job = gw.core.work?.scheduler.status().find((j) => j.name === 'sodarSync');
  t.ok(job && job.runs >= 2, 'the job ran at least twice');
  t.equal(job?.schedule, 'every 0.6 s');
  t.ok(site.hits >= 2);
});

t.test('settings and the document are checked with precise messages', async (t) => {
  t.throws(() => loadConfig({ PROJECTROLES_SITE_MODE: 'TARGET' }), /PROJECTROLES_SITE_MODE=TARGET needs PORTICO_SODAR_SOURCE_URL and PORTICO_SODAR_SOURCE_SECRET/);
  t.throws(() => loadConfig({ PROJECTROLES_SITE_MODE: 'PEER' }), /PROJECTROLES_SITE_MODE must be one of SOURCE, TARGET/);
  t.throws(() => loadConfig({ PORTICO_SODAR_SOURCE_URL: 'ftp://sodar' }), /PORTICO_SODAR_SOURCE_URL must be the source site's http/);
  t.throws(() => loadConfig({ PROJECTROLES_TARGET_SYNC_INTERVAL: '0' }), /PROJECTROLES_TARGET_SYNC_INTERVAL must be between 0.01 and 10080/);
  t.equal(loadConfig({}).sodar.intervalMinutes, 5, 'Kiosc\'s default interval');
  const bad = (mutate: (d: any) => void) => { const d = docV1(); mutate(d); return () => mapSourceData(d); };
  t.throws(bad((d) => { d.projects[P.rna].roles[R(3)].user = 'zoe@EXAMPLE'; }), new RegExp(`\\$\\.projects\\.${P.rna}\\.roles\\.${R(3)}\\.user: "zoe@EXAMPLE" is not among \\$\\.users`));
  t.throws(bad((d) => { d.projects[P.rna].level = 'READ_ALL'; }), /\.level: expected one of NONE, REVOKED, VIEW_AVAIL, READ_INFO, READ_ROLES, got "READ_ALL"/);
  t.throws(bad((d) => { delete d.projects[P.rna].roles; }), /\.roles: a READ_ROLES project must list its roles/);
  t.throws(bad((d) => { d.projects[P.cat].parent_uuid = P.cat; }), /the categories form a loop/);
  const revoked = docV1();
  revoked.projects[P.rna].level = 'REVOKED';
  delete revoked.projects[P.rna].roles[R(3)];
  t.same(mapSourceData(revoked).projects.find((p) => p.uuid === P.rna)?.roles, [{ username: 'alice@EXAMPLE', role: 'owner' }], 'REVOKED: only the project\'s own owners and delegates, nothing inherited');
  const viewer = docV1();
  viewer.projects[P.rna].roles[R(3)].role = 'project viewer';
  t.same(mapSourceData(viewer).projects.find((p) => p.uuid === P.rna)?.roles.map((r) => r.username).sort(), ['alice@EXAMPLE', 'carol@EXAMPLE'], 'a viewer has no role here');
});

t.test('PROJECTROLES_ALLOW_LOCAL_USERS gives local users of the source their roles, to existing local users only', async (t) => {
  const store = createStore(':memory:');
  t.teardown(() => store.close());
  const local = store.users.create({ username: 'sodaradmin', passwordHash: 'x' });
  store.users.create({ username: 'admin', passwordHash: 'x', isAdmin: true });
  const d = docV1();
  d.users[U.erin] = user(U.erin, 'erin', []);
  d.projects[P.rna].roles[R(9)] = { user: 'erin', role: 'project guest' };
  const opts = { sourceUrl: 'https://sodar.example.com', allowLocalUsers: true, defaultAdmin: 'admin' };
  const report = applySnapshot(store, mapSourceData(d), opts);
  const img = store.projects.byUuid(P.img)!;
  t.equal(store.projects.roleOf(img.id, local.id), 'owner', 'the source\'s local owner is the local user of that name');
  t.match(report.problems.join('\n'), 'local user erin (guest of "RNA-seq") does not exist here; role not assigned', 'a missing local user is reported, not created');
  t.notOk(store.users.byUsername('erin'));
  const without = applySnapshot(store, mapSourceData(d), { ...opts, allowLocalUsers: false });
  t.equal(store.projects.roleOf(img.id, local.id), null, 'without the setting the local owner role moves to PROJECTROLES_DEFAULT_ADMIN');
  t.equal(store.projects.roleOf(img.id, store.users.byUsername('admin')!.id), 'owner');
  t.same(without.roles, { created: 1, updated: 0, removed: 1 });
});
