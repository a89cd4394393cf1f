/**
 * front.test.ts: the listener's fast path (gateway/http/front.ts) in front of a real Node HTTP
 * server, over real sockets: which requests it takes, which it hands over (with the bytes read so
 * far, mid-connection included), pipelining, Connection: close, timeouts, a client that leaves,
 * and shutdown. The handler is a small stand-in that answers with the target; the proxy's own
 * use of the fast path is proven against real containers in test/proxy.
 */
import t from 'tap';
import http from 'node:http';
import net from 'node:net';
import { Front } from '../../gateway/http/front.ts';
import type { FrontConn } from '../../gateway/http/front.ts';
import type { RequestHead } from '../../gateway/http/request-head.ts';

interface Rig { port: number; front: Front; nodeRequests: string[]; aborted: number; handled: number; close(): Promise<void> }

async function rig(o: { headersTimeoutMs?: number; keepAliveTimeoutMs?: number; sendTimeoutMs?: number } = {}): Promise<Rig> {
  const nodeRequests: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('latin1');
    req.on('data', (c: string) => { body += c; });
    req.on('end', () => {
      nodeRequests.push(`${req.method} ${req.url}`);
      const text = `node:${req.method} ${req.url} ${body}`;
      res.writeHead(200, { 'content-length': Buffer.byteLength(text), 'x-by': 'node' });
      res.end(text);
    });
  });
  const r = { port: 0, front: null as unknown as Front, nodeRequests, aborted: 0, handled: 0, close: async () => {} };
  const handler = (head: RequestHead, conn: FrontConn): boolean => {
    if (head.target.startsWith('/fast/decline')) return false;
    if (head.target.startsWith('/fast/hang')) { conn.current = { abort: () => { r.aborted++; } }; return true; }
    r.handled++;
    setImmediate(() => {
      if (head.target.startsWith('/fast/k64/')) {
        // A 64 KiB answer that names its request in its first bytes.
        const body = Buffer.alloc(65_536, 120);
        body.write(head.target);
        conn.socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${body.length}\r\nx-by: fast\r\n\r\n`);
        conn.socket.write(body);
        conn.done();
        return;
      }
      const text = `fast:${head.method} ${head.target} ${head.headers.join('|')}`;
      conn.socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${Buffer.byteLength(text)}\r\nx-by: fast\r\n${conn.keepAlive ? '' : 'connection: close\r\n'}\r\n${text}`);
      conn.done();
    });
    return true;
  };
  r.front = new Front(server, handler, { prefix: '/fast/', headersTimeoutMs: o.headersTimeoutMs ?? 60_000, keepAliveTimeoutMs: o.keepAliveTimeoutMs ?? 65_000, sendTimeoutMs: o.sendTimeoutMs });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  r.port = (server.address() as net.AddressInfo).port;
  r.close = async () => {
    r.front.closeAll();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return r;
}

/** Client is a raw connection that collects everything it reads. */
class Client {
  readonly socket: net.Socket;
  text = '';
  closed = false;
  constructor(port: number) {
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.setEncoding('latin1');
    this.socket.on('data', (d: string) => { this.text += d; });
    this.socket.on('close', () => { this.closed = true; });
    this.socket.on('error', () => {});
  }
  send(s: string): void { this.socket.write(s, 'latin1'); }
  /** answers waits until `n` answers (status lines) have arrived, or the connection closed. */
  async answers(n: number, ms = 5000): Promise<string[]> {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      const parts = this.text.split(/(?=HTTP\/1\.1 \d{3})/).filter((p) => p && !p.startsWith('HTTP/1.1 1'));
      if (parts.length >= n && parts.slice(0, n).every(complete)) return parts;
      if (this.closed) return parts;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`timed out waiting for ${n} answers; got: ${JSON.stringify(this.text)}`);
  }
  async closedWithin(ms: number): Promise<boolean> {
    const end = Date.now() + ms;
    while (Date.now() < end && !this.closed) await new Promise((r) => setTimeout(r, 20));
    return this.closed;
  }
}

function complete(answer: string): boolean {
  const i = answer.indexOf('\r\n\r\n');
  if (i < 0) return false;
  const m = /content-length: (\d+)/i.exec(answer.slice(0, i));
  return m !== null && answer.length - i - 4 >= Number(m[1]);
}

const get = (target: string, extra = '') => `GET ${target} HTTP/1.1\r\nHost: gw\r\n${extra}\r\n`;

t.test('plain requests under the prefix are taken; others go to Node', async (t) => {
  const r = await rig();
  t.teardown(r.close);
  const c = new Client(r.port);
  c.send(get('/fast/a?x=1', 'Accept: */*\r\nCookie:  a=b \r\n'));
  const [a] = await c.answers(1);
  t.match(a, /x-by: fast/);
  t.match(a, /fast:GET \/fast\/a\?x=1 Host\|gw\|Accept\|\*\/\*\|Cookie\|a=b$/, 'method, target and headers as sent, values trimmed');
  c.send(get('/elsewhere'));
  const two = await c.answers(2);
  t.match(two[1], /x-by: node[\s\S]*node:GET \/elsewhere/, 'another path: Node answers on the same connection');
  c.send(get('/fast/b'));
  const three = await c.answers(3);
  t.match(three[2], /node:GET \/fast\/b/, 'once handed over, the connection stays with Node');
  t.same(r.nodeRequests, ['GET /elsewhere', 'GET /fast/b']);
  t.equal(r.front.busy(), 0);
  c.socket.destroy();
});

t.test('what the fast path leaves to Node: bodies, upgrades, other versions and methods, malformed heads, declines', async (t) => {
  const r = await rig();
  t.teardown(r.close);
  const cases: Array<[string, string, RegExp]> = [
    ['a body (Content-Length)', 'POST /fast/p HTTP/1.1\r\nHost: gw\r\nContent-Length: 3\r\n\r\nabc', /200 OK[\s\S]*node:POST \/fast\/p abc/],
    ['a chunked body', 'DELETE /fast/d HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nxyz\r\n0\r\n\r\n', /node:DELETE \/fast\/d xyz/],
    ['HTTP/1.0', 'GET /fast/old HTTP/1.0\r\nHost: gw\r\n\r\n', /node:GET \/fast\/old/],
    ['an Expect field', get('/fast/e', 'Expect: 100-continue\r\n'), /node:GET \/fast\/e/],
    ['an unusual method', 'PROPFIND /fast/m HTTP/1.1\r\nHost: gw\r\n\r\n', /node:PROPFIND \/fast\/m/],
    ['no Host', 'GET /fast/nohost HTTP/1.1\r\nAccept: */*\r\n\r\n', /^HTTP\/1\.1 400/],
    ['two Host fields', get('/fast/hosts', 'Host: other\r\n'), /^HTTP\/1\.1 (400|200 OK[\s\S]*node:)/],
    ['space before the colon', get('/fast/sp', 'Accept : x\r\n'), /^HTTP\/1\.1 400/],
    ['a field name with a separator', get('/fast/sep', 'Acc(ept: x\r\n'), /^HTTP\/1\.1 400/],
    ['obs-fold', get('/fast/fold', 'X-A: a\r\n b\r\n'), /^HTTP\/1\.1 400/],
    ['a control character in a value', get('/fast/ctl', 'X-A: a\x01b\r\n'), /^HTTP\/1\.1 400/],
    ['a bare LF', 'GET /fast/lf HTTP/1.1\r\nHost: gw\nX-A: b\r\n\r\n', /^HTTP\/1\.1 (400|200 OK[\s\S]*node:)/],
    ['a space in the target', 'GET /fast/a b HTTP/1.1\r\nHost: gw\r\n\r\n', /^HTTP\/1\.1 400/],
    ['an absolute-form target', 'GET http://gw/fast/abs HTTP/1.1\r\nHost: gw\r\n\r\n', /node:GET http:\/\/gw\/fast\/abs/],
    ['a declined request, sent whole to Node', get('/fast/decline', 'X-Keep: me\r\n'), /node:GET \/fast\/decline/],
  ];
  for (const [what, bytes, want] of cases) {
    const c = new Client(r.port);
    c.send(bytes);
    const [answer] = await c.answers(1);
    t.match(answer ?? '', want, what);
    t.notMatch(answer ?? '', /x-by: fast/, `${what}: not the fast path`);
    c.socket.destroy();
  }
  t.equal(r.front.busy(), 0);
});

t.test('heads in pieces, pipelined requests, and an oversized head', async (t) => {
  const r = await rig();
  t.teardown(r.close);
  const c = new Client(r.port);
  const bytes = get('/fast/slow', 'Accept: x\r\n');
  for (let i = 0; i < bytes.length; i += 7) {
    c.send(bytes.slice(i, i + 7));
    await new Promise((res) => setTimeout(res, 2));
  }
  const [a] = await c.answers(1);
  t.match(a, /x-by: fast[\s\S]*fast:GET \/fast\/slow/, 'a head sent a few bytes at a time');
  c.send(get('/fast/1') + get('/fast/2') + get('/fast/3'));
  const all = await c.answers(4);
  t.same(all.slice(1).map((x) => /fast:GET (\S+)/.exec(x)?.[1]), ['/fast/1', '/fast/2', '/fast/3'], 'pipelined requests answered in order');
  c.send(get('/fast/4') + 'POST /fast/5 HTTP/1.1\r\nHost: gw\r\nContent-Length: 2\r\n\r\nok');
  const six = await c.answers(6);
  t.match(six[4], /x-by: fast/);
  t.match(six[5], /node:POST \/fast\/5 ok/, 'a pipelined request with a body is handed over after the answer before it');
  c.socket.destroy();

  const big = new Client(r.port);
  big.send(get('/fast/big', `X-Big: ${'a'.repeat(20_000)}\r\n`));
  const [b] = await big.answers(1);
  t.match(b, /^HTTP\/1\.1 431/, 'a head over 16 KiB: Node answers 431');
  big.socket.destroy();
});

t.test('regression: 60,000 pipelined GETs never read held 1.6 GB of answers; a pipelined request now waits until the client reads', async (t) => {
  const r = await rig({ sendTimeoutMs: 2_000 });
  t.teardown(r.close);
  const N = 2000;
  const reader = net.connect(r.port, '127.0.0.1');
  reader.on('error', () => {});
  await new Promise((res) => reader.once('connect', res));
  reader.pause(); // not reading: the answers back up on the gateway's side
  let heads = '';
  for (let i = 0; i < N; i++) heads += `GET /fast/k64/${i} HTTP/1.1\r\nHost: gw\r\n\r\n`;
  reader.write(heads);
  await new Promise((res) => setTimeout(res, 1000));
  const whileBlocked = r.handled;
  // Answers of 64 KiB: the socket buffers on both sides hold some megabytes, not 2,000 × 64 KiB (125 MiB).
  t.ok(whileBlocked < N / 4, `only what fits in the socket buffers is answered while the client does not read (${whileBlocked} of ${N})`);
  await new Promise((res) => setTimeout(res, 500));
  t.equal(r.handled, whileBlocked, 'and nothing more while it still does not read');
  // Now the client reads: every answer arrives, in order.
  let got = 0;
  let order = true;
  let buf = Buffer.alloc(0);
  const done = new Promise<void>((resolve) => {
    reader.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0 || buf.length < end + 4 + 65_536) break;
        const body = buf.subarray(end + 4, end + 4 + 65_536).toString('latin1', 0, 20);
        if (!body.startsWith(`/fast/k64/${got}x`)) order = false;
        got++;
        buf = buf.subarray(end + 4 + 65_536);
      }
      if (got === N) resolve();
    });
  });
  reader.resume();
  await Promise.race([done, new Promise((res) => setTimeout(res, 15_000))]);
  t.equal(got, N, 'every pipelined request was answered once the client read');
  t.ok(order, 'in order');
  reader.destroy();

  // A client that never reads is closed after the send timeout (nginx's send_timeout), not held for ever:
  // when it reads at last, it gets what was already sent and then the end, not the other answers.
  const stuck = net.connect(r.port, '127.0.0.1');
  let closed = false;
  let bytes = 0;
  stuck.on('error', () => {});
  stuck.on('close', () => { closed = true; });
  stuck.on('data', (d: Buffer) => { bytes += d.length; });
  await new Promise((res) => stuck.once('connect', res));
  stuck.pause();
  const before = r.handled;
  stuck.write(heads);
  await new Promise((res) => setTimeout(res, 3_500)); // send timeout 2 s, checked by a sweep a second
  stuck.resume();
  const t0 = Date.now();
  while (!closed && Date.now() - t0 < 5000) await new Promise((res) => setTimeout(res, 50));
  t.ok(closed, 'a client whose answers stayed unread past the send timeout finds its connection closed');
  t.ok(r.handled - before < N / 4 && bytes < (N / 4) * 65_600, `and was answered only what had been sent (${r.handled - before} answers, ${bytes} bytes)`);
});

t.test('regression: a head without CRLFCRLF (bare LF, binary, a TLS ClientHello) waited for the head timeout; now Node gets it at once', async (t) => {
  const r = await rig();
  t.teardown(r.close);
  const cases: Array<[string, string]> = [
    ['LF-only lines', 'GET /fast/lf HTTP/1.1\nHost: gw\n'],
    ['a bare LF after a CRLF request line', 'GET /fast/lf HTTP/1.1\r\nHost: gw\n'],
    ['binary garbage', '\x00\x01\xff\xfe'],
    ['a TLS ClientHello', '\x16\x03\x01\x00\xc8\x01\x00\x00\xc4\x03\x03'],
  ];
  for (const [what, bytes] of cases) {
    const c = new Client(r.port);
    c.send(bytes);
    t.ok(await c.closedWithin(1500), `${what}: Node's parser answers at once (no CRLFCRLF needed)`);
    t.notMatch(c.text, /408/, `${what}: not a timeout`);
    c.socket.destroy();
  }
  // A head that can still become a plain one is held until it is complete.
  const c = new Client(r.port);
  c.send('GET /fast/held HTTP/1.1\r\nHost: gw\r\n');
  await new Promise((res) => setTimeout(res, 300));
  t.equal(c.text, '', 'an incomplete plain head waits');
  c.send('\r\n');
  const [a] = await c.answers(1);
  t.match(a, /x-by: fast/, 'and is taken once complete');
  c.socket.destroy();
});

t.test('Connection: close, and a client that leaves mid-answer', async (t) => {
  const r = await rig();
  t.teardown(r.close);
  const c = new Client(r.port);
  c.send(get('/fast/bye', 'Connection: close\r\n'));
  const [a] = await c.answers(1);
  t.match(a, /connection: close/);
  t.ok(await c.closedWithin(2000), 'the connection ends after the answer');

  const h = new Client(r.port);
  h.send(get('/fast/hang'));
  await new Promise((res) => setTimeout(res, 50));
  t.equal(r.front.busy(), 1, 'one answer under way');
  h.socket.destroy();
  await new Promise((res) => setTimeout(res, 50));
  t.equal(r.aborted, 1, 'the answer under way is aborted when the client leaves');
  t.equal(r.front.busy(), 0);
});

t.test('timeouts: a head that does not arrive, an idle keep-alive connection', async (t) => {
  const r = await rig({ headersTimeoutMs: 1000, keepAliveTimeoutMs: 1000 });
  t.teardown(r.close);
  const slow = new Client(r.port);
  slow.send('GET /fast/x HTTP/1.1\r\nHost: g');
  const idle = new Client(r.port);
  idle.send(get('/fast/once'));
  await idle.answers(1);
  const quiet = new Client(r.port);
  t.ok(await slow.closedWithin(4000), 'an unfinished head is cut off');
  t.match(slow.text, /^HTTP\/1\.1 408/, 'with 408');
  t.match(slow.text, /"code":"E_REQUEST_TIMEOUT"/, 'and a body that says so');
  t.ok(await idle.closedWithin(4000), 'an idle keep-alive connection is closed');
  t.ok(await quiet.closedWithin(4000), 'so is a connection that never sends anything');
});

t.test('shutdown: idle connections close at once, busy ones after their answer', async (t) => {
  const r = await rig();
  t.teardown(r.close);
  const idle = new Client(r.port);
  idle.send(get('/fast/a'));
  await idle.answers(1);
  const busy = new Client(r.port);
  busy.send(get('/fast/hang'));
  await new Promise((res) => setTimeout(res, 50));
  r.front.closeIdle();
  t.ok(await idle.closedWithin(1000), 'the idle connection is closed');
  t.notOk(busy.closed, 'the busy one is not');
  r.front.closeAll();
  t.ok(await busy.closedWithin(1000), 'closeAll closes the rest');
});
