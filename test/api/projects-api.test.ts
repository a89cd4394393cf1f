/**
 * projects-api.test.ts: SODAR's projectroles endpoints over a real gateway. The permission matrix
 * (anonymous, non-member, guest, contributor, delegate, owner, site admin × every project, role
 * and user endpoint, each on a fresh project), the shapes and media type, the one-owner and
 * delegate rules, archived projects read-only on every surface (API, UI, CLI, proxy), and a
 * project delete that removes its containers and files and finishes after a kill, and migration 7.
 */
import fs from 'node:fs';
import os from 'node:os';
import { DatabaseSync } from 'node:sqlite';
import path from 'node:path';
import t from 'tap';
import { TEST_IMAGE, engineContainers, startGateway, waitFor } from '../helpers/gateway.ts';
import type { TestGateway } from '../helpers/gateway.ts';
import { createWebClient } from '../helpers/web.ts';
import { runCli } from '../../gateway/cli.ts';
import type { Role } from '../../gateway/core/types.ts';
import { createStore } from '../../gateway/core/store/index.ts';
import { MIGRATIONS } from '../../gateway/core/store/migrations.ts';
import { PorticoError } from '../../gateway/core/errors.ts';
import { silentLogger } from '../../gateway/core/log.ts';
import { createSiteMode } from '../../gateway/core/site-mode.ts';
import { createProjectService } from '../../gateway/core/projects/service.ts';
import { defaultSettings } from '../../gateway/core/containers/validate.ts';

const MEDIA = 'application/vnd.bihealth.sodar-core.projectroles+json';
const ACCEPT = { accept: `${MEDIA}; version=1.0` };

type Who = 'anonymous' | 'non-member' | 'guest' | 'contributor' | 'delegate' | 'owner' | 'admin';
const WHO: Who[] = ['anonymous', 'non-member', 'guest', 'contributor', 'delegate', 'owner', 'admin'];

interface Fresh { uuid: string; target: { user: string; assignment: string }; guestAssignment: string }

async function actors(gw: TestGateway): Promise<Record<Who, { token: string | null; uuid: string | null }>> {
  const out = {} as Record<Who, { token: string | null; uuid: string | null }>;
  const elsewhere = gw.project('Elsewhere');
  for (const who of WHO) {
    if (who === 'anonymous') { out[who] = { token: null, uuid: null }; continue; }
    const { user, token } = await gw.user(`p-${who}`, { admin: who === 'admin', project: who === 'non-member' ? elsewhere : undefined, role: who === 'non-member' ? 'owner' : undefined });
    out[who] = { token, uuid: user.uuid };
  }
  return out;
}

t.test('the permission matrix of the project, role and user endpoints', async (t) => {
  const gw = await startGateway({ PORTICO_DELEGATE_LIMIT: '0' });
  t.teardown(() => gw.close());
  const who = await actors(gw);
  const store = () => gw.core.store;
  const target = await gw.user('p-target');
  const newcomer = await gw.user('p-newcomer');
  let n = 0;

  /** fresh makes a project where every row has its role, plus a contributor `p-target` to act on. */
  function fresh(): Fresh {
    const uuid = gw.project(`Matrix ${++n}`);
    const p = store().projects.byUuid(uuid)!;
    for (const r of ['owner', 'delegate', 'contributor', 'guest'] as Role[]) store().projects.setRole(p.id, store().users.byUsername(`p-${r}`)!.id, r);
    store().projects.setRole(p.id, target.user.id, 'contributor');
    return {
      uuid,
      target: { user: target.user.uuid, assignment: store().projects.member(p.id, target.user.id)!.uuid },
      guestAssignment: store().projects.member(p.id, store().users.byUsername('p-guest')!.id)!.uuid,
    };
  }

  const member = ['guest', 'contributor', 'delegate', 'owner', 'admin'];
  const managers = ['delegate', 'owner', 'admin'];
  const owners = ['owner', 'admin'];
  /** expect: the status for a row, given who is allowed and the success status. */
  const rule = (allowed: string[], ok: number, projectScoped = true) => (w: Who): number =>
    w === 'anonymous' ? 401 : allowed.includes(w) ? ok : w === 'non-member' && projectScoped ? 404 : 403;

  const cases: Array<{ name: string; expect: (w: Who) => number; run: (f: Fresh, token: string | null) => Promise<number> }> = [
    { name: 'GET list', expect: rule(['non-member', ...member], 200, false), run: async (_f, tk) => (await gw.api('GET', '/project/api/list', tk, undefined, ACCEPT)).status },
    { name: 'GET retrieve', expect: rule(member, 200), run: async (f, tk) => (await gw.api('GET', `/project/api/retrieve/${f.uuid}`, tk, undefined, ACCEPT)).status },
    { name: 'POST create', expect: rule(['admin'], 201, false), run: async (_f, tk) => (await gw.api('POST', '/project/api/create', tk, { title: `Made ${++n}`, type: 'PROJECT', parent: null, owner: who.owner.uuid }, ACCEPT)).status },
    { name: 'PATCH update (rename)', expect: rule(managers, 200), run: async (f, tk) => (await gw.api('PATCH', `/project/api/update/${f.uuid}`, tk, { title: `Renamed ${++n}` }, ACCEPT)).status },
    { name: 'PUT update', expect: rule(managers, 200), run: async (f, tk) => (await gw.api('PUT', `/project/api/update/${f.uuid}`, tk, { title: `Put ${++n}`, type: 'PROJECT', parent: null, description: 'd' }, ACCEPT)).status },
    { name: 'PATCH update (archive)', expect: rule(managers, 200), run: async (f, tk) => (await gw.api('PATCH', `/project/api/update/${f.uuid}`, tk, { archive: true }, ACCEPT)).status },
    { name: 'DELETE destroy', expect: rule(managers, 204), run: async (f, tk) => (await gw.api('DELETE', `/project/api/destroy/${f.uuid}`, tk, undefined, ACCEPT)).status },
    { name: 'POST roles/create (guest)', expect: rule(managers, 201), run: async (f, tk) => (await gw.api('POST', `/project/api/roles/create/${f.uuid}`, tk, { role: 'project guest', user: newcomer.user.uuid }, ACCEPT)).status },
    { name: 'POST roles/create (delegate)', expect: rule(owners, 201), run: async (f, tk) => (await gw.api('POST', `/project/api/roles/create/${f.uuid}`, tk, { role: 'project delegate', user: newcomer.user.uuid }, ACCEPT)).status },
    { name: 'PATCH roles/update', expect: rule(managers, 200), run: async (f, tk) => (await gw.api('PATCH', `/project/api/roles/update/${f.target.assignment}`, tk, { role: 'project guest' }, ACCEPT)).status },
    { name: 'PUT roles/update (to delegate)', expect: rule(owners, 200), run: async (f, tk) => (await gw.api('PUT', `/project/api/roles/update/${f.target.assignment}`, tk, { role: 'project delegate', user: f.target.user }, ACCEPT)).status },
    { name: 'DELETE roles/destroy', expect: rule(managers, 204), run: async (f, tk) => (await gw.api('DELETE', `/project/api/roles/destroy/${f.target.assignment}`, tk, undefined, ACCEPT)).status },
    { name: 'POST roles/owner-transfer', expect: rule(owners, 200), run: async (f, tk) => (await gw.api('POST', `/project/api/roles/owner-transfer/${f.uuid}`, tk, { new_owner: 'p-target', old_owner_role: 'project contributor' }, ACCEPT)).status },
    { name: 'GET users/list', expect: rule(['non-member', ...member], 200, false), run: async (_f, tk) => (await gw.api('GET', '/project/api/users/list', tk, undefined, ACCEPT)).status },
    { name: 'GET users/current', expect: rule(['non-member', ...member], 200, false), run: async (_f, tk) => (await gw.api('GET', '/project/api/users/current', tk, undefined, ACCEPT)).status },
  ];

  const table: string[] = [];
  for (const c of cases) {
    const row: string[] = [];
    for (const w of WHO) {
      const f = fresh();
      const got = await c.run(f, who[w].token);
      t.equal(got, c.expect(w), `${c.name} as ${w}`);
      row.push(String(got));
    }
    table.push(`${c.name.padEnd(32)} ${row.map((s) => s.padStart(4)).join(' ')}`);
  }
  t.comment(`${''.padEnd(32)} ${WHO.map((w) => w.slice(0, 4).padStart(4)).join(' ')}\n${table.join('\n')}`);
  t.equal(store().projects.all().filter((p) => p.title.startsWith('Matrix')).every((p) => store().projects.ownerCount(p.id) === 1), true, 'every project still has exactly one owner');
});

t.test('shapes, media type, versions and clear refusals', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const admin = await gw.user('s-admin', { admin: true });
  const owner = await gw.user('s-owner');
  const dele = await gw.user('s-delegate');
  const made = await gw.api('POST', '/project/api/create', admin.token, { title: 'RNA-seq', type: 'PROJECT', parent: null, description: 'reads', readme: '# R', owner: owner.user.uuid }, ACCEPT);
  t.equal(made.status, 201);
  t.equal(made.headers.get('content-type'), `${MEDIA}; version=1.0`, 'answers in SODAR\'s media type and version');
  t.match(made.body, { title: 'RNA-seq', type: 'PROJECT', parent: null, description: 'reads', readme: '# R', public_guest_access: false, archive: false, full_title: 'RNA-seq' });
  const roles = Object.entries(made.body.roles as Record<string, any>);
  t.equal(roles.length, 1, 'the owner is the one role');
  t.match(roles[0][1], { role: 'project owner', inherited: false, sodar_uuid: roles[0][0], user: { username: 's-owner', sodar_uuid: owner.user.uuid, is_superuser: false, additional_emails: [] } }, 'roles are keyed by assignment UUID');
  const p = made.body.sodar_uuid as string;

  t.equal((await gw.api('GET', `/project/api/retrieve/${p}`, owner.token, undefined, { accept: `${MEDIA}; version=1.1` })).headers.get('content-type'), `${MEDIA}; version=1.1`);
  const v9 = await gw.api('GET', `/project/api/retrieve/${p}`, owner.token, undefined, { accept: `${MEDIA}; version=9.9` });
  t.equal(v9.status, 406, 'an unknown version is 406');
  t.match(v9.body.detail, /Invalid version in "Accept" header/, 'with DRF\'s detail');
  t.equal((await gw.api('GET', `/project/api/retrieve/${p}`, owner.token, undefined, { accept: 'text/csv' })).status, 406, 'an Accept nothing satisfies is 406');
  t.equal((await gw.api('GET', `/project/api/retrieve/${p}`, owner.token, undefined, { accept: 'application/json' })).status, 200, 'plain JSON is fine');
  t.equal((await gw.api('GET', `/project/api/retrieve/${p}`, owner.token, undefined, { accept: `*/*;q=0.8, ${MEDIA}; version=1.1` })).headers.get('content-type'), `${MEDIA}; version=1.1`, 'the vendor type decides over */*');
  t.equal((await gw.api('GET', `/project/api/retrieve/${p}`, owner.token, undefined, { accept: `*/*, ${MEDIA}; version=3.0` })).status, 406, 'and its unknown version is refused');
  const anon = await gw.api('GET', '/project/api/list', null, undefined, ACCEPT);
  t.equal(anon.status, 401);
  t.equal(anon.headers.get('www-authenticate'), 'Token');

  const bad = async (body: unknown, field: string, what: string) => {
    const r = await gw.api('POST', '/project/api/create', admin.token, body, ACCEPT);
    t.equal(r.status, 400, what);
    t.ok(r.body.fields?.[field], `${what}: names ${field}`);
    t.type(r.body.detail, 'string');
  };
  await bad({ title: 'C', type: 'CATEGORY', owner: owner.user.uuid }, 'type', 'Portico has no categories');
  await bad({ title: 'C', parent: p, owner: owner.user.uuid }, 'parent', 'no parent');
  await bad({ title: 'C' }, 'owner', 'an owner is required');
  await bad({ title: 'C', owner: '00000000-0000-4000-8000-000000000000' }, 'owner', 'an unknown owner');
  await bad({ title: 'RNA-seq', owner: owner.user.uuid }, 'title', 'titles are unique');
  await bad({ title: 'C', owner: owner.user.uuid, public_guest_access: true }, 'public_guest_access', 'no public guest access');
  t.equal((await gw.api('POST', '/project/api/create', admin.token, '{"title": ', ACCEPT)).status, 400, 'malformed JSON');
  const form = await gw.api('POST', '/project/api/create', admin.token, `title=Form+made&owner=${owner.user.uuid}`, { ...ACCEPT, 'content-type': 'application/x-www-form-urlencoded' });
  t.equal(form.status, 201, 'a form body works, as with DRF');

  // Roles: the owner gives the delegate role; limit 1 (SODAR's default); the owner changes only by transfer.
  const mk = await gw.api('POST', `/project/api/roles/create/${p}`, owner.token, { role: 'project delegate', user: dele.user.uuid }, ACCEPT);
  t.equal(mk.status, 201);
  t.match(mk.body, { project: p, role: 'project delegate', user: dele.user.uuid });
  const second = await gw.user('s-second');
  const limit = await gw.api('POST', `/project/api/roles/create/${p}`, owner.token, { role: 'project delegate', user: second.user.uuid }, ACCEPT);
  t.equal(limit.status, 400);
  t.match(limit.body.detail, /delegate limit of 1/);
  t.equal((await gw.api('POST', `/project/api/roles/create/${p}`, owner.token, { role: 'project guest', user: dele.user.uuid }, ACCEPT)).status, 400, 'already a member');
  t.equal((await gw.api('POST', `/project/api/roles/create/${p}`, owner.token, { role: 'project owner', user: second.user.uuid }, ACCEPT)).status, 400, 'no second owner');
  t.equal((await gw.api('POST', `/project/api/roles/create/${p}`, owner.token, { role: 'wizard', user: second.user.uuid }, ACCEPT)).status, 400, 'an unknown role');
  const ownerAs = Object.keys(made.body.roles)[0];
  t.equal((await gw.api('DELETE', `/project/api/roles/destroy/${ownerAs}`, admin.token, undefined, ACCEPT)).status, 400, 'the owner cannot be removed, not even by a site admin');
  t.equal((await gw.api('PATCH', `/project/api/roles/update/${ownerAs}`, admin.token, { role: 'project guest' }, ACCEPT)).status, 400, 'nor demoted');
  t.equal((await gw.api('PATCH', `/project/api/roles/update/${mk.body.sodar_uuid}`, owner.token, { user: owner.user.uuid }, ACCEPT)).status, 400, 'an assignment\'s user cannot change');
  const tr = await gw.api('POST', `/project/api/roles/owner-transfer/${p}`, owner.token, { new_owner: 's-delegate', old_owner_role: 'project delegate' }, ACCEPT);
  t.equal(tr.status, 200);
  t.match(tr.body.detail, /Ownership transferred from s-owner to s-delegate in project "RNA-seq"/);
  const after = await gw.api('GET', `/project/api/retrieve/${p}`, admin.token, undefined, ACCEPT);
  const byUser = Object.fromEntries(Object.values(after.body.roles as Record<string, any>).map((r) => [r.user.username, r.role]));
  t.same(byUser, { 's-owner': 'project delegate', 's-delegate': 'project owner' }, 'one owner, the old one delegate');
  t.equal((await gw.api('POST', `/project/api/roles/owner-transfer/${p}`, admin.token, { new_owner: 's-second' }, ACCEPT)).status, 400, 'transfer fields are required');

  const users = await gw.api('GET', '/project/api/users/list?page=1&page_size=2', owner.token, undefined, ACCEPT);
  t.match(users.body, { count: 4, previous: null }, 'paged on ?page, as SODAR');
  t.equal(users.body.results.length, 2);
  t.equal((await gw.api('GET', '/project/api/users/list?page=9', owner.token, undefined, ACCEPT)).status, 404, 'an invalid page');
  t.match((await gw.api('GET', '/project/api/users/current', owner.token, undefined, ACCEPT)).body, { username: 's-owner', sodar_uuid: owner.user.uuid });
  t.equal((await gw.api('GET', '/project/api/retrieve/not-a-uuid', owner.token, undefined, ACCEPT)).status, 404);
});

t.test('an archived project is read-only on every surface; running apps stay open', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const owner = await gw.user('a-owner', { password: 'a-owner-password' });
  const admin = await gw.user('a-admin', { admin: true, password: 'a-admin-password' });
  const other = await gw.user('a-other');
  const p = gw.project('Archive me');
  const pid = gw.core.store.projects.byUuid(p)!.id;
  gw.core.store.projects.setRole(pid, owner.user.id, 'owner');
  const running = await gw.api('POST', `/containers/api/create/${p}`, owner.token, { title: 'web', ...TEST_IMAGE, container_port: 80 });
  t.equal(running.status, 201);
  const stopped = await gw.api('POST', `/containers/api/create/${p}`, owner.token, { title: 'idle', ...TEST_IMAGE, container_port: 80 });
  t.equal((await gw.api('POST', `/containers/api/start/${running.body.sodar_uuid}`, owner.token)).status, 200);
  await waitFor(async () => (await fetch(`${gw.base}/containers/proxy/${running.body.sodar_uuid}/`, { headers: { authorization: `token ${owner.token}` } })).status === 200, 20_000, 'the app answers');

  t.equal((await gw.api('PATCH', `/project/api/update/${p}`, owner.token, { archive: true }, ACCEPT)).body.archive, true, 'archived over the API');
  const refused = async (what: string, res: { status: number; body: any }) => {
    t.equal(res.status, 403, `${what}: 403`);
    t.equal(res.body?.code, 'E_PROJECT_ARCHIVED', `${what}: E_PROJECT_ARCHIVED`);
  };
  await refused('container create', await gw.api('POST', `/containers/api/create/${p}`, owner.token, { title: 'x', ...TEST_IMAGE }));
  await refused('container update', await gw.api('PATCH', `/containers/api/update/${stopped.body.sodar_uuid}`, admin.token, { description: 'x' }));
  await refused('container start (even a site admin)', await gw.api('POST', `/containers/api/start/${stopped.body.sodar_uuid}`, admin.token));
  await refused('container delete', await gw.api('DELETE', `/containers/api/delete/${stopped.body.sodar_uuid}`, owner.token));
  await refused('template create', await gw.api('POST', `/containers/api/templates/create/${p}`, owner.token, { title: 't' }));
  await refused('file upload', await gw.api('PUT', `/containers/api/files/upload/${p}/a.txt`, owner.token, 'hello', { 'content-type': 'text/plain' }));
  await refused('role create', await gw.api('POST', `/project/api/roles/create/${p}`, owner.token, { role: 'project guest', user: other.user.uuid }, ACCEPT));
  await refused('rename', await gw.api('PATCH', `/project/api/update/${p}`, owner.token, { title: 'New' }, ACCEPT));
  t.equal((await gw.api('GET', `/containers/api/${p}`, owner.token)).status, 200, 'reading still works');

  const viewer = { authorization: `token ${owner.token}` };
  t.equal((await fetch(`${gw.base}/containers/proxy/${running.body.sodar_uuid}/`, { headers: viewer })).status, 200, 'the running app stays open');
  const opened = await fetch(`${gw.base}/containers/proxy/${stopped.body.sodar_uuid}/`, { headers: { authorization: `token ${admin.token}`, accept: 'application/json' } });
  t.equal(opened.status, 403, 'opening a stopped app does not start it, even for a site admin');
  t.match(await opened.text(), /archived/);
  t.equal(gw.core.store.containers.byUuid(stopped.body.sodar_uuid)!.state, 'initial', 'and nothing was started');

  const web = createWebClient(gw.base);
  await web.login('a-owner', 'a-owner-password');
  const csrf = await web.csrf();
  const page = await web.request('GET', `/projects/${p}/containers`);
  t.match(page.text, /This project is archived: it is read-only/, 'the UI says so');
  t.notMatch(page.text, new RegExp(`/projects/${p}/containers/create`), 'and offers no create button');
  t.notMatch((await web.request('GET', `/projects/${p}/members`)).text, /Add a member/, 'nor a member form');
  const uiCreate = await web.request('POST', `/projects/${p}/containers/create`, { form: { csrf_token: csrf, title: 'ui', repository: 'x', tag: '1' } });
  t.equal(uiCreate.status, 403, 'UI: creating a container is refused');
  const uiMember = await web.request('POST', `/projects/${p}/members`, { form: { csrf_token: csrf, username: 'a-other', role: 'guest' } });
  t.equal(uiMember.status, 403, 'UI: adding a member is refused');
  t.match(uiMember.text, /archived/);
  const uiRename = await web.request('POST', `/projects/${p}/settings`, { form: { csrf_token: csrf, title: 'Renamed', description: '' } });
  t.equal(uiRename.status, 403, 'UI: renaming is refused');

  const lines: string[] = [];
  const io = { stdout: (s: string) => lines.push(s), stderr: (s: string) => lines.push(s), readStdin: async () => '', stdinIsTty: true };
  t.equal(await runCli(['project', 'rename', p, 'CLI name'], gw.core.store, io), 1, 'CLI: rename is refused');
  t.match(lines.join(''), /archived/);
  t.equal(await runCli(['member', 'add', p, 'a-other', 'guest'], gw.core.store, io), 1, 'CLI: adding a member is refused');

  t.equal((await web.request('POST', `/projects/${p}/unarchive`, { form: { csrf_token: csrf } })).status, 303, 'UI: unarchive');
  t.equal(gw.core.store.projects.byUuid(p)!.archived, false);
  t.equal(await runCli(['project', 'rename', p, 'CLI name'], gw.core.store, io), 0, 'CLI: rename works again');
  t.equal(await runCli(['project', 'archive', p], gw.core.store, io), 0, 'CLI: archive');
  t.equal(gw.core.store.projects.byUuid(p)!.archived, true);
  t.equal(await runCli(['project', 'unarchive', p], gw.core.store, io), 0, 'CLI: unarchive');
  t.equal((await gw.api('POST', `/containers/api/templates/create/${p}`, owner.token, { title: 't' })).status, 201, 'writes work again');
});

t.test('deleting a project removes its containers and files, asks first, and finishes after a kill', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const owner = await gw.user('d-owner', { password: 'd-owner-password' });
  const guest = await gw.user('d-guest');
  const setup = async (title: string) => {
    const p = gw.project(title);
    const id = gw.core.store.projects.byUuid(p)!.id;
    gw.core.store.projects.setRole(id, owner.user.id, 'owner');
    gw.core.store.projects.setRole(id, guest.user.id, 'guest');
    const c = await gw.api('POST', `/containers/api/create/${p}`, owner.token, { title: 'web', ...TEST_IMAGE, container_port: 80 });
    t.equal((await gw.api('POST', `/containers/api/start/${c.body.sodar_uuid}`, owner.token)).status, 200);
    t.equal((await gw.api('PUT', `/containers/api/files/upload/${p}/data.txt`, owner.token, 'bytes', { 'content-type': 'text/plain' })).status, 201);
    t.ok(fs.existsSync(path.join(gw.config.filesDir, p)), 'the file is on disk');
    return { p, id, c: c.body.sodar_uuid as string };
  };
  const engineHas = (uuid: string) => engineContainers(gw.instance).some((e) => e.name.includes(uuid.slice(0, 8)) || gw.core.store.containers.byUuid(uuid)?.dockerId?.startsWith(e.id));

  // The UI asks for the title and says what goes.
  const a = await setup('Delete me');
  const dockerId = gw.core.store.containers.byUuid(a.c)!.dockerId!;
  const web = createWebClient(gw.base);
  await web.login('d-owner', 'd-owner-password');
  const csrf = await web.csrf();
  const confirm = await web.request('GET', `/projects/${a.p}/delete`);
  t.match(confirm.text, /1 container\(s\), <strong>1 running<\/strong>/, 'the confirmation counts the running container');
  t.match(confirm.text, /1 small file\(s\)/);
  const wrong = await web.request('POST', `/projects/${a.p}/delete`, { form: { csrf_token: csrf, confirm_title: 'Delete m' } });
  t.equal(wrong.status, 400, 'a wrong title deletes nothing');
  t.ok(gw.core.store.projects.byUuid(a.p));
  t.equal((await gw.api('DELETE', `/project/api/destroy/${a.p}`, guest.token, undefined, ACCEPT)).status, 403, 'a guest cannot delete');
  const done = await web.request('POST', `/projects/${a.p}/delete`, { form: { csrf_token: csrf, confirm_title: 'Delete me' } });
  t.equal(done.status, 303, 'the right title deletes');
  t.equal(gw.core.store.projects.byUuid(a.p), null, 'the project is gone');
  t.equal(gw.core.store.containers.byUuid(a.c), null, 'its container record is gone');
  t.notOk(engineContainers(gw.instance).some((e) => dockerId.startsWith(e.id)), 'its Docker container is removed');
  t.notOk(fs.existsSync(path.join(gw.config.filesDir, a.p)), 'its files are gone from disk');

  // A kill right after the intent was recorded: the next start finishes the delete.
  const b = await setup('Killed mid-delete');
  const dockerB = gw.core.store.containers.byUuid(b.c)!.dockerId!;
  t.equal(gw.core.store.projects.markDeleting(b.id), true, 'the durable intent is recorded (as the service does first)');
  t.equal((await gw.api('GET', `/project/api/retrieve/${b.p}`, owner.token, undefined, ACCEPT)).status, 404, 'a project being deleted is gone for its members');
  t.equal((await gw.api('POST', `/containers/api/create/${b.p}`, owner.token, { title: 'late', ...TEST_IMAGE })).status, 404, 'nothing can be added to it');
  t.equal((await gw.api('POST', `/containers/api/stop/${b.c}`, owner.token)).status, 404, 'nor changed in it');
  await gw.restart();
  await waitFor(() => gw.core.store.projects.byUuid(b.p) === null, 20_000, 'the interrupted delete to finish');
  t.equal(gw.core.store.containers.byUuid(b.c), null, 'after the restart its container record is gone');
  t.notOk(engineContainers(gw.instance).some((e) => dockerB.startsWith(e.id)), 'and its Docker container');
  t.notOk(fs.existsSync(path.join(gw.config.filesDir, b.p)), 'and its files');

  // Left marked (an engine that was away): the periodic job finishes it without a restart.
  const e = await setup('Finished by the job');
  t.equal(gw.core.store.projects.markDeleting(e.id), true);
  await gw.core.work!.scheduler.runNow('lastActionSync');
  t.equal(gw.core.store.projects.byUuid(e.p), null, 'the last-action sync job finished the delete');
  t.equal(gw.core.store.containers.byUuid(e.c), null);

  // The CLI says what would go and needs --yes.
  const c = await setup('CLI delete');
  const lines: string[] = [];
  const io = { stdout: (s: string) => lines.push(s), stderr: (s: string) => lines.push(s), readStdin: async () => '', stdinIsTty: true };
  t.equal(await runCli(['project', 'delete', c.p], gw.core.store, io), 1, 'without --yes nothing is deleted');
  t.match(lines.join(''), /would delete CLI delete: 1 container\(s\) \(1 running\)/);
  t.ok(gw.core.store.projects.byUuid(c.p));
  t.equal(await runCli(['project', 'delete', c.p, '--yes'], gw.core.store, io, () => ({
    config: gw.config, store: gw.core.store, engine: gw.core.engine, containers: gw.core.containers, logger: gw.core.logger, accessRecorder: gw.core.accessRecorder,
  })), 0, 'with --yes it is');
  t.equal(gw.core.store.projects.byUuid(c.p), null);
  t.notOk(engineHas(c.c));
});

t.test('the migration to assignment UUIDs gives existing role assignments distinct UUIDs; a changed role keeps its UUID', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-m5-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'old.db');
  const old = new DatabaseSync(file);
  // A database from just before the migration that gives assignments their UUIDs.
  const at = MIGRATIONS.findIndex((m) => m.includes('memberships ADD COLUMN uuid'));
  for (const sql of MIGRATIONS.slice(0, at)) old.exec(sql);
  old.exec(`PRAGMA user_version = ${at}`);
  old.exec(`INSERT INTO projects (id, uuid, title, created_at) VALUES (1, '11111111-1111-4111-8111-111111111111', 'Old', 'x')`);
  for (let i = 1; i <= 20; i++) {
    old.exec(`INSERT INTO users (id, uuid, username, created_at) VALUES (${i}, '00000000-0000-4000-8000-${String(i).padStart(12, '0')}', 'u${i}', 'x')`);
    old.exec(`INSERT INTO memberships (project_id, user_id, role) VALUES (1, ${i}, '${i === 1 ? 'owner' : 'guest'}')`);
  }
  old.close();
  const store = createStore(file);
  t.teardown(() => store.close());
  const members = store.projects.members(1);
  t.equal(members.length, 20);
  t.ok(members.every((m) => /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(m.uuid)), 'each is a version-4 UUID');
  t.equal(new Set(members.map((m) => m.uuid)).size, 20, 'all distinct');
  const p = store.projects.byId(1)!;
  t.match(p, { archived: false, readme: '', deletingAt: null }, 'projects get the new fields');
  const before = store.projects.member(1, 2)!.uuid;
  store.projects.setRole(1, 2, 'contributor');
  t.equal(store.projects.member(1, 2)!.uuid, before, 'a changed role keeps its assignment UUID');
});

t.test('a delete the engine interrupts answers 503, keeps its intent, and finishes when asked again', async (t) => {
  const store = createStore(':memory:');
  t.teardown(() => store.close());
  const owner = store.users.create({ username: 'o', passwordHash: null });
  const p = store.projects.create('Half deleted');
  store.projects.setRole(p.id, owner.id, 'owner');
  const c = store.containers.create(p.id, { ...defaultSettings({ maxInactivityDays: 7 }), title: 'web', repository: 'x', tag: '1' });
  let engineUp = false;
  const removed: string[] = [];
  // The engine side is replaced by its effect on the store: what the project delete itself does is under test.
  const work = {
    store,
    containers: { perform: async (id: number) => {
      if (!engineUp) throw new PorticoError('E_ENGINE_UNAVAILABLE', 503, 'the container engine does not answer');
      store.containers.remove(id);
      return c;
    } },
    files: { removeProject: async (uuid: string) => { removed.push(uuid); } },
  };
  const projects = createProjectService({ store, siteMode: createSiteMode(store.settings, false), logger: silentLogger, delegateLimit: 1, work: work as never });
  const err = await projects.remove(owner, p).catch((e) => e as PorticoError);
  t.equal(err?.status, 503, 'the engine away: 503');
  t.match(err?.message, /marked for deletion.*finishes the delete once the engine answers again/);
  t.ok(store.projects.byId(p.id)?.deletingAt, 'the intent stays recorded');
  t.equal(await projects.resumeDeletes(), 0, 'a resume with the engine still away finishes nothing');
  engineUp = true;
  await projects.remove(owner, p);
  t.equal(store.projects.byId(p.id), null, 'asked again, it finishes');
  t.same(removed, [p.uuid], 'the files were removed once everything else was');
});
