/**
 * browser.test.ts: the template pages in real Chromium: create through the form, copy a site-wide
 * template with Kiosc's dropdown, duplicate, and delete after the confirmation.
 */
import t from 'tap';
import { startGateway, TEST_IMAGE } from '../helpers/gateway.ts';
import { launchBrowser, loginWithPassword } from '../helpers/browser.ts';

t.test('templates in Chromium', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const p = gw.project('Browser templates');
  const admin = (await gw.user('root', { admin: true })).token;
  const { token } = await gw.user('tim', { project: p, role: 'contributor' });
  await gw.api('POST', '/containers/api/templates/create/site', admin, { title: 'Nginx Example site-wide', ...TEST_IMAGE });
  const b = await launchBrowser();
  t.teardown(() => b.close());
  const { page } = b;
  await loginWithPassword(gw, page, 'tim', 'password-tim');

  await page.goto(`${gw.base}/projects/${p}/templates`);
  t.match(await page.textContent('.empty-card'), /No container templates yet/);
  await page.click('text=Create');
  await page.fill('#f-title', 'Shiny example');
  await page.fill('#f-repository', 'ghcr.io/bihealth/kioscshinytest');
  await page.fill('#f-container_port', '8080');
  await page.fill('#f-description', 'This is an example template for a Shiny container.');
  await Promise.all([page.waitForURL(/done=created/), page.click('form.template-form button[type=submit]')]);
  t.match(await page.textContent('.flash'), /Created container template 'Shiny example'/);

  await page.selectOption('#copy-template', { label: `[Site-wide] Nginx Example site-wide (${TEST_IMAGE.repository}:1)` });
  await Promise.all([page.waitForURL(/done=copied/), page.click('.copy-form button')]);
  t.match(await page.textContent('.flash'), /Created container template 'Nginx Example site-wide \(Copy\)' from 'Nginx Example site-wide'/, 'Kiosc\'s copy message');

  const row = page.locator('tr', { hasText: 'Shiny example' });
  await Promise.all([page.waitForURL(/done=duplicated/), row.locator('button', { hasText: 'Duplicate' }).click()]);
  t.match(await page.textContent('.flash'), /'Shiny example \(Duplicate\)' from 'Shiny example'/);
  const titles = await page.locator('table.templates tbody tr td:first-child').allTextContents();
  t.same(titles.map((s) => s.trim()), ['Nginx Example site-wide (Copy)', 'Shiny example', 'Shiny example (Duplicate)']);

  await page.locator('tr', { hasText: 'Shiny example (Duplicate)' }).locator('a', { hasText: 'Delete' }).click();
  t.match(await page.textContent('.confirm'), /can not be undone/);
  await Promise.all([page.waitForURL(/done=deleted/), page.click('.confirm button.danger')]);
  t.equal(await page.locator('table.templates tbody tr').count(), 2, 'deleted');

  await page.click('table.templates a:text("Shiny example")');
  t.match(await page.textContent(".template-details"), /ghcr\.io\/bihealth\/kioscshinytest:latest/, 'details page');
  t.same(b.errors, [], 'no page errors');
});
