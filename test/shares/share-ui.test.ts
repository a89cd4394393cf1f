/**
 * share-ui.test.ts: the sharing pages in Chromium (Debian's, through playwright-core). The owner
 * invites a viewer in the share dialog (htmx) and copies the link; the viewer finds it under
 * "Shared with me" on the home page and opens it; the owner sees them connected and revokes; the
 * audit page lists it. Without JavaScript the same dialog works by posting and redirecting.
 */
import t from 'tap';
import { startGateway, TEST_IMAGE, waitFor } from '../helpers/gateway.ts';
import { launchBrowser, loginWithToken } from '../helpers/browser.ts';
import { aliceInstance } from './helpers.ts';

declare const document: any, navigator: any;

t.test('share dialog, "Shared with me", copy link, connected now, revoke and the audit page in Chromium', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const { alice, bob, uuid } = await aliceInstance(gw, { ...TEST_IMAGE, title: 'RNA explorer' });

  const a = await launchBrowser();
  const b = await launchBrowser();
  t.teardown(() => Promise.all([a.close(), b.close()]));
  await loginWithToken(gw, a.context, alice.token);
  await loginWithToken(gw, b.context, bob.token);
  await a.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: gw.base });

  await a.page.goto(`${gw.base}/instances/${uuid}/share`);
  t.equal(await a.page.locator('h1').textContent(), 'Share RNA explorer');
  t.equal(await a.page.locator('#share-dialog .empty').first().textContent(), 'Nobody else yet.');
  await a.page.fill('#share-user', 'nobody-here');
  await a.page.click('#share-dialog button[type=submit]:has-text("Invite")');
  await a.page.waitForSelector('#share-dialog .error');
  t.match(await a.page.locator('#share-dialog .error').textContent(), /no active user "nobody-here"/, 'an unknown user is reported in the dialog');
  await a.page.fill('#share-user', 'bob');
  await a.page.selectOption('#share-mode', 'view');
  await a.page.click('#share-dialog button[type=submit]:has-text("Invite")');
  await a.page.waitForSelector('tr[data-user="bob"]');
  t.match(await a.page.locator('#share-dialog .flash').textContent(), /Invitation saved/, 'htmx swapped the dialog');
  t.equal(await a.page.locator('tr[data-user="bob"] td').nth(1).textContent(), 'view');

  await a.page.click('#share-dialog button.copy-link');
  await a.page.waitForFunction(() => document.querySelector('#share-dialog button.copy-link')?.textContent === 'Copied');
  const copied = await a.page.evaluate(() => navigator.clipboard.readText());
  t.equal(copied, `${gw.base}/containers/proxy/${uuid}/`, 'Copy link puts the absolute link on the clipboard');

  await b.page.goto(`${gw.base}/`);
  const row = b.page.locator(`.shared-with-me tr[data-container="${uuid}"]`);
  t.equal(await row.count(), 1, 'the home page shows it under "Shared with me"');
  t.equal(await row.locator('td').nth(1).textContent(), 'alice', 'with its owner');
  t.equal(await row.locator('input.link-field').inputValue(), copied, 'and the same link');
  await row.locator('a').first().click();
  await b.page.waitForURL(`${gw.base}/containers/proxy/${uuid}/`);
  await b.page.waitForSelector('text=portico test app');
  t.pass('the viewer opens the same link and sees the app');

  const bobLive = () => gw.api('GET', `/api/instances/${uuid}/shares`, alice.token).then((r) => r.body.connected.find((c: any) => c.user === 'bob' && c.http > 0));
  await waitFor(bobLive, 5000, 'bob connected').catch(() => {});
  await a.page.reload();
  const liveNow = JSON.stringify((await gw.api('GET', `/api/instances/${uuid}/shares`, alice.token)).body.connected);
  t.match(await a.page.locator('tr[data-user="bob"] td.connected').textContent(), /[1-9]\d* HTTP/, `the owner sees bob connected now (${liveNow})`);
  await a.page.click('tr[data-user="bob"] button:has-text("Revoke")');
  await a.page.waitForSelector('tr[data-user="bob"]', { state: 'detached' });
  t.match(await a.page.locator('#share-dialog .flash').textContent(), /revoked/);
  // A fresh URL: the browser must ask the gateway, not its own cache.
  const after = await b.page.goto(`${gw.base}/containers/proxy/${uuid}/?after-revoke`);
  t.equal(after?.status(), 404, 'the revoked viewer gets 404 at once');
  await b.page.goto(`${gw.base}/shared`);
  t.equal(await b.page.locator('.shared-with-me .empty').textContent(), 'Nobody has shared an app with you.');

  await a.page.goto(`${gw.base}/audit?container=${uuid}`);
  const actions = await a.page.locator('table.audit tr[data-action]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action')));
  for (const want of ['share.invite', 'share.open', 'share.revoke']) t.ok(actions.includes(want), `the audit page lists ${want}`);
  t.same([...a.errors, ...b.errors], [], 'no page errors');
});

t.test('without JavaScript the share dialog posts and redirects', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const { alice, uuid } = await aliceInstance(gw, TEST_IMAGE, { start: false });
  await gw.user('carol');
  const a = await launchBrowser({ javaScript: false });
  t.teardown(() => a.close());
  await loginWithToken(gw, a.context, alice.token);
  await a.page.goto(`${gw.base}/instances/${uuid}/share`);
  await a.page.fill('#share-user', 'carol');
  await a.page.selectOption('#share-mode', 'use');
  await a.page.click('#share-dialog button[type=submit]:has-text("Invite")');
  await a.page.waitForURL(/\?ok=invited$/);
  t.equal(await a.page.locator('tr[data-user="carol"] td').nth(1).textContent(), 'use', 'the invitation is saved and shown after the redirect');
  await a.page.click('tr[data-user="carol"] button:has-text("Revoke")');
  await a.page.waitForURL(/\?ok=revoked$/);
  t.equal(await a.page.locator('tr[data-user="carol"]').count(), 0, 'and revoked the same way');
  t.equal(await a.page.locator('#share-link').inputValue(), `${gw.base}/containers/proxy/${uuid}/`, 'the link is a field to copy by hand');
});
