/**
 * websocket.test.ts: WebSocket upgrades through the proxy to the ws-echo app: subprotocol and
 * query preserved, credentials stripped, both directions streamed, the same access rules as HTTP,
 * held handshakes for stopped containers, and proper HTTP statuses for refused upgrades.
 */
import t from 'tap';
import WebSocket from 'ws';
import { startGateway, WS_IMAGE, engineContainers } from '../helpers/gateway.ts';
import { createContainer, startContainer } from './helpers.ts';

type Opened = { ws: WebSocket; hello: any } | { status: number; body: string };

function open(url: string, headers: Record<string, string>, protocols: string[] = []): Promise<Opened> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, { headers });
    ws.once('message', (data) => resolve({ ws, hello: JSON.parse(String(data)) }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.once('error', (err) => { if (!String(err.message).includes('Unexpected server response')) reject(err); });
  });
}

function echo(ws: WebSocket, data: string | Buffer): Promise<{ data: Buffer; binary: boolean }> {
  return new Promise((resolve) => {
    ws.once('message', (d, binary) => resolve({ data: d as Buffer, binary }));
    ws.send(data);
  });
}

t.test('WebSocket echo: upgrade, subprotocol, query, auth and both directions', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('owner', { project, role: 'owner' });
  const { token: guest } = await gw.user('guest', { project, role: 'guest' });
  const { token: stranger } = await gw.user('stranger');
  const uuid = await createContainer(gw, token, project, { ...WS_IMAGE });
  await startContainer(gw, token, uuid);
  const url = `ws://127.0.0.1:${gw.port}/containers/proxy/${uuid}/socket?room=a%20b&x=1`;

  const o = await open(url, { authorization: `token ${guest}`, cookie: 'portico_session=nope; theme=dark' }, ['chat.v2', 'chat.v1']);
  if (!('ws' in o)) throw new Error(`refused: ${o.status} ${o.body}`);
  t.equal(o.hello.url, '/socket?room=a%20b&x=1', 'path and query reach the app, prefix stripped');
  t.equal(o.hello.protocol, 'chat.v2', 'the app picked the first offered subprotocol');
  t.equal(o.ws.protocol, 'chat.v2', 'and the client sees it');
  t.notOk('authorization' in o.hello.headers, 'the gateway token is stripped');
  t.equal(o.hello.headers.cookie, 'theme=dark', 'the session cookie is stripped, app cookies pass');
  t.equal(o.hello.headers['x-forwarded-prefix'], `/containers/proxy/${uuid}`);
  t.equal(o.hello.headers['x-forwarded-for'], '127.0.0.1');
  const text = await echo(o.ws, 'hello there');
  t.equal(String(text.data), 'hello there', 'text echoes');
  const bin = Buffer.from([0, 1, 2, 255]);
  const b = await echo(o.ws, bin);
  t.ok(b.binary && Buffer.compare(b.data, bin) === 0, 'binary echoes as binary');
  const large = 'x'.repeat(2 * 1024 * 1024);
  t.equal(String((await echo(o.ws, large)).data).length, large.length, 'a 2 MiB message streams both ways');
  const rounds = await Promise.all(Array.from({ length: 50 }, (_, i) => echo(o.ws, `m${i}`)));
  t.equal(rounds.length, 50);
  t.equal(gw.core.metrics.render().match(/portico_proxy_websockets_open (\d+)/)?.[1], '1', 'open WebSockets gauge');
  o.ws.close();

  const anon = await open(url, {});
  t.equal('status' in anon && anon.status, 401, 'anonymous: refused with 401');
  const nonMember = await open(url, { authorization: `token ${stranger}` });
  t.equal('status' in nonMember && nonMember.status, 404, 'non-member: 404');
  const missing = await open(`ws://127.0.0.1:${gw.port}/containers/proxy/00000000-0000-4000-8000-000000000000/`, { authorization: `token ${token}` });
  t.equal('status' in missing && missing.status, 404, 'unknown container: 404');
});

t.test('WebSocket to a stopped container is held until it runs; refused upgrades get a status', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('owner', { project, role: 'owner' });
  const uuid = await createContainer(gw, token, project, { ...WS_IMAGE });
  const o = await open(`ws://127.0.0.1:${gw.port}/containers/proxy/${uuid}/`, { authorization: `token ${token}` });
  if (!('ws' in o)) throw new Error(`refused: ${o.status} ${o.body}`);
  t.equal(o.hello.hello, true, 'the handshake waited for the start and went through');
  t.equal(engineContainers(gw.instance).length, 1);
  o.ws.close();

  // busybox httpd does not speak WebSocket: its plain answer reaches the client as the status.
  const plain = await createContainer(gw, token, project);
  await startContainer(gw, token, plain);
  const r = await open(`ws://127.0.0.1:${gw.port}/containers/proxy/${plain}/`, { authorization: `token ${token}` });
  t.equal('status' in r && r.status, 200, "the app's non-101 answer is passed on");

  const bad = await createContainer(gw, token, project, { repository: '127.0.0.1:9/portico/missing', tag: '1' });
  const f = await open(`ws://127.0.0.1:${gw.port}/containers/proxy/${bad}/`, { authorization: `token ${token}` });
  t.equal('status' in f && f.status, 503, 'a failed start refuses the upgrade with 503');
  t.match('status' in f && f.body, /E_START_FAILED/);
});
