/**
 * kiosc-urls.test.ts: Kiosc's URLs other than the REST API and the proxy keep working. Kiosc's
 * small-file URL serves the file to its project's containers (by the socket's address on the
 * Portico network, never by X-Forwarded-For) and to logged-in members, and nobody else; Kiosc's
 * UI paths answer 301 with Portico's page for the same thing.
 */
import t from 'tap';
import http from 'node:http';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { startGateway, TEST_NETWORK } from '../helpers/gateway.ts';
import type { TestGateway } from '../helpers/gateway.ts';
import { rawRequest } from '../helpers/raw-request.ts';
import { session, page } from '../helpers/ui-http.ts';
import { createGateway } from '../../gateway/app.ts';
import { SURFACES } from '../../gateway/main.ts';

/** wgetIn runs busybox wget in a running container (asynchronously: the server it calls runs in this process). */
function wgetIn(id: string, url: string, header?: string): Promise<{ out: string; code: number }> {
  return new Promise((resolve) => {
    const args = ['exec', id, 'timeout', '10', 'wget', '-q', '-O', '-', ...(header ? ['--header', header] : []), url];
    execFile('docker', args, { encoding: 'utf8' }, (err, stdout, stderr) => {
      resolve({ out: `${stdout}${stderr}`, code: err ? (typeof err.code === 'number' ? err.code : 1) : 0 });
    });
  });
}

async function upload(gw: TestGateway, project: string, token: string, name: string, data: Buffer) {
  const r = await rawRequest(`${gw.base}/containers/api/files/upload/${project}/${encodeURIComponent(name)}`, {
    method: 'PUT', headers: { authorization: `token ${token}`, 'content-length': data.length }, body: data,
  });
  return JSON.parse(r.body);
}

/** listenOnNetwork serves the gateway's routes on the test network's bridge address too, where containers reach it (as kiosc-web:8080 in Kiosc). */
async function listenOnNetwork(t: { teardown(fn: () => unknown): void }, gw: TestGateway): Promise<string> {
  const net = (await gw.core.engine.listNetworks()).find((n) => n.name === TEST_NETWORK);
  if (!net?.gateway) throw new Error('the test network has no gateway address');
  const app = createGateway(gw.core, SURFACES, null);
  const server = http.createServer((req, res) => app.handleRequest(req, res));
  await new Promise<void>((resolve) => server.listen(0, net.gateway!, resolve));
  t.teardown(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
  return `http://${net.gateway}:${(server.address() as { port: number }).port}`;
}

t.test("Kiosc's /containers/file/serve URL: the project's containers and members, nobody else", async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const p1 = gw.project('Kiosc files');
  const p2 = gw.project('Other');
  const { token: owner } = await gw.user('owner', { project: p1, role: 'owner' });
  const { token: guest } = await gw.user('guest', { project: p1, role: 'guest' });
  const { token: stranger } = await gw.user('stranger', { project: p2, role: 'owner' });
  const secret = `kiosc-data-${randomBytes(6).toString('hex')}`;
  const f = await upload(gw, p1, owner, 'pbmc3k.h5ad', Buffer.from(secret));
  const path = `/containers/file/serve/${f.sodar_uuid}/pbmc3k.h5ad`;

  const member = await fetch(gw.base + path, { headers: { authorization: `token ${guest}` } });
  t.equal(member.status, 200, 'a member (guest) gets the file');
  t.equal(await member.text(), secret);
  t.match(member.headers.get('content-disposition') ?? '', /^attachment/, 'as an attachment, never inline on the gateway');
  const s = await session(gw, owner);
  const browser = await page(gw, path, s.cookie);
  t.equal(browser.status, 200, 'a logged-in browser too');
  const otherName = await fetch(gw.base + `/containers/file/serve/${f.sodar_uuid}/renamed.bin`, { headers: { authorization: `token ${guest}` } });
  t.equal(otherName.status, 200, 'the name is only a label, as in Kiosc');
  await otherName.text();
  for (const [who, headers] of [['a non-member', { authorization: `token ${stranger}` }], ['an anonymous caller', {}], ['an anonymous caller claiming a container address', { 'x-forwarded-for': '172.18.0.5' }]] as const) {
    const r = await fetch(gw.base + path, { headers });
    t.equal(r.status, 404, `${who}: 404, as for a missing file`);
    t.equal(((await r.json()) as { code: string }).code, 'E_FILE_NOT_FOUND');
  }
  const missing = await fetch(gw.base + `/containers/file/serve/00000000-0000-4000-8000-000000000000/x`, { headers: { authorization: `token ${owner}` } });
  t.equal(missing.status, 404);
  await missing.text();

  // Containers reach the gateway on the network, as Kiosc's containers reached kiosc-web:8080.
  const base = await listenOnNetwork(t, gw);
  const mk = async (project: string, token: string) => {
    const c = await gw.api('POST', `/containers/api/create/${project}`, token, { title: 'reader-' + randomBytes(2).toString('hex'), repository: 'portico-test/httpd', tag: '1' });
    const started = await gw.api('POST', `/containers/api/start/${c.body.sodar_uuid}`, token);
    t.equal(started.body.state, 'running', `started (${c.status} ${JSON.stringify(c.body).slice(0, 300)} / ${JSON.stringify(started.body).slice(0, 300)})`);
    return started.body as { container_id: string; container_ip: string };
  };
  const mine = await mk(p1, owner);
  const theirs = await mk(p2, stranger);
  const got = await wgetIn(mine.container_id, base + path);
  t.equal(got.out, secret, "a container of the file's project reads it, without credentials");
  t.equal(got.code, 0);
  const refused = await wgetIn(theirs.container_id, base + path);
  t.not(refused.code, 0, "a container of another project is refused");
  t.match(refused.out, /404/);
  t.notMatch(refused.out, secret);
  const spoofed = await wgetIn(theirs.container_id, base + path, `X-Forwarded-For: ${mine.container_ip}`);
  t.match(spoofed.out, /404/, 'regression: Kiosc trusted X-Forwarded-For; a claimed address does not count');
  t.notMatch(spoofed.out, secret);
});

t.test('KIOSC_EMBEDDED_FILES=false turns small files off: API, pages, Kiosc URL and the sidebar entry', async (t) => {
  const gw = await startGateway({ KIOSC_EMBEDDED_FILES: '0' });
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('owner', { project, role: 'owner' });
  t.equal(gw.config.embeddedFiles, false);
  const list = await gw.api('GET', `/containers/api/files/${project}`, token);
  t.equal(list.status, 404, 'the file API answers 404');
  t.match(list.body.detail ?? list.body.message ?? JSON.stringify(list.body), /small files are turned off on this site \(KIOSC_EMBEDDED_FILES/);
  const up = await rawRequest(`${gw.base}/containers/api/files/upload/${project}/a.txt`, { method: 'PUT', headers: { authorization: `token ${token}`, 'content-length': 1 }, body: Buffer.from('x') });
  t.equal(up.status, 404, 'uploads are refused');
  t.equal(gw.core.store.files.ofProject(gw.core.store.projects.byUuid(project)!.id).length, 0, 'and nothing was stored');
  const s = await session(gw, token);
  t.equal((await page(gw, `/projects/${project}/files`, s.cookie)).status, 404, 'the files page answers 404');
  const containers = await page(gw, `/projects/${project}/containers`, s.cookie);
  t.equal(containers.status, 200);
  t.notMatch(containers.text, `/projects/${project}/files`, 'the sidebar has no Small Files entry');
  const form = await page(gw, `/projects/${project}/containers/create`, s.cookie);
  t.equal(form.status, 200, 'the container form still opens (without a file picker)');
  const serve = await fetch(gw.base + '/containers/file/serve/00000000-0000-4000-8000-000000000000/x', { headers: { authorization: `token ${token}` } });
  t.equal(serve.status, 404, "Kiosc's file URL answers 404");
  await serve.text();

  const on = await startGateway();
  t.teardown(() => on.close());
  const p2 = on.project();
  const { token: t2 } = await on.user('owner', { project: p2, role: 'owner' });
  const s2 = await session(on, t2);
  t.match((await page(on, `/projects/${p2}/containers`, s2.cookie)).text, `/projects/${p2}/files`, 'by default the entry is there');
});

t.test("Kiosc's UI paths answer 301 with Portico's page", async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('owner', { project, role: 'owner' });
  const { token: stranger } = await gw.user('stranger');
  const c = (await gw.api('POST', `/containers/api/create/${project}`, token, { title: 'app', repository: 'portico-test/httpd', tag: '1' })).body.sodar_uuid as string;
  const pt = (await gw.api('POST', `/containers/api/templates/create/${project}`, token, { title: 'project template' })).body.sodar_uuid as string;
  const { token: admin } = await gw.user('root', { admin: true });
  const st = (await gw.api('POST', '/containers/api/templates/create/site', admin, { title: 'site template' })).body.sodar_uuid as string;
  t.ok(c && pt && st, 'a container and templates to point at');
  const s = await session(gw, admin);

  const cases: Array<[string, string]> = [
    [`/containers/${project}`, `/projects/${project}/containers`],
    [`/containers/detail/${c}`, `/containers/${c}`],
    [`/containers/create/${project}`, `/projects/${project}/containers/create`],
    [`/containers/update/${c}`, `/containers/${c}/update`],
    [`/containers/delete/${c}`, `/containers/${c}/delete`],
    ...['start', 'stop', 'pause', 'unpause', 'restart'].map((a): [string, string] => [`/containers/${a}/${c}`, `/containers/${c}`]),
    ['/containertemplates/site', '/templates'],
    ['/containertemplates/site/create', '/templates/create'],
    [`/containertemplates/site/detail/${st}`, `/templates/${st}`],
    [`/containertemplates/site/update/${st}`, `/templates/${st}/update`],
    [`/containertemplates/site/delete/${st}`, `/templates/${st}/delete`],
    [`/containertemplates/site/duplicate/${st}`, `/templates/${st}`],
    [`/containertemplates/project/${project}`, `/projects/${project}/templates`],
    [`/containertemplates/project/create/${project}`, `/projects/${project}/templates/create`],
    [`/containertemplates/project/copy/${project}`, `/projects/${project}/templates`],
    [`/containertemplates/project/detail/${pt}`, `/projects/${project}/templates/${pt}`],
    [`/containertemplates/project/update/${pt}`, `/projects/${project}/templates/${pt}/update`],
    [`/containertemplates/project/delete/${pt}`, `/projects/${project}/templates/${pt}/delete`],
    [`/containertemplates/project/duplicate/${pt}`, `/projects/${project}/templates/${pt}`],
    ['/kioscadmin/overview', '/siteadmin'],
    ['/kioscadmin/', '/siteadmin'],
    ['/containerlist/', '/'],
    [`/project/${project}`, `/projects/${project}`],
    [`/project/members/${project}`, `/projects/${project}/members`],
  ];
  for (const [from, to] of cases) {
    const r = await page(gw, from, s.cookie);
    t.equal(r.status, 301, `${from}: permanent`);
    t.equal(r.headers.get('location'), to, `${from} → ${to}`);
    const target = await page(gw, to, s.cookie);
    t.ok(target.status === 200 || target.status === 303, `${to} is a page (${target.status})`);
    if (from.includes('/project/detail/')) {
      const owner = await page(gw, from, (await session(gw, token)).cookie);
      t.equal(owner.headers.get('location'), to, 'the same for a project member');
    }
  }
  const upper = await page(gw, `/containers/detail/${c.toUpperCase()}`, s.cookie);
  t.equal(upper.headers.get('location'), `/containers/${c}`, 'an upper-case uuid is mapped too');

  t.equal((await page(gw, '/containers/detail/not-a-uuid', s.cookie)).status, 404, 'a path that is no uuid: 404, nothing echoed into Location');
  const anon = await page(gw, `/containertemplates/project/detail/${pt}`, null);
  t.equal(anon.status, 303, "a project template's page needs its project: anonymous callers log in first");
  t.match(anon.headers.get('location') ?? '', /^\/login/);
  const s2 = await session(gw, stranger);
  t.equal((await page(gw, `/containertemplates/project/detail/${pt}`, s2.cookie)).status, 404, 'a non-member learns nothing about the template');
  t.equal((await page(gw, `/containers/${project}`, s2.cookie)).status, 404, "nor about Kiosc's project list");
  t.equal((await page(gw, `/containers/${c}`, s.cookie)).status, 200, 'the container page itself is unchanged');
  t.equal((await page(gw, `/containers/00000000-0000-4000-8000-000000000000`, s.cookie)).status, 404, 'a uuid that is neither: 404');
});
