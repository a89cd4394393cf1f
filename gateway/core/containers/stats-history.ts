/**
 * stats-history.ts: a short history of each watched container's resource use, for the stats
 * page's charts. It is kept in memory, not in the store: it is only useful while someone looks, a
 * restart losing 30 minutes of samples costs nothing, and 10,000 containers sampled around the
 * clock would cost an engine call each every few seconds. A container is sampled every
 * `intervalMs` while someone watches it (a stats poll or a history request within `idleMs`); its
 * points are forgotten `forgetMs` after the last watch. At most `maxWatched` containers are kept,
 * each with its newest `keep` points, so memory is bounded whatever happens.
 */
import type { ContainerStats } from '../engine/engine.ts';

/** HistorySample is one point: when, CPU %, memory bytes and limit, and network rates since the previous point. */
export interface HistorySample { t: number; cpu: number; mem: number; memLimit: number; rxRate: number | null; txRate: number | null }

/** StatsHistory samples watched containers and answers their series. */
export interface StatsHistory {
  /** watch marks `key` (a container id) as watched now; `sample` reads its stats from the engine. */
  watch(key: number, sample: () => Promise<ContainerStats>): void;
  series(key: number): HistorySample[];
  /** watched is how many containers are being sampled now (watched within idleMs). */
  watched(): number;
  stop(): void;
}

interface Entry { sample: () => Promise<ContainerStats>; lastWatch: number; points: HistorySample[]; last: { t: number; rx: number; tx: number } | null; busy: boolean }

/** createStatsHistory starts an empty history; its timer runs only while something is watched. */
export function createStatsHistory(opts: { intervalMs: number; keep: number; idleMs: number; forgetMs: number; maxWatched: number; now?: () => number }): StatsHistory {
  const now = opts.now ?? Date.now;
  const entries = new Map<number, Entry>();
  let timer: NodeJS.Timeout | null = null;

  function record(e: Entry, s: ContainerStats, t: number): void {
    const dt = e.last ? (t - e.last.t) / 1000 : 0;
    // A counter that went back (the container was recreated) starts the rates again.
    const ok = e.last && dt > 0 && s.netRxBytes >= e.last.rx && s.netTxBytes >= e.last.tx;
    e.points.push({
      t, cpu: Math.round(s.cpuPercent * 100) / 100, mem: s.memoryBytes, memLimit: s.memoryLimitBytes,
      rxRate: ok ? Math.round((s.netRxBytes - e.last!.rx) / dt) : null, txRate: ok ? Math.round((s.netTxBytes - e.last!.tx) / dt) : null,
    });
    if (e.points.length > opts.keep) e.points.splice(0, e.points.length - opts.keep);
    e.last = { t, rx: s.netRxBytes, tx: s.netTxBytes };
  }

  function tick(): void {
    const t = now();
    let active = 0;
    for (const e of entries.values()) {
      if (t - e.lastWatch > opts.idleMs) continue;
      active++;
      if (e.busy) continue;
      e.busy = true;
      e.sample().then((s) => record(e, s, now()), () => {}).finally(() => { e.busy = false; });
    }
    if (!active && timer) { clearInterval(timer); timer = null; }
  }

  function sweep(t: number): void {
    for (const [key, e] of entries) if (t - e.lastWatch > opts.forgetMs) entries.delete(key);
  }

  return {
    watch(key, sample) {
      const t = now();
      sweep(t);
      let e = entries.get(key);
      if (!e) {
        if (entries.size >= opts.maxWatched) return;
        e = { sample, lastWatch: t, points: [], last: null, busy: false };
        entries.set(key, e);
      }
      const resumed = t - e.lastWatch > opts.idleMs || !e.points.length;
      // Rates over an unwatched gap would be averages drawn as if measured: start them again.
      if (resumed) e.last = null;
      e.lastWatch = t;
      e.sample = sample;
      if (!timer) { timer = setInterval(tick, opts.intervalMs); timer.unref(); }
      // A point at once when sampling (re)starts, so a chart opened now has something to draw.
      if (resumed && !e.busy) {
        const entry = e;
        entry.busy = true;
        sample().then((s) => record(entry, s, now()), () => {}).finally(() => { entry.busy = false; });
      }
    },
    series: (key) => [...(entries.get(key)?.points ?? [])],
    watched: () => [...entries.values()].filter((e) => now() - e.lastWatch <= opts.idleMs).length,
    stop() { if (timer) clearInterval(timer); timer = null; entries.clear(); },
  };
}
