/**
 * persistence.test.ts: data volumes and resuming stopped containers, against the real engine
 * (docs/persistence.md): what survives stop, restart, idle stop and edits; which actions keep the
 * writable layer; data_path validation; the bounded json-file log; volumes for site admins only.
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { dockerInspect, engineContainers, startGateway, waitFor, TEST_IMAGE } from '../helpers/gateway.ts';
import type { TestGateway } from '../helpers/gateway.ts';
import { call } from '../proxy/helpers.ts';
import { createWebClient } from '../helpers/web.ts';
import { runCli } from '../../gateway/cli.ts';
import { idleSince } from '../../gateway/core/containers/idle.ts';
import { dataPathError } from '../../gateway/core/containers/validate.ts';
import { loadConfig } from '../../gateway/core/config.ts';

function exec(id: string, script: string): string {
  return execFileSync('docker', ['exec', id, 'sh', '-c', script], { encoding: 'utf8' }).trim();
}

function volumeLabels(name: string): Record<string, string> | null {
  try {
    return JSON.parse(execFileSync('docker', ['volume', 'inspect', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }))[0].Labels;
  } catch {
    return null;
  }
}

async function detail(gw: TestGateway, token: string, uuid: string) {
  return (await gw.api('GET', `/containers/api/detail/${uuid}`, token)).body;
}

t.test('a file in the data volume survives stop, restart, idle stop and edits; stop-then-start keeps the container and its writable layer', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('owner', { project, role: 'owner' });
  const created = await gw.api('POST', `/containers/api/create/${project}`, token, { title: 'notebook', ...TEST_IMAGE, container_port: 80, data_path: '/data' });
  t.equal(created.status, 201);
  t.equal(created.body.data_path, '/data', 'data_path is in the API answer');
  const uuid = created.body.sodar_uuid;
  const volume = `portico-${gw.instance}-${uuid}`;

  const first = await gw.api('POST', `/containers/api/start/${uuid}`, token);
  t.equal(first.body.state, 'running');
  const id1 = first.body.container_id;
  const info = dockerInspect(id1);
  const mount = info.Mounts.find((m: any) => m.Destination === '/data');
  t.equal(mount?.Type, 'volume', 'a named volume, not a bind mount');
  t.equal(mount?.Name, volume, 'named portico-<instance>-<uuid>');
  t.same(volumeLabels(volume), { 'portico.managed': 'true', 'portico.instance': gw.instance, 'portico.container': uuid, 'portico.project': project }, 'labelled');
  t.same(info.HostConfig.LogConfig, { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '3' } }, 'the engine log is bounded (10m x 3 by default)');
  t.match(info.Config.Labels['portico.spec'], /^[0-9a-f]{32}$/, 'the spec hash is a label');

  exec(id1, 'echo kept > /data/work.txt; echo layer > /tmp/layer.txt');

  // Stop, then start: the same engine container, its writable layer intact.
  t.equal((await gw.api('POST', `/containers/api/stop/${uuid}`, token)).body.state, 'exited');
  const again = await gw.api('POST', `/containers/api/start/${uuid}`, token);
  t.equal(again.body.container_id, id1, 'stop then start resumes the same container');
  t.equal(exec(id1, 'cat /tmp/layer.txt'), 'layer', 'a file in the writable layer survives stop then start');
  t.equal(exec(id1, 'cat /data/work.txt'), 'kept');

  // Idle stop, then reopen through the proxy (a non-browser client may start an idle-stopped app).
  const c = gw.core.store.containers.byUuid(uuid)!;
  await gw.core.containers.perform(c.id, 'stop', 'anonymous', { idle: true });
  const reopened = await call(gw, `/containers/proxy/${uuid}/`, { headers: { authorization: `token ${token}` } });
  t.equal(reopened.status, 200, 'the idle-stopped app opens again');
  t.equal((await detail(gw, token, uuid)).container_id, id1, 'idle stop then reopen resumes the same container');
  t.equal(exec(id1, 'cat /tmp/layer.txt'), 'layer');

  // Restart recreates (Kiosc's restart): a new container, the volume's file still there.
  const restarted = await gw.api('POST', `/containers/api/restart/${uuid}`, token);
  const id2 = restarted.body.container_id;
  t.not(id2, id1, 'restart recreates');
  t.equal(exec(id2, 'cat /data/work.txt'), 'kept', 'the volume survives a restart');
  t.equal(exec(id2, 'cat /tmp/layer.txt 2>/dev/null || echo gone'), 'gone', 'the writable layer does not');

  // An edit of a stopped container: the changed spec recreates at the next start.
  await gw.api('POST', `/containers/api/stop/${uuid}`, token);
  const edited = await gw.api('PATCH', `/containers/api/update/${uuid}`, token, { environment: { MODE: 'two' } });
  t.equal(edited.status, 200);
  const id3 = (await gw.api('POST', `/containers/api/start/${uuid}`, token)).body.container_id;
  t.not(id3, id2, 'a changed spec recreates');
  t.ok(dockerInspect(id3).Config.Env.includes('MODE=two'), 'with the new settings');
  t.equal(exec(id3, 'cat /data/work.txt'), 'kept', 'the volume survives an edit and recreate');
  const logs = (await gw.api('GET', `/containers/api/logs/${uuid}?lines=500`, token)).body.results.map((r: any) => r.line).join('\n');
  t.match(logs, /Settings changed since the container was created: recreating it/, 'the log says why it was recreated');

  // An edit of a running container recreates at once; a hard reset too; the volume stays.
  const running = await gw.api('PATCH', `/containers/api/update/${uuid}`, token, { environment: { MODE: 'three' } });
  const id4 = running.body.container_id;
  t.not(id4, id3, 'editing a running container recreates it');
  const id5 = (await gw.api('POST', `/containers/api/reset/${uuid}`, token)).body.container_id;
  t.not(id5, id4);
  t.equal(exec(id5, 'cat /data/work.txt'), 'kept', 'the volume survives a hard reset');
  t.equal(engineContainers(gw.instance).length, 1, 'one engine container throughout');

  // Delete keeps the volume (orphaned, for an admin to remove).
  t.equal((await gw.api('DELETE', `/containers/api/delete/${uuid}`, token)).status, 204);
  t.ok(volumeLabels(volume), 'deleting the container keeps its volume');
  const { token: admin } = await gw.user('root', { admin: true });
  const list = await gw.api('GET', '/containers/api/volumes', admin);
  t.same(list.body.map((v: any) => [v.name, v.status, v.container]), [[volume, 'orphaned', uuid]], 'listed as orphaned');
});

t.test('a container without data_path has no volume, and stop-then-start still resumes it', async (t) => {
  const gw = await startGateway({ PORTICO_CONTAINER_LOG_MAX_SIZE: '2m', PORTICO_CONTAINER_LOG_MAX_FILES: '2' });
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('owner', { project, role: 'owner' });
  const { body } = await gw.api('POST', `/containers/api/create/${project}`, token, { title: 'plain', ...TEST_IMAGE });
  const id1 = (await gw.api('POST', `/containers/api/start/${body.sodar_uuid}`, token)).body.container_id;
  const info = dockerInspect(id1);
  t.same(info.Mounts, [], 'no mounts at all');
  t.same(info.HostConfig.LogConfig.Config, { 'max-size': '2m', 'max-file': '2' }, 'the log bounds follow the settings');
  await gw.api('POST', `/containers/api/kill/${body.sodar_uuid}`, token);
  t.equal((await gw.api('POST', `/containers/api/start/${body.sodar_uuid}`, token)).body.container_id, id1, 'kill then start resumes too');
  // A container removed behind Portico's back is recreated.
  execFileSync('docker', ['rm', '-f', id1], { stdio: 'ignore' });
  await waitFor(async () => (await detail(gw, token, body.sodar_uuid)).container_id === null || (await detail(gw, token, body.sodar_uuid)).state !== 'running', 10_000, 'the removal to be seen');
  const id2 = (await gw.api('POST', `/containers/api/start/${body.sodar_uuid}`, token)).body.container_id;
  t.ok(id2 && id2 !== id1, 'a missing container is created afresh');
});

t.test('data_path must be a plain absolute path inside the container (never a host path)', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('owner', { project, role: 'owner' });
  const { token: admin } = await gw.user('root', { admin: true });
  const bad = ['data', './data', '/', '/data/../etc', '/data/./x', '/proc/self', '/sys', '/dev/shm', '/etc', '/usr', '/host:/data', '/data/', '//data', '/a b', '/x\ny', '/var/run/docker.sock:/data'];
  for (const p of bad) {
    const r = await gw.api('POST', `/containers/api/create/${project}`, token, { title: 't' + Math.random(), ...TEST_IMAGE, data_path: p });
    t.equal(r.status, 400, `${JSON.stringify(p)} refused`);
    t.equal(r.body.code, 'E_VALIDATION');
    t.type(r.body.fields?.data_path, 'string', `${JSON.stringify(p)}: a field error on data_path`);
  }
  t.equal(dataPathError('/home/jovyan/work'), null);
  t.equal(dataPathError('/var/lib/app'), null);
  t.equal(dataPathError('/etc/app'), null, 'a directory of its own under a system directory is fine');
  t.equal(dataPathError('/data-1/node_red'), null);
  const ok = await gw.api('POST', `/containers/api/create/${project}`, token, { title: 'ok', ...TEST_IMAGE, data_path: '/home/jovyan/work' });
  t.equal(ok.status, 201);
  const upd = await gw.api('PATCH', `/containers/api/update/${ok.body.sodar_uuid}`, token, { data_path: 'relative' });
  t.equal(upd.status, 400, 'an update is checked the same way');
  const cleared = await gw.api('PATCH', `/containers/api/update/${ok.body.sodar_uuid}`, token, { data_path: '' });
  t.equal(cleared.body.data_path, '', 'an empty data_path means no volume');
  const tpl = await gw.api('POST', '/containers/api/templates/create/site', admin, { title: 'jupyter', ...TEST_IMAGE, data_path: '/srv/../root' });
  t.equal(tpl.status, 400, 'a template is checked the same way');
  t.type(tpl.body.fields?.data_path, 'string');
  const good = await gw.api('POST', '/containers/api/templates/create/site', admin, { title: 'jupyter', ...TEST_IMAGE, data_path: '/home/jovyan/work' });
  t.equal(good.body.data_path, '/home/jovyan/work', 'a template carries data_path');
});

t.test('data volumes: listed and removed by site admins only; a running owner is refused; the CLI lists and removes', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token: owner } = await gw.user('owner', { project, role: 'owner' });
  const { token: guest } = await gw.user('guest', { project, role: 'guest' });
  const { token: admin } = await gw.user('root', { admin: true });
  const { body } = await gw.api('POST', `/containers/api/create/${project}`, owner, { title: 'red', ...TEST_IMAGE, data_path: '/data' });
  const uuid = body.sodar_uuid;
  const volume = `portico-${gw.instance}-${uuid}`;
  const id1 = (await gw.api('POST', `/containers/api/start/${uuid}`, owner)).body.container_id;
  exec(id1, 'echo flow > /data/flows.json');

  for (const [who, tok] of [['owner', owner], ['guest', guest]] as const) {
    t.equal((await gw.api('GET', '/containers/api/volumes', tok)).status, 403, `${who} may not list volumes`);
    t.equal((await gw.api('DELETE', `/containers/api/volumes/${volume}`, tok)).status, 403, `${who} may not remove a volume`);
  }
  t.equal((await gw.api('GET', '/containers/api/volumes', null)).status, 401);
  const listed = await gw.api('GET', '/containers/api/volumes?size=true', admin);
  t.equal(listed.status, 200);
  t.equal(listed.body.length, 1);
  t.match(listed.body[0], { name: volume, status: 'in use', container: uuid, container_title: 'red', project, data_path: '/data' });
  t.ok(listed.body[0].size === null || listed.body[0].size >= 0, 'a size when the engine tells');

  const busy = await gw.api('DELETE', `/containers/api/volumes/${volume}`, admin);
  t.equal(busy.status, 409, 'a running container\'s volume is not removed');
  t.match(busy.body.error, /stop it/);
  t.equal((await gw.api('DELETE', '/containers/api/volumes/not-ours', admin)).status, 404, 'only this instance\'s data volumes');

  const out: string[] = [];
  const io = { stdout: (s: string) => out.push(s), stderr: (s: string) => out.push(s), readStdin: async () => '', stdinIsTty: true };
  const ops = () => ({ ...gw.core });
  t.equal(await runCli(['volume', 'list'], gw.core.store, io, ops), 0);
  t.match(out.join(''), new RegExp(`^${volume}\\tin use\\t${uuid}\\tred\\t-\\n$`), 'portico volume list');

  await gw.api('POST', `/containers/api/stop/${uuid}`, owner);
  out.length = 0;
  t.equal(await runCli(['volume', 'rm', volume], gw.core.store, io, ops), 0, 'portico volume rm');
  t.equal(volumeLabels(volume), null, 'the volume is gone');
  t.equal(engineContainers(gw.instance).length, 0, 'with the stopped container that mounted it');
  const id2 = (await gw.api('POST', `/containers/api/start/${uuid}`, owner)).body.container_id;
  t.equal(exec(id2, 'cat /data/flows.json 2>/dev/null || echo empty'), 'empty', 'the next start begins with an empty volume');
  t.ok(volumeLabels(volume), 'created again');
  await gw.api('POST', `/containers/api/stop/${uuid}`, owner);
  const rm = await gw.api('DELETE', `/containers/api/volumes/${volume}`, admin);
  t.equal(rm.status, 200, 'an admin removes it through the API');
  t.equal(rm.body.removed, true);
  out.length = 0;
  t.equal(await runCli(['volume', 'rm'], gw.core.store, io, ops), 2, 'volume rm without a name is a usage error');
});

t.test('the site-admin Docker tab lists data volumes, and removing one asks first', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token: owner } = await gw.user('owner', { project, role: 'owner' });
  await gw.user('root', { admin: true, password: 'root-password-1' });
  await gw.user('alice', { project, role: 'owner', password: 'alice-password-1' });
  const { body } = await gw.api('POST', `/containers/api/create/${project}`, owner, { title: 'lab <b>', ...TEST_IMAGE, data_path: '/data' });
  await gw.api('POST', `/containers/api/start/${body.sodar_uuid}`, owner);
  await gw.api('POST', `/containers/api/stop/${body.sodar_uuid}`, owner);
  const volume = `portico-${gw.instance}-${body.sodar_uuid}`;
  const alice = createWebClient(gw.base);
  await alice.login('alice', 'alice-password-1');
  t.equal((await alice.request('GET', '/siteadmin/docker')).status, 403, 'not for a project owner');
  t.equal((await alice.request('GET', `/siteadmin/volumes/${volume}/remove`)).status, 403);
  const root = createWebClient(gw.base);
  await root.login('root', 'root-password-1');
  const page = await root.request('GET', '/siteadmin/docker');
  t.equal(page.status, 200);
  t.match(page.text, volume, 'the volume is listed');
  t.match(page.text, 'lab &lt;b&gt;', 'with its container, escaped');
  t.match(page.text, /kept/, 'and its status');
  const confirm = await root.request('GET', `/siteadmin/volumes/${volume}/remove`);
  t.match(confirm.text, /cannot be undone/, 'a confirmation page');
  t.ok(volumeLabels(volume), 'asking removes nothing');
  const csrf = /name="csrf_token" value="([^"]+)"/.exec(confirm.text)![1];
  t.equal((await root.request('POST', `/siteadmin/volumes/${volume}/remove`, { form: {} })).status, 403, 'no CSRF token, no removal');
  const done = await root.request('POST', `/siteadmin/volumes/${volume}/remove`, { form: { csrf_token: csrf } });
  t.equal(done.status, 303);
  t.equal(volumeLabels(volume), null, 'removed');
});

t.test('idleSince: a start newer than the last access counts (no idle stop right after a start)', async (t) => {
  const c = { dateAccessed: '2025-01-01T00:00:00.000Z', dateStarted: '2025-02-01T00:00:00.000Z' } as never;
  t.equal(idleSince(c, null), Date.parse('2025-02-01T00:00:00.000Z'));
  t.equal(idleSince(c, Date.parse('2025-03-01T00:00:00.000Z')), Date.parse('2025-03-01T00:00:00.000Z'));
});

t.test('PORTICO_CONTAINER_LOG_MAX_SIZE and _FILES are checked', async (t) => {
  t.throws(() => loadConfig({ PORTICO_CONTAINER_LOG_MAX_SIZE: '10MB' }), /PORTICO_CONTAINER_LOG_MAX_SIZE must be a size such as 10m/);
  t.throws(() => loadConfig({ PORTICO_CONTAINER_LOG_MAX_SIZE: '0m' }), /PORTICO_CONTAINER_LOG_MAX_SIZE/);
  t.throws(() => loadConfig({ PORTICO_CONTAINER_LOG_MAX_FILES: '0' }), /PORTICO_CONTAINER_LOG_MAX_FILES must be between 1 and 100/);
  t.same(loadConfig({}).containerLog, { maxSize: '10m', maxFiles: 3 });
});
