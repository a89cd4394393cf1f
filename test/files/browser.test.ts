/**
 * browser.test.ts: Small Files in real Chromium: a multipart upload through the page's form
 * (streamed by the gateway; the bytes arrive intact), the size check before sending, and the
 * delete confirmation.
 */
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { startGateway } from '../helpers/gateway.ts';
import { launchBrowser, loginWithPassword } from '../helpers/browser.ts';

t.test('upload and delete a small file in Chromium', async (t) => {
  const gw = await startGateway({ PORTICO_MAX_UPLOAD_BYTES: String(8 * 1024 * 1024) });
  t.teardown(() => gw.close());
  const p = gw.project('Browser files');
  const { token } = await gw.user('bea', { project: p, role: 'contributor' });
  const b = await launchBrowser();
  t.teardown(() => b.close());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-upload-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const data = randomBytes(5 * 1024 * 1024 + 123);
  const file = path.join(dir, 'pbmc3k.h5ad');
  fs.writeFileSync(file, data);
  const tooBig = path.join(dir, 'too-big.bin');
  fs.writeFileSync(tooBig, Buffer.alloc(9 * 1024 * 1024));

  const { page } = b;
  await loginWithPassword(gw, page, 'bea', 'password-bea');
  await page.goto(`${gw.base}/projects/${p}/files`);
  await page.setInputFiles('#upload-file', file);
  // The upload is held for a moment on its way, so the page can be seen while it runs.
  await page.route(`**/projects/${p}/files`, async (route) => {
    if (route.request().method() === 'POST') await new Promise((r) => setTimeout(r, 700));
    await route.continue();
  });
  const navigated = page.waitForURL(/done=uploaded/);
  await page.click('.upload-form button[type=submit]');
  await page.waitForSelector('.upload-progress:not([hidden])');
  t.ok(await page.isDisabled('.upload-form button[type=submit]'), 'regression: the button is disabled while the file uploads');
  t.match(await page.textContent('.upload-progress'), /Uploading pbmc3k\.h5ad … \d+ %/, 'and the upload shows its progress');
  await navigated;
  await page.unroute(`**/projects/${p}/files`);
  t.match(await page.textContent('.flash'), /Uploaded pbmc3k\.h5ad \(5\.0 MiB\)/, 'upload confirmed');
  t.match(await page.textContent('table.files'), /pbmc3k\.h5ad.*5\.0 MiB.*bea/s, 'listed with size and uploader');
  const stored = (await gw.api('GET', `/containers/api/files/${p}`, token)).body.results[0];
  t.equal(stored.size, data.length, 'every byte arrived');
  t.equal(stored.sha256, createHash('sha256').update(data).digest('hex'), 'bytes intact');

  // Over the limit: refused in the page before anything is sent.
  let posted = false;
  page.on('request', (r) => { if (r.method() === 'POST') posted = true; });
  await page.setInputFiles('#upload-file', tooBig);
  await page.click('.upload-form button[type=submit]');
  await page.waitForSelector('.upload-error:not([hidden])');
  t.match(await page.textContent('.upload-error'), /too-big\.bin is larger than the upload limit/, 'size checked before sending');
  t.notOk(posted, 'nothing was posted');

  // Delete with confirmation.
  await page.click('table.files a.danger-outline');
  await page.waitForURL(/\/delete$/);
  t.match(await page.textContent('.confirm'), /No container of this project references it/);
  await Promise.all([page.waitForURL(/done=deleted/), page.click('.confirm button.danger')]);
  t.match(await page.textContent('.flash'), /File deleted/);
  t.same(b.errors, [], 'no page errors');
});
