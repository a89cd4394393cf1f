/**
 * siteadmin-instance-links.test.ts: what the site-admin lists of every container link a per-user
 * app instance to (docs/apps.md). Regression: the Containers tab, its live rows and the bulk-action
 * previews showed an instance as "<hidden project> / <title>", the first part a link to
 * /projects/<apps project>/containers, which opens for nobody (404, site admins included). An
 * instance names its app there now, linked to the app's catalogue page.
 */
import t from 'tap';
import { startGateway, TEST_IMAGE } from '../helpers/gateway.ts';
import { page, post, session } from '../helpers/ui-http.ts';

/** groupLink returns the href and text of the link before the title in the row of `uuid` (`rowStart` opens that row). */
function groupLink(html: string, rowStart: string): { href: string; text: string } | null {
  const at = html.indexOf(rowStart);
  if (at < 0) return null;
  const row = html.slice(at, html.indexOf('</tr>', at));
  const m = /<a class="project-link" href="([^"]*)">([^<]*)<\/a>/.exec(row);
  return m ? { href: m[1], text: m[2] } : null;
}

t.test('regression: site-admin rows of an app instance link to its app, never to the hidden apps project', async (t) => {
  const gw = await startGateway({ PORTICO_SCHEDULE_IDLE_STOP: 'off' });
  t.teardown(() => gw.close());
  const admin = await gw.user('sa-root', { admin: true });
  const ines = await gw.user('ines');
  const project = gw.project('Links lab');
  const { token: owner } = await gw.user('owner', { project, role: 'owner' });
  const plain = (await gw.api('POST', `/containers/api/create/${project}`, owner, { title: 'plain one', ...TEST_IMAGE })).body.sodar_uuid as string;

  const app = (await gw.api('POST', '/api/apps', admin.token, { image: `${TEST_IMAGE.repository}:${TEST_IMAGE.tag}`, title: 'Link viewer', port: 80 })).body;
  t.equal((await gw.api('POST', `/api/apps/${app.uuid}/grants`, admin.token, { user: 'ines' })).status, 201);
  const opened = await gw.api('POST', `/api/apps/${app.uuid}/open`, ines.token, {});
  t.equal(opened.status, 201, JSON.stringify(opened.body));
  const uuid: string = opened.body.uuid;
  const hidden = gw.core.store.apps.appsProject();
  const s = await session(gw, admin.token);

  /** check asserts that a row's group link is the app's page, that it opens for the site admin, and that the row names no hidden project. */
  const check = async (what: string, html: string, rowStart: string) => {
    const link = groupLink(html, rowStart);
    t.ok(link, `${what}: the instance's row has its group link`);
    if (!link) return;
    t.notOk(link.href.includes(hidden.uuid), `${what}: no link to the hidden apps project (${link.href})`);
    t.equal(link.href, `/apps/admin/${app.uuid}`, `${what}: the link leads to the app's catalogue page`);
    t.equal(link.text, 'App: Link viewer', `${what}: it names the app`);
    t.equal((await page(gw, link.href, s.cookie)).status, 200, `${what}: and that page opens for a site admin`);
  };

  // The Containers tab: every container, project containers linked to their project as before.
  const list = await page(gw, '/siteadmin', s.cookie);
  t.equal(list.status, 200);
  await check('the Containers tab', list.text, `<tr id="arow-${uuid}"`);
  const own = groupLink(list.text, `<tr id="arow-${plain}"`);
  t.match(own, { text: 'Links lab' }, 'a project container still names its project');
  t.equal((await page(gw, own!.href, s.cookie)).status, 200, "and its project's Containers open");
  t.equal((await page(gw, `/containers/${uuid}`, s.cookie)).status, 200, "the instance's own page opens for a site admin");

  // The live row (the one htmx swaps in after an action from that tab) is the same.
  const started = await post(gw, `/containers/${uuid}/start`, s.cookie, { csrf_token: s.csrf, view: 'arow' }, { 'hx-request': 'true' });
  t.ok(started.status === 200 || started.status === 202, `start answered ${started.status}`);
  await check('the live row', started.text, `<tr id="arow-${uuid}"`);

  // The bulk-action preview (a dry run: nothing is stopped) lists the running instance.
  await gw.api('POST', `/containers/api/start/${plain}`, owner);
  const preview = await page(gw, '/siteadmin/bulk/stop-all', s.cookie);
  t.equal(preview.status, 200);
  await check('the bulk preview', preview.text, `<tr data-uuid="${uuid}"`);
  t.match(groupLink(preview.text, `<tr data-uuid="${plain}"`), { text: 'Links lab', href: /^\/projects\/[0-9a-f-]{36}\/containers$/ }, 'the preview names a project container\'s project');
  t.notOk(preview.text.includes(`/projects/${hidden.uuid}`), 'the preview links nowhere into the hidden project');
});
