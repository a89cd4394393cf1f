/**
 * container-stats.ts: the detail page's resource use and uptime history (SRC's stats and uptime
 * summaries). Stats are sampled from the engine on request, while the container runs: the page
 * polls GET /containers/<uuid>/stats (htmx, only while visible), which without JavaScript is a page
 * of its own. The uptime summaries for the last hour, day, week and month come from the store, each
 * with the small inline chart of gateway/core/containers/uptime.ts.
 */
import type { Container } from '../../gateway/core/types.ts';
import type { ContainerStats, Engine } from '../../gateway/core/engine/engine.ts';
import type { Store } from '../../gateway/core/store/index.ts';
import { NotFoundError, toPorticoError } from '../../gateway/core/errors.ts';
import { summarizeUptime, UPTIME_DURATIONS, uptimeChartSvg } from '../../gateway/core/containers/uptime.ts';
import type { UptimeDuration } from '../../gateway/core/containers/uptime.ts';
import type { UiDeps } from './pages.ts';
import { pageData, requirePageUser } from './pages.ts';
import { containerShell } from './projects.ts';
import { createStatsHistory } from '../../gateway/core/containers/stats-history.ts';
import type { HistorySample } from '../../gateway/core/containers/stats-history.ts';
import { sendJson } from '../../gateway/http/respond.ts';

/** STATS_POLL_SECONDS is how often an open, visible detail page asks for fresh stats. */
export const STATS_POLL_SECONDS = 5;

/** StatsView is what partials/container-stats.eta shows: a sample, or why there is none. */
export interface StatsView {
  uuid: string;
  sampled: boolean;
  message: string;
  cpu: string;
  memory: string;
  memoryPercent: string;
  net: string;
  block: string;
  pids: string;
  at: string;
}

function unit(n: number, base: 1000 | 1024, units: string[]): string {
  let i = 0;
  while (n >= base && i < units.length - 1) { n /= base; i++; }
  return `${i === 0 ? n : n.toFixed(n < 10 ? 2 : 1)} ${units[i]}`;
}

/** memBytes writes a memory size in binary units, as `docker stats` does (MiB, GiB). */
export function memBytes(n: number): string {
  return unit(n, 1024, ['B', 'KiB', 'MiB', 'GiB', 'TiB']);
}

/** ioBytes writes a transfer size in decimal units, as `docker stats` does (kB, MB). */
export function ioBytes(n: number): string {
  return unit(n, 1000, ['B', 'kB', 'MB', 'GB', 'TB']);
}

/** hasStats tells whether the engine has statistics for `c` (a running or paused container). */
export function hasStats(c: Pick<Container, 'state' | 'dockerId'>): boolean {
  return Boolean(c.dockerId) && (c.state === 'running' || c.state === 'paused');
}

/** statsView formats one sample taken at `at`. */
export function statsView(uuid: string, s: ContainerStats, at: Date): StatsView {
  const pct = s.memoryLimitBytes ? `${((s.memoryBytes / s.memoryLimitBytes) * 100).toFixed(2)} %` : '';
  return {
    uuid, sampled: true, message: '',
    cpu: `${s.cpuPercent.toFixed(2)} %`,
    memory: `${memBytes(s.memoryBytes)} / ${s.memoryLimitBytes ? memBytes(s.memoryLimitBytes) : 'no limit'}`,
    memoryPercent: pct,
    net: `${ioBytes(s.netRxBytes)} in / ${ioBytes(s.netTxBytes)} out`,
    block: `${ioBytes(s.blockReadBytes)} read / ${ioBytes(s.blockWriteBytes)} written`,
    pids: String(s.pids),
    at: at.toISOString().slice(11, 19),
  };
}

/** noStatsView says why there is no sample. */
export function noStatsView(uuid: string, message: string): StatsView {
  return { uuid, sampled: false, message, cpu: '', memory: '', memoryPercent: '', net: '', block: '', pids: '', at: '' };
}

/** UptimeView is one window of the uptime history with its chart (trusted SVG built from numbers). */
export interface UptimeView { duration: UptimeDuration; label: string; percent: string; samples: number; svg: string }

const WINDOW_LABELS: Record<UptimeDuration, string> = { hour: 'Last hour', day: 'Last day', week: 'Last week', month: 'Last month' };

/** uptimeViews summarises `containerId`'s samples over the last hour, day, week and month. */
export function uptimeViews(store: Store, containerId: number, now: Date = new Date()): UptimeView[] {
  const createdAt = store.containers.byId(containerId)?.createdAt ?? null;
  return (Object.keys(UPTIME_DURATIONS) as UptimeDuration[]).map((duration) => {
    const s = summarizeUptime(store, containerId, duration, now, 60, createdAt);
    const young = s.since > s.from;
    return {
      duration, label: WINDOW_LABELS[duration], samples: s.samples,
      percent: s.uptimePercent === null ? (s.stoppedSamples ? 'stopped' : 'no samples') : `${s.uptimePercent} %${young ? ' since created' : ''}`,
      svg: uptimeChartSvg(s),
    };
  });
}

/** StatsSampler reads stats from the engine, one request per container at a time. */
export type StatsSampler = ReturnType<typeof createStatsSampler>;

/** createStatsSampler shares a sample between viewers: one engine call in flight per container, reused for `maxAgeMs`. */
export function createStatsSampler(engine: Pick<Engine, 'stats'>, maxAgeMs = 2000) {
  const recent = new Map<string, { at: number; value: Promise<{ stats: ContainerStats; at: Date }> }>();
  return {
    sample(dockerId: string): Promise<{ stats: ContainerStats; at: Date }> {
      const now = Date.now();
      for (const [id, r] of recent) if (now - r.at > maxAgeMs) recent.delete(id);
      const hit = recent.get(dockerId);
      if (hit) return hit.value;
      const value = engine.stats(dockerId).then((stats) => ({ stats, at: new Date() }));
      // A failed sample is not kept: the next poll asks the engine again.
      value.catch(() => recent.delete(dockerId));
      recent.set(dockerId, { at: now, value });
      return value;
    },
  };
}

/** HISTORY_KEEP is how many points each watched container keeps: 30 minutes at the poll interval. */
export const HISTORY_KEEP = 360;

/** historyRows are the newest points as the no-JavaScript table shows them, newest first. */
export function historyRows(points: HistorySample[], n = 12) {
  const rate = (v: number | null) => (v === null ? '' : `${ioBytes(v)}/s`);
  return points.slice(-n).reverse().map((p) => ({
    at: new Date(p.t).toISOString().slice(11, 19), cpu: `${p.cpu.toFixed(2)} %`, mem: memBytes(p.mem), rx: rate(p.rxRate), tx: rate(p.txRate),
  }));
}

/** registerContainerStats adds GET /containers/:container/stats (the polled fragment, or a page without JavaScript) and its history. */
export function registerContainerStats(d: UiDeps): void {
  const { svc } = d;
  const sampler = createStatsSampler(svc.engine);
  const history = createStatsHistory({ intervalMs: STATS_POLL_SECONDS * 1000, keep: HISTORY_KEEP, idleMs: 30_000, forgetMs: 30 * 60_000, maxWatched: 100 });
  const watch = (c: Container) => {
    if (hasStats(c)) history.watch(c.id, () => sampler.sample(c.dockerId!).then((x) => x.stats));
  };

  d.on('GET', '/containers/:container/stats/history', (ctx) => {
    const caller = requirePageUser(svc, ctx.req, ctx.res);
    const { container: c } = svc.access.container(caller.user, ctx.params.container, 'container.view');
    watch(c);
    sendJson(ctx.res, 200, {
      sodar_uuid: c.uuid, state: c.state, interval_seconds: STATS_POLL_SECONDS, keep: HISTORY_KEEP,
      points: history.series(c.id).map((p) => ({ t: new Date(p.t).toISOString(), cpu_percent: p.cpu, memory_bytes: p.mem, memory_limit_bytes: p.memLimit, net_rx_rate: p.rxRate, net_tx_rate: p.txRate })),
    }, { 'cache-control': 'no-store' });
  });

  d.on('GET', '/containers/:container/stats', async (ctx) => {
    const caller = requirePageUser(svc, ctx.req, ctx.res);
    const htmx = d.ui.isFragmentRequest(ctx.req);
    let access;
    try {
      access = svc.access.container(caller.user, ctx.params.container, 'container.view');
    } catch (err) {
      // A poll of a container deleted meanwhile (or access lost): 286 tells htmx to stop polling.
      if (htmx && err instanceof NotFoundError) { d.ui.fragment(ctx.res, 'partials/container-stats', { ...noStatsView('', 'This container no longer exists.') }, 286); return; }
      throw err;
    }
    const { container: c, role } = access;
    watch(c);
    let view: StatsView;
    if (!hasStats(c)) view = noStatsView(c.uuid, `Statistics appear while the container runs; it is ${c.state}.`);
    else {
      try {
        const { stats, at } = await sampler.sample(c.dockerId!);
        view = statsView(c.uuid, stats, at);
      } catch (err) {
        view = noStatsView(c.uuid, `No statistics from the engine: ${toPorticoError(err).message}`);
      }
    }
    if (htmx) { d.ui.fragment(ctx.res, 'partials/container-stats', { ...view }); return; }
    const project = svc.store.projects.byId(c.projectId);
    if (!project) throw new NotFoundError('E_CONTAINER_NOT_FOUND', 'container not found');
    d.ui.page(ctx.req, ctx.res, 'pages/container-stats', pageData(caller, `Resources · ${c.title}`, {
      ...containerShell({ project, role, user: caller.user }, 'containers'),
      c: { uuid: c.uuid, title: c.title }, stats: view, uptime: uptimeViews(svc.store, c.id),
      history: historyRows(history.series(c.id)), charts: hasStats(c), pollSeconds: STATS_POLL_SECONDS,
    }));
  });
}
