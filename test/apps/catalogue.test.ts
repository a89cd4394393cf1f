/**
 * catalogue.test.ts: the app catalogue from real images built here with Simphony-remote, OCI and
 * portico.app.* labels (docs/apps.md): listed with icon and description, a bad label reported while
 * the rest works, labels that cannot inject engine options, admin overrides, icons served safely.
 */
import t from 'tap';
import { startGateway } from '../helpers/gateway.ts';
import { PNG_1PX, buildAppImage, inspect, removeImage } from './images.ts';
import { parseLabels } from '../../gateway/core/apps/labels.ts';
import { checkIcon } from '../../gateway/core/apps/icon.ts';

const S = 'eu.simphony-project.docker.';

t.test('labels parse: Simphony-remote, OCI and portico.app.*; each bad value is reported and left out', async (t) => {
  const r = parseLabels({
    [S + 'ui_name']: 'Viewer', [S + 'description']: 'Looks at things', [S + 'type']: 'webapp', [S + 'env.x11-width']: '',
    [S + 'env.startupdata']: '/data/start', 'org.opencontainers.image.title': 'ignored, ui_name wins',
    'portico.app.port': '8080', 'portico.app.path': 'app/', 'portico.app.strip_prefix': 'false', 'portico.app.readiness': '/health',
  });
  t.same(r.problems, []);
  t.equal(r.title, 'Viewer');
  t.same(r.settings, { port: 8080, path: 'app/', stripPrefix: false, readinessPath: '/health', type: 'webapp', env: { X11_WIDTH: '', STARTUPDATA: '/data/start' } });
  const bad = parseLabels({ 'org.opencontainers.image.title': 'OCI title', 'portico.app.port': '99999', [S + 'icon_128']: 'not-base64!!', 'portico.app.nosuch': 'x', [S + 'type']: 'desktop' });
  t.equal(bad.title, 'OCI title', 'the OCI title is used without ui_name');
  t.equal(bad.settings.port, 80, 'a bad port keeps the default');
  t.equal(bad.problems.length, 4, bad.problems.join('; '));
  t.match(bad.problems.join('\n'), /portico\.app\.port: must be a port number/);
  t.match(bad.problems.join('\n'), /icon_128: not base64/);
});

t.test('icons: PNG, JPEG and clean SVG kept by their bytes; scripted SVG and HTML refused', async (t) => {
  t.equal((checkIcon(Buffer.from(PNG_1PX, 'base64')) as { type: string }).type, 'image/png');
  t.equal((checkIcon(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><circle r="4"/></svg>')) as { type: string }).type, 'image/svg+xml');
  t.match(checkIcon(Buffer.from('<svg><script>alert(1)</script></svg>')), { problem: /scripts/ });
  t.match(checkIcon(Buffer.from('<svg onload="alert(1)"></svg>')), { problem: /event handlers/ });
  t.match(checkIcon(Buffer.from('<svg><image href="https://evil.example/x.png"/></svg>')), { problem: /reference other documents/ });
  t.match(checkIcon(Buffer.from('<html><body>hi</body></html>')), { problem: /not a PNG, JPEG or SVG/ });
});

t.test('a real labelled image: scanned into the catalogue with icon and description; a bad label is reported and the rest works', async (t) => {
  const good = buildAppImage({
    [S + 'ui_name']: 'Good viewer', [S + 'description']: 'A viewer with an icon', [S + 'icon_128']: PNG_1PX, [S + 'type']: 'webapp',
    [S + 'env.x11-width']: '1024', 'portico.app.port': '80',
  });
  const bad = buildAppImage({
    'org.opencontainers.image.title': 'Half broken', 'org.opencontainers.image.description': 'Its port label is wrong',
    'portico.app.port': 'eighty', [S + 'icon_128']: Buffer.from('<svg onload="alert(1)"/>').toString('base64'),
  });
  const svgImage = buildAppImage({ [S + 'ui_name']: 'Svg app', [S + 'icon_128']: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><rect width="2" height="2"/></svg>').toString('base64') });
  const gw = await startGateway();
  t.teardown(async () => { await gw.close(); for (const i of [good, bad, svgImage]) removeImage(i); });
  const admin = await gw.user('cat-admin', { admin: true });
  const bob = await gw.user('cat-bob');

  const scanned = await gw.api('POST', '/api/apps/scan', admin.token, {});
  t.equal(scanned.status, 200, JSON.stringify(scanned.body));
  const all = await gw.api('GET', '/api/apps?all=1', admin.token);
  const byImage = (img: string) => all.body.results.find((a: any) => a.image === img);
  const g = byImage(good);
  t.ok(g, 'the good image is in the catalogue');
  t.equal(g.title, 'Good viewer');
  t.equal(g.description, 'A viewer with an icon');
  t.equal(g.icon_type, 'image/png');
  t.same(g.env, { X11_WIDTH: '1024' });
  t.same(g.label_problems, []);
  const b = byImage(bad);
  t.equal(b.title, 'Half broken');
  t.equal(b.port, 80, 'the bad port label left the default');
  t.equal(b.icon_url, null, 'the scripted SVG icon was refused');
  t.equal(b.label_problems.length, 2, b.label_problems.join('; '));

  const icon = await fetch(gw.base + g.icon_url, { headers: { authorization: `token ${admin.token}` } });
  t.equal(icon.status, 200);
  t.equal(icon.headers.get('content-type'), 'image/png');
  t.equal(icon.headers.get('x-content-type-options'), 'nosniff');
  t.match(icon.headers.get('content-security-policy'), /default-src 'none'/);
  t.same(Buffer.from(await icon.arrayBuffer()), Buffer.from(PNG_1PX, 'base64'));
  const svg = byImage(svgImage);
  const svgRes = await fetch(gw.base + svg.icon_url, { headers: { authorization: `token ${admin.token}` } });
  t.equal(svgRes.headers.get('content-type'), 'image/svg+xml');
  t.match(svgRes.headers.get('content-disposition'), /^attachment/, 'an SVG icon is never shown as a document');
  t.match(svgRes.headers.get('content-security-policy'), /default-src 'none'; sandbox/);

  const hidden = await gw.api('GET', g.icon_url, bob.token);
  t.equal(hidden.status, 404, 'an app not granted to bob: its icon is 404 too');
  t.equal((await gw.api('GET', '/api/apps', bob.token)).body.count, 0, 'bob is granted nothing yet');
  t.equal((await gw.api('GET', `/api/apps/${g.uuid}`, bob.token)).status, 404);
  const granted = await gw.api('POST', `/api/apps/${g.slug}/grants`, admin.token, { user: 'cat-bob' });
  t.equal(granted.status, 201);
  const mine = await gw.api('GET', '/api/apps', bob.token);
  t.equal(mine.body.count, 1);
  t.equal(mine.body.results[0].title, 'Good viewer');
  t.equal(mine.body.results[0].label_problems, undefined, 'label problems are for site admins');
  t.equal((await gw.api('POST', '/api/apps/scan', bob.token, {})).status, 403, 'only site admins scan');

  const patched = await gw.api('PATCH', `/api/apps/${b.uuid}`, admin.token, { title: 'Fixed by the admin', port: 80, public: true });
  t.equal(patched.status, 200);
  t.equal(patched.body.title, 'Fixed by the admin');
  t.equal(patched.body.public, true);
  await gw.api('POST', '/api/apps/scan', admin.token, { image: bad });
  t.equal((await gw.api('GET', `/api/apps/${b.uuid}`, admin.token)).body.title, 'Fixed by the admin', 'a rescan keeps the admin\'s override');
  const wrong = await gw.api('PATCH', `/api/apps/${b.uuid}`, admin.token, { port: 70000 });
  t.equal(wrong.status, 400);
  t.match(wrong.body.error, /port/);
  t.equal((await gw.api('POST', '/api/apps/scan', admin.token, { image: 'portico-test/no-such-image:1' })).status, 404);
});

t.test('labels cannot inject options: --privileged, a host path or a command in a label is only text', async (t) => {
  const img = buildAppImage({
    [S + 'ui_name']: '--privileged', [S + 'description']: '-v /:/host --cap-add ALL', [S + 'env.x11-width']: '$(rm -rf /) --privileged',
    'portico.app.path': '/etc/passwd', 'portico.app.readiness': '--privileged',
  });
  const xss = buildAppImage({ [S + 'ui_name']: '<img src=x onerror=alert(1)>', [S + 'description']: '"><script>alert(2)</script>' });
  const gw = await startGateway();
  t.teardown(async () => { await gw.close(); removeImage(img); removeImage(xss); });
  const admin = await gw.user('inj-admin', { admin: true });
  const app = (await gw.api('POST', '/api/apps/scan', admin.token, { image: img })).body.results[0];
  const bad = (await gw.api('POST', '/api/apps/scan', admin.token, { image: xss })).body.results[0];
  for (const url of ['/apps/admin', `/apps/admin/${bad.uuid}`, '/apps', '/']) {
    const html = await (await fetch(gw.base + url, { headers: { authorization: `token ${admin.token}`, accept: 'text/html' } })).text();
    t.notMatch(html, /<img src=x|<script>alert/, `${url}: label text is escaped`);
    t.match(html, /&lt;img src=x onerror=alert\(1\)&gt;/, `${url}: and shown as text`);
  }
  t.equal(app.title, '--privileged', 'the title is kept as text');
  t.match(app.label_problems.join('\n'), /portico\.app\.readiness/);
  const opened = await gw.api('POST', `/api/apps/${app.uuid}/open`, admin.token, { start: true });
  t.equal(opened.status, 201, JSON.stringify(opened.body));
  t.equal(opened.body.state, 'running');
  const c = gw.core.store.containers.byUuid(opened.body.uuid)!;
  const info = inspect(c.dockerName!);
  t.equal(info.HostConfig.Privileged, false, 'not privileged');
  t.same(info.HostConfig.CapAdd ?? null, null, 'no capability added');
  t.same(info.Mounts.filter((m: any) => m.Type === 'bind'), [], 'no host path mounted');
  t.ok(info.Config.Env.includes('X11_WIDTH=$(rm -rf /) --privileged'), 'the label is a variable\'s default, as text');
});

t.test('the catalogue admin pages: define an app by hand, override it, mark it public, grant and revoke with a policy (forms with CSRF)', async (t) => {
  const img = buildAppImage({ 'org.opencontainers.image.title': 'Form app', 'portico.app.port': '80' });
  const gw = await startGateway();
  t.teardown(async () => { await gw.close(); removeImage(img); });
  const admin = await gw.user('form-admin', { admin: true });
  await gw.user('form-user');
  const s = await fetch(gw.base + '/api/session', { method: 'POST', headers: { authorization: `token ${admin.token}` } });
  const cookie = (s.headers.get('set-cookie') ?? '').split(';')[0];
  const csrf = ((await s.json()) as { csrf_token: string }).csrf_token;
  const post = (url: string, form: Record<string, string>, withCsrf = true) => fetch(gw.base + url, {
    method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(withCsrf ? { csrf_token: csrf, ...form } : form).toString(),
  });
  t.equal((await post('/apps/admin/define', { image: img }, false)).status, 403, 'no CSRF token: refused');
  const made = await post('/apps/admin/define', { image: img, title: 'Defined by hand' });
  t.equal(made.status, 303);
  const app = gw.core.store.apps.byImage(img)!;
  t.equal(app.source, 'admin');
  t.equal(app.title, 'Defined by hand');
  t.equal((await post(`/apps/admin/${app.uuid}`, { title: 'Renamed', description: 'Now described', port: '80', path: '', readiness_path: '', env: '{}', public: 'on', enabled: 'on' })).status, 303);
  const after = gw.core.store.apps.byId(app.id)!;
  t.equal(after.title, 'Renamed');
  t.equal(after.description, 'Now described');
  t.equal(after.public, true);
  t.equal((await post(`/apps/admin/${app.uuid}/grants`, { kind: 'user', grantee: 'form-user', allow_home: 'on', volume: '/etc:/etc:ro' })).status, 400, 'a host path outside the allowlist is refused');
  t.equal((await post(`/apps/admin/${app.uuid}/grants`, { kind: 'user', grantee: 'form-user', allow_home: 'on' })).status, 303);
  const [g] = gw.core.store.apps.grantsOfApp(app.id);
  t.equal(g.policy.allowHome, true);
  const page = await (await fetch(`${gw.base}/apps/admin/${app.uuid}`, { headers: { cookie } })).text();
  t.match(page, /user form-user/);
  t.match(page, /\/apps\/public\/[a-z0-9-]+/, 'the public link is shown');
  t.equal((await post(`/apps/admin/${app.uuid}/grants/${g.uuid}/revoke`, {})).status, 303);
  t.same(gw.core.store.apps.grantsOfApp(app.id), []);
  const user = await gw.user('not-admin');
  t.equal((await fetch(gw.base + '/apps/admin', { headers: { authorization: `token ${user.token}` } })).status, 403, 'only site admins see the catalogue admin');
});
