/**
 * ui.ts (benchmark): server time of the UI's list pages with 10,000 containers: a project's
 * containers list and the site-admin list (first and last page, search, filters), against the REST
 * API's JSON list of the same page size and /healthz, measured in one run and interleaved; and a
 * container's detail page with a month of uptime samples (43,200) to summarise.
 * Records are inserted straight through the store in a temp database. Prints medians, p90, ratios.
 * Usage: node bench/ui.ts [rounds=40] [containers=10000]
 */
import { performance } from 'node:perf_hooks';
import { startGateway, TEST_IMAGE } from '../test/helpers/gateway.ts';
import { SESSION_COOKIE } from '../gateway/core/auth/sessions.ts';
import type { ContainerState } from '../gateway/core/types.ts';

const rounds = Math.min(Math.max(Number(process.argv[2] ?? 40), 5), 500);
const total = Math.min(Math.max(Number(process.argv[3] ?? 10_000), 100), 200_000);
const TARGET_MS = 100;

function stats(xs: number[]): { median: number; p90: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], p90: s[Math.min(s.length - 1, Math.floor(s.length * 0.9))], max: s[s.length - 1] };
}

const gw = await startGateway();
try {
  const { store, containers, sessions } = gw.core;
  const { user, token } = await gw.user('bench', { admin: true });
  const main = store.projects.create('Bench project');
  const others = Array.from({ length: 9 }, (_, i) => store.projects.create(`Other ${i}`));
  store.projects.setRole(main.id, user.id, 'owner');
  const settings = containers.validate({ title: 'x', ...TEST_IMAGE, description: 'A container of the UI benchmark, with a description of typical length.' });
  const states: ContainerState[] = ['initial', 'exited', 'running', 'exited', 'failed', 'paused'];
  const t0 = performance.now();
  store.transaction(() => {
    for (let i = 0; i < total; i++) {
      // Nine in ten in the main project: its list is the worst case; the rest spread over the others.
      const project = i % 10 === 9 ? others[i % 9] : main;
      const c = store.containers.create(project.id, { ...settings, title: `app-${String(i).padStart(5, '0')}` });
      const state = states[i % states.length];
      if (state !== 'initial') store.containers.setRuntime(c.id, { state, dockerId: state === 'running' ? `d${i}` : null });
    }
  });
  const insertMs = performance.now() - t0;
  // One container with a month of uptime samples at the default rate (one a minute): its detail
  // page summarises hour, day, week and month.
  const watched = store.containers.list({ projectId: main.id, limit: 1, offset: 0 }).results[0];
  const now = Date.now();
  for (let m = 1; m <= 30 * 1440; m++) store.uptime.record(new Date(now - m * 60_000).toISOString(), [{ containerId: watched.id, state: m % 97 ? 'running' : 'exited' }]);
  // And a full log (the default retention, 10,000 lines) for the log search: one line in ten on stderr.
  containers.log.addMany(watched, Array.from({ length: 10_000 }, (_, i) => ({
    date: new Date(now - (10_000 - i) * 1000).toISOString(), level: i % 10 ? 'INFO' as const : 'WARNING' as const, user: '', process: 'Docker' as const,
    text: `GET /api/item/${i} 200 ${i % 7 ? 'ok' : 'cache miss'}`,
  })));
  const { id } = sessions.create(user.id);
  const cookie = `${SESSION_COOKIE}=${id}`;
  const mainCount = store.containers.list({ projectId: main.id, limit: 1, offset: 0 }).count;
  const lastMain = Math.ceil(mainCount / 50);
  const lastAll = Math.ceil(total / 50);

  const cases: Array<{ name: string; path: string; auth: 'cookie' | 'token' | 'none'; rows: RegExp | null }> = [
    { name: `project list, page 1 (${mainCount} in project)`, path: `/projects/${main.uuid}/containers`, auth: 'cookie', rows: /<tr id="row-/g },
    { name: `project list, last page (${lastMain})`, path: `/projects/${main.uuid}/containers?page=${lastMain}`, auth: 'cookie', rows: /<tr id="row-/g },
    { name: 'site admin, page 1', path: '/siteadmin', auth: 'cookie', rows: /<tr id="arow-/g },
    { name: `site admin, last page (${lastAll})`, path: `/siteadmin?page=${lastAll}`, auth: 'cookie', rows: /<tr id="arow-/g },
    { name: 'site admin, search "app-012"', path: '/siteadmin?q=app-012', auth: 'cookie', rows: /<tr id="arow-/g },
    { name: 'site admin, state=exited', path: '/siteadmin?state=exited', auth: 'cookie', rows: /<tr id="arow-/g },
    { name: 'site admin, project filter', path: `/siteadmin?project=${others[0].uuid}`, auth: 'cookie', rows: /<tr id="arow-/g },
    { name: 'site admin, htmx fragment (search)', path: '/siteadmin?q=app-01', auth: 'cookie', rows: /<tr id="arow-/g },
    { name: 'detail page, a month of uptime samples', path: `/containers/${watched.uuid}`, auth: 'cookie', rows: /<tr data-duration=/g },
    { name: 'detail page, log search "cache miss" at WARNING', path: `/containers/${watched.uuid}?q=cache+miss&level=WARNING`, auth: 'cookie', rows: /class="ll-text"/g },
    { name: 'stats page (history table)', path: `/containers/${watched.uuid}/stats`, auth: 'cookie', rows: /<tr data-duration=/g },
    { name: 'site templates with the ready-made offer', path: '/templates', auth: 'cookie', rows: /Add ready-made templates/g },
    { name: 'baseline: REST API list, 50 per page', path: `/containers/api/${main.uuid}?page_size=50`, auth: 'token', rows: null },
    { name: 'baseline: /healthz', path: '/healthz', auth: 'none', rows: null },
  ];
  const times = new Map<string, number[]>(cases.map((c) => [c.name, []]));

  async function hit(c: (typeof cases)[number]): Promise<number> {
    const headers: Record<string, string> = {};
    if (c.auth === 'cookie') headers.cookie = cookie;
    if (c.auth === 'token') headers.authorization = `token ${token}`;
    if (c.name.includes('htmx')) headers['hx-request'] = 'true';
    const start = performance.now();
    const res = await fetch(gw.base + c.path, { headers });
    const body = await res.text();
    const ms = performance.now() - start;
    if (res.status !== 200) throw new Error(`${c.path} answered ${res.status}`);
    if (c.rows && !(body.match(c.rows)?.length)) throw new Error(`${c.path} shows no rows`);
    return ms;
  }

  for (const c of cases) for (let i = 0; i < 5; i++) await hit(c); // warm-up: JIT, prepared statements, template cache
  for (let r = 0; r < rounds; r++) for (const c of cases) times.get(c.name)!.push(await hit(c));

  const api = stats(times.get('baseline: REST API list, 50 per page')!);
  console.log(`UI pages with ${total} containers (${insertMs.toFixed(0)} ms to insert), ${rounds} rounds each, interleaved;`);
  console.log('server time = request to last byte over loopback. Machine: 2 cores shared with other test runs.');
  let worst = 0;
  for (const c of cases) {
    const s = stats(times.get(c.name)!);
    if (!c.name.startsWith('baseline')) worst = Math.max(worst, s.median);
    console.log(`  ${c.name.padEnd(44)} median ${s.median.toFixed(1).padStart(6)} ms  p90 ${s.p90.toFixed(1).padStart(6)} ms  max ${s.max.toFixed(1).padStart(6)} ms  ${(s.median / api.median).toFixed(2)}× API`);
  }
  console.log(`  slowest UI page median ${worst.toFixed(1)} ms (target ≤ ${TARGET_MS} ms): ${worst <= TARGET_MS ? 'met' : 'NOT met'}`);
} finally {
  await gw.close();
}
