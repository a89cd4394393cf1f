/**
 * live.test.ts: live state in real Chromium: the badge follows an external `docker kill` (with the
 * mismatch bell) without a reload, and the stream recovers across a gateway restart. A guest sees
 * no controls anywhere, but opens (and so starts) the app with the eye button.
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { startGateway, TEST_IMAGE } from '../helpers/gateway.ts';
import { launchBrowser, loginWithToken } from '../helpers/browser.ts';

// Callbacks given to the page run in Chromium; the project's type check has no DOM library.
declare const document: any, window: any;

t.test('the badge follows docker kill live, and the stream survives a gateway restart', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('liv', { project, role: 'contributor' });
  const created = await gw.api('POST', `/containers/api/create/${project}`, token, { title: 'live one', ...TEST_IMAGE });
  const uuid = created.body.sodar_uuid;

  const b = await launchBrowser();
  t.teardown(() => b.close());
  await loginWithToken(gw, b.context, token);
  const page = b.page;
  await page.goto(`${gw.base}/projects/${project}/containers`);
  await page.waitForSelector('#container-list[data-live="open"]');
  t.equal(await page.getAttribute(`#row-${uuid}`, 'data-state'), 'initial');

  // Started elsewhere (the REST API): the row turns running without a reload.
  const marker = await page.evaluate(() => { window.marker = 42; return 42; });
  const started = await gw.api('POST', `/containers/api/start/${uuid}`, token);
  t.equal(started.body.state, 'running');
  await page.waitForSelector(`#row-${uuid}[data-state="running"]`);
  t.match(await page.getAttribute(`#row-${uuid} .eye`, 'class') ?? '', /\bon\b/, 'eye turns blue');

  const t0 = Date.now();
  execFileSync('docker', ['kill', started.body.container_id], { stdio: 'ignore' });
  await page.waitForSelector(`#row-${uuid}[data-state="exited"]`, { timeout: 5000 });
  t.ok(Date.now() - t0 < 3000, `badge changed ${Date.now() - t0} ms after docker kill`);
  t.ok(await page.$(`#row-${uuid} .bell`), 'the bell rings: last action start, state exited');
  t.match(await page.getAttribute(`#row-${uuid} .bell`, 'title') ?? '', /Last action was start, but the container is exited/);
  t.equal(await page.evaluate(() => window.marker), marker, 'same page: no reload');

  // The gateway restarts: the browser reconnects on its own and the list keeps following.
  await gw.restart();
  await page.waitForFunction(() => document.querySelector('#container-list')?.getAttribute('data-live') === 'open', undefined, { timeout: 20_000 });
  const again = await gw.api('POST', `/containers/api/start/${uuid}`, token);
  t.equal(again.body.state, 'running');
  await page.waitForSelector(`#row-${uuid}[data-state="running"]`, { timeout: 10_000 });
  t.pass('live again after the restart');
  t.equal(await page.$(`#row-${uuid} .bell`), null, 'bell gone once state and last action agree');
  t.equal(await page.evaluate(() => window.marker), marker, 'still the same page');
  t.same(b.errors, [], 'no script errors');
});

t.test('a guest sees no controls, but can open the app', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token: owner } = await gw.user('own', { project, role: 'owner' });
  const { token: guest } = await gw.user('gus', { project, role: 'guest' });
  const created = await gw.api('POST', `/containers/api/create/${project}`, owner, { title: 'shared app', ...TEST_IMAGE });
  const uuid = created.body.sodar_uuid;

  const b = await launchBrowser();
  t.teardown(() => b.close());
  await loginWithToken(gw, b.context, guest);
  const page = b.page;
  await page.goto(`${gw.base}/projects/${project}/containers`);
  t.equal(await page.$$eval('details.menu', (m) => m.length), 0, 'no controls menu in the list');
  t.equal(await page.$('text=Create container'), null, 'no create button');
  t.equal(await page.getAttribute(`#row-${uuid} .eye`, 'href'), `/containers/proxy/${uuid}/`, 'the eye is there');
  t.match(await page.getAttribute(`#row-${uuid} .eye`, 'class') ?? '', /\boff\b/, 'crossed out: not running');

  // Opening it starts it: guests start containers only this way (Kiosc 1.4.1).
  const [app] = await Promise.all([b.context.waitForEvent('page'), page.click(`#row-${uuid} .eye`)]);
  await app.waitForFunction(() => /portico test app/.test(document.body?.textContent ?? ''), undefined, { timeout: 60_000 });
  t.pass('the guest sees the app');
  await page.waitForSelector(`#row-${uuid}[data-state="running"]`, { timeout: 30_000 });
  t.equal(await page.$$eval('details.menu', (m) => m.length), 0, 'still no controls once it runs');
  await app.close();

  await page.click(`#row-${uuid} .c-title`);
  await page.waitForURL(`${gw.base}/containers/${uuid}`);
  t.equal(await page.$$eval('details.menu', (m) => m.length), 0, 'no controls menu on the detail page');
  t.ok(await page.$(`#status-${uuid} .eye-btn`), 'the detail page has the eye too');
  t.match(await page.textContent(`#log-${uuid}`) ?? '', /\(Object\) Created/, 'guests read the log');

  // Forging the form does not help: the server refuses with a readable page.
  const status = await page.evaluate(async (u) => {
    const csrf = document.querySelector('meta[name="csrf-token"]')!.getAttribute('content')!;
    const r = await fetch(`/containers/${u}/start`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `csrf_token=${encodeURIComponent(csrf)}&view=detail` });
    return { status: r.status, type: r.headers.get('content-type'), text: await r.text() };
  }, uuid);
  t.equal(status.status, 403, 'a guest cannot start from the UI');
  t.match(status.type, /text\/html/);
  t.match(status.text, /your role \(guest\) does not allow this/);
  t.same(b.errors, [], 'no script errors');
});

t.test('the detail page shows pull progress and lets the reader choose the log length', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('pia', { project, role: 'owner' });
  const uuid = (await gw.api('POST', `/containers/api/create/${project}`, token, { title: 'pulled', ...TEST_IMAGE })).body.sodar_uuid;
  const c = gw.core.store.containers.byUuid(uuid)!;
  for (let i = 0; i < 120; i++) gw.core.containers.log.add(c, 'DEBUG', 'x', 'Docker', `line ${i}`);

  const b = await launchBrowser();
  t.teardown(() => b.close());
  await loginWithToken(gw, b.context, token);
  const page = b.page;
  await page.goto(`${gw.base}/containers/${uuid}`);
  await page.waitForSelector(`#detail-${uuid}[data-live="open"]`);
  t.equal(await page.$$eval(`#log-${uuid} .ll`, (l) => l.length), 100, 'the default count of lines');
  await page.selectOption(`#lines-${uuid}`, '50');
  await page.waitForFunction((u) => document.querySelectorAll(`#log-${u} .ll`).length === 50, uuid);
  t.match(page.url(), /\?(q=&level=DEBUG&)?lines=50$/, 'the choice is in the URL');
  gw.core.containers.log.add(c, 'INFO', 'x', 'Docker', 'fresh line');
  await page.waitForFunction((u) => /fresh line/.test(document.getElementById('log-' + u)?.lastElementChild?.textContent ?? ''), uuid);
  t.equal(await page.$$eval(`#log-${uuid} .ll`, (l) => l.length), 50, 'live lines keep the chosen count');

  // The engine reports pull progress on the core bus; the page shows it as a bar.
  gw.core.store.containers.setRuntime(c.id, { state: 'pulling' });
  gw.core.bus.emit('state', { containerId: c.id, uuid, projectId: c.projectId, state: 'pulling', reason: null });
  await page.waitForSelector(`#runtime-${uuid} progress[data-progress-for="${uuid}"]`);
  gw.core.bus.emit('progress', { containerId: c.id, uuid, status: 'Downloading', percent: 42 });
  await page.waitForFunction((u) => document.querySelector(`progress[data-progress-for="${u}"]`)?.value === 42, uuid);
  t.match(await page.textContent(`[data-progress-label-for="${uuid}"]`) ?? '', /Downloading · 42 %/, 'progress label');
  gw.core.store.containers.setRuntime(c.id, { state: 'exited' });
  gw.core.bus.emit('state', { containerId: c.id, uuid, projectId: c.projectId, state: 'exited', reason: null });
  await page.waitForSelector(`#runtime-${uuid} progress`, { state: 'detached' });
  t.pass('the bar goes once the pull is over');
  t.same(b.errors, [], 'no script errors');
});
