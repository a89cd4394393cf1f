/**
 * request-head-differential.test.ts: the fast path's head parser against Node's own (llhttp), over
 * a real socket. Heads are built from tricky pieces (whitespace, tabs, 8-bit bytes, empty values,
 * repeated fields, odd Connection values, Host forms); for every head the fast path takes, Node's
 * server must take it too and read the same method, target, header list and keep-alive. A head the
 * fast path declines is always safe (Node reads it), so only acceptance is compared.
 */
import t from 'tap';
import http from 'node:http';
import net from 'node:net';
import { parseRequestHead } from '../../gateway/http/request-head.ts';

const P = '/p/';

/** rng is a small seeded generator, so a failure can be replayed. */
function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x / 2 ** 32; };
}

const LINES = [
  'Host: gw', 'Host: gw:8080', 'Host: [::1]:80', 'Host:gw', 'Host: \tgw\t', 'Host:', 'Host: a b', 'host: GW',
  'Accept: */*', 'Accept:', 'Accept:   ', 'X-A: b\tc', 'X-A: caf\xe9', 'X-A: \xff', 'X-Empty:', 'X-A:  spaced  ',
  'Connection: close', 'Connection: keep-alive', 'Connection: Close', 'Connection: keep-alive, close', 'Connection: notclose',
  'Connection: closed', 'Connection: x-close', 'Connection: close , TE', 'Connection: upgrade',
  'Cookie: a=1; b=2', 'Cookie: a=1, portico_session=x', 'X_Forwarded_For: 1.2.3.4', 'x-odd!#$%&\'*+-.^_`|~: v',
  'X-A: a:b', 'X-A:\tb', 'Accept: text/html, */*;q=0.8', `X-${'n'.repeat(100)}: v`, 'Authorization: token abc', 'Host: gw ',
  'X-A: "quoted"', 'X-A: =', 'X-A: \x80\x9f', 'Upgrade: websocket', 'Expect: 100-continue', 'Keep-Alive: timeout=5',
  'Te: trailers', 'Content-Length: 0', 'Transfer-Encoding: chunked', 'X-A: a\x7fb', 'X-Dup: 1', 'X-Dup: 2',
];
const TARGETS = ['/p/a%zz', "/p/~!$&'()*+,;=:@", '/p/a?', '/p//a', '/p/..', '/p/a', '/p/a?b=c&d', '/p/%20', '/p/a#frag', '/p/"x"', '/p/{}|\\^`', '/p/a?x=/y/', '/p/' + 'x'.repeat(300)];
const METHODS = ['GET', 'HEAD', 'OPTIONS', 'DELETE'];

interface Seen { method: string; url: string; raw: string[]; keepAlive: boolean }

t.test('every head the fast path takes, Node reads the same', async (t) => {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method!, url: req.url!, raw: req.rawHeaders, keepAlive: res.shouldKeepAlive });
    res.writeHead(200, { 'content-length': 0, connection: 'close' });
    res.end();
  });
  server.on('clientError', (_e, s) => s.destroy());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const port = (server.address() as net.AddressInfo).port;
  const send = (head: string) => new Promise<void>((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => s.end(head + '\r\n\r\n', 'latin1'));
    s.on('data', () => {});
    s.on('close', () => resolve());
    s.on('error', () => resolve());
  });

  const next = rng(13);
  const pick = <T>(a: T[]): T => a[Math.floor(next() * a.length)];
  let taken = 0;
  const mismatches: string[] = [];
  for (let i = 0; i < 600; i++) {
    const lines = Array.from({ length: 1 + Math.floor(next() * 5) }, () => pick(LINES));
    if (next() < 0.8) lines.splice(Math.floor(next() * lines.length), 0, 'Host: gw');
    const head = `${pick(METHODS)} ${pick(TARGETS)} HTTP/1.1\r\n${lines.join('\r\n')}`;
    const fast = parseRequestHead(head, P);
    if (fast === null) continue;
    taken++;
    const before = seen.length;
    await send(head);
    const node = seen.length > before ? seen[seen.length - 1] : null;
    const same = node !== null && node.method === fast.method && node.url === fast.target && node.keepAlive === fast.keepAlive
      && JSON.stringify(node.raw) === JSON.stringify(fast.headers);
    if (!same) mismatches.push(`${JSON.stringify(head)}: fast ${JSON.stringify(fast)} node ${JSON.stringify(node)}`);
  }
  t.ok(taken > 40, `the fast path took ${taken} of 600 heads`);
  t.same(mismatches, [], 'Node read each of them the same way');
});
