/**
 * image-hosts.test.ts (UI): the site-admin "Image hosts" tab against a real registry (Debian's
 * docker-registry with TLS and basic auth): add with validation and a check before saving, the test
 * button's outcomes, edit keeping the stored password (never shown), default and remove, and the
 * pull form picking a host, whose credentials the pull then uses.
 */
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import t from 'tap';
import { startGateway, waitFor, TEST_IMAGE } from '../helpers/gateway.ts';
import { page, post, session } from '../helpers/ui-http.ts';
import { pushImage, removeLocalImage, startRegistry } from '../helpers/registry.ts';

const USER = { username: 'robot', password: `ui-right-${randomBytes(6).toString('hex')}` };

t.test('the image-host tab: add, test, edit, default, remove; the pull form picks a host', async (t) => {
  const reg = await startRegistry([USER]);
  t.teardown(() => reg.stop());
  const tag = `reg-${randomBytes(4).toString('hex')}`;
  const ref = `${reg.address}/portico-test/httpd:${tag}`;
  pushImage(reg, `${TEST_IMAGE.repository}:${TEST_IMAGE.tag}`, ref, USER);
  t.teardown(() => removeLocalImage(ref));

  const gw = await startGateway();
  t.teardown(() => gw.close());
  const { token } = await gw.user('root', { admin: true });
  const { token: plainToken } = await gw.user('pleb');
  const s = await session(gw, token);
  const p = await session(gw, plainToken);
  t.equal((await page(gw, '/siteadmin/image-hosts', p.cookie)).status, 403, 'admins only');
  t.equal((await post(gw, '/siteadmin/image-hosts', s.cookie, { name: 'x', address: reg.address })).status, 403, 'CSRF checked');

  const empty = await page(gw, '/siteadmin/image-hosts', s.cookie);
  t.equal(empty.status, 200);
  t.match(empty.text, /aria-current="page">Image hosts</, 'its own tab');
  t.match(empty.text, /No image hosts/);

  const form = { csrf_token: s.csrf, name: 'lab', address: reg.address, username: USER.username, password: 'not-the-password', ca_cert: reg.caCert, is_default: 'false', check: 'true' };
  const refused = await post(gw, '/siteadmin/image-hosts', s.cookie, form);
  t.equal(refused.status, 400, 'wrong credentials, tested before saving: 400');
  t.match(refused.text, /Password unauthorized: the registry refused the credentials/, 'the registry\'s answer at the field');
  t.match(refused.text, /value="lab"/, 'the form keeps what was typed');
  t.notMatch(refused.text, /not-the-password/, 'but never the password');
  t.match(refused.text, /No image hosts/, 'nothing was saved');
  const badAddress = await post(gw, '/siteadmin/image-hosts', s.cookie, { ...form, address: 'ftp://x' });
  t.equal(badAddress.status, 400);
  t.match(badAddress.text, /Address must be a registry address/);

  const added = await post(gw, '/siteadmin/image-hosts', s.cookie, { ...form, password: USER.password });
  t.equal(added.status, 200, 'the right credentials: added');
  t.match(added.text, /Image host lab added/);
  t.match(added.text, /robot \(password stored\)/);
  t.notMatch(added.text, new RegExp(USER.password), 'the password is not on the page');

  const tested = await post(gw, '/siteadmin/image-hosts/lab/test', s.cookie, { csrf_token: s.csrf });
  t.match(tested.text, /Test of lab: <strong>ok<\/strong>/, 'the test button: ok');

  const edit = await page(gw, '/siteadmin/image-hosts/lab/edit', s.cookie);
  t.match(edit.text, /<input id="ih-password" name="password" type="password" value=""/, 'the edit form\'s password box is empty');
  t.match(edit.text, /Leave empty to keep the stored one/);
  const saved = await post(gw, '/siteadmin/image-hosts/lab/edit', s.cookie, { ...form, password: '', ca_cert: '', check: 'false' });
  t.match(saved.text, /Image host lab saved/, 'saved without the CA, the password kept');
  const noCa = await post(gw, '/siteadmin/image-hosts/lab/test', s.cookie, { csrf_token: s.csrf });
  t.match(noCa.text, /Test of lab: <strong>bad certificate<\/strong>/, 'without the CA: bad certificate');

  // The pull form offers the hosts, the default picked; the host's address goes before the name.
  const docker = await page(gw, '/siteadmin/docker', s.cookie);
  t.match(docker.text, /<option value="lab" selected>lab \(127\.0\.0\.1:\d+\)<\/option>/, 'the default host is picked on the pull form');
  const other = await post(gw, '/siteadmin/images/pull', s.cookie, { csrf_token: s.csrf, registry: 'lab', repository: 'ghcr.io/org/app', tag: '1' }, { 'hx-request': 'true', 'x-csrf-token': s.csrf });
  t.equal(other.status, 400, 'an image of another registry with a host picked: 400');
  t.match(other.text, /Image host: the image names registry ghcr\.io, not 127\.0\.0\.1/);
  const started = await post(gw, '/siteadmin/images/pull', s.cookie, { csrf_token: s.csrf, registry: 'lab', repository: 'portico-test/httpd', tag });
  t.equal(started.status, 303, 'the pull starts');
  const at = started.headers.get('location')!;
  const outcome = await waitFor(async () => /data-state="(done|failed)"/.exec((await page(gw, at, s.cookie)).text)?.[1], 30_000, 'the pull to end');
  t.equal(outcome, 'done', 'pulled from the private registry with the host\'s credentials');
  t.ok(execFileSync('docker', ['image', 'inspect', ref, '--format', '{{.Id}}'], { encoding: 'utf8' }).trim(), 'the image is on the engine');

  await post(gw, '/siteadmin/image-hosts', s.cookie, { ...form, name: 'second', address: 'registry.example.org', username: '', password: '', ca_cert: '', check: 'false' });
  const odd = await post(gw, '/siteadmin/image-hosts', s.cookie, { ...form, name: 'odd', address: 'odd.example.org', username: '<b>x</b>', password: 'odd-password', ca_cert: '', check: 'false' });
  t.match(odd.text, /&lt;b&gt;x&lt;\/b&gt; \(password stored\)/, 'a username is escaped');
  t.notMatch(odd.text, /<b>x<\/b>/);
  t.equal((await post(gw, '/siteadmin/image-hosts/odd/remove', s.cookie, { csrf_token: s.csrf })).status, 200);
  const def = await post(gw, '/siteadmin/image-hosts/second/default', s.cookie, { csrf_token: s.csrf });
  t.equal(def.status, 303, 'make default');
  t.same(gw.core.imageHosts.list().map((h) => [h.name, h.isDefault]), [['second', true], ['lab', false]], 'one default');
  const removed = await post(gw, '/siteadmin/image-hosts/lab/remove', s.cookie, { csrf_token: s.csrf });
  t.match(removed.text, /Image host lab removed/);
  t.equal((await page(gw, '/siteadmin/image-hosts/lab/edit', s.cookie)).status, 404, 'gone');
});
