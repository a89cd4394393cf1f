/**
 * containers.test.ts: the containers UI in real Chromium against a real gateway and Docker engine:
 * log in → create from the form → open it with the eye button while stopped → the app appears → the log
 * streams the start and the access → stop → delete.
 */
import t from 'tap';
import { startGateway, engineContainers, waitFor, TEST_IMAGE } from '../helpers/gateway.ts';
import { launchBrowser, loginWithPassword } from '../helpers/browser.ts';

// Callbacks given to the page run in Chromium; the project's type check has no DOM library.
declare const document: any, window: any;

t.test('owner: create from the form, open it with the eye, log live, stop, delete', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project('Single-cell');
  await gw.user('olga', { project, role: 'owner', password: 'olga-secret-pw' });
  const b = await launchBrowser();
  t.teardown(() => b.close());
  const page = b.page;

  // Log in through the login page, which brings the browser back to where it was going.
  await page.goto(`${gw.base}/projects/${project}/containers`);
  await page.waitForURL(/\/login\?next=/);
  await page.fill('#username', 'olga');
  await page.fill('#password', 'olga-secret-pw');
  await Promise.all([page.waitForURL(`${gw.base}/projects/${project}/containers`), page.click('button:has-text("Log in")')]);
  t.match(await page.textContent('.empty-card'), /No containers in this project yet/, 'empty list explains itself');
  await page.click('text=Create container');
  await page.waitForURL(/\/containers\/create$/);

  // A malformed environment comes back with the message next to the field, values kept.
  await page.fill('#f-title', 'Browser app');
  await page.fill('#f-repository', 'portico-test/httpd');
  await page.fill('#f-tag', '1');
  await page.fill('#f-container_port', '80');
  // The environment's key/value editor (env-editor.test.ts) has a JSON mode: this test types JSON.
  await page.click('[data-env-json]');
  await page.fill('#f-environment', '{"GREETING": "hi", "TOKEN": "tok-Zq7-secret"');
  await page.fill('#f-environment_secret_keys', 'TOKEN');
  await page.click('button:has-text("Create")');
  await page.waitForSelector('.field.invalid #f-environment');
  t.match(await page.textContent('#e-environment'), /Environment must be a JSON object/, 'inline validation message');
  t.equal(await page.inputValue('#f-title'), 'Browser app', 'entered values are kept');

  await page.fill('#f-environment', '{"GREETING": "hi", "TOKEN": "tok-Zq7-secret"}');
  await page.click('button:has-text("Create")');
  await page.waitForURL(/\/containers\/[0-9a-f-]{36}(\?done=created)?$/);
  const uuid = /\/containers\/([0-9a-f-]{36})/.exec(page.url())![1];
  t.match(await page.textContent('#flash'), /Container created/, 'success message');
  t.equal(await page.getAttribute(`#status-${uuid} .badge`, 'data-state'), 'initial');
  t.match(await page.textContent('pre.json'), /"TOKEN": "<masked>"/, 'secret masked on the detail page');
  // Regression: the secret was once "abc", which a random UUID on the page can contain.
  t.notMatch(await page.content(), /tok-Zq7-secret/, 'the secret value is nowhere in the page');
  t.match(await page.textContent(`#log-${uuid}`), /\(Object\) Created/, 'log shows the creation');
  t.equal(await page.getAttribute(`#status-${uuid} .eye-btn`, 'href'), `/containers/proxy/${uuid}/`, 'eye opens the proxy link');
  t.match(await page.getAttribute(`#status-${uuid} .eye-btn`, 'class') ?? '', /\boff\b/, 'eye is crossed out while not running');

  // The eye opens the app in a new tab, starting the container first; this page follows live.
  await page.waitForSelector(`#detail-${uuid}[data-live="open"]`);
  const [app] = await Promise.all([b.context.waitForEvent('page'), page.click(`#status-${uuid} .eye-btn`)]);
  await app.waitForFunction(() => /portico test app/.test(document.body?.textContent ?? ''), undefined, { timeout: 60_000 });
  t.equal(new URL(app.url()).pathname, `/containers/proxy/${uuid}/`, 'the app opened under its stable link');
  t.match(await app.textContent('h1'), /portico test app/, "the app's content appears");
  await page.waitForSelector(`#status-${uuid} .badge[data-state="running"]`, { timeout: 30_000 });
  await page.waitForFunction((u) => /Starting succeeded/.test(document.getElementById('log-' + u)?.textContent ?? ''), uuid);
  t.match(await page.textContent(`#log-${uuid}`) ?? '', /INFO olga\] \(Action\) Start/, 'the start shows in the log, live');
  gw.core.accessRecorder.flush({ log: true });
  await page.waitForFunction((u) => /\(Proxy\) Accessed: \d+ requests?/.test(document.getElementById('log-' + u)?.textContent ?? ''), uuid);
  t.pass('the access shows in the log, live');
  t.match(await page.getAttribute(`#status-${uuid} .eye-btn`, 'class') ?? '', /\bon\b/, 'eye turns blue when running');
  t.match(await page.textContent(`#runtime-${uuid}`) ?? '', /start \(0\/5\)/, 'last action with retries (n/max)');
  await app.close();
  t.equal(engineContainers(gw.instance).filter((c) => c.state === 'running').length, 1, 'one running Docker container');

  // Stop from the list's controls menu.
  await page.goto(`${gw.base}/projects/${project}/containers`);
  await page.waitForSelector('#container-list[data-live="open"]');
  await page.click(`#row-${uuid} summary`);
  const offered = await page.$$eval(`#row-${uuid} .menu-items button`, (bs) => bs.map((x) => x.textContent?.trim()));
  t.same(offered, ['Stop', 'Pause', 'Restart', 'Kill', 'Hard reset'], 'running: only the actions that fit');
  await page.click(`#row-${uuid} button:has-text("Stop")`);
  await page.waitForSelector(`#row-${uuid} .badge[data-state="exited"]`, { timeout: 30_000 });
  t.match(await page.textContent('#flash'), /Stop: Browser app is now exited/);
  await page.click(`#row-${uuid} summary`);
  t.same(await page.$$eval(`#row-${uuid} .menu-items button`, (bs) => bs.map((x) => x.textContent?.trim())), ['Start', 'Hard reset'], 'stopped: start again');

  // Delete through the confirmation page.
  await page.click(`#row-${uuid} a:has-text("Delete")`);
  await page.waitForURL(/\/delete$/);
  t.match(await page.textContent('.confirm'), /cannot be undone/i, 'confirmation explains the consequence');
  await page.click('button:has-text("Delete container")');
  await page.waitForURL(/\/containers\?done=deleted$/);
  t.match(await page.textContent('#flash'), /Container deleted/);
  t.equal(await page.$(`#row-${uuid}`), null, 'row gone');
  await waitFor(() => engineContainers(gw.instance).length === 0, 10_000, 'engine container removed');
  t.same(b.errors, [], 'no script errors');
});

t.test('without JavaScript: navigate, read, start and stop through plain forms', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project('No scripts');
  const { token } = await gw.user('nojs', { project, role: 'contributor', password: 'no-scripts-pw' });
  const uuid = (await gw.api('POST', `/containers/api/create/${project}`, token, { title: 'plain', ...TEST_IMAGE })).body.sodar_uuid;
  const b = await launchBrowser({ javaScript: false });
  t.teardown(() => b.close());
  const page = b.page;

  await loginWithPassword(gw, page, 'nojs', 'no-scripts-pw', '/');
  await page.click('#home-projects >> text=No scripts');
  await page.waitForURL(`${gw.base}/projects/${project}/containers`);
  await page.click(`#row-${uuid} .c-title`);
  await page.waitForURL(`${gw.base}/containers/${uuid}`);
  t.match(await page.textContent(`#log-${uuid}`) ?? '', /\(Object\) Created/, 'the log reads without scripts');
  await page.click(`#status-${uuid} summary`);
  await page.click(`#status-${uuid} button:has-text("Start")`);
  await page.waitForURL(`${gw.base}/containers/${uuid}?done=start`, { timeout: 30_000 });
  t.equal(await page.getAttribute(`#status-${uuid} .badge`, 'data-state'), 'running', 'started through a plain form post');
  t.match(await page.textContent('#flash') ?? '', /Container started/);
  await page.selectOption(`#lines-${uuid}`, '50');
  await page.click('button:has-text("Show")');
  await page.waitForURL(/[?&]lines=50#logs$/);
  t.equal(await page.getAttribute(`#log-${uuid}`, 'data-lines'), '50', 'line count through a GET form');
  await page.click(`#status-${uuid} summary`);
  await page.click(`#status-${uuid} button:has-text("Stop")`);
  await page.waitForURL(`${gw.base}/containers/${uuid}?done=stop`, { timeout: 30_000 });
  t.equal(await page.getAttribute(`#status-${uuid} .badge`, 'data-state'), 'exited', 'stopped');
});
