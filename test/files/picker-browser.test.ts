/**
 * picker-browser.test.ts: the whole small-files story in real Chromium. Upload a file on the Small
 * Files page; in the container form, pre-fill from a template (Get), put the file's reference into
 * the command with the file picker (Insert, at the cursor); create; start from the controls menu;
 * the app reads the file through its URL, as its log shows.
 */
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { startGateway, TEST_IMAGE } from '../helpers/gateway.ts';
import { launchBrowser, loginWithPassword } from '../helpers/browser.ts';

declare const document: any;

/** dockerLogs reads a container's output without blocking the event loop (the file server runs in this process). */
function dockerLogs(id: string): Promise<string> {
  return new Promise((resolve) => execFile('docker', ['logs', id], { encoding: 'utf8' }, (_e, out, err) => resolve(`${out}${err}`)));
}

t.test('upload, pick the file in the container form, start, read', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const p = gw.project('Single cell');
  const admin = (await gw.user('root', { admin: true })).token;
  const { token } = await gw.user('uma', { project: p, role: 'contributor' });
  const tpl = (await gw.api('POST', '/containers/api/templates/create/site', admin, {
    title: 'Busybox reader', ...TEST_IMAGE, container_port: 80, description: 'reads a data file at start',
  })).body;
  const secret = `cells-${randomBytes(8).toString('hex')}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-pick-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, 'pbmc3k.h5ad'), secret);

  const b = await launchBrowser();
  t.teardown(() => b.close());
  const { page } = b;
  await loginWithPassword(gw, page, 'uma', 'password-uma');

  await page.goto(`${gw.base}/projects/${p}/files`);
  await page.setInputFiles('#upload-file', path.join(dir, 'pbmc3k.h5ad'));
  await Promise.all([page.waitForURL(/done=uploaded/), page.click('.upload-form button[type=submit]')]);
  const fileUuid = (await gw.api('GET', `/containers/api/files/${p}`, token)).body.results[0].sodar_uuid;

  await page.goto(`${gw.base}/projects/${p}/containers/create`);
  await page.fill('#f-title', 'typed, to be overwritten');
  await page.selectOption('#template-picker', tpl.sodar_uuid);
  await page.click('.template-picker button');
  await page.waitForFunction(() => document.querySelector('#f-repository')?.value === 'portico-test/httpd');
  t.equal(await page.inputValue('#f-title'), 'Busybox reader', 'Get overwrote what was typed');
  t.equal(await page.inputValue('#f-tag'), '1');
  t.equal(await page.inputValue('input[name=containertemplatesite]'), tpl.sodar_uuid, 'the form remembers the template');
  await page.fill('#f-title', 'Reader');

  const before = `sh -c 'echo reading; wget -q -O - `;
  const after = ` ; echo; echo read-done; exec httpd -f -p 80 -h /www'`;
  await page.fill('#f-command', before + after);
  await page.$eval('#f-command', (el: any, at: number) => { el.focus(); el.setSelectionRange(at, at); }, before.length);
  await page.selectOption('#file-picker', { label: 'pbmc3k.h5ad' });
  await page.click('button[data-insert-file]');
  t.equal(await page.inputValue('#f-command'), `${before}__PORTICO_FILE__${fileUuid}__${after}`, 'Insert put the reference at the cursor');

  await Promise.all([page.waitForURL(/\/containers\/[0-9a-f-]{36}(\?done=created)?$/), page.click('form.container-form button[type=submit]')]);
  const uuid = /\/containers\/([0-9a-f-]{36})/.exec(page.url())![1];
  const created = (await gw.api('GET', `/containers/api/detail/${uuid}`, token)).body;
  t.equal(created.containertemplatesite, tpl.sodar_uuid, 'the container records its template');

  await page.waitForSelector(`#detail-${uuid}[data-live="open"]`);
  await page.click(`#status-${uuid} summary`);
  await page.click(`#status-${uuid} button:has-text("Start")`);
  await page.waitForSelector(`#status-${uuid} .badge[data-state="running"]`, { timeout: 30_000 });
  // The app's output is followed into the container's log, which the detail page shows live.
  await page.waitForFunction(([u, text]) => (document.getElementById('log-' + u)?.textContent ?? '').includes(text), [uuid, 'read-done'], { timeout: 30_000 });
  const log = await page.textContent(`#log-${uuid}`) ?? '';
  t.match(log, secret, 'the log shows the app read the uploaded file through its reference');
  t.ok(log.indexOf('reading') < log.indexOf(secret) && log.indexOf(secret) < log.indexOf('read-done'), 'in order: reading, the file, done');
  const dockerId = (await gw.api('GET', `/containers/api/detail/${uuid}`, token)).body.container_id;
  t.match(await dockerLogs(dockerId), `reading\n${secret}\nread-done`, 'and so does the engine\'s own log');
  t.same(b.errors, [], 'no page errors');
});
