/**
 * rewrite.test.ts: unit tests of the pure header logic (path split, request and response headers).
 */
import t from 'tap';
import { parseTarget, statusTarget, upstreamPath, linkPath } from '../../gateway/proxy/path.ts';
import { forwardHeaders } from '../../gateway/proxy/headers.ts';
import { withoutGatewayCookies } from '../../gateway/core/auth/cookies.ts';
import { flatHeaders, rewriteLocation, scopeCookie, responseHeaders } from '../../gateway/proxy/response-headers.ts';
import { sessionId } from '../../gateway/proxy/auth.ts';

const U = '0b5d6a1e-8c1f-4d2e-9a3b-123456789abc';
const P = `/containers/proxy/${U}`;

t.test('parseTarget', async (t) => {
  t.same(parseTarget(`${P}/a/b?c=d`), { uuid: U, rest: '/a/b?c=d' });
  t.same(parseTarget(`${P}?x`), { uuid: U, rest: '?x' });
  t.same(parseTarget(P), { uuid: U, rest: '' });
  t.same(parseTarget(`/containers/proxy/${U.toUpperCase()}/`), { uuid: U, rest: '/' }, 'case-insensitive uuid');
  t.equal(parseTarget(`${P}x/`), null, 'no separator after the uuid');
  t.equal(parseTarget('/containers/proxy/not-a-uuid/'), null);
  t.equal(parseTarget('/containers/proxy/'), null);
  t.equal(statusTarget(`/containers/proxy/_status/${U}`), U);
  t.equal(statusTarget(`/containers/proxy/_status/${U}/x`), null);
  t.equal(upstreamPath(`${P}/a?b`, '/a?b', true), '/a?b');
  t.equal(upstreamPath(`${P}/a?b`, '/a?b', false), `${P}/a?b`);
  t.equal(linkPath('/a/b/'), 'a/b/', 'container_path keeps its trailing slash, as typed');
  t.equal(linkPath(''), '');
});

t.test('forwardHeaders', async (t) => {
  const base = { upgrade: false, dropAuthorization: true, trustProxy: false, clientIp: '10.1.1.1', proto: 'http' as const, prefix: P };
  const out = forwardHeaders([
    'Host', 'gw:8080', 'Connection', 'keep-alive, X-Secret', 'X-Secret', 's', 'Keep-Alive', '5', 'Transfer-Encoding', 'chunked',
    'Authorization', 'token abc', 'Cookie', 'a=1; portico_session=zzz; b=2', 'X-Forwarded-For', '1.2.3.4', 'Upgrade', 'websocket',
    'Accept', 'x', 'Accept', 'y',
  ], base);
  t.same(out, ['Host', 'gw:8080', 'Cookie', 'a=1; b=2', 'Accept', 'x', 'Accept', 'y',
    'x-forwarded-for', '10.1.1.1', 'x-forwarded-proto', 'http', 'x-forwarded-host', 'gw:8080', 'x-forwarded-prefix', P]);
  const trusted = forwardHeaders(['X-Forwarded-For', '1.2.3.4', 'X-Forwarded-Proto', 'https', 'X-Forwarded-Host', 'public.example', 'Connection', 'Upgrade', 'Upgrade', 'websocket'],
    { ...base, trustProxy: true, upgrade: true, prefix: null, dropAuthorization: false });
  t.same(trusted, ['Connection', 'Upgrade', 'Upgrade', 'websocket', 'x-forwarded-for', '1.2.3.4, 10.1.1.1', 'x-forwarded-proto', 'https', 'x-forwarded-host', 'public.example']);
  t.equal(withoutGatewayCookies('portico_session=x'), null);
  t.equal(withoutGatewayCookies('my_portico_session=1; portico_session=x;z=3'), 'z=3', 'any pair that mentions the namespace goes');
  t.equal(withoutGatewayCookies('a_b=1; _ga=2'), 'a_b=1; _ga=2');
  t.equal(sessionId('a=1; portico_session=abc; c=2'), 'abc');
  t.equal(sessionId('xportico_session=abc'), null);
  t.equal(sessionId(undefined), null);
});

t.test('regression: the session reader and the cookie stripper disagreed ("a=1, portico_session=…")', async (t) => {
  const base = { upgrade: false, dropAuthorization: true, trustProxy: false, clientIp: '10.1.1.1', proto: 'http' as const, prefix: null };
  for (const cookie of ['a=1, portico_session=S', 'x=1 portico_session=S']) {
    t.equal(sessionId(cookie), null, `${cookie}: one cookie named by its first pair, not a session`);
    t.same(forwardHeaders(['Cookie', cookie], base).slice(0, 2), ['x-forwarded-for', '10.1.1.1'], `${cookie}: not forwarded either`);
  }
  t.equal(sessionId('a=1;portico_session=S'), 'S');
  t.equal(sessionId(' portico_session = S ; b=1'), 'S', 'whitespace around a pair is not part of it');
  t.same(forwardHeaders(['Cookie', 'a=1', 'X', '1', 'Cookie', 'portico_session=S; b=2'], base).slice(0, 4), ['Cookie', 'a=1; b=2', 'X', '1'], 'several Cookie lines: each stripped, joined into one');
  t.same(forwardHeaders(['Cookie', 'portico_session=S', 'Cookie', 'b=2'], base).slice(0, 2), ['Cookie', 'b=2']);
});

t.test('regression: Connection: content-length dropped the request body; underscore X_Forwarded_* reached the app', async (t) => {
  const base = { upgrade: false, dropAuthorization: true, trustProxy: false, clientIp: '10.1.1.1', proto: 'http' as const, prefix: null };
  const out = forwardHeaders(['Host', 'gw', 'Connection', 'content-length, host, transfer-encoding', 'Content-Length', '5'], base);
  t.same(out.slice(0, 4), ['Host', 'gw', 'Content-Length', '5'], 'framing fields and Host cannot be made hop-by-hop');
  const stripped = forwardHeaders(['X_Forwarded_For', '6.6.6.6', 'x_forwarded_host', 'evil', 'Forwarded', 'for=6.6.6.6', 'X-Real-IP', '6.6.6.6',
    'X-Real_IP', '6.6.6.6', 'X-Forwarded-Port', '1', 'X-Ok', '1'], { ...base, trustProxy: true });
  t.same(stripped, ['X-Ok', '1', 'x-forwarded-for', '10.1.1.1', 'x-forwarded-proto', 'http'], "only the gateway's own forwarding fields reach the app");
});

t.test('response rewriting', async (t) => {
  const s = { prefix: P, stripPrefix: true, upstreamOrigins: ['http://172.18.0.5:80', 'http://172.18.0.5'] };
  t.equal(rewriteLocation('/landing?x=1', s), `${P}/landing?x=1`);
  t.equal(rewriteLocation(`${P}/already`, s), `${P}/already`, 'prefix-aware apps are left alone');
  t.equal(rewriteLocation('http://172.18.0.5/x', s), `${P}/x`, "absolute URLs to the app's own address");
  t.equal(rewriteLocation('https://elsewhere.example/x', s), 'https://elsewhere.example/x');
  t.equal(rewriteLocation('//cdn.example/x', s), '//cdn.example/x');
  t.equal(rewriteLocation('relative/x', s), 'relative/x');
  t.equal(rewriteLocation('/x', { ...s, stripPrefix: false }), '/x', 'no rewrite without stripping');
  t.equal(rewriteLocation('/app/x', s), `${P}/app/x`, 'regression: a container_path was cut out of redirects (the app sees and sends full paths)');

  t.equal(scopeCookie('a=1', s), `a=1; Path=${P}`);
  t.equal(scopeCookie('a=1; Path=/; HttpOnly', s), `a=1; HttpOnly; Path=${P}`);
  t.equal(scopeCookie('a=1; path=/sub; Secure', s), `a=1; Secure; Path=${P}/sub`);
  t.equal(scopeCookie('esc=1; Path=/x; Path=/', s), `esc=1; Path=${P}`, 'regression: only the first of two Paths was rewritten (the last one wins)');
  t.equal(scopeCookie(`esc=1; Path=${P}; Path=/`, s), `esc=1; Path=${P}`, 'regression: Path=<prefix>; Path=/ was left unchanged');
  t.equal(scopeCookie(`esc=1; Path=/; Path=${P}/in`, s), `esc=1; Path=${P}/in`, 'the last Path is kept when it is under the prefix');
  t.equal(scopeCookie('esc=1; Domain=example.com; path = / ; Secure', s), `esc=1; Secure; Path=${P}`, 'Domain dropped, spaced Path read');
  t.equal(scopeCookie('esc=1; Path=relative', s), `esc=1; Path=${P}`, 'a Path without a leading / counts as none');
  t.equal(scopeCookie('portico_session=evil; Path=/; HttpOnly', s), null, 'regression: an app could replace the gateway session cookie');
  t.equal(scopeCookie(' Portico_Login=x', s), null, "the gateway's namespace, in any case");
  t.equal(scopeCookie('=portico_session=evil; Path=/', s), null, 'a nameless cookie a browser would send back as portico_session=evil');
  t.equal(scopeCookie('portico_session', s), null, 'a nameless cookie without =');
  t.equal(scopeCookie(`a=1; Path=${P}/deep`, s), `a=1; Path=${P}/deep`, 'already narrower');
  t.equal(scopeCookie('a=1; Path=/', { ...s, stripPrefix: false }), `a=1; Path=${P}`, 'without stripping: scoped to the prefix');
  t.equal(scopeCookie('a=1; Expires=Wed, 21 Oct 2037 07:28:00 GMT; Path=/x', s), `a=1; Expires=Wed, 21 Oct 2037 07:28:00 GMT; Path=${P}/x`);
  t.same(responseHeaders(['set-cookie', 'portico_session=x; Path=/', 'set-cookie', 'ok=1'], s), ['set-cookie', `ok=1; Path=${P}`], 'a refused Set-Cookie is left out');

  t.same(responseHeaders(['connection', 'keep-alive, x-hop', 'x-hop', '1', 'keep-alive', 'timeout=5', 'transfer-encoding', 'chunked', 'x-app', 'a', 'x-app', 'b', 'location', '/l', 'set-cookie', 'a=1', 'set-cookie', 'b=2; Path=/x'], s),
    ['x-app', 'a', 'x-app', 'b', 'location', `${P}/l`, 'set-cookie', `a=1; Path=${P}`, 'set-cookie', `b=2; Path=${P}/x`],
    'hop-by-hop fields (and those Connection names) dropped, repeats kept in order, Location and each Set-Cookie rewritten');
  t.same(responseHeaders(['connection', 'x-single', 'x-single', '1', 'x-ok', '2'], s), ['x-ok', '2'], 'a single name in Connection is hop-by-hop too');
  t.same(flatHeaders({ 'set-cookie': ['a=1', 'b=2'], 'x-a': '1', none: undefined }), ['set-cookie', 'a=1', 'set-cookie', 'b=2', 'x-a', '1']);
});
