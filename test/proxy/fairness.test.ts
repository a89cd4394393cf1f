/**
 * fairness.test.ts: one member cannot take an app, or the gateway, from everyone else — through
 * the whole gateway, with bounded loads (counts and times fixed) and the figures printed. The app
 * is a small Node server in a container: /slow never answers, /big/<n> sends n bytes, /read answers
 * once it has read the body, /count answers after 50 ms with the most requests it has had at once,
 * / says ok (at once, without reading a body).
 */
import t from 'tap';
import net from 'node:net';
import { request } from 'undici';
import { startGateway, WS_IMAGE } from '../helpers/gateway.ts';
import { createContainer, startContainer } from './helpers.ts';

const APP = `node -e "let c=0,m=0;require('http').createServer((q,s)=>{if(q.url==='/slow')return;`
  + `if(q.url==='/count'){c++;m=Math.max(m,c);setTimeout(()=>{c--;s.end('max '+m)},50);return}`
  + `if(q.url==='/read'){q.resume();q.on('end',()=>s.end('read'));return}`
  + `if(q.url.startsWith('/big/')){s.setHeader('content-length',+q.url.slice(5));s.end(Buffer.alloc(+q.url.slice(5),97));return}s.end('ok')}).listen(80)"`;

/** timed runs `fn` and returns its result and the milliseconds it took. */
async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const r = await fn();
  return [r, performance.now() - t0];
}

t.test('fairness', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token: owner } = await gw.user('owner', { project, role: 'owner' });
  const { token: guest } = await gw.user('guest', { project, role: 'guest' });
  const { token: admin } = await gw.user('admin', { admin: true });
  const uuid = await createContainer(gw, owner, project, { ...WS_IMAGE, command: APP });
  await startContainer(gw, owner, uuid);
  const prefix = `/containers/proxy/${uuid}`;
  const asAdmin = () => timed(async () => {
    const r = await request(`${gw.base}${prefix}/`, { headers: { authorization: `token ${admin}` }, headersTimeout: 20_000 });
    return { status: r.statusCode, text: await r.body.text() };
  });
  t.equal((await asAdmin())[0].text, 'ok', 'the app answers');
  const opened: net.Socket[] = [];
  t.teardown(() => { for (const s of opened) s.destroy(); });
  const connect = () => {
    const s = net.connect(gw.port, '127.0.0.1');
    s.on('error', () => {});
    opened.push(s);
    return s;
  };

  t.test('regression: 260 clients of one member that never read a 4 MiB answer do not block the app for the site admin', async (t) => {
    const readers: net.Socket[] = [];
    for (let k = 0; k < 260; k++) {
      const s = connect();
      s.pause(); // never reads
      s.write(`GET ${prefix}/big/4194304 HTTP/1.1\r\nHost: x\r\nAuthorization: token ${guest}\r\n\r\n`);
      readers.push(s);
    }
    // The guest's 64 sockets first fill the readers' socket buffers (some 200 MB on loopback): then the admin asks.
    await new Promise((r) => setTimeout(r, 3_000));
    const [a, ms] = await asAdmin();
    t.equal(a.status, 200, `the admin is answered in ${ms.toFixed(0)} ms (nginx: 113 ms; before: no answer in 20 s)`);
    t.ok(ms < 5_000);
    for (const s of readers) s.destroy();
  });

  for (const path of ['/read', '/']) {
    t.test(`regression: 260 uploads of one member sending a byte every 2 s do not block the app for the site admin (${path === '/' ? 'the app answers at once' : 'the app reads them'})`, async (t) => {
      const uploads: net.Socket[] = [];
      for (let k = 0; k < 260; k++) {
        const s = connect();
        s.write(`POST ${prefix}${path} HTTP/1.1\r\nHost: x\r\nAuthorization: token ${guest}\r\nContent-Length: 1000\r\n\r\na`);
        uploads.push(s);
      }
      const drip = setInterval(() => { for (const s of uploads) s.write('a'); }, 2_000);
      await new Promise((r) => setTimeout(r, 2_500));
      const [a, ms] = await asAdmin();
      clearInterval(drip);
      t.equal(a.status, 200, `the admin is answered in ${ms.toFixed(0)} ms (before: no answer in 20 s)`);
      t.ok(ms < 5_000);
      for (const s of uploads) s.destroy();
    });
  }

  t.test("pipelined requests on Node's path go to the app one at a time, in order", async (t) => {
    const s = connect();
    let got = '';
    const done = new Promise<void>((r) => { s.on('data', (d) => { got += d.toString('latin1'); if ((got.match(/max \d+/g) ?? []).length === 5) r(); }); });
    s.write(`GET ${prefix}/count HTTP/1.1\r\nHost: x\r\nAuthorization: token ${guest}\r\nContent-Length: 0\r\n\r\n`.repeat(5));
    await Promise.race([done, new Promise((r) => setTimeout(r, 5_000))]);
    t.same(got.match(/max \d+/g), ['max 1', 'max 1', 'max 1', 'max 1', 'max 1'], 'five answers, and the app never had two of them at once');
    s.destroy();
  });

  t.test('regression: pipelined requests past the bound were each answered 503 (60,000 cost 3.3 s of CPU and 170 MiB); now one 503 closes the connection', async (t) => {
    const s = connect();
    let got = '';
    let closed = false;
    s.on('data', (d) => { got += d.toString('latin1'); });
    s.on('close', () => { closed = true; });
    // One write: Node's parser hands the gateway all of them at once, so 64 wait behind the first.
    s.write(`GET ${prefix}/ HTTP/1.1\r\nHost: x\r\nAuthorization: token ${guest}\r\nContent-Length: 0\r\n\r\n`.repeat(500));
    const t0 = Date.now();
    while (!closed && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 20));
    t.ok(closed, "the gateway closes the connection");
    const statuses = [...got.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => m[1]);
    t.equal(statuses.length, 66, 'the first, the 64 that waited, and one refusal: the rest were not taken');
    t.ok(statuses.slice(0, 65).every((x) => x === '200'), 'those taken were answered by the app, in order');
    t.equal(statuses[65], '503', 'the one past the bound is refused');
    const last = got.slice(got.lastIndexOf('HTTP/1.1 503'));
    t.match(last, /connection: close/i, 'with Connection: close');
    t.match(last, /E_UPSTREAM_BUSY/, 'and a body that says why');
    t.match(last, /retry-after: 1\r\n/i, 'regression: E_UPSTREAM_BUSY had no Retry-After; now it says when to try again');
    s.destroy();
  });

  t.test('regression: 60,000 pipelined requests to a slow path, then a disconnect, do not freeze the gateway', async (t) => {
    const s = connect();
    let got = '';
    s.on('data', (d) => { if (got.length < 65_536) got += d.toString('latin1'); });
    const one = `GET ${prefix}/slow HTTP/1.1\r\nHost: x\r\nAuthorization: token ${guest}\r\nContent-Length: 0\r\n\r\n`;
    const cpu0 = process.cpuUsage();
    s.write(one.repeat(60_000));
    await new Promise((r) => setTimeout(r, 1_000));
    const [, during] = await timed(() => fetch(`${gw.base}/healthz`).then((r) => r.text()));
    // (Answers go out in order: nothing can come before the first, which never ends. The requests go
    // to the app one at a time, those past the connection's bound are answered 503 into Node's
    // queue, and once that queue is full Node stops reading the connection.)
    t.equal(got, '', 'no answer overtakes the first');
    s.destroy();
    const [h, after] = await timed(() => fetch(`${gw.base}/healthz`).then((r) => r.status));
    const cpu = process.cpuUsage(cpu0);
    t.equal(h, 200);
    t.ok(during < 5_000 && after < 5_000, `/healthz answered in ${during.toFixed(0)} ms during and ${after.toFixed(0)} ms after the disconnect (before: 17 s)`);
    t.comment(`gateway CPU for the flood: ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms`);
    const [a] = await asAdmin();
    t.equal(a.status, 200, 'and the app is still reachable');
  });
});
