/**
 * app-answers.test.ts: apps that answer in unusual or broken ways, through the whole gateway on
 * both of its paths (the listener's fast path and Node's server): the app is a raw `net` server
 * in a container writing exact bytes. Bare-LF heads are served; an invalid answer is a 502 with
 * its reason and a log line; codings the gateway does not decode are kept; 1xx answers reach the
 * client; an Upgrade with a body is refused at once.
 */
import t from 'tap';
import net from 'node:net';
import { startGateway, WS_IMAGE } from '../helpers/gateway.ts';
import { captureLogger, createContainer, startContainer } from './helpers.ts';

const ANSWERS: Record<string, string> = {
  '/lf': 'HTTP/1.1 200 OK\\nContent-Type: text/plain\\nContent-Length: 5\\n\\nhello',
  '/lfclose': 'HTTP/1.1 200 OK\\nContent-Type: text/plain\\n\\nhello busybox\\n',
  '/gzip': 'HTTP/1.1 200 OK\\r\\nTransfer-Encoding: gzip, chunked\\r\\n\\r\\n2\\r\\nok\\r\\n0\\r\\n\\r\\n',
  '/hints': 'HTTP/1.1 103 Early Hints\\r\\nLink: </a.css>; rel=preload\\r\\n\\r\\nHTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nok',
  '/twocl': 'HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\nContent-Length: 2\\r\\n\\r\\nok',
  '/te-cl': 'HTTP/1.1 200 OK\\r\\nTransfer-Encoding: chunked, identity\\r\\nContent-Length: 5\\r\\n\\r\\nhelloHTTP/1.1 200 OK\\r\\nContent-Length: 8\\r\\n\\r\\nsmuggled',
  '/': 'HTTP/1.1 200 OK\\r\\nContent-Length: 4\\r\\n\\r\\nmine',
};

/** RAW_APP reads each request (head and Content-Length body) and writes ANSWERS[path]; an answer without framing closes. */
const RAW_APP = `node -e "const R={${Object.entries(ANSWERS).map(([k, v]) => `'${k}':'${v}'`).join(',')}};`
  + `require('net').createServer(s=>{let b='';s.on('error',()=>{});s.on('data',d=>{b+=d.toString('latin1');let i;`
  + `while((i=b.indexOf('\\r\\n\\r\\n'))>=0){const h=b.slice(0,i);const m=/content-length: *(\\d+)/i.exec(h);const n=m?+m[1]:0;if(b.length<i+4+n)return;`
  + `b=b.slice(i+4+n);const p=h.split(' ')[1];if(p==='/chunks'){let c='';for(let k=0;k<64;k++)c+='400\\r\\n'+'a'.repeat(1024)+'\\r\\n';`
  + `s.write('HTTP/1.1 200 OK\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n');for(let k=0;k<64;k++)s.write(c);s.write('0\\r\\n\\r\\n');continue}`
  + `const a=R[p]||R['/'];s.write(a,'latin1');if(!/ength|chunked/.test(a))s.end()}})}).listen(80)"`;

/** raw sends one request (Connection: close) and returns every byte of the answer as latin1; `stallMs`: reads nothing that long first. */
function raw(port: number, text: string, stallMs = 0): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    if (stallMs > 0) { s.pause(); setTimeout(() => s.resume(), stallMs); }
    let out = '';
    s.on('data', (d) => { out += d.toString('latin1'); });
    s.on('close', () => resolve(out));
    s.on('error', () => {});
    s.setTimeout(10_000, () => s.destroy());
    s.write(text);
  });
}

t.test('apps that answer in unusual or broken ways', async (t) => {
  const logger = captureLogger();
  const gw = await startGateway({}, { logger });
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('owner', { project, role: 'owner' });
  const uuid = await createContainer(gw, token, project, { ...WS_IMAGE, command: RAW_APP });
  await startContainer(gw, token, uuid);
  const prefix = `/containers/proxy/${uuid}`;
  const get = (path: string, extra = '', stallMs = 0) => raw(gw.port, `GET ${prefix}${path} HTTP/1.1\r\nHost: x\r\nAuthorization: token ${token}\r\nConnection: close\r\n${extra}\r\n`, stallMs);
  const body = (answer: string) => answer.slice(answer.indexOf('\r\n\r\n') + 4);
  // The first request after a start may be held by the starter: one plain request first.
  await get('/');

  for (const [mode, extra] of [['fast path', ''], ["Node's server", 'Content-Length: 0\r\n']]) {
    t.test(mode, async (t) => {
      const lf = await get('/lf', extra);
      t.match(lf, /^HTTP\/1\.1 200 OK\r\n/, 'regression: a bare-LF response head is accepted, not a 502 "cannot be reached (ECONNRESET)"');
      t.equal(body(lf), 'hello');
      const busybox = await get('/lfclose', extra);
      t.match(busybox, /^HTTP\/1\.1 200 /, 'a busybox-style CGI answer (bare LF, until close) too');
      t.match(busybox, /hello busybox\n/);

      const two = await get('/twocl', extra);
      t.match(two, /^HTTP\/1\.1 502 /, 'regression: a duplicate Content-Length is refused, not forwarded as is');
      t.match(body(two), /"code":"E_UPSTREAM_INVALID"/, 'with a JSON reason');
      t.match(body(two), /not valid HTTP: the app sent an invalid or repeated Content-Length/);

      const smuggle = await get('/te-cl', extra);
      t.match(smuggle, /^HTTP\/1\.1 502 /, 'regression: TE "chunked, identity" with Content-Length: 5 is not framed by the length');
      t.equal(body(await get('/', extra)), 'mine', 'and the bytes the app sent after it reach nobody');

      const gz = await get('/gzip', extra);
      t.match(gz, /\r\ntransfer-encoding: gzip, chunked\r\n/i, 'a coding the gateway did not decode is still named');
      t.match(body(gz), /^2\r\nok\r\n0\r\n\r\n$/, 're-chunked by the gateway');

      const hints = await get('/hints', extra);
      t.match(hints, /^HTTP\/1\.1 103 Early Hints\r\n(?:.*\r\n)*?link: <\/a\.css>; rel=preload\r\n/i, 'regression: 103 Early Hints are forwarded, not dropped');
      t.match(hints, /\r\n\r\nHTTP\/1\.1 200 OK\r\n/, 'then the answer');

      const warnings: string[] = [];
      const onWarning = (w: Error) => warnings.push(w.name);
      process.on('warning', onWarning);
      const slow = await get('/chunks', extra, 1_000);
      process.off('warning', onWarning);
      t.ok(slow.length > 4 * 1024 * 1024 && slow.endsWith('0\r\n\r\n'), `4 MiB of 1 KiB chunks reach a reader that stalled 1 s (${slow.length} bytes)`);
      t.notOk(warnings.includes('MaxListenersExceededWarning'), 'regression: a slow reader of many small chunks causes no MaxListenersExceededWarning on drain');
    });
  }

  t.test('regression: a POST to a bare-LF app gets its answer (it was closed with no answer and no log line)', async (t) => {
    const post = await raw(gw.port, `POST ${prefix}/lf HTTP/1.1\r\nHost: x\r\nAuthorization: token ${token}\r\nConnection: close\r\nContent-Length: 3\r\n\r\nabc`);
    t.match(post, /^HTTP\/1\.1 200 OK\r\n/);
    t.equal(body(post), 'hello');
    logger.lines.length = 0;
    const bad = await raw(gw.port, `POST ${prefix}/twocl HTTP/1.1\r\nHost: x\r\nAuthorization: token ${token}\r\nConnection: close\r\nContent-Length: 3\r\n\r\nabc`);
    t.match(bad, /^HTTP\/1\.1 502 /, 'a POST whose answer is invalid gets a 502, not a closed connection');
    t.ok(logger.lines.some((l) => /EPROTO/.test(l.msg)), 'and a log line');
  });

  t.test('regression: an Upgrade request with a body is refused with 400 at once (not a 504 after 30 s)', async (t) => {
    const t0 = Date.now();
    const up = await raw(gw.port, `GET ${prefix}/ws HTTP/1.1\r\nHost: x\r\nAuthorization: token ${token}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nContent-Length: 5\r\n\r\nhello`);
    t.match(up, /^HTTP\/1\.1 400 /);
    t.match(up, /cannot carry a body/);
    t.ok(Date.now() - t0 < 5_000);
  });
});
