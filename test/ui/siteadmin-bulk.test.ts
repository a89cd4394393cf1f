/**
 * siteadmin-bulk.test.ts: the CLI's bulk actions on the site-admin page against a real gateway and
 * Docker engine: each preview (dry run) changes nothing and lists what the action would touch;
 * confirming performs exactly that (a changed set is refused with a fresh preview); non-admins,
 * missing CSRF tokens and anonymous callers are refused; htmx answers in place, plain forms get pages.
 */
import t from 'tap';
import { startGateway, engineContainers, waitFor, TEST_IMAGE } from '../helpers/gateway.ts';
import type { TestGateway } from '../helpers/gateway.ts';
import { formField } from '../helpers/web.ts';
import { page, post, session } from '../helpers/ui-http.ts';
import { launchBrowser, loginWithToken } from '../helpers/browser.ts';
import { createBulkRuns } from '../../admin/ui/bulk-runs.ts';
import { fingerprint, reportView, bulkActions } from '../../admin/ui/bulk-view.ts';

// Callbacks given to the page run in Chromium; the project's type check has no DOM library.
declare const document: any;

const HX = { 'hx-request': 'true' };
// The gateway's own idle-stop job (every minute) would race the stop-unused previews under test.
const NO_IDLE_STOP = { PORTICO_SCHEDULE_IDLE_STOP: 'off' };

/** listed returns the container uuids a preview or report table names. */
const listed = (html: string) => [...html.matchAll(/<tr data-uuid="([0-9a-f-]{36})">/g)].map((m) => m[1]).sort();

/** snapshot is what a bulk action could change: each record's state and Docker id, the engine's containers, the jobs. */
function snapshot(gw: TestGateway) {
  const records = gw.core.store.containers.all().map((c) => `${c.uuid} ${c.state} ${c.dockerId ?? '-'} ${c.lastAction ?? '-'}`).sort();
  const engine = engineContainers(gw.instance).map((c) => `${c.id} ${c.state}`).sort();
  const jobs = (gw.core.store.db.prepare('SELECT COUNT(*) AS n FROM jobs').get() as { n: number }).n;
  return { records, engine, jobs };
}

t.test('bulk actions: preview changes nothing, confirm does what it showed, admins only', async (t) => {
  const gw = await startGateway(NO_IDLE_STOP);
  t.teardown(() => gw.close());
  const project = gw.project('Bulk lab');
  const { token: owner } = await gw.user('owner', { project, role: 'owner' });
  const { token: admin } = await gw.user('root', { admin: true });
  const s = await session(gw, admin);
  const o = await session(gw, owner);
  const mk = async (title: string, extra: Record<string, unknown> = {}, start = true) => {
    const { body } = await gw.api('POST', `/containers/api/create/${project}`, owner, { title, ...TEST_IMAGE, ...extra });
    if (start) t.equal((await gw.api('POST', `/containers/api/start/${body.sodar_uuid}`, owner)).body.state, 'running', `${title} runs`);
    return body.sodar_uuid as string;
  };
  const idle = await mk('idle <b>one</b>', { inactivity_threshold: 0 });
  const busy = await mk('busy');
  const stopped = await mk('stopped');
  await gw.api('POST', `/containers/api/stop/${stopped}`, owner);
  const never = await mk('never started', {}, false);
  const state = (u: string) => gw.core.store.containers.byUuid(u)!.state;

  const admPage = await page(gw, '/siteadmin', s.cookie);
  for (const a of ['remove-stopped', 'stop-all', 'stop-unused']) {
    t.match(admPage.text, `<a class="btn" href="/siteadmin/bulk/${a}" hx-get="/siteadmin/bulk/${a}"`, `${a}: a preview link that works without JavaScript`);
  }
  t.notMatch(admPage.text, /RESERVED/, 'the reserved placeholder is gone');

  // Previews: each lists what it would touch, and nothing changes.
  const before = snapshot(gw);
  const unused = await page(gw, '/siteadmin/bulk/stop-unused', s.cookie);
  t.equal(unused.status, 200);
  t.match(unused.text, /<html/, 'a plain GET gets the whole page');
  t.same(listed(unused.text), [idle], 'stop-unused would stop only the idle container');
  t.match(unused.text, /1 container would be stopped\./);
  t.match(unused.text, /idle &lt;b&gt;one&lt;\/b&gt;/, 'titles are escaped');
  t.match(unused.text, /<button class="btn danger" type="submit">Stop 1 container<\/button>/);
  const all = await page(gw, '/siteadmin/bulk/stop-all', s.cookie, HX);
  t.notMatch(all.text, /<html/, 'htmx gets the panel only');
  t.same(listed(all.text), [idle, busy].sort(), 'stop-all would stop the running ones');
  const rm = await page(gw, '/siteadmin/bulk/remove-stopped', s.cookie);
  t.same(listed(rm.text), [stopped], 'remove-stopped names the stopped container with a Docker container (not the never-started one)');
  t.match(rm.text, /1 Docker container would be removed\./);
  t.notMatch(rm.text, never);
  t.same(snapshot(gw), before, 'three previews changed no record, no engine container, queued no job');
  t.equal((await page(gw, '/siteadmin/bulk/nope', s.cookie)).status, 404, 'unknown action: 404');

  // Refusals change nothing either.
  const expect = formField(unused.text, 'expect')!;
  t.ok(expect, 'the confirm form carries the preview\'s fingerprint');
  t.equal((await page(gw, '/siteadmin/bulk/stop-all', o.cookie)).status, 403, 'a project owner who is no site admin cannot preview');
  t.equal((await post(gw, '/siteadmin/bulk/stop-unused', o.cookie, { csrf_token: o.csrf, expect })).status, 403, 'nor confirm');
  t.equal((await post(gw, '/siteadmin/bulk/stop-unused', s.cookie, { expect })).status, 403, 'an admin without the CSRF token is refused');
  const anon = await page(gw, '/siteadmin/bulk/stop-all', null);
  t.equal(anon.status, 303, 'anonymous: to the login page');
  t.match(anon.headers.get('location') ?? '', /^\/login\?next=/);
  const stale = await post(gw, '/siteadmin/bulk/stop-unused', s.cookie, { csrf_token: s.csrf, expect: 'not-what-was-shown' });
  t.equal(stale.status, 409, 'a confirm that does not match the current preview is refused');
  t.match(stale.text, /changed since the preview\. Nothing was done/);
  t.same(listed(stale.text), [idle], 'and shows the current preview to confirm instead');
  t.same(snapshot(gw), before, 'refused confirms changed nothing');

  // Confirm (htmx): exactly the previewed container stops; the answer is the report plus a message.
  const done = await post(gw, '/siteadmin/bulk/stop-unused', s.cookie, { expect }, { ...HX, 'x-csrf-token': s.csrf });
  t.equal(done.status, 200, done.text);
  t.notMatch(done.text, /<html/);
  t.same(listed(done.text), [idle], 'the report names what the preview named');
  t.match(done.text, /stopped \(exited\)/);
  t.match(done.text, /<div id="flash" class="toasts" hx-swap-oob="innerHTML"><div class="flash ok" role="status">Stop unused: 1 container stopped\.<button/);
  const exitedNow = gw.core.store.containers.countByState().exited;
  t.match(done.text, new RegExp(`<div id="admin-summary" class="summary" hx-swap-oob="outerHTML">[\\s\\S]*exited</span> ${exitedNow}</a>`),
    'regression: the summary counts follow a bulk stop (out-of-band swap), not only the rows');
  t.equal(state(idle), 'exited', 'the idle container stopped');
  t.equal(state(busy), 'running', 'the busy one still runs');

  // Remove stopped now names both stopped containers; a plain form confirms and gets a page.
  const rm2 = await page(gw, '/siteadmin/bulk/remove-stopped', s.cookie);
  t.same(listed(rm2.text), [idle, stopped].sort());
  const removedIds = [idle, stopped].map((u) => gw.core.store.containers.byUuid(u)!.dockerId!);
  const rmDone = await post(gw, '/siteadmin/bulk/remove-stopped', s.cookie, { csrf_token: s.csrf, expect: formField(rm2.text, 'expect')! });
  t.equal(rmDone.status, 200);
  t.match(rmDone.text, /<html/, 'without JavaScript the outcome is a page');
  t.match(rmDone.text, /Remove stopped: 2 Docker containers removed\./);
  t.same(listed(rmDone.text), [idle, stopped].sort());
  const onEngine = engineContainers(gw.instance).map((c) => c.id);
  t.notOk(removedIds.some((id) => onEngine.some((e) => id.startsWith(e))), 'their Docker containers are gone');
  for (const u of [idle, stopped]) {
    const c = gw.core.store.containers.byUuid(u)!;
    t.ok(c && c.dockerId === null && c.state === 'exited', 'the record stays, without a Docker container');
  }
  t.equal(state(busy), 'running', 'the running container was not touched');

  // Stop all: the set changes between preview and confirm (a container starts): refused; then done.
  const allPreview = await page(gw, '/siteadmin/bulk/stop-all', s.cookie);
  t.same(listed(allPreview.text), [busy]);
  t.equal((await gw.api('POST', `/containers/api/start/${never}`, owner)).body.state, 'running');
  const raced = await post(gw, '/siteadmin/bulk/stop-all', s.cookie, { csrf_token: s.csrf, expect: formField(allPreview.text, 'expect')! });
  t.equal(raced.status, 409, 'a container that started after the preview is not stopped unseen');
  t.equal(state(never), 'running');
  t.same(listed(raced.text), [busy, never].sort(), 'the fresh preview names it');
  const allDone = await post(gw, '/siteadmin/bulk/stop-all', s.cookie, { csrf_token: s.csrf, expect: formField(raced.text, 'expect')! });
  t.equal(allDone.status, 200);
  t.same(listed(allDone.text), [busy, never].sort());
  await waitFor(() => state(busy) === 'exited' && state(never) === 'exited', 10_000, 'both stopped');
  const empty = await page(gw, '/siteadmin/bulk/stop-all', s.cookie);
  t.match(empty.text, /No container needs stopping\./, 'nothing left: the preview says so');
  t.notMatch(empty.text, /name="expect"/, 'and offers no confirm button');

  t.equal((await page(gw, '/siteadmin/bulk/runs/0123456789abcdef', s.cookie)).status, 404, 'an unknown run: 404 page');
  t.equal((await page(gw, '/siteadmin/bulk/runs/0123456789abcdef', s.cookie, HX)).status, 286, 'and for an htmx poll, 286 (stop polling)');
});

t.test('in Chromium: preview and confirm in place, the list follows live; without JavaScript, pages', async (t) => {
  const gw = await startGateway(NO_IDLE_STOP);
  t.teardown(() => gw.close());
  const project = gw.project('Browser lab');
  const { token } = await gw.user('root', { admin: true, project, role: 'owner' });
  const start = async (title: string, extra: Record<string, unknown> = {}) => {
    const { body } = await gw.api('POST', `/containers/api/create/${project}`, token, { title, ...TEST_IMAGE, ...extra });
    t.equal((await gw.api('POST', `/containers/api/start/${body.sodar_uuid}`, token)).body.state, 'running');
    return body.sodar_uuid as string;
  };
  const idle = await start('dozing', { inactivity_threshold: 0 });
  const busy = await start('working');

  const b = await launchBrowser();
  t.teardown(() => b.close());
  await loginWithToken(gw, b.context, token);
  const csp: string[] = [];
  b.page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) csp.push(m.text()); });
  await b.page.goto(`${gw.base}/siteadmin`);
  await b.page.waitForSelector('#admin-list[data-live="open"]');
  await b.page.click('#bulk > summary');
  await b.page.click('a[data-bulk="stop-unused"]');
  await b.page.waitForSelector('#bulk-panel .bulk-preview tr[data-uuid]');
  t.same(await b.page.$$eval('#bulk-panel tr[data-uuid]', (rows: any[]) => rows.map((r) => r.getAttribute('data-uuid'))), [idle], 'the preview lists the idle container');
  t.equal(b.page.url(), `${gw.base}/siteadmin`, 'in place: same page');
  t.equal(gw.core.store.containers.byUuid(idle)!.state, 'running', 'the preview changed nothing');
  await b.page.click('#bulk-panel button:has-text("Stop 1 container")');
  await b.page.waitForSelector('#bulk-panel .bulk-run[data-state="done"]');
  t.match(await b.page.textContent('#flash') ?? '', /Stop unused: 1 container stopped\./, 'the message says what happened');
  t.match(await b.page.textContent('#bulk-panel .bulk-run') ?? '', /stopped \(exited\)/);
  await b.page.waitForSelector(`#arow-${idle}[data-state="exited"]`, { timeout: 10_000 });
  t.pass('the list row turned exited live');
  t.equal(await b.page.getAttribute(`#arow-${busy}`, 'data-state'), 'running', 'the other one still runs');
  t.same(csp, [], 'no Content-Security-Policy violation');
  t.same(b.errors, [], 'no script errors');

  const n = await launchBrowser({ javaScript: false });
  t.teardown(() => n.close());
  await loginWithToken(gw, n.context, token);
  await n.page.goto(`${gw.base}/siteadmin`);
  await n.page.click('#bulk > summary');
  await Promise.all([n.page.waitForURL(`${gw.base}/siteadmin/bulk/stop-all`), n.page.click('a[data-bulk="stop-all"]')]);
  t.same(await n.page.$$eval('tr[data-uuid]', (rows: any[]) => rows.map((r) => r.getAttribute('data-uuid'))), [busy], 'without JavaScript the preview is a page');
  await Promise.all([n.page.waitForLoadState(), n.page.click('button:has-text("Stop 1 container")')]);
  await n.page.waitForSelector('.bulk-run[data-state="done"]');
  t.match(await n.page.textContent('#flash') ?? '', /Stop all: 1 container stopped\./);
  t.equal(gw.core.store.containers.byUuid(busy)!.state, 'exited', 'and the confirm stopped it');
});

t.test('bulk runs: one per action at a time, waited for with a limit', async (t) => {
  const runs = createBulkRuns();
  let release!: () => void;
  const report = { action: 'stop-all', dryRun: false, items: [], failed: 0 };
  const first = runs.start('stop-all', 'root', () => new Promise((r) => { release = () => r(report); }));
  const second = runs.start('stop-all', 'other', async () => { throw new Error('must not run'); });
  t.equal(second.joined, true, 'a second confirm joins the running one');
  t.equal(second.run.id, first.run.id);
  t.equal(runs.start('stop-unused', 'root', async () => ({ ...report, action: 'stop-unused' })).joined, false, 'another action runs on its own');
  const waited = await runs.wait(first.run.id, 50);
  t.equal(waited!.state, 'running', 'the wait ends at its limit with the run still going');
  release();
  t.equal((await runs.wait(first.run.id, 5000))!.state, 'done');
  t.same(runs.get(first.run.id)!.report, report);
  const failing = runs.start('remove-stopped', 'root', async () => { throw new Error('engine gone'); });
  const failed = await runs.wait(failing.run.id, 5000);
  t.equal(failed!.state, 'failed');
  t.equal(failed!.error, 'engine gone');
  t.equal(runs.get('nope'), null);
});

t.test('bulk view: fingerprints ignore order, summaries count outcomes', async (t) => {
  const item = (uuid: string, result: string) => ({ uuid, title: uuid, project: 'p', state: 'running' as const, result });
  t.equal(fingerprint({ items: [item('a', ''), item('b', '')] }), fingerprint({ items: [item('b', ''), item('a', '')] }));
  t.not(fingerprint({ items: [item('a', '')] }), fingerprint({ items: [item('a', ''), item('b', '')] }));
  const stop = bulkActions(7).find((a) => a.name === 'stop-all')!;
  const v = reportView({ action: 'stop-all', dryRun: false, failed: 1, items: [item('a', 'stopped (exited)'), item('b', 'failed: boom'), item('c', 'skipped: now exited')] }, stop, () => ({ title: 'P', url: '/projects/p/containers' }));
  t.equal(v.summary, 'Stop all: 1 container stopped, 1 failed, 1 skipped (changed meanwhile).');
  t.same(v.rows.map((r) => r.bad), [false, true, false]);
  t.match(bulkActions(3).find((a) => a.name === 'stop-unused')!.help, /at most 3 days/);
});
