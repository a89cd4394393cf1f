/**
 * head-buffer.test.ts: answers' heads are written into one shared scratch buffer on the fast path
 * (gateway/proxy/head-buffer.ts) and wait there for their first body bytes. Regression guard for
 * the head that waits while another answer's head takes the buffer: it must be spilled first, not
 * overwritten (the client would get the other answer's head on its own body).
 */
import t from 'tap';
import net from 'node:net';
import { startGateway } from '../helpers/gateway.ts';

/** rawApp answers every request with `head`, then the body `body` once `release` resolves. */
function rawApp(head: string, body: string, release: () => Promise<void>): Promise<net.Server> {
  const server = net.createServer((s) => {
    s.on('error', () => {});
    s.once('data', async () => {
      s.write(head);
      await release();
      s.write(body);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** get sends one plain GET on a fresh connection and resolves with everything read until `done` says the answer is complete. */
function get(port: number, path: string, token: string, done: (text: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let text = '';
    s.on('connect', () => s.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: token ${token}\r\n\r\n`));
    s.on('data', (d) => { text += d.toString('latin1'); if (done(text)) { s.destroy(); resolve(text); } });
    s.on('error', reject);
    s.setTimeout(10_000, () => { s.destroy(); reject(new Error('no complete answer: ' + text)); });
  });
}

t.test('a head waiting for its body survives another answer taking the scratch buffer (regression: overwritten head)', async (t) => {
  const gw = await startGateway({ PORTICO_PUBLISH_PORTS: 'true' });
  t.teardown(() => gw.close());
  const projectUuid = gw.project();
  const { token } = await gw.user('header', { project: projectUuid, role: 'guest' });
  const project = gw.core.store.projects.byUuid(projectUuid)!;
  let letGo: () => void = () => {};
  const gate = new Promise<void>((r) => { letGo = r; });
  const slow = await rawApp('HTTP/1.1 200 OK\r\nX-Which: slow-one\r\nContent-Length: 9\r\n\r\n', 'slow-body', () => gate);
  const quick = await rawApp('HTTP/1.1 201 Created\r\nX-Which: quick-two-with-a-longer-head\r\nContent-Length: 10\r\n\r\n', 'quick-body', async () => {});
  t.teardown(() => { slow.close(); quick.close(); });
  const uuids = [slow, quick].map((app, i) => {
    const rec = gw.core.containers.create(project.id, { title: `scratch-${i}`, repository: 'scratch/none', tag: '1', container_port: 80 }, 'test');
    gw.core.store.containers.setRuntime(rec.id, { state: 'running', dockerId: `scratch-${rec.id}`, hostPort: (app.address() as net.AddressInfo).port, dateStarted: new Date(Date.now() - 3_600_000).toISOString() });
    return rec.uuid;
  });
  let slowHead = false;
  const first = get(gw.port, `/containers/proxy/${uuids[0]}/`, token, (x) => { slowHead ||= x.length > 0; return x.endsWith('slow-body'); });
  // The slow head is in the scratch buffer once the app has sent it: give the gateway time to read it.
  await new Promise((r) => setTimeout(r, 300));
  t.notOk(slowHead, 'nothing of the slow answer went out before its body (its head waits in the buffer)');
  const second = await get(gw.port, `/containers/proxy/${uuids[1]}/`, token, (x) => x.endsWith('quick-body'));
  t.match(second, /^HTTP\/1\.1 201 Created\r\n/, 'the second answer is whole');
  t.match(second, /x-which: quick-two-with-a-longer-head\r\n/);
  letGo();
  const answer = await first;
  t.match(answer, /^HTTP\/1\.1 200 OK\r\n/, 'the waiting answer keeps its own status line');
  t.match(answer, /\r\nx-which: slow-one\r\n/, 'and its own fields');
  t.notMatch(answer, /quick/, 'nothing of the other answer');
  t.match(answer, /\r\ncontent-length: 9\r\n(?:.*\r\n)*\r\nslow-body$/, 'and its own body, framed by its length');
});
