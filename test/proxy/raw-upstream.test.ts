/**
 * raw-upstream.test.ts: the proxy's socket-level HTTP client against scripted apps on real
 * sockets (net.Server writing exact bytes): framing, interim answers, keep-alive reuse, a stale
 * pooled socket, refused connections, backpressure and chunked uploads.
 */
import t from 'tap';
import net from 'node:net';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { PAUSE, RawPool } from '../../gateway/proxy/raw-upstream.ts';
import type { UpstreamRequest } from '../../gateway/proxy/raw-upstream.ts';

interface Answer { status: number; reason: string; headers: Record<string, string | string[]>; body: Buffer; error: (Error & { code?: string }) | null }

/** scripted starts a server that answers each request head with `reply(head, socket)`; counts connections. */
async function scripted(reply: (head: string, socket: net.Socket, n: number) => void) {
  const state = { connections: 0, requests: 0 };
  const open = new Set<net.Socket>();
  const server = net.createServer((s) => {
    state.connections++;
    open.add(s);
    s.on('close', () => open.delete(s));
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString('latin1');
      let i;
      while ((i = buf.indexOf('\r\n\r\n')) >= 0) {
        const head = buf.slice(0, i);
        buf = buf.slice(i + 4);
        reply(head, s, ++state.requests);
      }
    });
    s.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { port, state, close: () => new Promise<void>((r) => { server.close(() => r()); for (const c of open) c.destroy(); }) };
}

function send(pool: RawPool, req: Partial<UpstreamRequest>, pauseOnce = false, onHead?: () => void): Promise<Answer> {
  return new Promise((resolve) => {
    const a: Answer = { status: 0, reason: '', headers: {}, body: Buffer.alloc(0), error: null };
    const parts: Buffer[] = [];
    let paused = false;
    const h = pool.request({ method: 'GET', path: '/', headers: ['host', 'app'], body: null, client: 'u', ...req }, {
      interim() {},
      head(status, reason, flat) {
        onHead?.();
        a.status = status; a.reason = reason;
        // Back to an object for the assertions: repeats become a list.
        for (let i = 0; i < flat.length; i += 2) {
          const prev = a.headers[flat[i]];
          a.headers[flat[i]] = prev === undefined ? flat[i + 1] : ([] as string[]).concat(prev, flat[i + 1]);
        }
      },
      data(chunk) {
        parts.push(Buffer.from(chunk)); // a copy: the view's buffer is reused
        if (pauseOnce && !paused) { paused = true; setTimeout(() => h.resume(), 20); return PAUSE; }
        return 0;
      },
      end() { a.body = Buffer.concat(parts); resolve(a); },
      error(err) { a.error = err; resolve(a); },
    });
  });
}

t.test('framing: content-length, chunked, until close, HEAD, 204, 1xx', async (t) => {
  const app = await scripted((head, s) => {
    const path = head.split(' ')[1];
    if (path === '/fixed') s.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\nX-A: 2\r\n\r\nhello');
    else if (path === '/chunked') {
      // Split mid-size-line and mid-data, with an extension and a trailer.
      s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nwi');
      setTimeout(() => s.write('ki\r\n'), 5);
      setTimeout(() => s.write('5\r\npedia\r\n0\r\nX-T: 1\r\n\r\n'), 10);
    } else if (path === '/close') { s.write('HTTP/1.1 200 OK\r\n\r\nuntil '); setTimeout(() => s.end('close'), 5); }
    else if (path === '/head') s.write('HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n');
    else if (path === '/both') s.write('HTTP/1.1 200 OK\r\nContent-Length: 99\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n');
    else if (path === '/nocontent') s.write('HTTP/1.1 204 No Content\r\n\r\n');
    else if (path === '/interim') s.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok');
  });
  t.teardown(app.close);
  const pool = new RawPool('127.0.0.1', app.port);
  t.teardown(() => pool.close());

  const f = await send(pool, { path: '/fixed' });
  t.equal(f.status, 200); t.equal(f.reason, 'OK'); t.equal(f.body.toString(), 'hello');
  t.same(f.headers['x-a'], ['1', '2'], 'repeated headers become a list');
  t.equal((await send(pool, { path: '/chunked' })).body.toString(), 'wikipedia', 'chunked decoded across packets, extension and trailer skipped');
  const c = await send(pool, { path: '/close' });
  t.equal(c.body.toString(), 'until close', 'no framing: read until the app closes');
  const h = await send(pool, { path: '/head', method: 'HEAD' });
  t.equal(h.status, 200); t.equal(h.body.length, 0, 'HEAD has no body despite Content-Length');
  t.equal((await send(pool, { path: '/nocontent' })).status, 204);
  const both = await send(pool, { path: '/both' });
  t.equal(both.error?.code, 'EPROTO', 'Transfer-Encoding with Content-Length is refused (as llhttp and undici do)');
  const i = await send(pool, { path: '/interim' });
  t.equal(i.status, 201, '1xx answers are skipped'); t.equal(i.body.toString(), 'ok');
  t.equal((await send(pool, { path: '/fixed' })).body.toString(), 'hello', 'the socket is still usable after a HEAD and a 204');
  const thrown = await send(pool, { path: '/fixed' }, false, () => { throw new TypeError('invalid header'); });
  t.equal(thrown.error?.code, 'EPROTO', 'a head the front cannot write is an error for this request, not a crash');
});

t.test('keep-alive reuse, Connection: close, and a stale pooled socket', async (t) => {
  let closeAfter = false;
  const app = await scripted((head, s, n) => {
    if (head.startsWith('POST')) { s.destroy(); return; } // drops a non-idempotent request without answering
    if (head.includes('/stale')) { s.destroy(); return; }
    s.write(`HTTP/1.1 200 OK\r\nContent-Length: ${String(n).length}\r\n${closeAfter ? 'Connection: close\r\n' : ''}\r\n${n}`);
    if (closeAfter) s.end();
  });
  t.teardown(app.close);
  const pool = new RawPool('127.0.0.1', app.port);
  t.teardown(() => pool.close());
  for (let k = 0; k < 5; k++) t.equal((await send(pool, {})).status, 200);
  t.equal(app.state.connections, 1, 'five sequential requests share one kept-alive socket');

  // The app closes the kept-alive socket as the request arrives: retried once on a fresh one.
  let first = true;
  const app2 = await scripted((head, s, n) => {
    if (first) { first = false; s.write(`HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n${n}`); return; }
    if (app2.state.connections === 1) { s.destroy(); return; } // stale: closes without a byte
    s.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfresh');
  });
  t.teardown(app2.close);
  const pool2 = new RawPool('127.0.0.1', app2.port);
  t.teardown(() => pool2.close());
  await send(pool2, {});
  const r = await send(pool2, {});
  t.equal(r.error, null); t.equal(r.body.toString(), 'fresh', 'an idempotent request is retried on a fresh socket');
  t.equal(app2.state.connections, 2);

  const post = await send(pool, { method: 'POST', path: '/x', headers: ['host', 'app', 'content-length', '0'] });
  t.equal(post.error?.code, 'ECONNRESET', 'a POST is not retried; the failure is reported');

  await send(pool, {}); // a new kept-alive socket after the POST's was dropped
  closeAfter = true;
  const before = app.state.connections;
  await send(pool, {});
  closeAfter = false;
  await send(pool, {});
  t.equal(app.state.connections, before + 1, 'Connection: close is honoured: the next request opens a new socket');
});

t.test('refused, backpressure, and chunked uploads', async (t) => {
  const gone = await scripted(() => {});
  const port = gone.port;
  await gone.close();
  const refused = await send(new RawPool('127.0.0.1', port), {});
  t.equal(refused.error?.code, 'ECONNREFUSED', 'a refused connection is reported with its code');

  const big = Buffer.alloc(4 * 1024 * 1024, 120);
  const server = http.createServer((req, res) => {
    if (req.url === '/big') { res.end(big); return; }
    let n = 0;
    req.on('data', (d: Buffer) => { n += d.length; });
    req.on('end', () => res.end(JSON.stringify({ n, te: req.headers['transfer-encoding'] ?? null })));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));
  const pool = new RawPool('127.0.0.1', (server.address() as AddressInfo).port);
  t.teardown(() => pool.close());
  const b = await send(pool, { path: '/big' }, true);
  t.equal(b.body.length, big.length, 'a paused and resumed download arrives whole');

  // A chunked upload: the client side is a real IncomingMessage on a second server.
  const front = http.createServer((req, res) => {
    send(pool, { method: 'PUT', path: '/up', headers: ['host', 'app'], body: req as IncomingMessage }).then((a) => res.end(a.body));
  });
  await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => { front.closeAllConnections(); front.close(() => r()); }));
  const out = await new Promise<string>((resolve, reject) => {
    const q = http.request({ port: (front.address() as AddressInfo).port, host: '127.0.0.1', method: 'PUT', path: '/' }, (res) => {
      let s = ''; res.on('data', (d) => { s += d; }); res.on('end', () => resolve(s));
    });
    q.on('error', reject);
    for (let k = 0; k < 10; k++) q.write(Buffer.alloc(100_000, 1));
    q.end();
  });
  t.same(JSON.parse(out), { n: 1_000_000, te: 'chunked' }, 'a chunked upload is re-framed and arrives whole');
});
