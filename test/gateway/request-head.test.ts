/**
 * request-head.test.ts: the fast path's strict head parser says "mine" only for the plain case
 * and null for everything else (which Node's parser then answers).
 */
import t from 'tap';
import { hostOk, mayBePlain, parseRequestHead } from '../../gateway/http/request-head.ts';

const P = '/containers/proxy/';

t.test('the plain case', async (t) => {
  const h = parseRequestHead(`GET ${P}u/a?b=c HTTP/1.1\r\nHost: gw:8000\r\nAccept:text/html \r\nCookie: \tx=1; y=2\r\nConnection: keep-alive\r\nX-Hi: caf\xe9`, P);
  t.same(h, {
    method: 'GET', target: `${P}u/a?b=c`, keepAlive: true,
    headers: ['Host', 'gw:8000', 'Accept', 'text/html', 'Cookie', 'x=1; y=2', 'Connection', 'keep-alive', 'X-Hi', 'caf\xe9'],
  }, 'names as sent, values trimmed, obs-text bytes kept');
  for (const m of ['HEAD', 'OPTIONS', 'DELETE']) t.equal(parseRequestHead(`${m} ${P}x HTTP/1.1\r\nhost: a`, P)?.method, m);
  t.equal(parseRequestHead(`GET ${P}x HTTP/1.1\r\nHost: a\r\nConnection: Close`, P)?.keepAlive, false, 'Connection: close');
  t.equal(parseRequestHead(`GET ${P}x HTTP/1.1\r\nHost: a\r\nConnection: closed`, P)?.keepAlive, true, 'regression: "closed" is not the close token (llhttp keeps the connection)');
  t.equal(parseRequestHead(`GET ${P}x HTTP/1.1\r\nHost: a\r\nContent-Type: text/plain`, P)?.method, 'GET', 'Content-Type alone is no body');
});

t.test('everything else is not the fast path', async (t) => {
  const no: Array<[string, string]> = [
    ['another prefix', 'GET /api/x HTTP/1.1\r\nHost: a'],
    ['POST', `POST ${P}x HTTP/1.1\r\nHost: a`],
    ['lower-case method', `get ${P}x HTTP/1.1\r\nHost: a`],
    ['HTTP/1.0', `GET ${P}x HTTP/1.0\r\nHost: a`],
    ['HTTP/2 text', `GET ${P}x HTTP/2.0\r\nHost: a`],
    ['a trailing version suffix', `GET ${P}x HTTP/1.10\r\nHost: a`],
    ['two spaces', `GET  ${P}x HTTP/1.1\r\nHost: a`],
    ['space in the target', `GET ${P}x y HTTP/1.1\r\nHost: a`],
    ['8-bit target', `GET ${P}caf\xe9 HTTP/1.1\r\nHost: a`],
    ['no Host', `GET ${P}x HTTP/1.1\r\nAccept: a`],
    ['two Hosts', `GET ${P}x HTTP/1.1\r\nHost: a\r\nhost: b`],
    ['Content-Length', `GET ${P}x HTTP/1.1\r\nHost: a\r\nContent-Length: 0`],
    ['Transfer-Encoding', `GET ${P}x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked`],
    ['Upgrade', `GET ${P}x HTTP/1.1\r\nHost: a\r\nUpgrade: websocket`],
    ['Connection: upgrade', `GET ${P}x HTTP/1.1\r\nHost: a\r\nConnection: Upgrade`],
    ['Expect', `GET ${P}x HTTP/1.1\r\nHost: a\r\nExpect: 100-continue`],
    ['obs-fold', `GET ${P}x HTTP/1.1\r\nHost: a\r\nX: a\r\n b`],
    ['space before the colon', `GET ${P}x HTTP/1.1\r\nHost: a\r\nX : a`],
    ['a separator in a name', `GET ${P}x HTTP/1.1\r\nHost: a\r\nX@: a`],
    ['an empty name', `GET ${P}x HTTP/1.1\r\nHost: a\r\n: a`],
    ['a line without a colon', `GET ${P}x HTTP/1.1\r\nHost: a\r\nnocolon`],
    ['a NUL', `GET ${P}x HTTP/1.1\r\nHost: a\r\nX: a\0b`],
    ['DEL', `GET ${P}x HTTP/1.1\r\nHost: a\r\nX: a\x7fb`],
    ['a bare CR', `GET ${P}x HTTP/1.1\r\nHost: a\rX: b`],
    ['a bare LF', `GET ${P}x HTTP/1.1\r\nHost: a\nX: b`],
    ['nothing', ''],
  ];
  for (const [what, text] of no) t.equal(parseRequestHead(text, P), null, what);
});

t.test('regression: Host was not validated (an empty Host, "Host: a b" were taken)', async (t) => {
  t.equal(parseRequestHead(`GET ${P}x HTTP/1.1\r\nHost:`, P), null, 'an empty Host');
  t.equal(parseRequestHead(`GET ${P}x HTTP/1.1\r\nHost: a b`, P), null, 'a space in the Host');
  t.equal(parseRequestHead(`GET ${P}x HTTP/1.1\r\nHost: a/b`, P), null, 'a slash in the Host');
  t.equal(parseRequestHead(`GET ${P}x HTTP/1.1\r\nHost: [::1]:80`, P)?.method, 'GET', 'an IPv6 literal with a port');
  t.ok(hostOk('gw.example:8080', 0, 15));
  t.notOk(hostOk('caf\xe9', 0, 4), '8-bit');
});

t.test('mayBePlain: an incomplete head that can never be plain is said so at once', async (t) => {
  const yes = ['G', 'GET', 'GET ', `GET ${P.slice(0, 5)}`, `GET ${P}x HTTP/1.1\r`, `GET ${P}x HTTP/1.1\r\nHost: a\r\n`, `DELETE ${P}x`];
  for (const s of yes) t.ok(mayBePlain(Buffer.from(s, 'latin1'), P), JSON.stringify(s));
  const no = ['X', 'POST ', 'GETX', `GET /api`, `GET ${P}x HTTP/1.1\nHost`, `GET ${P}x HTTP/1.1\r\nHost: a\n`, `GET ${P}x HTTP/1.0\r\n`,
    `GET ${P}x HTTP/1.1\r\nX: a\rb`, `GET ${P}x HTTP/1.1\r\nX: \x00`, '\x16\x03\x01'];
  for (const s of no) t.notOk(mayBePlain(Buffer.from(s, 'latin1'), P), JSON.stringify(s));
});
