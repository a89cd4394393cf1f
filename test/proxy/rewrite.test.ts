/**
 * rewrite.test.ts: unit tests of the pure header logic (path split, request and response headers).
 */
import t from 'tap';
import { parseTarget, statusTarget, upstreamPath, normaliseContainerPath } from '../../gateway/proxy/path.ts';
import { forwardHeaders, withoutSessionCookie } from '../../gateway/proxy/headers.ts';
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
  t.equal(upstreamPath(`${P}/a?b`, '/a?b', true, ''), '/a?b');
  t.equal(upstreamPath(`${P}/a?b`, '/a?b', true, '/app'), '/app/a?b');
  t.equal(upstreamPath(`${P}/a?b`, '/a?b', false, '/app'), `${P}/a?b`);
  t.equal(normaliseContainerPath('/a/b/'), '/a/b');
  t.equal(normaliseContainerPath(''), '');
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
  t.equal(withoutSessionCookie('portico_session=x'), null);
  t.equal(withoutSessionCookie('my_portico_session=1; portico_session=x;z=3'), 'my_portico_session=1; z=3');
  t.equal(sessionId('a=1; portico_session=abc; c=2'), 'abc');
  t.equal(sessionId('xportico_session=abc'), null);
  t.equal(sessionId(undefined), null);
});

t.test('response rewriting', async (t) => {
  const s = { prefix: P, stripPrefix: true, containerPath: '', upstreamOrigins: ['http://172.18.0.5:80', 'http://172.18.0.5'] };
  t.equal(rewriteLocation('/landing?x=1', s), `${P}/landing?x=1`);
  t.equal(rewriteLocation(`${P}/already`, s), `${P}/already`, 'prefix-aware apps are left alone');
  t.equal(rewriteLocation('http://172.18.0.5/x', s), `${P}/x`, "absolute URLs to the app's own address");
  t.equal(rewriteLocation('https://elsewhere.example/x', s), 'https://elsewhere.example/x');
  t.equal(rewriteLocation('//cdn.example/x', s), '//cdn.example/x');
  t.equal(rewriteLocation('relative/x', s), 'relative/x');
  t.equal(rewriteLocation('/x', { ...s, stripPrefix: false }), '/x', 'no rewrite without stripping');
  t.equal(rewriteLocation('/app/x', { ...s, containerPath: '/app' }), `${P}/x`, 'container_path removed');

  t.equal(scopeCookie('a=1', s), `a=1; Path=${P}`);
  t.equal(scopeCookie('a=1; Path=/; HttpOnly', s), `a=1; Path=${P}; HttpOnly`);
  t.equal(scopeCookie('a=1; path=/sub; Secure', s), `a=1; Path=${P}/sub; Secure`);
  t.equal(scopeCookie(`a=1; Path=${P}/deep`, s), `a=1; Path=${P}/deep`, 'already narrower');
  t.equal(scopeCookie('a=1; Path=/', { ...s, stripPrefix: false }), `a=1; Path=${P}`, 'without stripping: scoped to the prefix');
  t.equal(scopeCookie('a=1; Expires=Wed, 21 Oct 2037 07:28:00 GMT; Path=/x', s), `a=1; Expires=Wed, 21 Oct 2037 07:28:00 GMT; Path=${P}/x`);

  t.same(responseHeaders(['connection', 'keep-alive, x-hop', 'x-hop', '1', 'keep-alive', 'timeout=5', 'transfer-encoding', 'chunked', 'x-app', 'a', 'x-app', 'b', 'location', '/l', 'set-cookie', 'a=1', 'set-cookie', 'b=2; Path=/x'], s),
    ['x-app', 'a', 'x-app', 'b', 'location', `${P}/l`, 'set-cookie', `a=1; Path=${P}`, 'set-cookie', `b=2; Path=${P}/x`],
    'hop-by-hop fields (and those Connection names) dropped, repeats kept in order, Location and each Set-Cookie rewritten');
  t.same(responseHeaders(['connection', 'x-single', 'x-single', '1', 'x-ok', '2'], s), ['x-ok', '2'], 'a single name in Connection is hop-by-hop too');
  t.same(flatHeaders({ 'set-cookie': ['a=1', 'b=2'], 'x-a': '1', none: undefined }), ['set-cookie', 'a=1', 'set-cookie', 'b=2', 'x-a', '1']);
});
