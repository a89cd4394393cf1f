/**
 * uptime.ts: the uptime history. A periodic job samples every container's state into the store;
 * summaries for the last hour, day, week or month give the share of samples that were running,
 * plus a fixed number of buckets for a small chart (and SRC's raw {time: running} map on request).
 */
import type { Store } from '../store/index.ts';

/** UPTIME_DURATIONS are SRC's summary windows, in milliseconds. */
export const UPTIME_DURATIONS = { hour: 3_600_000, day: 86_400_000, week: 7 * 86_400_000, month: 30 * 86_400_000 } as const;
export type UptimeDuration = keyof typeof UPTIME_DURATIONS;

/** UptimeSummary is what the REST API and the detail page's chart show. */
export interface UptimeSummary {
  duration: UptimeDuration;
  from: string;
  to: string;
  samples: number;
  runningSamples: number;
  /** uptimePercent is null when there are no samples in the window. */
  uptimePercent: number | null;
  /** buckets split the window evenly; each is the running share of its samples, or null if none. */
  buckets: Array<{ start: string; percent: number | null }>;
}

/** sampleUptime records the current state of every container at `now`; returns how many. */
export function sampleUptime(store: Store, now: Date = new Date()): number {
  const samples = store.containers.all().map((c) => ({ containerId: c.id, state: c.state }));
  if (samples.length) store.uptime.record(now.toISOString(), samples);
  return samples.length;
}

/**
 * summarizeUptime summarises one container's samples over `duration` ending at `now`. Each bucket
 * is counted by the store over an index range: a month of minute samples is 43,200 rows, too many
 * to read out for every detail page view.
 */
export function summarizeUptime(store: Pick<Store, 'uptime'>, containerId: number, duration: UptimeDuration, now: Date = new Date(), bucketCount = 60): UptimeSummary {
  const span = UPTIME_DURATIONS[duration];
  const fromMs = now.getTime() - span;
  const starts = Array.from({ length: bucketCount }, (_, i) => new Date(fromMs + (span * i) / bucketCount).toISOString());
  // The last bucket is open-ended: a sample stamped just after `now` still counts, as in SRC.
  const counts = starts.map((lo, i) => store.uptime.count(containerId, lo, starts[i + 1] ?? '\uffff'));
  const samples = counts.reduce((a, b) => a + b.n, 0);
  const up = counts.reduce((a, b) => a + b.up, 0);
  return {
    duration,
    from: starts[0],
    to: now.toISOString(),
    samples,
    runningSamples: up,
    uptimePercent: samples ? Math.round((up / samples) * 1000) / 10 : null,
    buckets: counts.map((b, i) => ({ start: starts[i], percent: b.n ? Math.round((b.up / b.n) * 1000) / 10 : null })),
  };
}

/** uptimeRaw is SRC's raw form of the samples over `duration` ending at `now`: {time: running}. */
export function uptimeRaw(store: Pick<Store, 'uptime'>, containerId: number, duration: UptimeDuration, now: Date = new Date()): Record<string, boolean> {
  const raw: Record<string, boolean> = {};
  for (const r of store.uptime.since(containerId, new Date(now.getTime() - UPTIME_DURATIONS[duration]).toISOString())) raw[r.at] = r.state === 'running';
  return raw;
}

/** uptimeChartSvg draws the buckets as a small inline SVG bar chart (no script, safe to inline). */
export function uptimeChartSvg(s: Pick<UptimeSummary, 'buckets' | 'duration' | 'uptimePercent'>, width = 240, height = 40): string {
  const w = width / s.buckets.length;
  const bars = s.buckets.map((b, i) => {
    if (b.percent === null) return `<rect x="${(i * w).toFixed(2)}" y="${height - 2}" width="${Math.max(w - 1, 1).toFixed(2)}" height="2" fill="#ccc"/>`;
    const h = Math.max(2, (b.percent / 100) * height);
    const color = b.percent >= 99 ? '#2e7d32' : b.percent > 0 ? '#f9a825' : '#c62828';
    return `<rect x="${(i * w).toFixed(2)}" y="${(height - h).toFixed(2)}" width="${Math.max(w - 1, 1).toFixed(2)}" height="${h.toFixed(2)}" fill="${color}"/>`;
  }).join('');
  const label = s.uptimePercent === null ? `no samples in the last ${s.duration}` : `${s.uptimePercent}% up in the last ${s.duration}`;
  return `<svg xmlns="http://www.w3.org/2000/svg" class="uptime-chart" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${label}"><title>${label}</title>${bars}</svg>`;
}
