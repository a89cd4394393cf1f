/**
 * request-cases.ts: tricky request heads, written to the socket byte for byte, and what Portico
 * answers each. Shared by Portico's own runner (test/gateway/client-requests.test.ts, on an API
 * path and on a proxied path) and the differential test against nginx (test/diff/).
 *
 * Placeholders: {target} is the request target (origin-form path), {authority} the host:port the
 * client dialled, {headers} extra header lines the runner adds (each ending in CRLF; credentials,
 * say). `expect` lists the statuses Portico may answer; 200 means "accepted": the target answered.
 * `atOnce`: the answer must come at once, not after a timeout. `nginx` is nginx's answer where it
 * is known to differ from Portico's on purpose.
 */

/** RequestCase is one tricky request. */
export interface RequestCase {
  name: string;
  /** bug: the issue it guards against, when it is a regression. */
  bug?: string;
  raw: string | Buffer;
  expect: number[];
  /** code: the error code in the JSON body of a refusal. */
  code?: string;
  atOnce?: boolean;
  nginx?: number;
}

/** TLS_HELLO is the start of a TLS 1.2 ClientHello: what a browser sends to an https:// URL on the plain port. */
const TLS_HELLO = Buffer.from('16030100c8010000c40303' + '00'.repeat(32) + '00001c' + 'c02bc02f', 'hex');

const HEAD_STALL = 'a request head without CRLFCRLF got nothing for 59 s, then 408';
const EMPTY = 'rejections (400/431/417) had empty bodies';
const HOST = 'Host was not validated: two Host lines, an empty Host, "Host: a b" were proxied';

/** REQUEST_CASES is the corpus. */
export const REQUEST_CASES: RequestCase[] = [
  { name: 'LF-only line ends', bug: HEAD_STALL, raw: 'GET {target} HTTP/1.1\nHost: {authority}\n{headers}\n', expect: [400], code: 'E_BAD_REQUEST', atOnce: true, nginx: 200 },
  { name: 'an LF-only line among CRLF lines', bug: HEAD_STALL, raw: 'GET {target} HTTP/1.1\r\nHost: {authority}\r\n{headers}X-A: b\nX-B: c\r\n\r\n', expect: [400], code: 'E_BAD_REQUEST', atOnce: true },
  { name: 'binary garbage', bug: HEAD_STALL, raw: Buffer.from([0, 1, 2, 0xff, 0xfe, 13, 10]), expect: [400], code: 'E_BAD_REQUEST', atOnce: true },
  { name: 'a TLS ClientHello on the plain port', bug: HEAD_STALL, raw: TLS_HELLO, expect: [400], code: 'E_BAD_REQUEST', atOnce: true },
  { name: 'a request line that ends in bare LF, no headers yet', bug: HEAD_STALL, raw: 'GET {target} HTTP/1.1\n', expect: [400], atOnce: true },
  { name: 'CONNECT', bug: 'CONNECT was dropped without a status', raw: 'CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n\r\n', expect: [405], code: 'E_METHOD_NOT_ALLOWED', atOnce: true },
  { name: 'two Host lines', bug: HOST, raw: 'GET {target} HTTP/1.1\r\nHost: {authority}\r\nHost: other.example\r\n{headers}\r\n', expect: [400], code: 'E_BAD_REQUEST', atOnce: true, nginx: 400 },
  { name: 'an empty Host', bug: HOST, raw: 'GET {target} HTTP/1.1\r\nHost:\r\n{headers}\r\n', expect: [400], code: 'E_BAD_REQUEST', atOnce: true, nginx: 400 },
  { name: 'Host: a b', bug: HOST, raw: 'GET {target} HTTP/1.1\r\nHost: a b\r\n{headers}\r\n', expect: [400], code: 'E_BAD_REQUEST', atOnce: true, nginx: 400 },
  { name: 'two Host lines on a WebSocket upgrade', bug: HOST, raw: 'GET {target} HTTP/1.1\r\nHost: {authority}\r\nHost: other.example\r\n{headers}Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n', expect: [400], code: 'E_BAD_REQUEST', atOnce: true, nginx: 400 },
  { name: 'no Host on HTTP/1.1', bug: EMPTY, raw: 'GET {target} HTTP/1.1\r\n{headers}\r\n', expect: [400], code: 'E_BAD_REQUEST', atOnce: true, nginx: 400 },
  { name: 'no Host on HTTP/1.0', raw: 'GET {target} HTTP/1.0\r\n{headers}\r\n', expect: [200] },
  { name: 'a head over 16 KiB', bug: EMPTY, raw: `GET {target} HTTP/1.1\r\nHost: {authority}\r\n{headers}X-Big: ${'a'.repeat(20_000)}\r\n\r\n`, expect: [431], code: 'E_HEADERS_TOO_LARGE', atOnce: true },
  { name: 'a target over 8 KiB', bug: EMPTY, raw: `GET {target}?${'q'.repeat(9_000)} HTTP/1.1\r\nHost: {authority}\r\n{headers}\r\n`, expect: [414], code: 'E_URI_TOO_LONG', atOnce: true, nginx: 414 },
  { name: 'Expect other than 100-continue', bug: EMPTY, raw: 'POST {target} HTTP/1.1\r\nHost: {authority}\r\n{headers}Expect: teapot\r\nContent-Length: 2\r\n\r\nab', expect: [417], code: 'E_EXPECTATION_FAILED', atOnce: true },
  { name: 'a transfer coding other than chunked', raw: 'POST {target} HTTP/1.1\r\nHost: {authority}\r\n{headers}Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n', expect: [501], code: 'E_NOT_IMPLEMENTED', atOnce: true },
  { name: 'chunked not last', bug: EMPTY, raw: 'POST {target} HTTP/1.1\r\nHost: {authority}\r\n{headers}Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n', expect: [400], code: 'E_BAD_REQUEST', atOnce: true },
  { name: 'Content-Length with chunked', bug: EMPTY, raw: 'POST {target} HTTP/1.1\r\nHost: {authority}\r\n{headers}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', expect: [400], code: 'E_BAD_REQUEST', atOnce: true },
  { name: 'two different Content-Lengths', bug: EMPTY, raw: 'POST {target} HTTP/1.1\r\nHost: {authority}\r\n{headers}Content-Length: 1\r\nContent-Length: 2\r\n\r\nab', expect: [400], code: 'E_BAD_REQUEST', atOnce: true },
  { name: 'an unknown method token', raw: 'BREW {target} HTTP/1.1\r\nHost: {authority}\r\n{headers}\r\n', expect: [405], code: 'E_METHOD_NOT_ALLOWED', atOnce: true },
  { name: 'obs-fold', bug: EMPTY, raw: 'GET {target} HTTP/1.1\r\nHost: {authority}\r\n{headers}X-A: b\r\n c\r\n\r\n', expect: [400], code: 'E_BAD_REQUEST', atOnce: true },
  { name: 'a bare CR', bug: EMPTY, raw: 'GET {target} HTTP/1.1\r\nHost: {authority}\rX-A: b\r\n{headers}\r\n', expect: [400], code: 'E_BAD_REQUEST', atOnce: true },
  { name: 'a space in a header name', bug: EMPTY, raw: 'GET {target} HTTP/1.1\r\nHost: {authority}\r\n{headers}X A: b\r\n\r\n', expect: [400], code: 'E_BAD_REQUEST', atOnce: true },
  { name: 'a space before the colon', bug: EMPTY, raw: 'GET {target} HTTP/1.1\r\nHost: {authority}\r\n{headers}X-A : b\r\n\r\n', expect: [400], code: 'E_BAD_REQUEST', atOnce: true },
  { name: 'a NUL in a header value', bug: EMPTY, raw: 'GET {target} HTTP/1.1\r\nHost: {authority}\r\n{headers}X-A: b\0c\r\n\r\n', expect: [400], code: 'E_BAD_REQUEST', atOnce: true },
  { name: 'an absolute-form target', bug: 'absolute-form targets were not proxied', raw: 'GET http://{authority}{target} HTTP/1.1\r\nHost: ignored.example\r\n{headers}\r\n', expect: [200], atOnce: true },
  { name: 'an absolute-form target with userinfo', raw: 'GET http://user@{authority}{target} HTTP/1.1\r\nHost: {authority}\r\n{headers}\r\n', expect: [400], code: 'E_BAD_REQUEST', atOnce: true },
  { name: 'HTTP/1.1 in lower case', raw: 'GET {target} http/1.1\r\nHost: {authority}\r\n{headers}\r\n', expect: [400], code: 'E_BAD_REQUEST', atOnce: true },
  { name: 'a plain request (control)', raw: 'GET {target} HTTP/1.1\r\nHost: {authority}\r\n{headers}Connection: close\r\n\r\n', expect: [200], atOnce: true },
];

/** fillCase puts a target, authority and extra header lines into a case's bytes. */
export function fillCase(c: RequestCase, o: { target: string; authority: string; headers?: string }): Buffer {
  if (Buffer.isBuffer(c.raw)) return c.raw;
  return Buffer.from(c.raw.replaceAll('{target}', o.target).replaceAll('{authority}', o.authority).replaceAll('{headers}', o.headers ?? ''), 'latin1');
}
