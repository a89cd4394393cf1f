/**
 * siteadmin-images.test.ts: deleting and pruning images on the site-admin Docker page, on a private
 * engine (a prune on the shared one would touch other tests' images): "used by" names containers,
 * templates and foreign engine containers; an image in use is refused with a clear message; a
 * prune previews and removes only dangling, unused images.
 */
import t from 'tap';
import { startGateway, TEST_IMAGE, TEST_NETWORK } from '../helpers/gateway.ts';
import { startPrivateDockerd } from '../helpers/private-dockerd.ts';
import { page, post, session } from '../helpers/ui-http.ts';
import { defaultSettings } from '../../gateway/core/containers/validate.ts';

t.test('image delete and prune: used by, refused while in use, prune removes dangling unused images only', async (t) => {
  const pd = await startPrivateDockerd({ images: ['portico-test/httpd:1'], network: TEST_NETWORK });
  t.teardown(() => pd.destroy());
  // Images of this engine only: two commits to one tag leave the first dangling; one more is tagged and unused.
  pd.docker('create --name base portico-test/httpd:1 true');
  const idOf = (ref: string) => pd.docker(`image inspect --format '{{.Id}}' ${ref}`).trim();
  pd.docker('commit -m one base pt-dangle:1');
  const dangling = idOf('pt-dangle:1');
  pd.docker('commit -m two base pt-dangle:1');
  pd.docker('commit -m three base pt-unused:1');
  pd.docker('commit -m four base pt-template:1');
  pd.docker('commit -m five base pt-foreign:1');
  // A dangling image that a (stopped) foreign container still uses is not pruned.
  pd.docker('commit -m six base pt-held:1');
  const held = idOf('pt-held:1');
  pd.docker('create --name holder pt-held:1 true');
  pd.docker('commit -m seven base pt-held:1');
  pd.docker('rm base');
  pd.docker('create --name foreign pt-foreign:1 true');

  const gw = await startGateway({ DOCKER_HOST: pd.host, PORTICO_SCHEDULE_SYNC: 'off' });
  t.teardown(() => gw.close());
  const project = gw.project('Images lab');
  const { token: admin } = await gw.user('ada', { admin: true });
  const { token: owner } = await gw.user('olga', { project, role: 'owner' });
  const created = await gw.api('POST', `/containers/api/create/${project}`, owner, { title: 'web', ...TEST_IMAGE });
  t.equal(created.status, 201);
  const { title: _t, templateSiteUuid: _a, templateProjectUuid: _b, requestedHostPort: _c, ...base } = defaultSettings({ maxInactivityDays: 7 });
  gw.core.store.templates.create(null, 'Team template', { ...base, repository: 'pt-template', tag: '1' });

  const a = await session(gw, admin);
  const docker = await page(gw, '/siteadmin/docker', a.cookie);
  t.equal(docker.status, 200);
  const row = (html: string, tag: string) => new RegExp(`<tr data-image="[0-9a-f]{12}">(?:(?!</tr>).)*<code class="image">${tag}</code>(?:(?!</tr>).)*</tr>`, 's').exec(html)?.[0] ?? '';
  t.match(row(docker.text, 'portico-test/httpd:1'), />web<\/a>/, 'used by: the Portico container');
  t.match(row(docker.text, 'portico-test/httpd:1'), /in use/, 'no delete button for an image in use');
  t.match(row(docker.text, 'pt-template:1'), /template <a href="\/templates\/[0-9a-f-]{36}">Team template<\/a>/, 'used by: the template');
  t.match(row(docker.text, 'pt-foreign:1'), /Docker container <code>foreign<\/code>/, 'used by: a container Portico does not manage');
  t.match(row(docker.text, 'pt-unused:1'), /<span class="none">unused<\/span>/);
  t.match(row(docker.text, 'pt-unused:1'), /href="\/siteadmin\/images\/[0-9a-f]{12}\/delete">Delete…/);

  const short = (ref: string) => idOf(ref).slice(7, 19);
  const confirm = await page(gw, `/siteadmin/images/${short('portico-test/httpd:1')}/delete`, a.cookie);
  t.match(confirm.text, /This image is in use and cannot be deleted/);
  t.notMatch(confirm.text, /Delete image<\/button>/);
  const refused = await post(gw, `/siteadmin/images/${short('portico-test/httpd:1')}/delete`, a.cookie, { csrf_token: a.csrf });
  t.equal(refused.status, 409);
  t.match(refused.text, /Not deleted: image portico-test\/httpd:1 is in use by container &quot;web&quot;: delete or change those first/, 'the refusal names the user');
  const tpl = await post(gw, `/siteadmin/images/${short('pt-template:1')}/delete`, a.cookie, { csrf_token: a.csrf });
  t.equal(tpl.status, 409);
  t.match(tpl.text, /in use by template &quot;Team template&quot;/);
  t.equal((await post(gw, `/siteadmin/images/${short('pt-foreign:1')}/delete`, a.cookie, { csrf_token: a.csrf })).status, 409, 'a foreign container holds its image');

  const unused = short('pt-unused:1');
  t.equal((await post(gw, `/siteadmin/images/${unused}/delete`, a.cookie, {})).status, 403, 'no CSRF token: refused');
  const o = await session(gw, owner);
  t.equal((await page(gw, `/siteadmin/images/${unused}/delete`, o.cookie)).status, 403, 'not a site admin: refused');
  t.equal((await post(gw, `/siteadmin/images/${unused}/delete`, o.cookie, { csrf_token: o.csrf })).status, 403);
  t.equal((await page(gw, '/siteadmin/images/not-hex/delete', a.cookie)).status, 400, 'a bad id is a 400');
  t.match((await page(gw, `/siteadmin/images/${unused}/delete`, a.cookie)).text, /Delete image<\/button>/);
  const deleted = await post(gw, `/siteadmin/images/${unused}/delete`, a.cookie, { csrf_token: a.csrf });
  t.equal(deleted.status, 200);
  t.match(deleted.text, /Deleted image pt-unused:1/);
  t.equal(pd.docker(`images -q pt-unused:1`).trim(), '', 'gone from the engine');

  const preview = await page(gw, '/siteadmin/images/prune', a.cookie);
  t.equal(preview.status, 200);
  t.match(preview.text, /dangling images only/);
  const listed = [...preview.text.matchAll(/<tr data-image="([0-9a-f]{12})">/g)].map((m) => m[1]);
  t.same(listed, [dangling.slice(7, 19)], 'the preview lists exactly the dangling, unused image');
  t.notOk(listed.includes(held.slice(7, 19)), 'not the dangling image a stopped container holds');
  const pruned = await post(gw, '/siteadmin/images/prune', a.cookie, { csrf_token: a.csrf });
  t.equal(pruned.status, 200);
  t.match(pruned.text, /Removed 1 dangling image\(s\)/);
  const left = pd.docker(`images -a --no-trunc --format '{{.ID}}'`);
  t.notMatch(left, dangling, 'the dangling image is gone');
  t.match(left, held, 'the held one stays');
  t.match(left, idOf('pt-template:1'), 'tagged images stay');
  t.match(left, idOf('portico-test/httpd:1'));
  t.same([...(await page(gw, '/siteadmin/images/prune', a.cookie)).text.matchAll(/<tr data-image=/g)], [], 'nothing left to prune');
});
