/**
 * references.test.ts: file references in real containers (host mode). A busybox container fetches
 * an uploaded file through the URL its reference became; a container of another project cannot,
 * neither with the same reference nor with the first container's URL; the URL survives a
 * container restart and a gateway restart, cannot be bent to another file, and answers 404 once
 * the file is deleted.
 */
import t from 'tap';
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { startGateway, waitFor, dockerInspect, TEST_IMAGE } from '../helpers/gateway.ts';
import type { TestGateway } from '../helpers/gateway.ts';
import { rawRequest } from '../helpers/raw-request.ts';

function dockerLogs(id: string): string {
  return execFileSync('docker', ['logs', id], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * wgetIn runs busybox wget inside a running container and returns its output and exit code. It must
 * not block: the file server it calls runs in this process.
 */
function wgetIn(id: string, url: string): Promise<{ out: string; code: number }> {
  return new Promise((resolve) => {
    execFile('docker', ['exec', id, 'timeout', '10', 'wget', '-q', '-O', '-', url], { encoding: 'utf8' }, (err, stdout, stderr) => {
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

// The app fetches its data at start-up, prints it, then serves as usual.
const fetchCommand = (ref: string) => `sh -c 'echo fetch-begin; wget -q -O - "${ref}" 2>&1; echo; echo "fetch-exit=$?"; exec httpd -f -p 80 -h /www'`;

t.test('a container fetches its project\'s file through its reference; other projects get 404', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const p1 = gw.project('Files one');
  const p2 = gw.project('Files two');
  const { token } = await gw.user('fay', { project: p1, role: 'owner' });
  gw.core.store.projects.setRole(gw.core.store.projects.byUuid(p2)!.id, gw.core.store.users.byUsername('fay')!.id, 'owner');
  const secret = `portico-data-${randomBytes(6).toString('hex')}`;
  const f = await upload(gw, p1, token, 'pbmc3k.h5ad', Buffer.from(secret));
  const f2 = await upload(gw, p1, token, 'other.txt', Buffer.from('the other file'));

  const a = await gw.api('POST', `/containers/api/create/${p1}`, token, { title: 'reader', ...TEST_IMAGE, command: fetchCommand(f.reference) });
  const started = await gw.api('POST', `/containers/api/start/${a.body.sodar_uuid}`, token);
  t.equal(started.body.state, 'running', 'container started');
  const aId = started.body.container_id;
  const cmd: string = dockerInspect(aId).Config.Cmd.join(' ');
  const m = /http:\/\/(\d+\.\d+\.\d+\.\d+):(\d+)\/files\/[^"\s]+/.exec(cmd);
  t.ok(m, `the reference became a URL (${m?.[0]})`);
  const url = m![0];
  t.notMatch(url, /0\.0\.0\.0|127\.0\.0\.1/, 'on the bridge address, not a wildcard or loopback');
  t.match(url, new RegExp(`/files/${a.body.sodar_uuid}/${f.sodar_uuid}/[A-Za-z0-9_-]{32}/pbmc3k\\.h5ad$`), 'bound to this container and file, ending in the file name');
  const logs = await waitFor(() => { const l = dockerLogs(aId); return l.includes('fetch-exit=') ? l : null; }, 15_000, 'fetch in container');
  t.match(logs, secret, 'the container read the uploaded file');
  t.match(logs, 'fetch-exit=0');
  const portico = await waitFor(async () => {
    const r = await gw.api('GET', `/containers/api/logs/${a.body.sodar_uuid}?lines=500`, token);
    const text = (r.body.results as Array<{ text: string }>).map((l) => l.text).join('\n');
    return text.includes(secret) ? text : null;
  }, 15_000, 'the app output in the container log');
  t.match(portico, secret, 'the container\'s log in Portico shows the file was read');
  t.equal((await wgetIn(aId, url)).out, secret, 'fetching again works');

  // Another project's container, given the same reference: its URL is valid for it, but the file is not its project's.
  const b = await gw.api('POST', `/containers/api/create/${p2}`, token, { title: 'intruder', ...TEST_IMAGE, command: fetchCommand(f.reference) });
  const bStarted = await gw.api('POST', `/containers/api/start/${b.body.sodar_uuid}`, token);
  t.equal(bStarted.body.state, 'running');
  const bLogs = await waitFor(() => { const l = dockerLogs(bStarted.body.container_id); return l.includes('fetch-exit=') ? l : null; }, 15_000, 'fetch in other container');
  t.notMatch(bLogs, secret, 'a container of another project cannot read the file with the reference');
  t.match(bLogs, /404/, 'it gets 404');
  // …nor with the first container's URL (leaked or copied): requests from another project's container are refused.
  const leaked = await wgetIn(bStarted.body.container_id, url);
  t.not(leaked.code, 0, 'the first container\'s URL fails from another project\'s container');
  t.match(leaked.out, /404/, 'with 404');
  t.notMatch(leaked.out, secret);

  // From outside any container: tampering never reaches another file; unknown paths are 404.
  const [, host, port] = m!;
  const base = `http://${host}:${port}`;
  const token32 = url.split('/')[6];
  const get = async (path: string, method = 'GET') => (await rawRequest(base + path, { method, headers: {}, body: Buffer.alloc(0) })).status;
  t.equal(await get(`/files/${a.body.sodar_uuid}/${f2.sodar_uuid}/${token32}/other.txt`), 404, 'the token cannot be reused for another file');
  t.equal(await get(`/files/${b.body.sodar_uuid}/${f.sodar_uuid}/${token32}/x`), 404, 'nor for another container');
  t.equal(await get(`/files/${a.body.sodar_uuid}/${f.sodar_uuid}/${'A'.repeat(32)}/x`), 404, 'a guessed token: 404');
  t.equal(await get(`/files/${a.body.sodar_uuid}/${f.sodar_uuid}`), 404, 'without the token: 404');
  t.equal(await get(`/containers/api/files/${p1}`), 404, 'the file server serves nothing else');
  t.equal(await get(new URL(url).pathname, 'POST'), 404, 'only GET and HEAD');

  // The URL is deterministic: a restart (a recreate) gives the same URL, and it still works.
  const restarted = await gw.api('POST', `/containers/api/restart/${a.body.sodar_uuid}`, token);
  t.not(restarted.body.container_id, aId, 'restart recreated the container');
  t.match(dockerInspect(restarted.body.container_id).Config.Cmd.join(' '), url, 'same URL after restart');
  const afterRestart = await waitFor(() => { const l = dockerLogs(restarted.body.container_id); return l.includes('fetch-exit=') ? l : null; }, 15_000, 'fetch after restart');
  t.match(afterRestart, secret, 'read again after restart');

  // A gateway restart keeps the file server's address, so URLs already inside running containers keep working.
  await gw.restart();
  t.equal((await wgetIn(restarted.body.container_id, url)).out, secret, 'works after a gateway restart');

  // Deleting a referenced file is allowed; the container then gets 404.
  const detail = await gw.api('GET', `/containers/api/files/detail/${f.sodar_uuid}`, token);
  t.same(detail.body.referenced_by.map((c: { title: string }) => c.title), ['reader'], 'the container referencing it is listed');
  t.equal((await gw.api('DELETE', `/containers/api/files/delete/${f.sodar_uuid}`, token)).status, 204);
  const gone = await wgetIn(restarted.body.container_id, url);
  t.match(gone.out, /404/, 'deleted file: 404 in the container');
});

t.test('regression: a copied URL worked in another project\'s container at its first start, before its address was recorded', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const p1 = gw.project('First-start one');
  const p2 = gw.project('First-start two');
  const { token } = await gw.user('fred', { project: p1, role: 'owner' });
  gw.core.store.projects.setRole(gw.core.store.projects.byUuid(p2)!.id, gw.core.store.users.byUsername('fred')!.id, 'owner');
  const secret = `first-start-${randomBytes(6).toString('hex')}`;
  const f = await upload(gw, p1, token, 'data.txt', Buffer.from(secret));

  const a = await gw.api('POST', `/containers/api/create/${p1}`, token, { title: 'owner app', ...TEST_IMAGE, command: fetchCommand(f.reference) });
  const aStarted = await gw.api('POST', `/containers/api/start/${a.body.sodar_uuid}`, token);
  const url = /http:\/\/[^"\s']+\/files\/[^"\s']+/.exec(dockerInspect(aStarted.body.container_id).Config.Cmd.join(' '))![0];
  const aLogs = await waitFor(() => { const l = dockerLogs(aStarted.body.container_id); return l.includes('fetch-exit=') ? l : null; }, 15_000, 'fetch in the owner\'s container');
  t.match(aLogs, secret, 'the owner\'s container reads its file at its first start');

  // The copied URL is fetched by the other project's container the moment it starts, before any
  // state of it is recorded. Each attempt is a fresh container (a restart), so each is a first request.
  for (let i = 0; i < 3; i++) {
    const b = await gw.api('POST', `/containers/api/create/${p2}`, token, { title: `copier ${i}`, ...TEST_IMAGE, command: fetchCommand(url) });
    const bStarted = await gw.api('POST', `/containers/api/start/${b.body.sodar_uuid}`, token);
    t.equal(bStarted.body.state, 'running');
    const bLogs = await waitFor(() => { const l = dockerLogs(bStarted.body.container_id); return l.includes('fetch-exit=') ? l : null; }, 15_000, 'fetch in the copier');
    t.notMatch(bLogs, secret, `attempt ${i + 1}: the copied URL does not work in another project's container, even at its first request`);
    t.match(bLogs, /404/, 'it gets 404');
  }
});
