/**
 * diff-cases.ts: the differential corpus. Each case is raw client bytes sent through a proxy
 * (Portico, and nginx as the reference) to a scripted raw-socket app, and what must happen: what
 * the app received, what the client got, whether the connection stayed usable. The expectation is
 * the correct behaviour (RFC 9110/9112, or nginx's where the RFC leaves a choice), not what main
 * does today; where nginx or Portico deliberately differ, `nginx` overrides it with a reason.
 * The runner is test/diff/http-diff.test.ts; the machinery is test/diff/harness.ts.
 *
 * Placeholders in request bytes: {P} is the app's public prefix (/containers/proxy/<uuid>, the same
 * for nginx), {A} is Portico's credential line (Authorization: token …; nginx's config drops it),
 * {SID} is a real Portico session id. Reply bytes may use {P} too.
 */

/** Step is one thing the scripted app does: write bytes, wait ms, or close ('end' half-closes). */
export type Step = string | Buffer | number | 'close' | 'end';

/** Status is an exact status, a class, or 'none' (the client got no response at all). */
export type Status = number | '1xx' | '2xx' | '3xx' | '4xx' | '5xx' | 'none';

/** Expect is what must hold for one proxy. Unset fields are not checked (only the invariants are). */
export interface Expect {
  /** status: the first final response's status; a list means any of them. */
  status?: Status | Status[];
  /** interim: the exact 1xx statuses the client got before the final response. */
  interim?: number[];
  /** upstream: how many complete requests the app received (during the first exchange). */
  upstream?: number;
  /** upstreamLine: the app's first request line. */
  upstreamLine?: string;
  /** upstreamBody: the body the app received for its first request (decoded from its framing). */
  upstreamBody?: string;
  /** clientBody: the body of the first final response the client got. */
  clientBody?: string;
  /** closed: the proxy closed the client connection after its answer (true), or kept it open (false). */
  closed?: boolean;
  /** probe: a request sent on the same connection afterwards was answered right ('ok'), or the connection was closed ('closed'). */
  probe?: 'ok' | 'closed';
  /** pipelined: the second request (sent in the same write) got the right answer. */
  pipelined?: 'ok' | 'closed';
  /** upstreamNever: strings that must not appear anywhere in what the app received. */
  upstreamNever?: string[];
  /** cookiePathsUnder: every Path= in every Set-Cookie the client got is under {P}. */
  cookiePathsUnder?: boolean;
  /** maxMs: the first answer (or the close) came within this many ms. */
  maxMs?: number;
  /** busyOk: the connection may still be busy relaying the first answer until the app closes (no framing), so the next request may wait. */
  busyOk?: boolean;
}

/** DiffCase is one request and the app's scripted answer. */
export interface DiffCase {
  name: string;
  /** group for the report: request-side (h5), response-side (h4), smuggling, baseline. */
  group: 'baseline' | 'request' | 'response' | 'smuggling';
  /** request: client bytes; an array writes the parts with the numbers as pauses in ms. */
  request: string | Buffer | Array<string | Buffer | number>;
  /** second: a well-formed request appended to the same write (pipelined); its answer must be "echo:GET <path>". */
  second?: string;
  /** reply: the app's answer to the first request (default: 200 "ok"); later requests get an echo. */
  reply?: Step[];
  /** replyOnHead: answer as soon as the head arrived, without waiting for the body. */
  replyOnHead?: boolean;
  expect: Expect;
  /** nginx: where nginx 1.22 is expected to do otherwise, the fields that differ and why. */
  nginx?: Expect & { why: string };
  /** only: the case applies to one proxy (say, Portico's own authentication), with why. */
  only?: { proxy: 'portico'; why: string };
  /** needs: a Portico setting the case sets low (matched by pattern among the known settings); skipped with `why` when none exists. */
  needs?: { setting: RegExp; why: string };
  /** waitMs: how long the client waits for more bytes after the last activity (default 500). */
  waitMs?: number;
}

const CRLF = '\r\n';
/** get is a well-formed authenticated GET for `path` under the prefix. */
const get = (path: string, extra: string[] = []): string => [`GET {P}${path} HTTP/1.1`, 'Host: gw', '{A}', ...extra, '', ''].join(CRLF);
/** post is an authenticated request with exactly the given header lines and body. */
const post = (headers: string[], body: string, path = '/up', method = 'POST'): string => [`${method} {P}${path} HTTP/1.1`, 'Host: gw', '{A}', ...headers, '', body].join(CRLF);
const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
/** EVIL is what a desynchronised connection would hand the next request: it must never reach a client. */
const EVIL = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nEVIL!';
const SECOND = get('/second');
const TLS_HELLO = Buffer.from('16030100a5010000a10303' + '00'.repeat(32) + '00' + '0020c02bc02fc02cc030cca9cca8c013c014009c009d002f0035c012000a' + '0100' + '0058' + '00'.repeat(88), 'hex');

const baseline: DiffCase[] = [
  { name: 'baseline: GET is forwarded with the prefix stripped', group: 'baseline', request: get('/hello?q=1'), reply: [OK],
    expect: { status: 200, upstream: 1, upstreamLine: 'GET /hello?q=1 HTTP/1.1', clientBody: 'ok', closed: false, probe: 'ok' } },
  { name: 'baseline: POST with Content-Length arrives whole', group: 'baseline', request: post(['Content-Length: 5'], 'hello'), second: SECOND,
    expect: { status: 200, upstream: 1, upstreamBody: 'hello', clientBody: 'ok', pipelined: 'ok', probe: 'ok' } },
  { name: 'baseline: chunked POST arrives whole', group: 'baseline', request: post(['Transfer-Encoding: chunked'], '5\r\nhello\r\n0\r\n\r\n'), second: SECOND,
    expect: { status: 200, upstream: 1, upstreamBody: 'hello', pipelined: 'ok', probe: 'ok' } },
  { name: 'baseline: a slow app (300 ms) is waited for', group: 'baseline', request: get('/slow'), reply: [300, OK], waitMs: 600,
    expect: { status: 200, clientBody: 'ok', probe: 'ok' } },
  { name: 'baseline: an app that closes without answering is a 502, the client connection stays usable', group: 'baseline', request: get('/drop'), reply: ['close'],
    expect: { status: 502, probe: 'ok' } },
  { name: 'baseline: an app that stops mid-body: the client connection is closed (the body cannot be framed)', group: 'baseline', request: get('/cut'),
    reply: ['HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello', 30, 'close'],
    expect: { status: 200, closed: true } },
];

const requestSide: DiffCase[] = [
  { name: 'request head with bare LF line ends', group: 'request', request: 'GET {P}/lf HTTP/1.1\nHost: gw\n{A}\n\n',
    expect: { status: 400, upstream: 0, closed: true, maxMs: 1000 },
    nginx: { status: 200, upstream: 1, closed: false, why: 'nginx accepts bare-LF request heads (RFC 9112 §2.2 allows it); Portico follows llhttp, which refuses them' } },
  { name: 'binary garbage instead of a request head is a 400 at once', group: 'request', request: Buffer.from([0, 1, 2, 0xff, 0xfe, 0x80, 0x0d, 0x0a, 0x0d, 0x0a]),
    expect: { status: 400, upstream: 0, closed: true, maxMs: 1000 } },
  { name: 'a TLS ClientHello on the plain port is a 400 at once, not a wait for the head timeout', group: 'request', request: TLS_HELLO,
    expect: { status: 400, upstream: 0, closed: true, maxMs: 1000 } },
  { name: 'CONNECT is refused and never reaches an app', group: 'request', request: 'CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n{A}\r\n\r\n',
    expect: { status: '4xx', upstream: 0 } },
  { name: 'CONNECT to the prefix is refused', group: 'request', request: 'CONNECT {P}/ HTTP/1.1\r\nHost: gw\r\n{A}\r\n\r\n',
    expect: { status: '4xx', upstream: 0 } },
  { name: 'a body shorter than its Content-Length times out (408 or close), bounded', group: 'request', request: [post(['Content-Length: 10'], '12345')], waitMs: 3000,
    needs: { setting: /BODY.*TIMEOUT|TIMEOUT.*BODY/, why: 'Portico has no client body timeout setting yet (h5 adds one)' },
    expect: { status: [408, 'none'], closed: true, maxMs: 3500 } },
  { name: "Cookie 'a=1, portico_session=<sid>': the app never receives the session id", group: 'request', request: get('/c', ['Cookie: a=1, portico_session={SID}']),
    only: { proxy: 'portico', why: "Portico's own session cookie; nginx knows nothing of it" },
    expect: { status: 200, upstream: 1, upstreamNever: ['{SID}'] } },
  { name: "Cookie 'x=1 portico_session=<sid>': the app never receives the session id", group: 'request', request: get('/c', ['Cookie: x=1 portico_session={SID}']),
    only: { proxy: 'portico', why: "Portico's own session cookie; nginx knows nothing of it" },
    expect: { status: 200, upstream: 1, upstreamNever: ['{SID}'] } },
  { name: 'Cookie with the session id in a second Cookie line: stripped too', group: 'request', request: get('/c', ['Cookie: a=1', 'Cookie: portico_session={SID}; b=2']),
    only: { proxy: 'portico', why: "Portico's own session cookie" },
    expect: { status: 200, upstream: 1, upstreamNever: ['{SID}'] } },
  { name: 'two Host lines are a 400 (RFC 9112 §3.2)', group: 'request', request: 'GET {P}/ HTTP/1.1\r\nHost: gw\r\nHost: evil\r\n{A}\r\n\r\n',
    expect: { status: 400, upstream: 0 } },
  { name: "Host 'a b' is a 400", group: 'request', request: 'GET {P}/ HTTP/1.1\r\nHost: a b\r\n{A}\r\n\r\n',
    expect: { status: 400, upstream: 0 } },
  { name: 'an empty Host is allowed or a 400, never forwarded as something else', group: 'request', request: 'GET {P}/ HTTP/1.1\r\nHost:\r\n{A}\r\n\r\n',
    expect: { status: [200, 400] } },
  { name: 'HTTP/1.1 without Host is a 400', group: 'request', request: 'GET {P}/ HTTP/1.1\r\n{A}\r\n\r\n',
    expect: { status: 400, upstream: 0 } },
  { name: 'an Upgrade request with a body: a clean answer at once, never a wait for a body the app does not read', group: 'request',
    request: post(['Connection: Upgrade', 'Upgrade: websocket', 'Content-Length: 5'], 'hello', '/ws', 'GET'), second: SECOND,
    // Portico refuses an Upgrade that carries a body at once (no WebSocket client sends one); before, the app
    // waited for the body and the client got a 504 after 30 s.
    expect: { status: 400, upstream: 0, maxMs: 1000 },
    nginx: { status: 200, upstream: 1, upstreamBody: 'hello', pipelined: 'ok', why: 'nginx frames the body and passes it on; both answer at once' } },
  { name: 'Expect: 100-continue without credentials: a 401 and no 100 first', group: 'request',
    // The client sends its body after 300 ms anyway (as curl does), so the framing stays whole whatever the server did.
    request: ['POST {P}/up HTTP/1.1\r\nHost: gw\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n', 300, 'hello'], waitMs: 400,
    only: { proxy: 'portico', why: 'only Portico authenticates' },
    expect: { status: 401, interim: [], upstream: 0, maxMs: 1000 } },
  { name: 'Expect: 100-continue with credentials: the body goes through', group: 'request',
    request: [post(['Expect: 100-continue', 'Content-Length: 5'], ''), 200, 'hello'], waitMs: 500,
    expect: { status: 200, upstream: 1, upstreamBody: 'hello' } },
  { name: "'Connection: content-length' does not strip the framing of a request with a body", group: 'request',
    request: post(['Content-Length: 5', 'Connection: content-length'], 'hello'), second: SECOND,
    expect: { status: 200, upstream: 1, upstreamBody: 'hello', pipelined: 'ok' } },
  { name: 'X_Forwarded_For, Forwarded and X-Forwarded-For from an untrusted client never reach the app', group: 'request',
    request: get('/xff', ['X_Forwarded_For: 6.6.6.6', 'Forwarded: for=6.6.6.6', 'X-Forwarded-For: 6.6.6.6', 'X-Forwarded-Host: evil.example']),
    expect: { status: 200, upstream: 1, upstreamNever: ['6.6.6.6', 'evil.example'] } },
  { name: 'an absolute-form target is accepted and forwarded in origin form', group: 'request',
    request: 'GET http://gw{P}/abs?x=1 HTTP/1.1\r\nHost: gw\r\n{A}\r\n\r\n',
    expect: { status: 200, upstream: 1, upstreamLine: 'GET /abs?x=1 HTTP/1.1' } },
  { name: 'a space before the colon in a request header is a 400 (RFC 9112 §5.1)', group: 'request',
    request: post(['Content-Length : 5'], 'hello'), expect: { status: 400, upstream: 0 } },
  { name: 'NUL in a request header value is a 400', group: 'request', request: get('/', ['X-A: a\u0000b']), expect: { status: 400, upstream: 0 } },
  { name: 'a request line with two spaces is a 400 or read on word boundaries (RFC 9112 §3), forwarded clean', group: 'request',
    request: 'GET  {P}/ HTTP/1.1\r\nHost: gw\r\n{A}\r\n\r\n', expect: { status: [200, 400] } },
  { name: 'HTTP/1.7 is served as 1.1 (RFC 9110 §2.5) or refused as llhttp does, never forwarded as 1.7', group: 'request',
    request: 'GET {P}/ HTTP/1.7\r\nHost: gw\r\n{A}\r\n\r\n', expect: { status: [200, 400] } },
  { name: 'HTTP/3.0 in a request line is refused', group: 'request', request: 'GET {P}/ HTTP/3.0\r\nHost: gw\r\n{A}\r\n\r\n',
    expect: { status: [400, 505], upstream: 0 } },
];

const smuggling: DiffCase[] = [
  { name: 'CL.TE: Content-Length and chunked together: 400, or chunked and the connection closed', group: 'smuggling',
    request: post([`Content-Length: ${('0\r\n\r\n' + get('/smuggled')).length}`, 'Transfer-Encoding: chunked'], '0\r\n\r\n' + get('/smuggled')),
    expect: { status: [400, 200], upstreamNever: ['/smuggled'], probe: 'closed' } },
  { name: 'TE.CL: chunked body with a short Content-Length: 400, or chunked and closed', group: 'smuggling',
    request: post(['Content-Length: 4', 'Transfer-Encoding: chunked'], `${(get('/smuggled')).length.toString(16)}\r\n${get('/smuggled')}\r\n0\r\n\r\n`),
    expect: { status: [400, 200], upstreamNever: ['GET /smuggled'], probe: 'closed' } },
  { name: 'Transfer-Encoding folded onto a second line (obs-fold) is a 400', group: 'smuggling',
    request: post(['Transfer-Encoding:', ' chunked', 'Content-Length: 3'], '0\r\n\r\n'),
    expect: { status: 400, upstream: 0, closed: true } },
  { name: "'Transfer-Encoding: xchunked' is a 400 or 501 and closed (RFC 9112 §6.3)", group: 'smuggling',
    request: post(['Transfer-Encoding: xchunked', 'Content-Length: 5'], 'hello'),
    expect: { status: [400, 501], upstream: 0, closed: true } },
  { name: 'Transfer-Encoding: chunked twice (two lines) is a 400', group: 'smuggling',
    request: post(['Transfer-Encoding: chunked', 'Transfer-Encoding: chunked'], '5\r\nhello\r\n0\r\n\r\n'),
    expect: { status: 400, upstream: 0, closed: true } },
  { name: "'Transfer-Encoding: chunked, identity' in a request is a 400", group: 'smuggling',
    request: post(['Transfer-Encoding: chunked, identity'], '5\r\nhello\r\n0\r\n\r\n'),
    expect: { status: [400, 501], upstream: 0, closed: true } },
  { name: 'Content-Length with a leading + is a 400', group: 'smuggling', request: post(['Content-Length: +5'], 'hello'),
    expect: { status: 400, upstream: 0, closed: true } },
  { name: 'two different Content-Length lines are a 400', group: 'smuggling', request: post(['Content-Length: 5', 'Content-Length: 6'], 'hello!'),
    expect: { status: 400, upstream: 0, closed: true } },
  { name: "'Content-Length: 5, 5' is a 400 or read as 5, never anything else", group: 'smuggling', request: post(['Content-Length: 5, 5'], 'hello'), second: SECOND,
    expect: { status: [400, 200] } },
  { name: 'a chunk size that overflows 64 bits is a 400, never a complete request upstream', group: 'smuggling',
    request: post(['Transfer-Encoding: chunked'], '10000000000000005\r\nhello\r\n0\r\n\r\n'),
    expect: { status: 400, upstream: 0, closed: true } },
  { name: 'an invalid chunk size in a request is a 400', group: 'smuggling', request: post(['Transfer-Encoding: chunked'], 'zz\r\nhello\r\n0\r\n\r\n'),
    expect: { status: 400, upstream: 0, closed: true } },
  { name: 'a bare CR in a request header is a 400', group: 'smuggling', request: get('/', ['X-A: a\rb']),
    expect: { status: 400, upstream: 0, closed: true } },
  { name: 'a bare CR as a line end in the request head is a 400', group: 'smuggling', request: 'GET {P}/ HTTP/1.1\rHost: gw\r\n{A}\r\n\r\n',
    expect: { status: 400, upstream: 0, closed: true } },
];

const NGINX_09 = 'nginx 1.22 relays an unparseable status line as an HTTP/0.9 body until the app closes';
const NGINX_BAD_CL = 'nginx 1.22 ignores an invalid Content-Length from an app and relays until the app closes';
const NGINX_CHUNK = 'nginx 1.22 closes the client connection without an answer on a broken chunked body from an app';
const NGINX_LAX = 'nginx 1.22 passes this header through';

/** bad is a malformed app response: Portico must refuse what llhttp refuses (a 502) and never reuse that connection. */
const bad = (name: string, bytes: string, o: { status?: Status | Status[]; nginx?: Expect & { why: string } } = {}): DiffCase => ({
  name: `malformed response: ${name} is refused`, group: 'response', request: get('/bad'), reply: [bytes, 50, EVIL],
  expect: { status: o.status ?? 502, probe: 'ok' },
  ...(o.nginx ? { nginx: o.nginx } : {}),
});

const responseSide: DiffCase[] = [
  { name: 'a bare-LF app response head (GET) is accepted, not a 502', group: 'response', request: get('/lf'), reply: ['HTTP/1.1 200 OK\nContent-Length: 2\nX-A: 1\n\nok'],
    expect: { status: 200, clientBody: 'ok', probe: 'ok' } },
  { name: 'a bare-LF app response head (POST) is accepted, not a 502', group: 'response', request: post(['Content-Length: 5'], 'hello'),
    reply: ['HTTP/1.1 201 Created\nContent-Length: 2\n\nok'], expect: { status: 201, upstreamBody: 'hello', clientBody: 'ok', probe: 'ok' } },
  { name: "response 'Transfer-Encoding: chunked, identity' with Content-Length, then extra bytes: no desync", group: 'response', request: get('/te'),
    reply: ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, identity\r\nContent-Length: 2\r\n\r\nok' + EVIL, 50, 'close'],
    expect: { status: [502, 200], busyOk: true },
    nginx: { status: 'none', why: 'nginx 1.22 drops the client connection on a response Transfer-Encoding it cannot decode' } },
  { name: "response 'Transfer-Encoding: gzip' with Content-Length, then extra bytes: no desync", group: 'response', request: get('/te'),
    reply: ['HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nContent-Length: 2\r\n\r\nok' + EVIL, 50, 'close'],
    expect: { status: [502, 200], busyOk: true } },
  { name: 'response chunked with a Content-Length too: refused, the wrong length is never passed on', group: 'response', request: get('/both'),
    reply: ['HTTP/1.1 200 OK\r\nContent-Length: 99\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n'],
    // RFC 9112 §6.3: such a message "ought to be handled as an error"; llhttp and undici refuse it.
    expect: { status: 502, probe: 'ok' },
    nginx: { status: 200, clientBody: 'ok', probe: 'ok', why: 'nginx 1.22 lets chunked win over the length; Portico refuses, as llhttp does and RFC 9112 §6.3 advises' } },
  { name: "response 'Content-Length: 5, 5' is a 502 (llhttp refuses it)", group: 'response', request: get('/dup'), reply: ['HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\nhello', 50, EVIL],
    expect: { status: 502, probe: 'ok' }, nginx: { status: 200, probe: undefined, busyOk: true, why: NGINX_BAD_CL } },
  { name: 'response with two equal Content-Length lines is a 502 (llhttp refuses it)', group: 'response', request: get('/dup'),
    reply: ['HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello', 50, EVIL], expect: { status: 502, probe: 'ok' },
    nginx: { status: 200, why: 'nginx 1.22 accepts repeated Content-Length lines from an app' } },
  bad('two different Content-Length lines', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 7\r\n\r\nok', { nginx: { status: 200, why: 'nginx 1.22 takes the last of conflicting Content-Length lines from an app' } }),
  { name: '103 Early Hints are forwarded before the final answer', group: 'response', request: get('/hints'),
    reply: ['HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n', 30, OK],
    expect: { status: 200, interim: [103], clientBody: 'ok', probe: 'ok' },
    nginx: { probe: undefined, busyOk: true, why: 'nginx 1.22 takes a 103 for the final answer and relays the real one as its body until the app closes (early_hints came in 1.29)' } },
  { name: "Set-Cookie 'esc=1; Path=/x; Path=/': no Path escapes the prefix", group: 'response', request: get('/cookie'),
    reply: ['HTTP/1.1 200 OK\r\nSet-Cookie: esc=1; Path=/x; Path=/\r\nContent-Length: 2\r\n\r\nok'],
    only: { proxy: 'portico', why: 'nginx does not scope cookies to the prefix by default' },
    expect: { status: 200, cookiePathsUnder: true } },
  { name: "Set-Cookie 'Path=<prefix>; Path=/': no Path escapes the prefix", group: 'response', request: get('/cookie'),
    reply: ['HTTP/1.1 200 OK\r\nSet-Cookie: esc=1; Path={P}; Path=/\r\nContent-Length: 2\r\n\r\nok'],
    only: { proxy: 'portico', why: 'nginx does not scope cookies to the prefix by default' },
    expect: { status: 200, cookiePathsUnder: true } },
  { name: 'a 204 followed by extra bytes: the extra bytes never answer the next request', group: 'response', request: get('/204'),
    reply: ['HTTP/1.1 204 No Content\r\n\r\n' + EVIL], expect: { status: 204 } },
  { name: 'an answer longer than its Content-Length: the surplus never answers the next request', group: 'response', request: get('/long'),
    reply: [OK + 'surplus' + EVIL], expect: { status: 200, clientBody: 'ok' } },
  bad('status line junk (2OO)', 'HTTP/1.1 2OO OK\r\nContent-Length: 2\r\n\r\nok', { nginx: { status: 'none', probe: undefined, busyOk: true, why: NGINX_09 } }),
  bad('an HTTP/2.0 status line (llhttp accepts it: a 200 is fine too)', 'HTTP/2.0 200 OK\r\nContent-Length: 2\r\n\r\nok', { status: [502, 200] }),
  bad('an HTTP/2 status line without a minor version', 'HTTP/2 200 OK\r\nContent-Length: 2\r\n\r\nok', { nginx: { status: 'none', probe: undefined, busyOk: true, why: NGINX_09 } }),
  bad('a four-digit status', 'HTTP/1.1 2000 OK\r\nContent-Length: 2\r\n\r\nok', { nginx: { status: 'none', probe: undefined, busyOk: true, why: NGINX_09 } }),
  bad('no space after the status', 'HTTP/1.1 200OK\r\nContent-Length: 2\r\n\r\nok', { nginx: { status: 'none', probe: undefined, busyOk: true, why: NGINX_09 } }),
  bad('a garbage first line', 'HELLO WORLD\r\nContent-Length: 2\r\n\r\nok', { nginx: { status: 'none', probe: undefined, busyOk: true, why: NGINX_09 } }),
  bad('NUL in a header value', 'HTTP/1.1 200 OK\r\nX-A: a\u0000b\r\nContent-Length: 2\r\n\r\nok'),
  bad('obs-fold in a header', 'HTTP/1.1 200 OK\r\nX-A: a\r\n b\r\nContent-Length: 2\r\n\r\nok'),
  bad('a header line without a colon', 'HTTP/1.1 200 OK\r\nX-A\r\nContent-Length: 2\r\n\r\nok', { nginx: { status: 200, why: NGINX_LAX } }),
  bad('a space before the colon', 'HTTP/1.1 200 OK\r\nContent-Length : 2\r\n\r\nok'),
  bad('an invalid character in a header name', 'HTTP/1.1 200 OK\r\nX(A): 1\r\nContent-Length: 2\r\n\r\nok', { nginx: { status: 200, why: NGINX_LAX } }),
  bad('a non-numeric Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\nok', { nginx: { status: 200, probe: undefined, busyOk: true, why: NGINX_BAD_CL } }),
  bad('a negative Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\nok', { nginx: { status: 200, probe: undefined, busyOk: true, why: NGINX_BAD_CL } }),
  bad('Content-Length with a leading +', 'HTTP/1.1 200 OK\r\nContent-Length: +2\r\n\r\nok', { nginx: { status: 200, probe: undefined, busyOk: true, why: NGINX_BAD_CL } }),
  bad('a bare CR in a header value', 'HTTP/1.1 200 OK\r\nX-A: a\rb\r\nContent-Length: 2\r\n\r\nok'),
  bad('an invalid chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nok\r\n0\r\n\r\n', { nginx: { status: 'none', probe: 'closed', why: NGINX_CHUNK } }),
  bad('a chunk size that overflows', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000002\r\nok\r\n0\r\n\r\n', { nginx: { status: 'none', probe: 'closed', why: NGINX_CHUNK } }),
  // A streaming proxy has sent the 200 head before the bad chunk arrives: it cannot take the status back, so
  // it cuts the connection before the last chunk (the client sees a truncated message, never a whole one).
  { name: 'malformed response: chunk data without its CRLF is refused (502, or the streamed answer cut short)', group: 'response', request: get('/bad'),
    reply: ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokXX0\r\n\r\n', 50, EVIL],
    expect: { status: [502, 200], probe: 'closed' }, nginx: { status: 'none', probe: 'closed', why: NGINX_CHUNK } },
  bad('a whitespace-led first header line', 'HTTP/1.1 200 OK\r\n X-A: 1\r\nContent-Length: 2\r\n\r\nok'),
];

/** DIFF_CASES is every case, in report order. */
export const DIFF_CASES: DiffCase[] = [...baseline, ...requestSide, ...smuggling, ...responseSide];
