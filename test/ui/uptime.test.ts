/**
 * uptime.test.ts: the uptime card measures a container's lifetime within each window and counts
 * only running and down samples, so deliberate stops and the time before the first start are
 * neither; a deliberate stop is drawn as "stopped" (slate), not "down" (red).
 */
import t from 'tap';
import { startGateway, TEST_IMAGE } from '../helpers/gateway.ts';
import { page, session } from '../helpers/ui-http.ts';
import { sampleUptime, summarizeUptime, uptimeChartSvg } from '../../gateway/core/containers/uptime.ts';

const rows = (html: string) => [...html.matchAll(/<tr data-duration="(\w+)"><th scope="row">[^<]+<\/th><td class="pct nowrap">([^<]+)<\/td><td class="chart">(<svg[^]*?<\/svg>)<\/td><\/tr>/g)]
  .map((m) => ({ duration: m[1], percent: m[2], svg: m[3] }));

t.test('regression: "62.5 % up in the last month" for a container 25 minutes old that ran since its first start', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('olga', { project, role: 'owner' });
  const { body } = await gw.api('POST', `/containers/api/create/${project}`, token, { title: 'young', ...TEST_IMAGE });
  const store = gw.core.store;
  const c = store.containers.byUuid(body.sodar_uuid)!;
  const now = Date.now();
  store.db.prepare('UPDATE containers SET created_at = ? WHERE id = ?').run(new Date(now - 25 * 60_000).toISOString(), c.id);
  // 9 minutes before its first start (initial, then pulling and created), then 15 minutes running: 15/24 was 62.5 %.
  const states = ['initial', 'initial', 'initial', 'pulling', 'pulling', 'pulling', 'created', 'created', 'created', ...Array(15).fill('running')];
  states.forEach((state, i) => store.uptime.record(new Date(now - (24 - i) * 60_000).toISOString(), [{ containerId: c.id, state }]));
  const month = summarizeUptime(store, c.id, 'month', new Date(now), 60, store.containers.byId(c.id)!.createdAt);
  t.equal(month.uptimePercent, 100, 'only running and down samples count');
  t.equal(month.samples, 15);
  t.ok(month.since > month.from, 'the measured time begins at the creation');

  const s = await session(gw, token);
  const html = (await page(gw, `/containers/${c.uuid}`, s.cookie)).text;
  const r = rows(html);
  t.same(r.map((x) => x.percent), ['100 % since created', '100 % since created', '100 % since created', '100 % since created']);
  t.match(r[3].svg, /aria-label="100% up since it was created 25 min ago"/, 'the label says what is measured');
  t.notMatch(html, /62\.5/);
  const api = await gw.api('GET', `/containers/api/uptime/${c.uuid}?duration=month`, token);
  t.match(api.body, { uptime_percent: 100, samples: 15, running_samples: 15, stopped_samples: 0 });
  t.ok(Date.parse(api.body.since) > Date.parse(api.body.from), 'the API says since when');
});

t.test('regression: a deliberate stop (a person\'s or the idle rule\'s) is drawn as "stopped", not "down"; a crash is down', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('olga', { project, role: 'owner' });
  const mk = async (title: string) => gw.core.store.containers.byUuid((await gw.api('POST', `/containers/api/create/${project}`, token, { title, ...TEST_IMAGE })).body.sodar_uuid)!;
  const store = gw.core.store;
  const byPerson = await mk('stopped-by-olga');
  const byIdle = await mk('stopped-idle');
  const crashed = await mk('crashed');
  store.containers.setRuntime(byPerson.id, { state: 'exited' });
  store.containers.setStopHold(byPerson.id, 'olga', false);
  store.containers.setRuntime(byIdle.id, { state: 'exited' });
  store.containers.setStopHold(byIdle.id, null, true);
  store.containers.setRuntime(crashed.id, { state: 'exited' });
  const now = Date.now();
  for (let i = 0; i < 5; i++) sampleUptime(store, new Date(now - (5 - i) * 60_000));
  const kinds = (id: number) => store.uptime.since(id, new Date(now - 3_600_000).toISOString()).map((x) => x.state);
  t.same(kinds(byPerson.id), Array(5).fill('stopped'), 'a person\'s stop is sampled as stopped');
  t.same(kinds(byIdle.id), Array(5).fill('stopped'), 'the idle rule\'s stop too');
  t.same(kinds(crashed.id), Array(5).fill('exited'), 'an exit nobody asked for is down');

  const stopped = summarizeUptime(store, byPerson.id, 'hour', new Date(now));
  t.equal(stopped.uptimePercent, null, 'no share: nothing that counts');
  t.equal(stopped.stoppedSamples, 5);
  const svg = uptimeChartSvg(stopped);
  t.match(svg, /fill="#78909c"/, 'slate "stopped" bars');
  t.notMatch(svg, /fill="#c62828"/, 'no red "down" bars');
  t.match(svg, /aria-label="stopped on purpose in the last hour"/);
  const down = uptimeChartSvg(summarizeUptime(store, crashed.id, 'hour', new Date(now)));
  t.match(down, /fill="#c62828"/, 'the crash is red');
  t.match(down, /aria-label="0% up in the last hour"/);

  const s = await session(gw, token);
  const html = (await page(gw, `/containers/${byPerson.uuid}`, s.cookie)).text;
  t.equal(rows(html)[0].percent, 'stopped', 'the card says stopped');
});
