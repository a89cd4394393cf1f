/**
 * instance-page.test.ts: an app instance's own pages in Chromium (docs/apps.md). An instance is a
 * container row in the one hidden project of kind 'apps', which opens for nobody (404). Regression:
 * the instance's detail, stats, delete and confirm pages wore that project's shell (its title in the
 * sidebar, the owner's "owner" role tag, Containers / Templates / Files / Members / Settings links
 * to /projects/<hidden>/…), the crumb and a delete led there too, and so did the waiting page's
 * "Back to the project": every one a link to a 404. They lead to My apps now.
 */
import t from 'tap';
import { startGateway } from '../helpers/gateway.ts';
import { launchBrowser, loginWithToken } from '../helpers/browser.ts';
import { buildAppImage, removeImage } from '../apps/images.ts';
import { call } from '../proxy/helpers.ts';

const S = 'eu.simphony-project.docker.';

t.test('regression: an instance owner is never shown or offered the hidden apps project', async (t) => {
  const img = buildAppImage({ [S + 'ui_name']: 'Instance page' });
  const gw = await startGateway();
  const b = await launchBrowser();
  t.teardown(async () => { await b.close(); await gw.close(); removeImage(img); });
  const admin = await gw.user('ip-admin', { admin: true });
  const ines = await gw.user('ines');
  const app = (await gw.api('POST', '/api/apps/scan', admin.token, { image: img })).body.results[0];
  await gw.api('POST', `/api/apps/${app.uuid}/grants`, admin.token, { user: 'ines' });
  const opened = await gw.api('POST', `/api/apps/${app.uuid}/open`, ines.token, {});
  t.equal(opened.status, 201);
  const uuid: string = opened.body.uuid;
  const hidden = gw.core.store.apps.appsProject();
  t.equal((await gw.api('GET', `/project/api/retrieve/${hidden.uuid}`, admin.token)).status, 404, 'the hidden project opens for nobody, site admins included');

  // The waiting page (the instance is not started yet) leads back to My apps.
  const csrf = await loginWithToken(gw, b.context, ines.token);
  const cookie = (await b.context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
  const waiting = await call(gw, opened.body.link, { headers: { cookie, accept: 'text/html', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' } });
  t.equal(waiting.status, 202, 'a navigation to the stopped instance gets the waiting page');
  const waitingHtml = waiting.text;
  t.match(waitingHtml, /id="back" href="[^"]*\/apps\/mine"[^>]*>Back to My apps</, 'the waiting page: back to My apps');
  t.notOk(waitingHtml.includes(hidden.uuid), 'the waiting page names no hidden project');

  const page = b.page;
  const noHidden = async (what: string) => {
    const hrefs = await page.locator('a[href], form[action]').evaluateAll((els) => els.map((e) => e.getAttribute('href') ?? e.getAttribute('action') ?? ''));
    t.notOk(hrefs.some((h) => h.includes('/projects/')), `${what}: no link or form to a project`);
    t.notOk((await page.content()).includes(hidden.uuid), `${what}: the hidden project's UUID appears nowhere`);
    t.notOk(await page.locator('.sidebar .role-tag').count(), `${what}: no project role tag`);
    t.equal(await page.locator('.sidebar-nav a[aria-current="page"]').getAttribute('href'), '/apps/mine', `${what}: the sidebar is the apps one, at My apps`);
  };
  await page.goto(`${gw.base}/containers/${uuid}`);
  await page.locator('h1.c-heading').waitFor();
  await noHidden('the detail page');
  t.same(await page.locator('.sidebar-nav a').allTextContents(), ['My apps', 'All apps'], "the detail page: the apps menu, not the project's (Containers, Templates, Files, Members, Settings)");
  const crumb = page.locator('.page-head a.crumb');
  t.equal(await crumb.getAttribute('href'), '/apps/mine', 'the crumb leads to My apps');
  t.equal((await crumb.textContent())?.trim(), 'My apps');
  await crumb.click();
  await page.waitForURL(/\/apps\/mine$/);
  t.pass('and My apps opens');

  await page.goto(`${gw.base}/containers/${uuid}/stats`);
  await noHidden('the stats page');
  await page.goto(`${gw.base}/containers/${uuid}/delete`);
  await noHidden('the delete page');
  // The confirm page of a destructive action without its confirmation (as a form without JavaScript sends it).
  const confirm = await fetch(`${gw.base}/containers/${uuid}/kill`, { method: 'POST', redirect: 'manual', headers: { cookie, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ csrf_token: csrf }).toString() });
  const confirmHtml = await confirm.text();
  t.equal(confirm.status, 200, 'an unconfirmed kill asks first');
  t.match(confirmHtml, /href="\/apps\/mine"/, 'in the apps shell');
  t.notOk(confirmHtml.includes(`/projects/${hidden.uuid}`), 'the confirm page offers no link to the hidden project');
  const done = await fetch(`${gw.base}/containers/${uuid}/delete`, { method: 'POST', redirect: 'manual', headers: { cookie, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ csrf_token: csrf }).toString() });
  t.equal(done.status, 303);
  t.equal(done.headers.get('location'), '/apps/mine?done=delete', 'a deleted instance goes to My apps, not to the hidden project');
  t.same(b.errors, [], 'no page errors');
});
