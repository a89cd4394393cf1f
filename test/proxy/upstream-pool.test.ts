/**
 * upstream-pool.test.ts: the upstream pool's limits and the exchange's framing guards, against
 * raw `net` servers as apps: O(1) removal from a bounded wait queue, a per-client share, the
 * queue's time limit, a stalled reader dropped, pausing that really pauses, and framing that
 * never lets one answer's bytes reach another request.
 */
import t from 'tap';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { PAUSE, RawPool } from '../../gateway/proxy/raw-upstream.ts';
import type { UpstreamRequest } from '../../gateway/proxy/raw-upstream.ts';

interface Answer { status: number; body: string; interim: number[]; codings: string; error: (Error & { code?: string }) | null; ms: number }

/** app answers each request head with reply(path, socket); holds (never answers) when reply returns false. */
async function app(reply: (path: string, s: net.Socket) => void) {
  const open = new Set<net.Socket>();
  const state = { connections: 0, heads: 0 };
  const server = net.createServer((s) => {
    state.connections++;
    open.add(s);
    s.on('close', () => open.delete(s));
    s.on('error', () => {});
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString('latin1');
      let i;
      while ((i = buf.indexOf('\r\n\r\n')) >= 0) {
        const head = buf.slice(0, i);
        buf = buf.slice(i + 4);
        state.heads++;
        reply(head.split(' ')[1], s);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port, state, open,
    close: () => new Promise<void>((r) => { for (const c of open) c.destroy(); server.close(() => r()); }),
  };
}

function send(pool: RawPool, req: Partial<UpstreamRequest>, opts: { pause?: 'never' | 'once' } = {}): Promise<Answer> & { handle: { abort(): void; resume(): void } } {
  const t0 = performance.now();
  let handle!: { abort(): void; resume(): void };
  const p = new Promise<Answer>((resolve) => {
    const a: Answer = { status: 0, body: '', interim: [], codings: '', error: null, ms: 0 };
    let paused = false;
    handle = pool.request({ method: 'GET', path: '/', headers: ['host', 'app'], body: null, client: 'u', ...req }, {
      interim(status) { a.interim.push(status); },
      head(status, _r, _h, codings) { a.status = status; a.codings = codings; },
      data(chunk) {
        a.body += chunk.toString('latin1');
        if (opts.pause === 'never') return PAUSE;
        if (opts.pause === 'once' && !paused) { paused = true; setTimeout(() => handle.resume(), 20); return PAUSE; }
        return 0;
      },
      end() { a.ms = performance.now() - t0; resolve(a); },
      error(err) { a.error = err; a.ms = performance.now() - t0; resolve(a); },
    });
  });
  return Object.assign(p, { handle });
}

const ok = (body: string) => `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`;

t.test('regression: 60,000 queued requests of one client are bounded and leave in O(1) each', async (t) => {
  const a = await app((path, s) => { if (path !== '/slow') s.write(ok('x')); });
  t.teardown(a.close);
  const pool = new RawPool('127.0.0.1', a.port, { connections: 1, perClient: 100_000, queue: 100_000 });
  t.teardown(() => pool.close());
  const first = send(pool, { path: '/slow' });
  const queued = Array.from({ length: 60_000 }, () => send(pool, {}));
  const t0 = performance.now();
  for (const q of queued) q.handle.abort();
  const ms = performance.now() - t0;
  t.ok(ms < 1_000, `aborting 60,000 queued exchanges took ${ms.toFixed(0)} ms (an array's indexOf + splice took 5.5 s)`);
  first.handle.abort();
  const after = await send(pool, {});
  t.equal(after.body, 'x', 'the pool still serves afterwards');

  // With the default limits, one client's flood is refused at once beyond its share and the queue.
  const bounded = new RawPool('127.0.0.1', a.port, { connections: 1 });
  t.teardown(() => bounded.close());
  const hold = send(bounded, { path: '/slow' });
  const flood = Array.from({ length: 5_000 }, () => send(bounded, {}));
  const refused = (await Promise.race([Promise.all(flood.slice(-100)), new Promise<null>((r) => setTimeout(() => r(null), 2_000))]));
  t.ok(refused !== null && refused.every((r) => r.error?.code === 'EBUSY'), 'requests past the bound get EBUSY (a 503) at once, not a place in an endless queue');
  hold.handle.abort();
  for (const f of flood) f.handle.abort();
});

t.test('regression: the wait for a socket has a time limit (a clean EBUSY, not an endless wait)', async (t) => {
  const a = await app((path, s) => { if (path !== '/slow') s.write(ok('x')); });
  t.teardown(a.close);
  const pool = new RawPool('127.0.0.1', a.port, { connections: 1, queueMs: 300 });
  t.teardown(() => pool.close());
  const hold = send(pool, { path: '/slow' });
  const waited = await send(pool, {});
  t.equal(waited.error?.code, 'EBUSY', `refused after ${waited.ms.toFixed(0)} ms in the queue`);
  t.match(waited.error?.message, /no connection to the app became free/);
  t.ok(waited.ms < 2_500, 'within the limit and one sweep');
  hold.handle.abort();
});

t.test('regression: one client cannot hold every socket of an app; a closed socket hands its place on', async (t) => {
  const a = await app((path, s) => { if (path !== '/slow') s.write(ok('x')); });
  t.teardown(a.close);
  const pool = new RawPool('127.0.0.1', a.port, { connections: 4, perClient: 2 });
  t.teardown(() => pool.close());
  const guest = Array.from({ length: 10 }, () => send(pool, { path: '/slow', client: 'guest' }));
  await new Promise((r) => setTimeout(r, 300));
  t.equal(a.state.heads, 2, "the guest's ten slow requests take two sockets; the rest wait behind its share");
  const admin = await send(pool, { client: 'admin' });
  t.equal(admin.body, 'x', `another user is answered at once (${admin.ms.toFixed(0)} ms)`);
  guest[0].handle.abort();
  await new Promise((r) => setTimeout(r, 300));
  t.equal(a.state.heads, 4, "an aborted guest request's place (its socket closed) goes to the guest's next one");
  for (const g of guest) g.handle.abort();
});

t.test('regression: a client that stops reading releases its upstream socket after the stall limit', async (t) => {
  const big = 'y'.repeat(4 * 1024 * 1024);
  const a = await app((path, s) => { s.write(path === '/big' ? ok(big) : ok('x')); });
  t.teardown(a.close);
  const pool = new RawPool('127.0.0.1', a.port, { connections: 1, stallMs: 500 });
  t.teardown(() => pool.close());
  const stalled = send(pool, { path: '/big' }, { pause: 'never' });
  const next = send(pool, {});
  const s = await stalled;
  t.equal(s.error?.code, 'ESTALLED', 'the paused answer is dropped');
  t.ok(s.body.length < big.length, 'before it was read whole');
  const n = await next;
  t.equal(n.body, 'x', `the waiting request gets the socket's place (${n.ms.toFixed(0)} ms)`);
});

t.test('regression: PAUSE stops the hand-over within one read (no drain listener per chunk)', async (t) => {
  // 200 small chunks in one write: each would have been handed on (and a drain listener added) despite PAUSE.
  let chunks = '';
  for (let k = 0; k < 200; k++) chunks += '1\r\nz\r\n';
  const a = await app((_p, s) => { s.write(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${chunks}0\r\n\r\n`); });
  t.teardown(a.close);
  const pool = new RawPool('127.0.0.1', a.port);
  t.teardown(() => pool.close());
  let calls = 0;
  const done = new Promise<string>((resolve) => {
    let body = '';
    const h = pool.request({ method: 'GET', path: '/', headers: ['host', 'app'], body: null, client: 'u' }, {
      interim() {}, head() {},
      data(c) { calls++; body += c.toString(); if (calls === 1) { setTimeout(() => { t.equal(calls, 1, 'nothing more is handed on while paused'); h.resume(); }, 50); return PAUSE; } return 0; },
      end() { resolve(body); }, error(e) { resolve('error ' + e.message); },
    });
  });
  t.equal(await done, 'z'.repeat(200), 'and everything arrives after resume');
});

t.test('regression: with Transfer-Encoding the answer is never framed by Content-Length, so no bytes reach the next request', async (t) => {
  const a = await app((path, s) => {
    if (path === '/te-cl') s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, identity\r\nContent-Length: 5\r\n\r\nhello' + ok('smuggled'));
    else if (path === '/gzip') s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nZIPPED' + ok('smuggled'));
    else if (path === '/hints') s.write('HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\nHTTP/1.1 102 Processing\r\n\r\n' + ok('x'));
    else s.write(ok('mine'));
  });
  t.teardown(a.close);
  const pool = new RawPool('127.0.0.1', a.port, { connections: 1 });
  t.teardown(() => pool.close());
  const bad = await send(pool, { path: '/te-cl' });
  t.equal(bad.error?.code, 'EPROTO', 'TE and CL together: refused (a 502)');
  t.equal((await send(pool, {})).body, 'mine', 'the next request gets its own answer');
  const gz = send(pool, { path: '/gzip' });
  setTimeout(() => { for (const s of a.open) s.end(); }, 100);
  const g = await gz;
  t.equal(g.codings, 'gzip', 'a coding that is not decoded is passed on');
  t.equal(g.body, 'ZIPPED' + ok('smuggled'), 'and the body runs until the app closes (RFC 9112 §6.3)');
  t.equal((await send(pool, {})).body, 'mine', 'on a socket that is not reused');
  const hints = await send(pool, { path: '/hints' });
  t.same(hints.interim, [103, 102], 'regression: 1xx answers are handed on, not dropped');
  t.equal(hints.body, 'x');
});

t.test('regression: without a Node timer per socket, a head that never comes still fails in time, a slow body does not, and idle sockets close', async (t) => {
  const a = await app((path, s) => {
    if (path === '/never') return;
    if (path === '/slow-body') { s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\na'); setTimeout(() => s.write('b'), 1_500); return; }
    s.write(ok('x'));
  });
  t.teardown(a.close);
  const pool = new RawPool('127.0.0.1', a.port, { headersMs: 500, idleMs: 1_000 });
  t.teardown(() => pool.close());
  const never = await send(pool, { path: '/never' });
  t.equal(never.error?.code, 'ETIMEDOUT', 'no head within headersMs: ETIMEDOUT (a 504)');
  t.ok(never.ms >= 450 && never.ms < 3_000, `within the sweep's second (${Math.round(never.ms)} ms)`);
  const slow = await send(pool, { path: '/slow-body' });
  t.equal(slow.error, null, 'a body slower than headersMs is not cut: the limit is for the head only');
  t.equal(slow.body, 'ab');
  t.equal((await send(pool, {})).body, 'x');
  const before = a.state.connections;
  t.ok(a.open.size >= 1, 'the socket went back to the pool');
  await new Promise((r) => setTimeout(r, 2_500));
  t.equal(a.open.size, 0, 'an idle socket is closed after idleMs');
  t.equal((await send(pool, {})).body, 'x', 'and the next request opens a new one');
  t.equal(a.state.connections, before + 1);
});
