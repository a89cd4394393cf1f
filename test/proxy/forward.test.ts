/**
 * forward.test.ts: HTTP forwarding through the proxy to real containers: forwarded headers,
 * gateway credentials stripped, app cookies kept, Set-Cookie scoping, Location rewriting,
 * strip_prefix and container_path, streamed uploads and downloads.
 */
import t from 'tap';
import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import { startGateway, WS_IMAGE } from '../helpers/gateway.ts';
import net from 'node:net';
import { Agent, request } from 'undici';
import { call, callNode, createContainer, patternByte, startContainer, UPLOAD_APP } from './helpers.ts';

t.test('headers, credentials, cookies and redirects on a header-echo app', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token: owner } = await gw.user('owner', { project, role: 'owner' });
  const { token } = await gw.user('gina', { project, role: 'guest' });
  const uuid = await createContainer(gw, owner, project);
  await startContainer(gw, owner, uuid);
  const prefix = `/containers/proxy/${uuid}`;

  // Both ways through the gateway: the listener's fast path (plain requests) and Node's server
  // (here forced by a Content-Length: 0, as a request with a body or an earlier one on the same
  // connection would): the same headers, credentials, cookies and rewrites either way.
  // The fast path takes only connections that carried nothing else: a connection the API calls
  // above used belongs to Node's server, so the fast path gets connections of its own.
  // (The first request after a start is held until the app answers, which is Node's server's job too.)
  await call(gw, `${prefix}/cgi-bin/echo`, { headers: { authorization: `token ${token}` } });
  const fresh = new Agent();
  t.teardown(() => fresh.close());
  for (const mode of ['fast path', "Node's server"]) {
    const via: typeof call = (g, p, o = {}) => mode === 'fast path' ? call(g, p, { ...o, dispatcher: fresh }) : callNode(g, p, o);
    const check = await via(gw, `${prefix}/cgi-bin/echo`, { headers: { authorization: `token ${token}` } });
    t.equal(check.headers['keep-alive'], mode === 'fast path' ? undefined : 'timeout=65', `${mode}: the answer came that way`);
    t.test(mode, async (t) => {
    const r = await via(gw, `${prefix}/cgi-bin/echo?x=1&y=%20z`, {
      headers: {
        authorization: `token ${token}`, cookie: 'app=1; portico_session=secret-session; other=2', 'x-forwarded-for': '6.6.6.6',
        'x-forwarded-host': 'evil.example', 'x-custom': 'kept', te: 'trailers', 'proxy-authorization': 'Basic eA==',
      },
    });
    t.equal(r.status, 200, 'the guest reaches the app');
    const echo = r.json();
    t.equal(echo.url, '/cgi-bin/echo?x=1&y=%20z', 'prefix stripped; query kept byte for byte');
    t.equal(echo.headers['x-custom'], 'kept', 'other headers pass');
    t.notOk('authorization' in echo.headers, 'the gateway token never reaches the app');
    t.equal(echo.headers.cookie, 'app=1; other=2', 'the session cookie is removed, app cookies pass');
    t.equal(echo.headers['x-forwarded-for'], '127.0.0.1', 'X-Forwarded-For is the client, untrusted values dropped');
    t.equal(echo.headers['x-forwarded-proto'], 'http');
    t.equal(echo.headers['x-forwarded-host'], `127.0.0.1:${gw.port}`, 'X-Forwarded-Host is the Host the client used');
    t.equal(echo.headers['x-forwarded-prefix'], prefix, 'X-Forwarded-Prefix names the stripped prefix');
    t.equal(echo.headers.host, `127.0.0.1:${gw.port}`, 'Host is preserved');
    t.notOk('te' in echo.headers || 'proxy-authorization' in echo.headers, 'hop-by-hop headers dropped');

    // A browser session: the cookie authenticates; an Authorization that is not a Portico token is the app's.
    const s = await gw.api('POST', '/api/session', token);
    const sid = /portico_session=([^;]+)/.exec(s.headers.get('set-cookie')!)![1];
    const r2 = await via(gw, `${prefix}/cgi-bin/echo`, { headers: { cookie: `portico_session=${sid}`, authorization: 'token app-own-token-123' } });
    t.equal(r2.status, 200, 'session cookie authenticates');
    t.equal(r2.json().headers.authorization, 'token app-own-token-123', "an app's own Authorization passes");
    t.notOk('cookie' in r2.json().headers, 'a Cookie header with only the session cookie is dropped');

    const c = await via(gw, `${prefix}/cgi-bin/setcookie`, { headers: { authorization: `token ${token}` } });
    t.same(c.headers['set-cookie'], [`app=1; Path=${prefix}`, `narrow=2; Path=${prefix}/sub`], 'Set-Cookie scoped to the container prefix');

    const l = await via(gw, `${prefix}/cgi-bin/redirect`, { headers: { authorization: `token ${token}` } });
    t.equal(l.status, 302);
    t.equal(l.headers.location, `${prefix}/landing?x=1`, 'root-relative Location re-prefixed');

    const st = await via(gw, `${prefix}/cgi-bin/status?503`, { headers: { authorization: `token ${token}` } });
    t.equal(st.status, 503, "the app's own status passes unchanged");
    t.equal(st.text, '503');
    });
  }

  const slash = await call(gw, `${prefix}?a=b`, { headers: { authorization: `token ${token}` } });
  t.equal(slash.status, 308, 'missing slash after the uuid is redirected');
  t.equal(slash.headers.location, `${prefix}/?a=b`);

  const post = await call(gw, `${prefix}/cgi-bin/echo`, { method: 'POST', headers: { authorization: `token ${token}`, 'content-type': 'text/plain' }, body: 'x'.repeat(70_000) });
  t.equal(post.json().bodyLength, 70_000, 'a POST body reaches the app');
});

t.test('strip_prefix off and container_path', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('owner', { project, role: 'owner' });
  const full = await createContainer(gw, token, project, { ...WS_IMAGE, strip_prefix: false, command: UPLOAD_APP });
  const sub = await createContainer(gw, token, project, { container_path: 'cgi-bin' });
  await startContainer(gw, token, sub);
  const r = await call(gw, `/containers/proxy/${sub}/cgi-bin/echo?q=1`, { headers: { authorization: `token ${token}` } });
  t.equal(r.json().url, '/cgi-bin/echo?q=1', 'the path after the prefix reaches the app unchanged, whatever container_path is (as Kiosc)');

  await startContainer(gw, token, full);
  const r2 = await call(gw, `/containers/proxy/${full}/a/b?c=d`, { headers: { authorization: `token ${token}` } });
  t.equal(r2.json().url, `/containers/proxy/${full}/a/b?c=d`, 'without stripping, the app sees the full path');
  t.equal(r2.json().prefix, null, 'no X-Forwarded-Prefix when nothing was stripped');
});

/** uploadApp starts a gateway with one running UPLOAD_APP container, owned by the returned token. */
async function uploadApp(t: { teardown(fn: () => unknown): void }) {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('owner', { project, role: 'owner' });
  const uuid = await createContainer(gw, token, project, { ...WS_IMAGE, command: UPLOAD_APP });
  await startContainer(gw, token, uuid);
  return { gw, token, uuid };
}

t.test('streamed uploads and downloads of any size and method', async (t) => {
  const { gw, token, uuid } = await uploadApp(t);
  const prefix = `/containers/proxy/${uuid}`;
  const auth = { authorization: `token ${token}` };

  const size = 32 * 1024 * 1024;
  const chunk = Buffer.alloc(64 * 1024, 7);
  const hash = createHash('sha256');
  for (let i = 0; i < size / chunk.length; i++) hash.update(chunk);
  let sent = 0;
  const chunked = Readable.from((function* () { while (sent < size) { sent += chunk.length; yield chunk; } })());
  const up = await call(gw, `${prefix}/upload`, { method: 'PUT', headers: auth, body: chunked });
  const j = up.json();
  t.equal(j.n, size, '32 MiB chunked PUT arrives whole');
  t.equal(j.sha, hash.digest('hex'), 'byte for byte');
  t.equal(j.te, 'chunked', 'sent chunked');
  t.equal(j.method, 'PUT');

  const fixed = Buffer.alloc(5 * 1024 * 1024, 3);
  const p = await call(gw, `${prefix}/upload`, { method: 'PATCH', headers: auth, body: fixed });
  t.equal(p.json().n, fixed.length, 'a PATCH with Content-Length arrives');
  t.equal(p.json().cl, String(fixed.length));

  const d = await call(gw, `${prefix}/upload`, { method: 'DELETE', headers: auth });
  t.equal(d.json().method, 'DELETE', 'any method');

  const big = await call(gw, `${prefix}/big/${8 * 1024 * 1024}`, { headers: auth });
  t.equal(big.text.length, 8 * 1024 * 1024, '8 MiB download streams through');

  // Read buffers are reused between reads (zero copy): concurrent downloads with distinct bytes,
  // fast and slow readers, Content-Length and chunked, must each arrive byte for byte.
  // Large enough to outgrow loopback socket buffers, so that writes to slow readers queue.
  const n = 12 * 1024 * 1024 + 123;
  const expect = (seed: number) => {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = patternByte(i, seed);
    return createHash('sha256').update(b).digest('hex');
  };
  const download = async (seed: number, chunked: boolean, slow: boolean) => {
    const r = await request(`${gw.base}${prefix}/pattern/${n}/${seed}${chunked ? '/c' : ''}`, { headers: auth });
    const h = createHash('sha256');
    let len = 0;
    let k = 0;
    if (slow) await new Promise((res) => setTimeout(res, 200)); // a reader the proxy must wait for
    for await (const c of r.body) {
      h.update(c); len += c.length;
      if (slow && ++k % 4 === 0) await new Promise((res) => setTimeout(res, 1));
    }
    return { seed, chunked, slow, len, sha: h.digest('hex'), te: r.headers['transfer-encoding'] };
  };
  const runs = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map((seed) => download(seed, seed > 6, seed % 2 === 0)));
  for (const r of runs) {
    t.equal(r.len, n, `seed ${r.seed}: every byte (${r.chunked ? 'chunked' : 'content-length'}, ${r.slow ? 'slow' : 'fast'} reader)`);
    t.equal(r.sha, expect(r.seed), `seed ${r.seed}: the right bytes in the right order`);
  }
  t.equal(runs[7].te, 'chunked', 'the chunked case really was chunked');
});

/** rawGet sends raw request bytes to the gateway and returns the answer's head bytes and body length. */
function rawGet(port: number, head: Buffer): Promise<{ head: Buffer; bodyLength: number }> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    const s = net.connect(port, '127.0.0.1', () => s.write(head));
    s.on('data', (d) => {
      parts.push(d);
      const all = Buffer.concat(parts);
      const end = all.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/content-length: (\d+)/i.exec(all.subarray(0, end).toString('latin1'))?.[1] ?? -1);
      if (all.length - end - 4 >= length) { s.destroy(); resolve({ head: all.subarray(0, end), bodyLength: all.length - end - 4 }); }
    });
    s.on('error', reject);
  });
}

t.test('header bytes beyond ASCII pass through unchanged, both ways, small and large answers', async (t) => {
  const { gw, token, uuid } = await uploadApp(t);
  const port = Number(new URL(gw.base).port);
  const value = Buffer.from('caf\u00e9 \u20ac', 'utf8'); // UTF-8 bytes in a header, as browsers send in cookies
  for (const n of [16, 3 * 1024 * 1024]) {
    const req = Buffer.concat([
      Buffer.from(`GET /containers/proxy/${uuid}/hdr/${n} HTTP/1.1\r\nhost: x\r\nauthorization: token ${token}\r\nx-bytes: `),
      value, Buffer.from('\r\n\r\n'),
    ]);
    const r = await rawGet(port, req);
    t.ok(r.head.toString('latin1').startsWith('HTTP/1.1 200'), `${n} bytes: 200`);
    t.equal(r.bodyLength, n, `${n} bytes: the whole body`);
    const at = r.head.indexOf('x-back: ');
    t.ok(at > 0, `${n} bytes: the echoed header is there`);
    t.same([...r.head.subarray(at + 8, at + 8 + value.length)], [...value], `${n} bytes: its bytes are the ones the client sent, through the app and back`);
  }
});
