/**
 * container-stats.test.ts: the detail page's resource use and uptime history against a real
 * gateway and Docker engine: a running container shows CPU, memory, network and block I/O and PIDs
 * (the polled fragment, or a page without JavaScript), a stopped one says why there are none; the
 * uptime summaries for hour/day/week/month render with their inline SVG charts; members of every
 * role see them, others do not. In Chromium the stats refresh live, only while the page is visible.
 */
import t from 'tap';
import { startGateway, waitFor, TEST_IMAGE } from '../helpers/gateway.ts';
import { page, session } from '../helpers/ui-http.ts';
import { launchBrowser, loginWithToken } from '../helpers/browser.ts';
import { ioBytes, memBytes, statsView } from '../../admin/ui/container-stats.ts';
import { summarizeUptime } from '../../gateway/core/containers/uptime.ts';

// Callbacks given to the page run in Chromium; the project's type check has no DOM library.
declare const document: any;

const HX = { 'hx-request': 'true' };
const stat = (html: string, name: string) => new RegExp(`data-stat="${name}">([^<]*)<`).exec(html)?.[1] ?? null;

t.test('stats and uptime on the detail page, for every member and nobody else', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project('Stats lab');
  const { token: owner } = await gw.user('olga', { project, role: 'owner' });
  const { token: guest } = await gw.user('gus', { project, role: 'guest' });
  const { token: stranger } = await gw.user('stan', { project: gw.project('Elsewhere'), role: 'owner' });
  const { body } = await gw.api('POST', `/containers/api/create/${project}`, owner, {
    title: 'metered', ...TEST_IMAGE, environment: { API_KEY: 'sekrit-value-123' }, environment_secret_keys: 'API_KEY',
  });
  const uuid = body.sodar_uuid as string;
  const c = gw.core.store.containers.byUuid(uuid)!;
  const g = await session(gw, guest);

  // Uptime samples: in the last hour 30 samples, 20 of them running; two days ago 10 more, all down.
  const now = Date.now();
  // Samples older than the container would not exist: it was created before the month began.
  gw.core.store.db.prepare('UPDATE containers SET created_at = ? WHERE id = ?').run(new Date(now - 40 * 86_400_000).toISOString(), c.id);
  for (let i = 0; i < 30; i++) gw.core.store.uptime.record(new Date(now - (i + 1) * 60_000).toISOString(), [{ containerId: c.id, state: i < 20 ? 'running' : 'exited' }]);
  for (let i = 0; i < 10; i++) gw.core.store.uptime.record(new Date(now - 2 * 86_400_000 - i * 60_000).toISOString(), [{ containerId: c.id, state: 'exited' }]);

  // Not running yet: the card says so; the poll answers without asking the engine.
  const idle = await page(gw, `/containers/${uuid}`, g.cookie);
  t.equal(idle.status, 200);
  t.match(idle.text, `<div id="stats-body-${uuid}" hx-get="/containers/${uuid}/stats" hx-trigger="load, every 5s, page-visible" hx-swap="innerHTML" data-poll-visible>`, 'the stats body polls every 5 s, only while visible');
  t.match(idle.text, /Statistics appear while the container runs\./);
  t.match(idle.text, `<noscript> <a href="/containers/${uuid}/stats">Show the current values</a></noscript>`, 'without JavaScript a link shows them');
  const idleStats = await page(gw, `/containers/${uuid}/stats`, g.cookie, HX);
  t.equal(idleStats.status, 200);
  t.match(idleStats.text, /Statistics appear while the container runs; it is initial\./);

  // Uptime: four windows, each with its share and its chart.
  const rows = [...idle.text.matchAll(/<tr data-duration="(\w+)"><th scope="row">([^<]+)<\/th><td class="pct nowrap">([^<]+)<\/td><td class="chart">(<svg[^]*?<\/svg>)<\/td><\/tr>/g)];
  t.same(rows.map((r) => r[1]), ['hour', 'day', 'week', 'month'], 'hour, day, week and month');
  t.same(rows.map((r) => r[3]), ['66.7 %', '66.7 %', '50 %', '50 %'], 'shares of running samples per window');
  for (const r of rows) {
    t.equal((r[4].match(/<rect /g) ?? []).length, 60, `${r[1]}: sixty bars`);
    t.match(r[4], /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" class="uptime-chart"/, `${r[1]}: inline SVG, not escaped`);
  }
  t.match(rows[0][4], /aria-label="66.7% up in the last hour"/);
  const hour = summarizeUptime(gw.core.store, c.id, 'hour', new Date(now));
  t.same(hour.buckets.map((b) => b.percent === null ? '.' : b.percent === 100 ? 'U' : b.percent === 0 ? 'D' : '~').join(''),
    '.'.repeat(30) + 'D'.repeat(10) + 'U'.repeat(20), 'each sample lands in its minute: none, then 10 down, then 20 up');
  t.match(rows[0][4], /fill="#2e7d32"/, 'green bars where it ran');
  t.match(rows[0][4], /fill="#c62828"/, 'red bars where it was down');
  t.notMatch(idle.text, /<script>|<script [^>]*>[^<]/, 'no inline script on the page');
  t.match(idle.headers.get('content-security-policy') ?? '', /script-src 'self'/);

  // Running: real numbers from the engine.
  t.equal((await gw.api('POST', `/containers/api/start/${uuid}`, owner)).body.state, 'running');
  const live = await page(gw, `/containers/${uuid}/stats`, g.cookie, HX);
  t.equal(live.status, 200);
  t.notMatch(live.text, /<html/, 'htmx gets the fragment');
  t.match(stat(live.text, 'cpu'), /^\d+\.\d\d %$/, 'CPU %');
  t.match(stat(live.text, 'memory'), /^[\d.]+ (B|KiB|MiB|GiB) \/ ([\d.]+ (KiB|MiB|GiB|TiB)|no limit)/, 'memory used and limit');
  t.ok(Number(/\(([\d.]+) %\)/.exec(live.text)?.[1]) >= 0, 'memory share');
  t.match(stat(live.text, 'net'), /^[\d.]+ (B|kB|MB) in \/ [\d.]+ (B|kB|MB) out$/, 'network I/O');
  t.match(stat(live.text, 'block'), /^[\d.]+ (B|kB|MB|GB) read \/ [\d.]+ (B|kB|MB|GB) written$/, 'block I/O');
  t.ok(Number(stat(live.text, 'pids')) >= 1, `PIDs: ${stat(live.text, 'pids')}`);
  const api = await gw.api('GET', `/containers/api/stats/${uuid}`, owner);
  t.equal(api.status, 200);
  t.equal(stat(live.text, 'pids'), String(api.body.pids), 'the same PIDs the REST API reports');

  // Without JavaScript: a page of its own, in the project shell, with the uptime too; secrets nowhere.
  const full = await page(gw, `/containers/${uuid}/stats`, g.cookie);
  t.equal(full.status, 200);
  t.match(full.text, /<html/);
  t.match(full.text, /<h1>Resources<\/h1>/);
  t.match(full.text, /data-stat="cpu"/);
  t.match(full.text, /<tr data-duration="month">/);
  t.match(full.text, /class="project-shell"/);
  for (const p of [full.text, (await page(gw, `/containers/${uuid}`, g.cookie)).text]) t.notMatch(p, /sekrit-value-123/, 'secret value masked');

  // Who may look: members of any role (guest above, owner here); not non-members, not anonymous.
  const o = await session(gw, owner);
  t.equal((await page(gw, `/containers/${uuid}/stats`, o.cookie, HX)).status, 200, 'owner');
  const s = await session(gw, stranger);
  t.equal((await page(gw, `/containers/${uuid}/stats`, s.cookie)).status, 404, 'non-member: 404');
  const anon = await page(gw, `/containers/${uuid}/stats`, null);
  t.equal(anon.status, 303, 'anonymous: login');

  // Stopped: says so. Deleted: the poll gets 286, which stops htmx polling.
  await gw.api('POST', `/containers/api/stop/${uuid}`, owner);
  t.match((await page(gw, `/containers/${uuid}/stats`, g.cookie, HX)).text, /it is exited\./);
  t.equal((await gw.api('DELETE', `/containers/api/delete/${uuid}`, owner)).status, 204);
  const gone = await page(gw, `/containers/${uuid}/stats`, g.cookie, HX);
  t.equal(gone.status, 286, 'a deleted container ends the poll');
  t.match(gone.text, /no longer exists/);
  t.equal((await page(gw, `/containers/${uuid}/stats`, g.cookie)).status, 404, 'and is a 404 page without htmx');
});

t.test('formatting of samples', async (t) => {
  t.equal(memBytes(512), '512 B');
  t.equal(memBytes(5 * 1024 * 1024), '5.00 MiB');
  t.equal(memBytes(1.5 * 1024 ** 3), '1.50 GiB');
  t.equal(ioBytes(1234), '1.23 kB');
  t.equal(ioBytes(12_345_678), '12.3 MB');
  const v = statsView('u', { cpuPercent: 3.14159, memoryBytes: 1024 * 1024, memoryLimitBytes: 4 * 1024 * 1024, netRxBytes: 0, netTxBytes: 2000, blockReadBytes: 0, blockWriteBytes: 0, pids: 3 }, new Date('2024-05-01T10:20:30Z'));
  t.same(v, {
    uuid: 'u', sampled: true, message: '', cpu: '3.14 %', memory: '1.00 MiB / 4.00 MiB', memoryPercent: '25.00 %',
    net: '0 B in / 2.00 kB out', block: '0 B read / 0 B written', pids: '3', at: '10:20:30',
  });
  t.equal(statsView('u', { cpuPercent: 0, memoryBytes: 10, memoryLimitBytes: 0, netRxBytes: 0, netTxBytes: 0, blockReadBytes: 0, blockWriteBytes: 0, pids: 1 }, new Date()).memory, '10 B / no limit');
});

t.test('in Chromium the stats refresh live while the page is visible, and pause while hidden', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('vis', { project, role: 'contributor' });
  const { body } = await gw.api('POST', `/containers/api/create/${project}`, token, { title: 'watched', ...TEST_IMAGE });
  const uuid = body.sodar_uuid as string;
  t.equal((await gw.api('POST', `/containers/api/start/${uuid}`, token)).body.state, 'running');
  const c = gw.core.store.containers.byUuid(uuid)!;
  gw.core.store.uptime.record(new Date(Date.now() - 120_000).toISOString(), [{ containerId: c.id, state: 'running' }]);

  const b = await launchBrowser();
  t.teardown(() => b.close());
  await loginWithToken(gw, b.context, token);
  const polls: number[] = [];
  const csp: string[] = [];
  b.page.on('request', (r) => { if (r.url().endsWith(`/containers/${uuid}/stats`)) polls.push(Date.now()); });
  b.page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) csp.push(m.text()); });
  await b.page.goto(`${gw.base}/containers/${uuid}`);
  await b.page.waitForSelector(`#stats-body-${uuid} [data-stat="cpu"]`);
  t.pass('the stats appear without a reload');
  const first = await b.page.getAttribute(`#stats-body-${uuid} dl.stats`, 'data-sampled-at');
  await waitFor(async () => (await b.page.getAttribute(`#stats-body-${uuid} dl.stats`, 'data-sampled-at')) !== first, 15_000, 'a fresh sample');
  t.pass('a fresh sample replaced the first one');
  t.equal(await b.page.locator(`#uptime-${uuid} svg.uptime-chart`).count(), 4, 'four uptime charts render');
  t.equal(await b.page.locator(`#uptime-${uuid} tr[data-duration="hour"] svg rect`).count(), 60);
  t.match(await b.page.locator(`#uptime-${uuid} tr[data-duration="hour"] .pct`).textContent() ?? '', /100 %/);

  // Hidden (as when another tab is in front): no polls. Shown again: one at once.
  await b.page.evaluate(() => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await new Promise((r) => setTimeout(r, 500));
  const hiddenAt = polls.length;
  await new Promise((r) => setTimeout(r, 11_000));
  t.equal(polls.length, hiddenAt, 'no request for stats while hidden (two poll periods)');
  const shownAt = Date.now();
  await b.page.evaluate(() => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => false });
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'visible' });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await waitFor(() => polls.some((p) => p >= shownAt), 3000, 'a poll when shown again');
  t.ok(polls.find((p) => p >= shownAt)! - shownAt < 1500, 'shown again: stats asked for at once');
  t.same(csp, [], 'no Content-Security-Policy violation');
  t.same(b.errors, [], 'no script errors');
});
