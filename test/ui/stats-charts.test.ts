/**
 * stats-charts.test.ts: the resource history behind the stats page's charts: bounded, sampled at a
 * fixed interval only while watched, served as JSON; drawn with uPlot in Chromium from a real
 * running container, with a table of the same points without JavaScript.
 */
import t from 'tap';
import { startGateway, TEST_IMAGE } from '../helpers/gateway.ts';
import { page, session } from '../helpers/ui-http.ts';
import { launchBrowser, loginWithToken } from '../helpers/browser.ts';
import { createStatsHistory } from '../../gateway/core/containers/stats-history.ts';
import type { ContainerStats } from '../../gateway/core/engine/engine.ts';

declare const document: any;

const stats = (rx: number): ContainerStats => ({ cpuPercent: 12.345, memoryBytes: 50 << 20, memoryLimitBytes: 1 << 30, netRxBytes: rx, netTxBytes: rx / 2, blockReadBytes: 0, blockWriteBytes: 0, pids: 3 });

/** until waits (up to 2 s) for `ok`: the sample promises settle on the event loop, later on a loaded machine. */
async function until(ok: () => boolean): Promise<void> {
  const end = Date.now() + 2000;
  while (!ok() && Date.now() < end) await new Promise((r) => setTimeout(r, 2));
}

t.test('the history: samples only while watched, at the interval, bounded in points and containers, rates from counters', async (t) => {
  let clock = 1_000_000;
  let calls = 0;
  let rx = 0;
  const h = createStatsHistory({ intervalMs: 20, keep: 5, idleMs: 100, forgetMs: 1000, maxWatched: 2, now: () => clock });
  t.teardown(() => h.stop());
  const sample = async () => { calls++; rx += 10_000; return stats(rx); };
  h.watch(1, sample);
  await until(() => h.series(1).length > 0);
  t.equal(h.series(1).length, 1, 'a first point at once');
  t.equal(h.series(1)[0].rxRate, null, 'no rate from one point');
  for (let i = 0; i < 8; i++) { clock += 1000; await new Promise((r) => setTimeout(r, 25)); }
  // Watched at clock 1,000,000; idle after 100 ms of (fake) time: the first tick samples, later ones do not.
  const afterIdle = calls;
  t.ok(calls >= 1 && calls <= 3, `sampling stops once nobody watches (${calls} calls)`);
  await new Promise((r) => setTimeout(r, 80));
  t.equal(calls, afterIdle, 'no engine calls while unwatched');
  h.watch(1, sample);
  for (let i = 0; i < 40 && h.series(1).filter((p) => p.rxRate !== null).length < 5; i++) { h.watch(1, sample); clock += 50; await new Promise((r) => setTimeout(r, 25)); }
  const s = h.series(1);
  t.equal(s.length, 5, 'at most `keep` points');
  const withRate = s.filter((p) => p.rxRate !== null);
  t.ok(withRate.length >= 4, `rates between consecutive points (${withRate.length})`);
  t.ok(withRate.every((p) => p.rxRate! > 0 && p.txRate! > 0), 'positive rates');
  t.equal(s[0].cpu, 12.35, 'CPU rounded to 2 places');
  h.watch(2, sample);
  h.watch(3, sample);
  t.equal(h.series(3).length, 0, 'a third container is not taken: at most maxWatched');
  clock += 5000;
  h.watch(3, sample);
  await until(() => h.series(3).length > 0);
  t.equal(h.series(1).length, 0, 'points are forgotten forgetMs after the last watch');
  t.ok(h.series(3).length >= 1, 'which makes room');
});

t.test('charts of a running container: JSON history, uPlot in Chromium, a table without JavaScript; one engine call per interval measured', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('olga', { project, role: 'owner' });
  const { token: stranger } = await gw.user('sam');
  const { body } = await gw.api('POST', `/containers/api/create/${project}`, token, { title: 'busy', ...TEST_IMAGE });
  const uuid = body.sodar_uuid as string;
  const c = gw.core.store.containers.byUuid(uuid)!;
  const s = await session(gw, token);

  const idle = await page(gw, `/containers/${uuid}/stats`, s.cookie);
  t.match(idle.text, /Charts appear while the container runs/);
  const none = JSON.parse((await page(gw, `/containers/${uuid}/stats/history`, s.cookie)).text);
  t.same(none.points, [], 'not running: no points');
  t.equal((await page(gw, `/containers/${uuid}/stats/history`, (await session(gw, stranger)).cookie)).status, 404, 'non-members get nothing');

  t.equal((await gw.api('POST', `/containers/api/start/${uuid}`, token)).body.state, 'running');
  // The cost of one sample: one stats call to the engine.
  const t0 = performance.now();
  await gw.core.engine.stats(gw.core.store.containers.byId(c.id)!.dockerId!);
  const cost = performance.now() - t0;
  t.comment(`one engine stats call: ${cost.toFixed(0)} ms`);

  const b = await launchBrowser();
  t.teardown(() => b.close());
  await loginWithToken(gw, b.context, token);
  await b.page.goto(`${gw.base}/containers/${uuid}/stats`);
  await b.page.waitForSelector('.charts .uplot canvas', { timeout: 15_000 });
  t.equal(await b.page.locator('.charts .uplot').count(), 3, 'three charts: CPU, memory, network');
  await b.page.waitForFunction(() => Number(document.querySelector('[data-history-url]').getAttribute('data-points')) >= 2, null, { timeout: 20_000 });
  t.same(b.errors, [], 'no script errors');
  const legends = await b.page.locator('.uplot .u-legend').allTextContents();
  t.match(legends.join(' '), /CPU %[\s\S]*Memory \(MiB\)[\s\S]*In \(kB\/s\)[\s\S]*Out \(kB\/s\)/, 'labelled series');

  const json = JSON.parse((await page(gw, `/containers/${uuid}/stats/history`, s.cookie)).text);
  t.ok(json.points.length >= 2, `points while watched (${json.points.length})`);
  t.equal(json.interval_seconds, 5);
  t.match(json.points[json.points.length - 1], { t: String, cpu_percent: Number, memory_bytes: Number, memory_limit_bytes: Number });
  const gaps = json.points.slice(1).map((p: { t: string }, i: number) => Date.parse(p.t) - Date.parse(json.points[i].t));
  t.ok(gaps.every((g: number) => g >= 2000 && g <= 12_000), `fixed interval between points: ${gaps.join(', ')} ms`);

  const nojs = await launchBrowser({ javaScript: false });
  t.teardown(() => nojs.close());
  await loginWithToken(gw, nojs.context, token);
  await nojs.page.goto(`${gw.base}/containers/${uuid}/stats`);
  const rows = await nojs.page.locator('.history-table tbody tr').count();
  t.ok(rows >= 2, `without JavaScript: a table of the latest samples (${rows} rows)`);
  t.match(await nojs.page.locator('.history-table tbody tr').first().textContent(), /\d\d:\d\d:\d\d\s*\d+\.\d\d %/);
});
