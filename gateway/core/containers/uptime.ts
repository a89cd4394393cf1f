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

/** summarizeUptime summarises one container's samples over `duration` ending at `now`. */
export function summarizeUptime(store: Store, containerId: number, duration: UptimeDuration, now: Date = new Date(), bucketCount = 60): UptimeSummary & { raw: Record<string, boolean> } {
  const span = UPTIME_DURATIONS[duration];
  const fromMs = now.getTime() - span;
  const rows = store.uptime.since(containerId, new Date(fromMs).toISOString());
  const counts = Array.from({ length: bucketCount }, () => ({ n: 0, up: 0 }));
  const raw: Record<string, boolean> = {};
  let up = 0;
  for (const r of rows) {
    const running = r.state === 'running';
    raw[r.at] = running;
    if (running) up++;
    const i = Math.min(bucketCount - 1, Math.max(0, Math.floor(((Date.parse(r.at) - fromMs) / span) * bucketCount)));
    counts[i].n++;
    if (running) counts[i].up++;
  }
  return {
    duration,
    from: new Date(fromMs).toISOString(),
    to: now.toISOString(),
    samples: rows.length,
    runningSamples: up,
    uptimePercent: rows.length ? Math.round((up / rows.length) * 1000) / 10 : null,
    buckets: counts.map((b, i) => ({
      start: new Date(fromMs + (span * i) / bucketCount).toISOString(),
      percent: b.n ? Math.round((b.up / b.n) * 1000) / 10 : null,
    })),
    raw,
  };
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
