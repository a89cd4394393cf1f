/**
 * response-head.test.ts: the app response head parser (pure): fields, whitespace, framing and
 * connection handling, interim answers and what is refused.
 */
import t from 'tap';
import { parseResponseHead } from '../../gateway/proxy/response-head.ts';
import type { ResponseHead } from '../../gateway/proxy/response-head.ts';

const ok = (text: string): ResponseHead => {
  const r = parseResponseHead(text);
  if (typeof r === 'string') throw new Error(r);
  return r;
};

t.test('fields: lower-case names, trimmed values, repeats kept in order', async (t) => {
  const r = ok('HTTP/1.1 201 Created Here\r\nContent-Type:  text/plain \r\nSet-Cookie: a=1\r\nX-Tab:\tv\t\r\nset-cookie: b=2\r\nContent-Length: 5');
  t.equal(r.status, 201);
  t.equal(r.reason, 'Created Here');
  t.same(r.headers, ['content-type', 'text/plain', 'set-cookie', 'a=1', 'x-tab', 'v', 'set-cookie', 'b=2', 'content-length', '5']);
  t.equal(r.length, 5);
  t.equal(r.chunked, false);
  t.equal(r.close, false, 'HTTP/1.1 keeps alive by default');
  t.equal(r.interim, false);
  t.match(parseResponseHead('HTTP/1.1 200 OK\r\nno-colon-line\r\nX-A: 1'), /malformed header/, 'a line without a colon is refused (as llhttp does)');
  const lf = ok('HTTP/1.1 200 OK\nX-A: 1\r\nX-B: 2\n');
  t.same(lf.headers, ['x-a', '1', 'x-b', '2'], 'regression: lines may end in a bare LF (RFC 9112 §2.2), CRLF and LF mixed');
  t.equal(ok('HTTP/1.1 200 O\x01K').reason, '', 'a reason phrase with control characters is accepted but not passed on');
  t.same(ok('HTTP/1.1 200 OK\r\nX-Empty:').headers, ['x-empty', ''], 'an empty value stays');
});

t.test('framing and connection', async (t) => {
  const gz = ok('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked');
  t.equal(gz.chunked, true);
  t.equal(gz.codings, 'gzip', 'the codings before the final chunked are kept to be passed on');
  const close = ok('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, identity');
  t.equal(close.chunked, false, 'RFC 9112 §6.3: chunked not final → read until close');
  t.equal(close.close, true, 'and the socket is not reused');
  t.equal(close.codings, 'chunked, identity', 'with every coding named');
  t.equal(ok('HTTP/1.0 200 OK').close, true, 'HTTP/1.0 closes by default');
  t.equal(ok('HTTP/1.0 200 OK\r\nConnection: Keep-Alive').close, false, 'unless it says keep-alive');
  t.equal(ok('HTTP/1.1 200 OK\r\nConnection: close').close, true);
  t.equal(ok('HTTP/1.1 204 No Content').length, -1, 'no Content-Length: -1');
  t.equal(ok('HTTP/1.1 200 OK\r\nContent-Length: 007').length, 7);
  for (const bad of ['Content-Length: 7\r\nContent-Length: 7', 'Content-Length: 7, 7', 'Content-Length: 7\r\nContent-Length: 8', 'Content-Length: 7, 8', 'Content-Length: -1', 'Content-Length: +1', 'Content-Length: 1e3', 'Content-Length: 0x10', 'Content-Length: ']) {
    t.match(parseResponseHead(`HTTP/1.1 200 OK\r\n${bad}`), /Content-Length/, `regression: refused, not forwarded (RFC 9112 §6.3; llhttp refuses it too): ${JSON.stringify(bad)}`);
  }
  for (const te of ['chunked', 'chunked, identity', 'gzip']) {
    t.match(parseResponseHead(`HTTP/1.1 200 OK\r\nTransfer-Encoding: ${te}\r\nContent-Length: 5`), /both Transfer-Encoding and Content-Length/, `regression: TE ${te} with Content-Length is never framed by the length`);
  }
});

t.test('interim answers and garbage', async (t) => {
  t.equal(ok('HTTP/1.1 103 Early Hints\r\nLink: </a>').interim, true);
  t.match(parseResponseHead('HTTP/1.1 101 Switching Protocols'), /switched protocols/);
  t.match(parseResponseHead('SSH-2.0-OpenSSH_9.2'), /not HTTP/);
  t.match(parseResponseHead('HTTP/1.1 abc'), /not HTTP/);
  t.match(parseResponseHead('HTTP/2 200'), /not HTTP/);
  t.match(parseResponseHead('HTTP/1.2 200 OK'), /not HTTP/);
});
