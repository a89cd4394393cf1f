/**
 * app-origin-units.test.ts: the parts of app origins that need no gateway: the settings and their
 * refusals, which Host names an app, the code book (expiry, single use, binding to one app), the
 * rewrites at an origin's root, and the viewer header values.
 */
import t from 'tap';
import { loadConfig } from '../../gateway/core/config.ts';
import { createAppOrigins } from '../../gateway/proxy/app-origin.ts';
import { createHandshake, CODE_TTL_MS } from '../../gateway/core/auth/app-handshake.ts';
import { hostOnlyCookie, originLocation } from '../../gateway/proxy/app-origin-headers.ts';
import { responseHeaders } from '../../gateway/proxy/response-headers.ts';
import { viewerValue } from '../../gateway/proxy/headers.ts';
import { fromElsewhere, localPath } from '../../gateway/proxy/app-entry.ts';

const U = '0f8fad5b-d9cb-469f-a165-70867728950e';

t.test('settings: per-app by default on localhost; precise refusals', async (t) => {
  const d = loadConfig({});
  t.equal(d.appOrigins, 'per-app');
  t.equal(d.appsDomain, 'localhost');
  t.equal(d.publicUrl, null);
  const c = loadConfig({ PORTICO_APPS_DOMAIN: 'Apps.Example.org.', PORTICO_PUBLIC_URL: 'https://portico.example.org/' });
  t.equal(c.appsDomain, 'apps.example.org', 'lower case, trailing dot dropped');
  t.equal(c.publicUrl, 'https://portico.example.org', 'the origin, without the slash');
  t.throws(() => loadConfig({ PORTICO_APPS_DOMAIN: 'apps.example.org' }), /PORTICO_PUBLIC_URL is required with PORTICO_APPS_DOMAIN/);
  t.throws(() => loadConfig({ PORTICO_APPS_DOMAIN: '*.example.org', PORTICO_PUBLIC_URL: 'https://p.example.org' }), /PORTICO_APPS_DOMAIN must be a DNS name/);
  t.throws(() => loadConfig({ PORTICO_PUBLIC_URL: 'https://portico.example.org/sub' }), /PORTICO_PUBLIC_URL must be the gateway's origin/);
  t.throws(() => loadConfig({ PORTICO_PUBLIC_URL: 'ftp://portico.example.org' }), /PORTICO_PUBLIC_URL must be/);
  t.throws(() => loadConfig({ PORTICO_APPS_DOMAIN: 'example.org', PORTICO_PUBLIC_URL: 'https://portico.example.org' }), /must not be under PORTICO_APPS_DOMAIN/,
    'the UI under the apps domain would share cookies with apps');
  t.throws(() => loadConfig({ PORTICO_PUBLIC_URL: 'http://localhost:8080' }), /must not be under PORTICO_APPS_DOMAIN \(localhost\)/);
  t.throws(() => loadConfig({ PORTICO_APP_ORIGINS: 'subdomains' }), /PORTICO_APP_ORIGINS must be one of per-app, same-origin/);
  t.equal(loadConfig({ PORTICO_APP_ORIGINS: 'same-origin', PORTICO_APPS_DOMAIN: 'apps.example.org' }).appOrigins, 'same-origin', 'same-origin needs no public URL');
});

t.test('which Host names an app', async (t) => {
  const o = createAppOrigins({ appOrigins: 'per-app', appsDomain: 'apps.example.org', publicUrl: 'https://portico.example.org' });
  t.equal(o.appOf(`${U}.apps.example.org`), U);
  t.equal(o.appOf(`${U.toUpperCase()}.APPS.example.org:8443`), U, 'case and a port do not matter');
  t.equal(o.appOf('portico.example.org'), null, "the gateway's own host");
  t.equal(o.appOf(`${U}.apps.example.org.evil.com`), null);
  t.equal(o.appOf(`x${U}.apps.example.org`), null, 'the label is exactly a uuid');
  t.equal(o.appOf(`${U}.other.example.org`), null);
  t.equal(o.appOf(`${U}.apps.example.org:80x`), null);
  t.equal(o.appOf(`a.${U}.apps.example.org`), null);
  t.equal(o.appOf(undefined), null);
  t.equal(o.appUrl(U, 'whatever', false), `https://${U}.apps.example.org`, 'with a public URL, its scheme and port');
  t.equal(o.gatewayUrl('x', false), 'https://portico.example.org');
  const local = createAppOrigins({ appOrigins: 'per-app', appsDomain: 'localhost', publicUrl: null });
  t.equal(local.appUrl(U, '127.0.0.1:8080', false), `http://${U}.localhost:8080`, 'locally, the port the request came to');
  t.equal(local.gatewayUrl(`${U}.localhost:8080`, false), 'http://127.0.0.1:8080');
  t.equal(createAppOrigins({ appOrigins: 'same-origin', appsDomain: 'localhost', publicUrl: null }).appOf(`${U}.localhost:8080`), null, 'same-origin: no app hosts at all');
});

t.test('the code book: single use, one app, expiry', async (t) => {
  let now = 1_000_000;
  const h = createHandshake(CODE_TTL_MS, () => now);
  const a = h.issue(U, 7, 'sess');
  t.ok(a.length >= 40);
  t.same(h.redeem(a, U), { uuid: U, userId: 7, sessionHash: 'sess', expires: now + CODE_TTL_MS }, 'redeemed once');
  t.equal(h.redeem(a, U), null, 'a replayed code is refused');
  const b = h.issue(U, 7, 'sess');
  t.equal(h.redeem(b, '00000000-0000-4000-8000-000000000000'), null, 'a code for another app is refused');
  t.equal(h.redeem(b, U), null, 'and spent by the attempt');
  const c = h.issue(U, 7, 'sess');
  now += CODE_TTL_MS;
  t.equal(h.redeem(c, U), null, 'an expired code is refused');
  t.equal(CODE_TTL_MS, 30_000);
});

t.test('rewrites at the root of an app origin', async (t) => {
  const s = { prefix: '', stripPrefix: true, upstreamOrigins: ['http://10.0.0.5:80', 'http://10.0.0.5'], hostOnly: true };
  t.equal(originLocation('/landing?x=1', s), '/landing?x=1');
  t.equal(originLocation('/app/landing', s), '/app/landing', 'regression: container_path was cut out of Location (the app sees and sends full paths, as in Kiosc)');
  t.equal(originLocation('http://10.0.0.5/app/x?y', s), '/app/x?y', "the app's internal address is dropped");
  t.equal(originLocation(`http://${U}.localhost:8080/dashboard`, s), `http://${U}.localhost:8080/dashboard`, 'a Host-built URL is kept');
  t.equal(originLocation('//evil.example/x', s), '//evil.example/x');
  t.equal(hostOnlyCookie('a=1; Domain=example.org; Path=/x'), 'a=1; Path=/x');
  t.equal(hostOnlyCookie('a=1;domain=.example.org;secure'), 'a=1;secure');
  t.equal(hostOnlyCookie('portico_app=x; Path=/'), null);
  t.equal(hostOnlyCookie('portico_session=x'), null);
  t.equal(hostOnlyCookie('domain=1; Path=/'), 'domain=1; Path=/', 'a cookie named domain is kept');
  t.same(responseHeaders(['set-cookie', 'a=1', 'location', '/app/z', 'x-a', 'b'], s), ['set-cookie', 'a=1', 'location', '/app/z', 'x-a', 'b'], 'no Path is added at the root');
  const pre = { ...s, prefix: `/containers/proxy/${U}` };
  t.same(responseHeaders(['set-cookie', 'a=1; Domain=localhost', 'location', '/app/z'], pre), ['set-cookie', `a=1; Path=/containers/proxy/${U}`, 'location', `/containers/proxy/${U}/app/z`], 'under the prefix: as before, host-only');
});

t.test('viewer values, local paths, who called', async (t) => {
  t.equal(viewerValue('alice@example.org'), 'alice@example.org');
  t.equal(viewerValue('jürgen'), 'j%C3%BCrgen');
  t.equal(viewerValue('a%20b'), 'a%2520b', "a '%' is encoded, so decoding is never ambiguous");
  t.equal(viewerValue('a\r\nx: y'), 'a%0D%0Ax%3A%20y', 'no header injection');
  t.equal(localPath('/a?b=1'), '/a?b=1');
  for (const bad of ['//evil', '/\\evil', 'https://evil', '/a b', '/\tx', null]) t.equal(localPath(bad), '/', `refused: ${JSON.stringify(bad)}`);
  t.equal(fromElsewhere(undefined, undefined, 'POST'), false, 'no Fetch Metadata: not known to be from elsewhere');
  t.equal(fromElsewhere('same-origin', 'cors', 'POST'), false);
  t.equal(fromElsewhere('none', 'navigate', 'GET'), false);
  t.equal(fromElsewhere('same-site', 'navigate', 'GET'), false, 'a link from another app');
  t.equal(fromElsewhere('same-site', 'navigate', 'POST'), true, 'a form from another app');
  t.equal(fromElsewhere('cross-site', 'no-cors', 'GET'), true);
  t.equal(fromElsewhere('same-site', 'websocket', 'GET'), true);
});
