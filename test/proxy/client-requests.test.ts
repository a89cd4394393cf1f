/**
 * client-requests.test.ts: what the gateway does with tricky client requests (issue 13, item 4),
 * over raw sockets, on an API path (Node's server) and on a proxied path (where the listener's fast
 * path reads the head first): the request corpus (test/corpus/request-cases.ts), then one
 * regression test per bug — stalled heads and bodies, CONNECT, empty refusals, Host, 100 Continue,
 * Connection-listed framing, forwarding fields, absolute-form, and the session cookie.
 */
import t from 'tap';
import WebSocket from 'ws';
import { startGateway, WS_IMAGE } from '../helpers/gateway.ts';
import type { TestGateway } from '../helpers/gateway.ts';
import { rawExchange, TLS_CLIENT_HELLO } from '../helpers/raw-socket.ts';
import { REQUEST_CASES, fillCase } from '../corpus/request-cases.ts';
import { call, callNode, createContainer, startContainer, UPLOAD_APP } from './helpers.ts';

interface Rig { gw: TestGateway; project: string; token: string; echo: string; upload: string; ws: string; cookies: string; sid: string }

/** COOKIE_APP sets cookies that try to leave their scope, in one answer. */
const COOKIE_APP = `node -e "require('http').createServer((q,s)=>{s.setHeader('set-cookie',['esc=1; Path=/x; Path=/','esc2=1; Path='+q.headers['x-forwarded-prefix']+'; Path=/','dom=1; Domain=127.0.0.1; Path=/',`
  + `'portico_session=evil; Path=/; HttpOnly','ok=1; Path=/in; HttpOnly']);s.end('ok')}).listen(80)"`;

async function rig(t: { teardown(fn: () => unknown): void }): Promise<Rig> {
  const gw = await startGateway({ PORTICO_BODY_TIMEOUT_SECONDS: '1' });
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('owner', { project, role: 'owner' });
  const echo = await createContainer(gw, token, project);
  const upload = await createContainer(gw, token, project, { ...WS_IMAGE, command: UPLOAD_APP });
  const ws = await createContainer(gw, token, project, { ...WS_IMAGE });
  const cookies = await createContainer(gw, token, project, { ...WS_IMAGE, command: COOKIE_APP });
  await Promise.all([echo, upload, ws, cookies].map((u) => startContainer(gw, token, u)));
  for (const u of [echo, upload, ws, cookies]) await call(gw, `/containers/proxy/${u}/`, { headers: { authorization: `token ${token}` } });
  const s = await gw.api('POST', '/api/session', token);
  const sid = /portico_session=([^;]+)/.exec(s.headers.get('set-cookie')!)![1];
  return { gw, project, token, echo, upload, ws, cookies, sid };
}

// One gateway (body timeout 1 s) and its four apps serve every test in this file.
const r = await rig(t);

function json(body: string): any {
  try { return JSON.parse(body); } catch { return null; }
}

t.test('the request corpus: every case answered at once, refusals in the JSON error shape (API path and proxied path)', async (t) => {
  const authority = `127.0.0.1:${r.gw.port}`;
  const targets = [
    { where: 'API', target: '/healthz', headers: '' },
    { where: 'proxy', target: `/containers/proxy/${r.echo}/cgi-bin/echo`, headers: `Authorization: token ${r.token}\r\n` },
  ];
  for (const { where, target, headers } of targets) {
    for (const c of REQUEST_CASES) {
      const a = await rawExchange(r.gw.port, fillCase(c, { target, authority, headers }), { waitMs: 3_000 });
      const title = `${where}: ${c.bug ? `regression: ${c.bug}: ` : ''}${c.name}`;
      t.ok(c.expect.includes(a.status), `${title}: ${c.expect.join('/')} (got ${a.status})`);
      if (c.atOnce) t.ok(a.firstByteMs < 1_500, `${title}: answered at once (${Math.round(a.firstByteMs)} ms)`);
      if (c.code) {
        const body = json(a.body);
        t.equal(body?.code, c.code, `${title}: code ${c.code}`);
        t.ok(typeof body?.error === 'string' && body.error.length > 10, `${title}: says what was wrong (${body?.error})`);
        t.ok(a.closed, `${title}: the connection closes after the refusal`);
      }
    }
  }
});

t.test('regression: a request head without CRLFCRLF waited 59 s on the fast path before a 408', async (t) => {
  const target = `/containers/proxy/${r.echo}/cgi-bin/echo`;
  // Sent in two parts: the fast path holds the first (it could still be a plain head) and must
  // see at the second that it can never be one.
  const parts = [`GET ${target} HTTP/1.1\r\n`, `Host: x\nAuthorization: token ${r.token}\n\n`];
  const a = await rawExchange(r.gw.port, parts, { pauseMs: 200, waitMs: 3_000 });
  t.equal(a.status, 400, 'bare LF after a CRLF request line: 400');
  t.ok(a.firstByteMs < 1_500, 'at once');
  const tls = await rawExchange(r.gw.port, [TLS_CLIENT_HELLO.subarray(0, 3), TLS_CLIENT_HELLO.subarray(3)], { pauseMs: 100 });
  t.equal(tls.status, 400, 'a ClientHello in pieces: 400');
  t.match(json(tls.body)?.error, /TLS/, 'and the message hints at TLS');
});

t.test('regression: a body shorter than its Content-Length stayed open for minutes (API and proxy)', async (t) => {
  const cases = [
    { where: 'API', raw: `POST /containers/api/create/${r.project} HTTP/1.1\r\nHost: x\r\nAuthorization: token ${r.token}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":` },
    { where: 'proxy (Node path)', raw: `POST /containers/proxy/${r.upload}/up HTTP/1.1\r\nHost: x\r\nAuthorization: token ${r.token}\r\nContent-Length: 100\r\n\r\nabc` },
    { where: 'proxy, chunked', raw: `POST /containers/proxy/${r.upload}/up HTTP/1.1\r\nHost: x\r\nAuthorization: token ${r.token}\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n` },
  ];
  for (const c of cases) {
    const t0 = performance.now();
    const a = await rawExchange(r.gw.port, c.raw, { waitMs: 8_000 });
    const ms = performance.now() - t0;
    t.equal(a.status, 408, `${c.where}: 408`);
    t.equal(json(a.body)?.code, 'E_REQUEST_TIMEOUT', `${c.where}: E_REQUEST_TIMEOUT`);
    t.ok(a.closed && ms < 5_000, `${c.where}: the connection closes after the body timeout (1 s here; ${Math.round(ms)} ms)`);
  }
  // A slow body that keeps arriving is not a stall.
  const slow = Array.from({ length: 6 }, (_, i) => i === 0
    ? `POST /containers/proxy/${r.upload}/up HTTP/1.1\r\nHost: x\r\nAuthorization: token ${r.token}\r\nContent-Length: 5\r\nConnection: close\r\n\r\n`
    : 'x');
  const a = await rawExchange(r.gw.port, slow, { pauseMs: 600, waitMs: 8_000 });
  t.equal(a.status, 200, 'a body trickling in over 3 s (a byte each 0.6 s) is passed on');
  t.equal(json(a.body)?.n, 5, 'whole');
});

t.test('regression: 100 Continue was sent to anonymous clients before the 401', async (t) => {
  const target = `/containers/proxy/${r.upload}/up`;
  const anon = await rawExchange(r.gw.port, `POST ${target} HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n`, { waitMs: 2_000 });
  t.match(anon.text, /^HTTP\/1\.1 401 /, 'the first thing an anonymous client reads is the 401');
  t.notMatch(anon.text, /100 Continue/, 'no 100 Continue at all');
  t.ok(anon.closed, 'and the connection closes (the client may or may not send its body)');
  const api = await rawExchange(r.gw.port, 'POST /containers/api/create/nope HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\n', { waitMs: 2_000 });
  t.match(api.text, /^HTTP\/1\.1 401 /, 'the API too');
  const ok = await rawExchange(r.gw.port, [`POST ${target} HTTP/1.1\r\nHost: x\r\nAuthorization: token ${r.token}\r\nExpect: 100-continue\r\nContent-Length: 5\r\nConnection: close\r\n\r\n`, 'hello'], { pauseMs: 700, waitMs: 4_000 });
  t.match(ok.text, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 /, 'an allowed caller gets the 100, then the answer');
  t.equal(json(ok.body)?.n, 5, 'with the body');
});

t.test('regression: Connection: content-length on a request dropped its body', async (t) => {
  const a = await rawExchange(r.gw.port, `POST /containers/proxy/${r.upload}/up HTTP/1.1\r\nHost: x\r\nAuthorization: token ${r.token}\r\nConnection: content-length, close\r\nContent-Length: 5\r\n\r\nhello`);
  t.equal(a.status, 200);
  t.equal(json(a.body)?.n, 5, 'the app got the whole body');
  t.equal(json(a.body)?.cl, '5', 'and its Content-Length');
});

t.test('regression: underscore variants of X-Forwarded-* and Forwarded passed to the app (fast path and Node path)', async (t) => {
  const headers = { authorization: `token ${r.token}`, x_forwarded_for: '6.6.6.6', forwarded: 'for=6.6.6.6', 'x-real-ip': '6.6.6.6', 'x-forwarded-port': '1', 'x_forwarded_host': 'evil.example' };
  for (const [how, fn] of [['fast path', call], ['Node path', callNode]] as const) {
    const e = (await fn(r.gw, `/containers/proxy/${r.echo}/cgi-bin/echo`, { headers })).json();
    t.equal(e.headers['x-forwarded-for'], '127.0.0.1', `${how}: X-Forwarded-For is the gateway's`);
    t.equal(e.headers['x-forwarded-host'], `127.0.0.1:${r.gw.port}`, `${how}: X-Forwarded-Host is the gateway's`);
    t.notOk('forwarded' in e.headers || 'x-real-ip' in e.headers || 'x-forwarded-port' in e.headers, `${how}: no client forwarding fields`);
  }
});

t.test('regression: absolute-form targets were not proxied', async (t) => {
  const authority = `127.0.0.1:${r.gw.port}`;
  const a = await rawExchange(r.gw.port, `GET http://${authority}/containers/proxy/${r.echo}/cgi-bin/echo?q=1 HTTP/1.1\r\nHost: other.example\r\nAuthorization: token ${r.token}\r\nConnection: close\r\n\r\n`);
  t.equal(a.status, 200);
  const e = json(a.body);
  t.equal(e?.url, '/cgi-bin/echo?q=1', 'the app gets the origin-form path');
  t.equal(e?.headers['x-forwarded-host'], authority, "the target's authority is the Host, not the Host line");
});

t.test('regression: "a=1, portico_session=<sid>" authenticated and reached the app (fast path, Node path, WebSocket)', async (t) => {
  const path = `/containers/proxy/${r.echo}/cgi-bin/echo`;
  for (const cookie of [`a=1, portico_session=${r.sid}`, `x=1 portico_session=${r.sid}`]) {
    for (const [how, fn] of [['fast path', call], ['Node path', callNode]] as const) {
      const anon = await fn(r.gw, path, { headers: { cookie, accept: 'application/json' } });
      t.equal(anon.status, 401, `${how}: "${cookie.slice(0, 22)}…" is not a session`);
      const e = (await fn(r.gw, path, { headers: { cookie: `${cookie}; theme=dark`, authorization: `token ${r.token}` } })).json();
      t.equal(e.headers.cookie, 'theme=dark', `${how}: and the pair carrying the session id does not reach the app`);
    }
  }
  for (const cookie of [`a=1, portico_session=${r.sid}`, `x=1 portico_session=${r.sid}`]) {
    const api = await call(r.gw, `/containers/api/${r.project}`, { headers: { cookie } });
    t.equal(api.status, 401, `API: "${cookie.slice(0, 22)}…" is not a session either (one reader everywhere)`);
  }
  t.equal((await call(r.gw, `/containers/api/${r.project}`, { headers: { cookie: `portico_session=${r.sid}` } })).status, 200, 'API: the real cookie is');
  const real = await call(r.gw, path, { headers: { cookie: `theme=dark; portico_session=${r.sid}` } });
  t.equal(real.status, 200, 'a real session cookie still authenticates');
  t.equal(real.json().headers.cookie, 'theme=dark', 'and is stripped');
  // Two Cookie lines, as an HTTP/2-minded client may send them.
  const two = await rawExchange(r.gw.port, `GET ${path} HTTP/1.1\r\nHost: x\r\nCookie: a=1\r\nCookie: portico_session=${r.sid}; b=2\r\nConnection: close\r\n\r\n`);
  t.equal(two.status, 200, 'two Cookie lines: the session in the second authenticates');
  t.equal(json(two.body)?.headers.cookie, 'a=1; b=2', 'and is stripped from it; the app gets one Cookie line');

  const hello = await new Promise<any>((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${r.gw.port}/containers/proxy/${r.ws}/socket`, { headers: { authorization: `token ${r.token}`, cookie: `x=1 portico_session=${r.sid}; theme=dark; a=1, portico_session=${r.sid}` } });
    ws.once('message', (d) => { resolve(JSON.parse(String(d))); ws.close(); });
    ws.once('error', reject);
  });
  t.equal(hello.headers.cookie, 'theme=dark', 'WebSocket: neither spelling of the session reaches the app');
  const refused = await rawExchange(r.gw.port, `GET /containers/proxy/${r.ws}/socket HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nCookie: a=1, portico_session=${r.sid}\r\n\r\n`, { waitMs: 2_000 });
  t.equal(refused.status, 401, 'WebSocket: and it does not authenticate');
});

t.test("regression: an app's Set-Cookie with two Paths escaped its scope and could replace the session (real app)", async (t) => {
  const prefix = `/containers/proxy/${r.cookies}`;
  for (const [how, fn] of [['fast path', call], ['Node path', callNode]] as const) {
    const c = await fn(r.gw, `${prefix}/`, { headers: { authorization: `token ${r.token}` } });
    t.same(c.headers['set-cookie'], [`esc=1; Path=${prefix}`, `esc2=1; Path=${prefix}`, `dom=1; Path=${prefix}`, `ok=1; HttpOnly; Path=${prefix}/in`],
      `${how}: one Path each, under the prefix; Domain dropped; the app's portico_session refused`);
  }
});
