/**
 * apps.test.ts: the app pages in Chromium (docs/apps.md): tiles with icon, name, description and
 * state on the home page; opening an app lands on the user's own instance; "My apps" with its
 * link and a copy-link button that really copies; a public app opened without logging in gives
 * each anonymous visitor their own short-lived instance.
 */
import t from 'tap';
import { startGateway } from '../helpers/gateway.ts';
import { launchBrowser, loginWithToken } from '../helpers/browser.ts';
import { PNG_1PX, buildAppImage, removeImage } from '../apps/images.ts';

const S = 'eu.simphony-project.docker.';

t.test('tiles, opening an app, My apps and copy link in Chromium', async (t) => {
  const img = buildAppImage({ [S + 'ui_name']: 'Tile viewer', [S + 'description']: 'Shown on a tile', [S + 'icon_128']: PNG_1PX });
  const gw = await startGateway();
  const b = await launchBrowser();
  t.teardown(async () => { await b.close(); await gw.close(); removeImage(img); });
  const admin = await gw.user('ui-admin', { admin: true });
  const uma = await gw.user('uma');
  const app = (await gw.api('POST', '/api/apps/scan', admin.token, { image: img })).body.results[0];
  await gw.api('POST', `/api/apps/${app.uuid}/grants`, admin.token, { user: 'uma' });
  await b.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: gw.base });
  await loginWithToken(gw, b.context, uma.token);
  const page = b.page;

  await page.goto(gw.base + '/');
  const tile = page.locator('.app-tile', { hasText: 'Tile viewer' });
  await tile.waitFor();
  t.match(await tile.textContent(), /Shown on a tile/, 'the description');
  t.match(await tile.locator('.app-state').textContent(), /not started/);
  const iconOk = await tile.locator('img').evaluate((el) => (el as unknown as { complete: boolean; naturalWidth: number }).complete && (el as unknown as { naturalWidth: number }).naturalWidth > 0);
  t.ok(iconOk, 'the icon loads as an image');

  await tile.locator('button:has-text("Open")').click();
  await page.waitForURL(/\/containers\/proxy\/[0-9a-f-]{36}\//);
  await page.locator('h1:has-text("portico test app")').waitFor({ timeout: 30_000 });
  t.pass('the app opened after its on-demand start (waiting page, then the app)');
  const instances = gw.core.store.apps.instancesOfUser(uma.user.id);
  t.equal(instances.length, 1, 'uma has her own instance');
  t.ok(page.url().includes(instances[0].container.uuid));

  await page.goto(gw.base + '/');
  t.match(await page.locator('.app-tile', { hasText: 'Tile viewer' }).locator('.app-state').textContent(), /your instance runs/, 'the tile says the instance runs');

  await page.goto(gw.base + '/apps/mine');
  const row = page.locator(`tr[data-instance="${instances[0].container.uuid}"]`);
  t.match(await row.textContent(), /running/);
  await row.locator('button.copy-link').click();
  await page.locator('button.copy-link[data-copied="yes"]').waitFor();
  const copied = await page.evaluate(() => (navigator as unknown as { clipboard: { readText(): Promise<string> } }).clipboard.readText());
  t.equal(copied, `${gw.base}/containers/proxy/${instances[0].container.uuid}/`, 'the absolute link is on the clipboard');
  await row.locator('button:has-text("Stop")').click();
  await page.waitForURL(/\/apps\/mine\?done=stop/);
  t.match(await page.locator(`tr[data-instance="${instances[0].container.uuid}"]`).textContent(), /exited/);
  t.same(b.errors, [], 'no page errors');
});

t.test('a public app opened without logging in gives each visitor their own instance', async (t) => {
  const img = buildAppImage({ [S + 'ui_name']: 'Public demo' });
  const gw = await startGateway({ PORTICO_APP_MAX_PUBLIC: '2' });
  const one = await launchBrowser();
  const two = await launchBrowser();
  t.teardown(async () => { await one.close(); await two.close(); await gw.close(); removeImage(img); });
  const admin = await gw.user('pub-admin', { admin: true });
  const app = (await gw.api('POST', '/api/apps/scan', admin.token, { image: img })).body.results[0];
  t.equal((await fetch(`${gw.base}/apps/public/${app.slug}`, { redirect: 'manual' })).status, 404, 'not public yet: 404');
  await gw.api('PATCH', `/api/apps/${app.uuid}`, admin.token, { public: true });

  for (const b of [one, two]) {
    await b.page.goto(`${gw.base}/apps/public/${app.slug}`);
    await b.page.locator('h1:has-text("portico test app")').waitFor({ timeout: 30_000 });
  }
  const publics = gw.core.store.apps.publicInstances();
  t.equal(publics.length, 2, 'two visitors, two instances');
  t.not(publics[0].container.ownerUserId, publics[1].container.ownerUserId, 'each under their own guest');
  t.not(one.page.url(), two.page.url());
  await one.page.goto(`${gw.base}/apps/public/${app.slug}`);
  await one.page.locator('h1:has-text("portico test app")').waitFor();
  t.equal(gw.core.store.apps.publicInstances().length, 2, 'coming back reuses the visitor\'s instance');
  const other = await fetch(two.page.url(), { headers: { cookie: (await one.context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ') }, redirect: 'manual' });
  t.equal(other.status, 404, 'visitor one cannot open visitor two\'s instance');
  const third = await fetch(`${gw.base}/apps/public/${app.slug}`, { redirect: 'manual', headers: { accept: 'application/json' } });
  t.equal(third.status, 429, 'the public cap is reached');
  t.match(await third.text(), /at most 2 public app instances/);
  const guests = publics.map((p) => p.container.ownerUserId!);
  t.ok(guests.every((id) => gw.core.store.users.byId(id)?.guest), 'both are guest users');
  const swept = await gw.core.apps.instances.sweepPublic(Date.now() + 60 * 60_000);
  t.equal(swept, 2, 'idle public instances are removed');
  t.equal(gw.core.store.apps.publicInstances().length, 0);
  t.same(guests.map((id) => gw.core.store.users.byId(id)), [null, null], 'their guests are gone too');
});

t.test('with an origin per app (the default), a public app opens on its own origin without a login', async (t) => {
  const img = buildAppImage({ [S + 'ui_name']: 'Public on its origin' });
  const gw = await startGateway({ PORTICO_APP_ORIGINS: 'per-app' });
  const b = await launchBrowser();
  t.teardown(async () => { await b.close(); await gw.close(); removeImage(img); });
  const admin = await gw.user('origin-admin', { admin: true });
  const app = (await gw.api('POST', '/api/apps/scan', admin.token, { image: img })).body.results[0];
  await gw.api('PATCH', `/api/apps/${app.uuid}`, admin.token, { public: true });
  await b.page.goto(`${gw.base}/apps/public/${app.slug}`);
  await b.page.locator('h1:has-text("portico test app")').waitFor({ timeout: 30_000 });
  const [inst] = gw.core.store.apps.publicInstances();
  t.equal(new URL(b.page.url()).hostname, `${inst.container.uuid}.localhost`, 'served on the instance\'s own origin');
});
