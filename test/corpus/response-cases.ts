/**
 * response-cases.ts: the corpus of app answers, well-formed and malformed, that an HTTP client
 * meets behind a proxy. Each case is the exact bytes an app writes to its socket (latin1) after
 * reading a GET, and then it closes the connection (`end`, unless `keepOpen`). The runner that
 * compares Portico's upstream client with Node's (llhttp) and undici is
 * test/proxy/response-corpus.test.ts; the nginx differential test (test/diff/) reuses the table.
 *
 * `expect` is what both reference clients do with the bytes, measured (Node 24's llhttp 9.x and
 * undici 8.x): 'accept' with the body they deliver, or 'reject'. A case where the two disagree
 * says 'either' and Portico may do either. `lenient` marks the one deliberate difference: both
 * refuse a bare-LF line end, Portico accepts it (RFC 9112 §2.2 allows it; nginx and curl do too):
 * there `expect` is Portico's answer, not the references'.
 */

/** ResponseCase is one app answer. */
export interface ResponseCase {
  name: string;
  /** raw: the bytes the app writes, as a latin1 string. */
  raw: string;
  expect: 'accept' | 'reject' | 'either';
  /** status and body a client must see when the answer is accepted. */
  status?: number;
  body?: string;
  /** method of the request (default GET). */
  method?: string;
  /** keepOpen: the app does not close after writing (the framing alone ends the answer). */
  keepOpen?: boolean;
  /** lenient: both reference clients refuse this, Portico accepts it on purpose (why). */
  lenient?: string;
}

const BARE_LF = 'RFC 9112 §2.2: a recipient may accept a bare LF line end (nginx and curl do)';

const ok = (head: string, body = 'ok'): string => `HTTP/1.1 200 OK\r\n${head}\r\n${body}`;
const cl2 = 'Content-Length: 2\r\n';
const chunked = 'Transfer-Encoding: chunked\r\n';
const CHUNKED_OK = '2\r\nok\r\n0\r\n\r\n';

/** RESPONSE_CASES is the table. */
export const RESPONSE_CASES: ResponseCase[] = [
  // Well-formed answers and tolerated variants.
  { name: 'plain Content-Length', raw: ok(cl2), expect: 'accept', status: 200, body: 'ok', keepOpen: true },
  { name: 'bare LF line ends (RFC 9112 §2.2)', raw: 'HTTP/1.1 200 OK\nContent-Length: 2\n\nok', expect: 'accept', status: 200, body: 'ok', keepOpen: true , lenient: BARE_LF },
  { name: 'bare LF, busybox CGI style, until close', raw: 'HTTP/1.1 200 OK\nContent-Type: text/plain\n\nhello\n', expect: 'accept', status: 200, body: 'hello\n' , lenient: BARE_LF },
  { name: 'mixed CRLF and LF', raw: 'HTTP/1.1 200 OK\r\nX-A: 1\nContent-Length: 2\r\n\nok', expect: 'accept', status: 200, body: 'ok', keepOpen: true , lenient: BARE_LF },
  { name: 'LF then CRLF blank line', raw: 'HTTP/1.1 200 OK\nContent-Length: 2\n\r\nok', expect: 'accept', status: 200, body: 'ok', keepOpen: true , lenient: BARE_LF },
  { name: 'no reason phrase', raw: 'HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nok', expect: 'accept', status: 200, body: 'ok', keepOpen: true },
  { name: 'empty reason phrase', raw: 'HTTP/1.1 200 \r\nContent-Length: 2\r\n\r\nok', expect: 'accept', status: 200, body: 'ok', keepOpen: true },
  { name: 'HTTP/1.0 until close', raw: 'HTTP/1.0 200 OK\r\n\r\nuntil close', expect: 'accept', status: 200, body: 'until close' },
  { name: 'no framing: until close', raw: 'HTTP/1.1 200 OK\r\n\r\nuntil close', expect: 'accept', status: 200, body: 'until close' },
  { name: 'chunked', raw: ok(chunked, CHUNKED_OK), expect: 'accept', status: 200, body: 'ok', keepOpen: true },
  { name: 'chunked, upper-case hex and leading zeros', raw: ok(chunked, '00A\r\n0123456789\r\n0\r\n\r\n'), expect: 'accept', status: 200, body: '0123456789', keepOpen: true },
  { name: 'chunked, extension', raw: ok(chunked, '2;name=value\r\nok\r\n0\r\n\r\n'), expect: 'accept', status: 200, body: 'ok', keepOpen: true },
  { name: 'chunked, quoted extension', raw: ok(chunked, '2;name="v a"\r\nok\r\n0\r\n\r\n'), expect: 'accept', status: 200, body: 'ok', keepOpen: true },
  { name: 'chunked, trailer', raw: ok(chunked, '2\r\nok\r\n0\r\nX-T: 1\r\n\r\n'), expect: 'accept', status: 200, body: 'ok', keepOpen: true },
  { name: 'Transfer-Encoding in capitals', raw: ok('Transfer-Encoding: CHUNKED\r\n', CHUNKED_OK), expect: 'accept', status: 200, body: 'ok', keepOpen: true },
  { name: 'Content-Length with OWS', raw: ok('Content-Length:  2 \r\n'), expect: 'either', status: 200, body: 'ok', keepOpen: true },
  { name: 'Content-Length with leading zeros', raw: ok('Content-Length: 002\r\n'), expect: 'accept', status: 200, body: 'ok', keepOpen: true },
  { name: 'obs-text (high bytes) in a value', raw: ok('X-A: caf\xe9\r\n' + cl2), expect: 'accept', status: 200, body: 'ok', keepOpen: true },
  { name: 'HTAB in a value', raw: ok('X-A: a\tb\r\n' + cl2), expect: 'accept', status: 200, body: 'ok', keepOpen: true },
  { name: 'empty value', raw: ok('X-A:\r\n' + cl2), expect: 'accept', status: 200, body: 'ok', keepOpen: true },
  { name: '103 Early Hints before the answer', raw: 'HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n' + ok(cl2), expect: 'accept', status: 200, body: 'ok', keepOpen: true },
  { name: '100 Continue before the answer', raw: 'HTTP/1.1 100 Continue\r\n\r\n' + ok(cl2), expect: 'either', status: 200, body: 'ok', keepOpen: true },
  { name: '204 without body', raw: 'HTTP/1.1 204 No Content\r\n\r\n', expect: 'accept', status: 204, body: '', keepOpen: true },
  { name: 'status 599', raw: 'HTTP/1.1 599 Whatever\r\nContent-Length: 2\r\n\r\nok', expect: 'accept', status: 599, body: 'ok', keepOpen: true },
  { name: 'Transfer-Encoding gzip, chunked (not decoded further)', raw: ok('Transfer-Encoding: gzip, chunked\r\n', CHUNKED_OK), expect: 'accept', status: 200, body: 'ok', keepOpen: true },

  // Status lines.
  { name: 'HTTP/1.2', raw: 'HTTP/1.2 200 OK\r\nContent-Length: 2\r\n\r\nok', expect: 'reject' },
  { name: 'HTTP/2 status line', raw: 'HTTP/2 200\r\nContent-Length: 2\r\n\r\nok', expect: 'reject' },
  { name: 'HTTP/0.9 style (no status line)', raw: '<html>hello</html>', expect: 'reject' },
  { name: 'lower-case protocol name', raw: 'http/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok', expect: 'reject' },
  { name: 'status 000', raw: 'HTTP/1.1 000 Zero\r\nContent-Length: 2\r\n\r\nok', expect: 'either' },
  { name: 'status 1000', raw: 'HTTP/1.1 1000 Big\r\nContent-Length: 2\r\n\r\nok', expect: 'reject' },
  { name: 'two-digit status', raw: 'HTTP/1.1 20 OK\r\nContent-Length: 2\r\n\r\nok', expect: 'reject' },
  { name: 'status with a letter', raw: 'HTTP/1.1 2x0 OK\r\nContent-Length: 2\r\n\r\nok', expect: 'reject' },
  { name: 'two spaces before the status', raw: 'HTTP/1.1  200 OK\r\nContent-Length: 2\r\n\r\nok', expect: 'reject' },
  { name: 'tab before the status', raw: 'HTTP/1.1\t200 OK\r\nContent-Length: 2\r\n\r\nok', expect: 'reject' },
  { name: 'bare CR ends the status line', raw: 'HTTP/1.1 200 OK\rContent-Length: 2\r\n\r\nok', expect: 'reject' },

  // Header fields.
  { name: 'space before the colon', raw: ok('Content-Length : 2\r\n'), expect: 'reject' },
  { name: 'space inside a field name', raw: ok('X A: 1\r\n' + cl2), expect: 'reject' },
  { name: 'empty field name', raw: ok(': 1\r\n' + cl2), expect: 'reject' },
  { name: 'line without a colon', raw: ok('Garbage\r\n' + cl2), expect: 'reject' },
  { name: 'separator in a field name', raw: ok('X(A): 1\r\n' + cl2), expect: 'reject' },
  { name: 'DEL in a field name', raw: ok('X\x7fA: 1\r\n' + cl2), expect: 'reject' },
  { name: 'obs-fold (continuation line)', raw: ok('X-A: 1\r\n  2\r\n' + cl2), expect: 'reject' },
  { name: 'whitespace before the first field', raw: ok(' X-A: 1\r\n' + cl2), expect: 'reject' },
  { name: 'NUL in a value', raw: ok('X-A: a\x00b\r\n' + cl2), expect: 'reject' },
  { name: 'control character in a value', raw: ok('X-A: a\x01b\r\n' + cl2), expect: 'reject' },
  { name: 'DEL in a value', raw: ok('X-A: a\x7fb\r\n' + cl2), expect: 'reject' },
  { name: 'bare CR in a value', raw: ok('X-A: a\rb\r\n' + cl2), expect: 'reject' },
  { name: 'over-long head (80 KiB)', raw: ok('X-A: ' + 'a'.repeat(80 * 1024) + '\r\n' + cl2), expect: 'reject' },

  // Content-Length.
  { name: 'negative Content-Length', raw: ok('Content-Length: -2\r\n'), expect: 'reject' },
  { name: 'Content-Length with a plus sign', raw: ok('Content-Length: +2\r\n'), expect: 'reject' },
  { name: 'hexadecimal Content-Length', raw: ok('Content-Length: 0x2\r\n'), expect: 'reject' },
  { name: 'empty Content-Length', raw: ok('Content-Length: \r\n'), expect: 'reject' },
  { name: 'Content-Length with inner space', raw: ok('Content-Length: 1 2\r\n'), expect: 'reject' },
  { name: 'huge Content-Length', raw: ok('Content-Length: 99999999999999999999999\r\n'), expect: 'reject' },
  { name: 'two Content-Length lines that agree', raw: ok(cl2 + cl2), expect: 'reject' },
  { name: 'Content-Length list that agrees (2, 2)', raw: ok('Content-Length: 2, 2\r\n'), expect: 'reject' },
  { name: 'two Content-Length lines that differ', raw: ok(cl2 + 'Content-Length: 3\r\n', 'okk'), expect: 'reject' },
  { name: 'Content-Length list that differs', raw: ok('Content-Length: 2, 3\r\n'), expect: 'reject' },

  // Transfer-Encoding.
  { name: 'chunked and Content-Length', raw: ok(chunked + 'Content-Length: 5\r\n', CHUNKED_OK), expect: 'reject' },
  { name: 'chunked, identity and Content-Length', raw: ok('Transfer-Encoding: chunked, identity\r\nContent-Length: 5\r\n', 'hello'), expect: 'reject' },
  { name: 'gzip and Content-Length', raw: ok('Transfer-Encoding: gzip\r\nContent-Length: 5\r\n', 'hello'), expect: 'reject' },
  { name: 'chunked twice', raw: ok('Transfer-Encoding: chunked, chunked\r\n', CHUNKED_OK), expect: 'accept', status: 200, body: 'ok', keepOpen: true },
  { name: 'Transfer-Encoding gzip, until close', raw: ok('Transfer-Encoding: gzip\r\n', 'zipped'), expect: 'accept', status: 200, body: 'zipped' },
  { name: 'Transfer-Encoding xchunked', raw: ok('Transfer-Encoding: xchunked\r\n', 'raw'), expect: 'accept', status: 200, body: 'raw' },

  // Chunked bodies.
  { name: 'invalid chunk size', raw: ok(chunked, 'zz\r\nok\r\n0\r\n\r\n'), expect: 'reject' },
  { name: 'negative chunk size', raw: ok(chunked, '-2\r\nok\r\n0\r\n\r\n'), expect: 'reject' },
  { name: 'chunk size with a plus sign', raw: ok(chunked, '+2\r\nok\r\n0\r\n\r\n'), expect: 'reject' },
  { name: 'chunk size 0x-prefixed', raw: ok(chunked, '0x2\r\nok\r\n0\r\n\r\n'), expect: 'reject' },
  { name: 'huge chunk size', raw: ok(chunked, 'ffffffffffffffffffff\r\nok\r\n0\r\n\r\n'), expect: 'reject' },
  { name: 'empty chunk size line', raw: ok(chunked, '\r\nok\r\n0\r\n\r\n'), expect: 'reject' },
  { name: 'space before the chunk size', raw: ok(chunked, ' 2\r\nok\r\n0\r\n\r\n'), expect: 'reject' },
  { name: 'control character in a chunk extension', raw: ok(chunked, '2;a=\x01\r\nok\r\n0\r\n\r\n'), expect: 'reject' },
  { name: 'NUL in a chunk extension', raw: ok(chunked, '2;a\x00\r\nok\r\n0\r\n\r\n'), expect: 'reject' },
  { name: 'chunk data without its CRLF', raw: ok(chunked, '2\r\nokXX0\r\n\r\n'), expect: 'reject' },
  { name: 'bare CR after a chunk size', raw: ok(chunked, '2\rok\r\n0\r\n\r\n'), expect: 'reject' },
  { name: 'chunked body cut short', raw: ok(chunked, '5\r\nok'), expect: 'reject' },
  { name: 'chunked body without its last chunk', raw: ok(chunked, '2\r\nok\r\n'), expect: 'reject' },
  { name: 'malformed trailer field', raw: ok(chunked, '2\r\nok\r\n0\r\nX A: 1\r\n\r\n'), expect: 'reject' },
  { name: 'Content-Length body cut short', raw: ok('Content-Length: 5\r\n'), expect: 'reject' },
  // Edges measured for the table.
  { name: 'HTTP/2.0 status line', raw: 'HTTP/2.0 200 OK\r\nContent-Length: 2\r\n\r\nok', expect: 'accept', status: 200, body: 'ok', keepOpen: true },
  { name: 'HTTP/3.0 status line', raw: 'HTTP/3.0 200 OK\r\nContent-Length: 2\r\n\r\nok', expect: 'reject' },
  { name: 'HTTP/0.9 status line', raw: 'HTTP/0.9 200 OK\r\nContent-Length: 2\r\n\r\nok', expect: 'accept', status: 200, body: 'ok' },
  { name: 'no space after the status', raw: 'HTTP/1.1 200OK\r\nContent-Length: 2\r\n\r\nok', expect: 'reject' },
  { name: 'status 099', raw: 'HTTP/1.1 099 Low\r\nContent-Length: 2\r\n\r\nok', expect: 'either' },
  { name: '101 on a plain GET', raw: 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: upgrade\r\n\r\nok', expect: 'reject' },
  { name: 'empty line before the status line', raw: '\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok', expect: 'accept', status: 200, body: 'ok', keepOpen: true },
  { name: 'NUL in the reason', raw: 'HTTP/1.1 200 O\x00K\r\nContent-Length: 2\r\n\r\nok', expect: 'accept', status: 200, body: 'ok', keepOpen: true },
  { name: 'control character in the reason', raw: 'HTTP/1.1 200 O\x01K\r\nContent-Length: 2\r\n\r\nok', expect: 'accept', status: 200, body: 'ok', keepOpen: true },
  { name: 'high byte in a field name', raw: ok('X-\xe9: 1\r\n' + cl2), expect: 'reject' },
  { name: 'no space after the colon', raw: ok('Content-Length:2\r\n'), expect: 'accept', status: 200, body: 'ok', keepOpen: true },
  { name: 'head of 15 KiB', raw: ok('X-A: ' + 'a'.repeat(15 * 1024) + '\r\n' + cl2), expect: 'accept', status: 200, body: 'ok', keepOpen: true },
  { name: 'head of 17 KiB', raw: ok('X-A: ' + 'a'.repeat(17 * 1024) + '\r\n' + cl2), expect: 'reject' },
  { name: 'Transfer-Encoding identity', raw: ok('Transfer-Encoding: identity\r\n', 'plain'), expect: 'accept', status: 200, body: 'plain' },
  { name: 'Transfer-Encoding chunked then a gzip line', raw: ok(chunked + 'Transfer-Encoding: gzip\r\n', CHUNKED_OK), expect: 'accept', status: 200, body: CHUNKED_OK },
  { name: 'Transfer-Encoding chunked, identity: until close', raw: ok('Transfer-Encoding: chunked, identity\r\n', CHUNKED_OK), expect: 'accept', status: 200, body: CHUNKED_OK },
  { name: 'chunk size with trailing space', raw: ok(chunked, '2 \r\nok\r\n0\r\n\r\n'), expect: 'reject' },
  { name: 'space before a chunk extension', raw: ok(chunked, '2 ;a=b\r\nok\r\n0\r\n\r\n'), expect: 'reject' },
  { name: 'space inside a chunk extension', raw: ok(chunked, '2;a b\r\nok\r\n0\r\n\r\n'), expect: 'reject' },
  { name: 'chunk extension without a name', raw: ok(chunked, '2;=b\r\nok\r\n0\r\n\r\n'), expect: 'accept', status: 200, body: 'ok', keepOpen: true },
  { name: 'chunk extension without a value', raw: ok(chunked, '2;a\r\nok\r\n0\r\n\r\n'), expect: 'accept', status: 200, body: 'ok', keepOpen: true },
  { name: 'two chunk extensions', raw: ok(chunked, '2;a=1;b=2\r\nok\r\n0\r\n\r\n'), expect: 'accept', status: 200, body: 'ok', keepOpen: true },
  { name: 'chunk lines with bare LF', raw: ok(chunked, '2\nok\n0\n\n'), expect: 'reject' },
  { name: 'high byte in a chunk extension', raw: ok(chunked, '2;a=\xe9\r\nok\r\n0\r\n\r\n'), expect: 'reject' },
  { name: 'body after a 204', raw: 'HTTP/1.1 204 No Content\r\nContent-Length: 2\r\n\r\nok', expect: 'either', keepOpen: true },
];
