/**
 * start-policy.test.ts: which proxied requests may start a stopped container, and which count as
 * use of the app (gateway/proxy/start-policy.ts, docs/persistence.md), with real containers.
 */
import t from 'tap';
import WebSocket from 'ws';
import { startGateway, waitFor, WS_IMAGE, dockerInspect } from '../helpers/gateway.ts';
import type { TestGateway } from '../helpers/gateway.ts';
import { call, callNode, createContainer, startContainer } from './helpers.ts';
import { stopIdleContainers } from '../../gateway/core/containers/idle.ts';
import { ClientFrames } from '../../gateway/proxy/ws-activity.ts';

const NAV = { accept: 'text/html,application/xhtml+xml', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' };
const FETCH = { accept: '*/*', 'sec-fetch-mode': 'cors', 'sec-fetch-dest': 'empty' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** wsStatus opens a WebSocket and returns 101, or the status of the refusal. */
function wsStatus(gw: TestGateway, uuid: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${gw.port}/containers/proxy/${uuid}/`, { headers });
    ws.once('open', () => { ws.close(); resolve(101); });
    ws.once('unexpected-response', (_req, res) => { res.resume(); resolve(res.statusCode ?? 0); ws.terminate(); });
    ws.once('error', (err) => { if (!(err as Error).message.includes('Unexpected server response')) reject(err); });
  });
}

t.test('regression: a background fetch does not start a container a person stopped, a navigation does (and resumes it)', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('owner', { project, role: 'owner' });
  const auth = { authorization: `token ${token}` };
  const uuid = await createContainer(gw, token, project);
  const id1 = (await startContainer(gw, token, uuid)).container_id;
  t.equal((await gw.api('POST', `/containers/api/stop/${uuid}`, token)).body.state, 'exited');
  const c = gw.core.store.containers.byUuid(uuid)!;
  t.equal(c.stoppedBy, 'owner', 'the stop is recorded with who stopped it');

  const bg = await call(gw, `/containers/proxy/${uuid}/cgi-bin/echo`, { headers: { ...auth, ...FETCH } });
  t.equal(bg.status, 503, 'a tab\'s background fetch gets 503');
  t.match(bg.headers['content-type'], /application\/json/);
  t.match(bg.json(), { code: 'E_CONTAINER_STOPPED', error: /stopped by owner; open its link to start it again/ });
  t.equal((await callNode(gw, `/containers/proxy/${uuid}/`, { headers: { ...auth, ...FETCH } })).status, 503, 'on the Node path too');
  t.equal((await call(gw, `/containers/proxy/${uuid}/`, { headers: auth })).status, 503, 'a script\'s request does not start it either');
  t.equal((await call(gw, `/containers/proxy/${uuid}/cgi-bin/echo`, { method: 'POST', headers: { ...auth, ...FETCH, 'content-type': 'text/plain' }, body: 'x' })).status, 503, 'nor a background POST');
  t.equal((await call(gw, `/containers/proxy/${uuid}/events`, { headers: { ...auth, accept: 'text/event-stream', 'sec-fetch-mode': 'cors' } })).status, 503, 'nor an EventSource');
  t.equal((await call(gw, `/containers/proxy/_status/${uuid}`, { headers: { ...auth, accept: 'text/event-stream', 'sec-fetch-mode': 'cors' } })).status, 503, 'nor the waiting page\'s status stream');
  t.equal(await wsStatus(gw, uuid, { ...auth, 'sec-fetch-mode': 'websocket' }), 503, 'nor a WebSocket');
  await sleep(1500);
  t.equal(gw.core.store.containers.byUuid(uuid)!.state, 'exited', 'still stopped a second and a half later');
  t.equal(dockerInspect(id1).State.Status, 'exited', 'and so is the engine container');
  t.equal(gw.core.store.logs.jobs(c.id).filter((j) => j.action === 'start').length, 1, 'no start job was run');

  const nav = await call(gw, `/containers/proxy/${uuid}/`, { headers: { ...auth, ...NAV } });
  t.equal(nav.status, 202, 'a navigation gets the waiting page and starts it');
  await waitFor(() => gw.core.store.containers.byUuid(uuid)!.state === 'running', 20_000, 'running');
  const after = gw.core.store.containers.byUuid(uuid)!;
  t.equal(after.dockerId, id1, 'the same container, resumed');
  t.equal(after.stoppedBy, null, 'the hold ends with the start');
  await waitFor(async () => (await call(gw, `/containers/proxy/${uuid}/`, { headers: { ...auth, ...FETCH } })).status === 200, 20_000, 'background requests to be served again');

  // Accept: text/html without Sec-Fetch-* (an old browser) is a navigation too; an explicit start always works.
  await gw.api('POST', `/containers/api/stop/${uuid}`, token);
  t.equal((await call(gw, `/containers/proxy/${uuid}/`, { headers: { ...auth, accept: 'text/html' } })).status, 202, 'Accept: text/html without Sec-Fetch-Mode starts it');
  await waitFor(() => gw.core.store.containers.byUuid(uuid)!.state === 'running' && !gw.core.containers.queue.busy(c.id), 20_000, 'running again');
  await gw.api('POST', `/containers/api/stop/${uuid}`, token);
  t.equal((await gw.api('POST', `/containers/api/start/${uuid}`, token)).body.state, 'running', 'an explicit start');
});

t.test('an idle-stopped container: a tab\'s background request does not start it; a script\'s request and a navigation do', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('owner', { project, role: 'owner' });
  const auth = { authorization: `token ${token}` };
  const uuid = await createContainer(gw, token, project);
  const id1 = (await startContainer(gw, token, uuid)).container_id;
  const c = gw.core.store.containers.byUuid(uuid)!;
  await gw.core.containers.perform(c.id, 'stop', 'anonymous', { idle: true });
  t.match(gw.core.store.containers.byId(c.id), { stoppedBy: null, stoppedIdle: true });
  const bg = await call(gw, `/containers/proxy/${uuid}/`, { headers: { ...auth, ...FETCH } });
  t.equal(bg.status, 503, 'a background fetch does not start it');
  t.match(bg.json().error, /stopped because nobody used it/);
  t.equal(await wsStatus(gw, uuid, { ...auth, 'sec-fetch-mode': 'websocket' }), 503, 'nor a browser\'s WebSocket');
  const script = await call(gw, `/containers/proxy/${uuid}/`, { headers: auth });
  t.equal(script.status, 200, 'a script (no Sec-Fetch-Mode) starts it on demand, as before');
  t.equal(gw.core.store.containers.byId(c.id)!.dockerId, id1, 'resumed, not recreated');
  t.match(gw.core.store.containers.byId(c.id), { stoppedBy: null, stoppedIdle: false });
});

t.test('regression: a tab\'s background polling alone does not keep an app from idling; page loads, writes and scripts do', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('owner', { project, role: 'owner' });
  const auth = { authorization: `token ${token}` };
  const uuid = await createContainer(gw, token, project, { inactivity_threshold: 1 });
  await startContainer(gw, token, uuid);
  const c = gw.core.store.containers.byUuid(uuid)!;
  const rec = gw.core.accessRecorder;
  const path = `/containers/proxy/${uuid}/cgi-bin/echo`;
  await waitFor(async () => (await call(gw, path, { headers: { ...auth, ...FETCH } })).status === 200, 20_000, 'the app to answer');

  for (let i = 0; i < 5; i++) {
    t.equal((await call(gw, path, { headers: { ...auth, ...FETCH } })).status, 200);
    t.equal((await callNode(gw, path, { headers: { ...auth, ...FETCH } })).status, 200);
  }
  t.equal((await call(gw, path, { method: 'HEAD', headers: { ...auth, ...FETCH } })).status, 200);
  t.equal(rec.lastAccess(c.id), null, 'background GETs and HEADs (fast path and Node path) are not activity');

  // With only background polling, the idle rule stops it a threshold after its start.
  const stopped = await stopIdleContainers(gw.core, Date.now() + 86_400_000 + 60_000);
  t.same(stopped, [uuid], 'the polled app idles');
  t.equal((await call(gw, path, { headers: { ...auth, ...FETCH } })).status, 503, 'and the poll does not wake it');
  t.equal(gw.core.store.containers.byId(c.id)!.state, 'exited');

  const nav = await call(gw, `/containers/proxy/${uuid}/`, { headers: { ...auth, ...NAV } });
  t.equal(nav.status, 202);
  await waitFor(() => gw.core.store.containers.byId(c.id)!.state === 'running', 20_000, 'running');
  await waitFor(async () => (await call(gw, `/containers/proxy/${uuid}/`, { headers: { ...auth, ...NAV } })).status === 200, 20_000, 'the page to load');
  const t1 = rec.lastAccess(c.id);
  t.ok(t1 !== null, 'a page load is activity');

  await sleep(5);
  let before = Date.now();
  await call(gw, path, { headers: { ...auth, ...FETCH } });
  t.ok(rec.lastAccess(c.id)! < before, 'a background GET still is not');
  await call(gw, path, { method: 'POST', headers: { ...auth, ...FETCH, 'content-type': 'text/plain' }, body: 'save' });
  t.ok(rec.lastAccess(c.id)! >= before, 'a background POST (a save, a deploy) is');
  await sleep(5);
  before = Date.now();
  await call(gw, path, { headers: auth });
  t.ok(rec.lastAccess(c.id)! >= before, 'a script\'s GET (no Sec-Fetch-Mode) is');
});

t.test('WebSocket: the client\'s data frames count as activity, its pongs do not', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('owner', { project, role: 'owner' });
  const uuid = await createContainer(gw, token, project, { ...WS_IMAGE });
  await startContainer(gw, token, uuid);
  const c = gw.core.store.containers.byUuid(uuid)!;
  const rec = gw.core.accessRecorder;
  const sock = new WebSocket(`ws://127.0.0.1:${gw.port}/containers/proxy/${uuid}/`, { headers: { authorization: `token ${token}` } });
  t.teardown(() => sock.terminate());
  await new Promise((r, j) => { sock.once('open', r); sock.once('error', j); });
  rec.flush();
  await sleep(10);
  const before = Date.now();
  sock.pong(Buffer.from('hb'));
  sock.ping();
  await new Promise((r) => sock.once('pong', r));
  await sleep(50);
  rec.flush();
  t.ok(rec.lastAccess(c.id)! < before, 'control frames from the client are not activity');
  await new Promise((r) => { sock.once('message', r); sock.send('hello'); });
  await sleep(20);
  rec.flush();
  t.ok(rec.lastAccess(c.id)! >= before, 'a data frame from the client is');
});

t.test('ClientFrames counts data frames across any chunking (RFC 6455 §5.2 lengths, masks)', async (t) => {
  const frame = (opcode: number, len: number): Buffer => {
    const ext = len < 126 ? Buffer.from([0x80 | len]) : len < 65536 ? Buffer.from([0x80 | 126, len >> 8, len & 255])
      : Buffer.concat([Buffer.from([0x80 | 127, 0, 0, 0, 0]), Buffer.from([(len >>> 24) & 255, (len >>> 16) & 255, (len >>> 8) & 255, len & 255])]);
    return Buffer.concat([Buffer.from([0x80 | opcode]), ext, Buffer.from([1, 2, 3, 4]), Buffer.alloc(len, 0x81)]);
  };
  const stream = Buffer.concat([frame(0x1, 5), frame(0xa, 0), frame(0x9, 2), frame(0x2, 300), frame(0x1, 0), frame(0x0, 70_000), frame(0x8, 2)]);
  for (const size of [1, 2, 3, 7, 13, 125, 4096, stream.length]) {
    const f = new ClientFrames();
    for (let i = 0; i < stream.length; i += size) f.push(stream.subarray(i, i + size));
    t.equal(f.dataFrames, 4, `chunks of ${size}: text, binary, empty text and a continuation; not pong, ping or close`);
  }
});
