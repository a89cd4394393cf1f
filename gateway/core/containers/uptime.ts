/**
 * uptime.ts: the uptime history. A periodic job samples every container's state into the store;
 * summaries for the last hour, day, week or month give the share of samples that were running,
 * plus a fixed number of buckets for a small chart (and SRC's raw {time: running} map on request).
 * Only running and down samples count: a deliberate stop (a person's, or the idle rule's), a pause
 * and the time before the first start are neither, so a container stopped every evening on purpose
 * and one created 25 minutes ago are not reported as partly down. The share covers the container's
 * lifetime within the window; `since` says when that began.
 */
import type { Store } from '../store/index.ts';
import type { Container } from '../types.ts';
import type { SampleState } from '../store/uptime.ts';

/** UPTIME_DURATIONS are SRC's summary windows, in milliseconds. */
export const UPTIME_DURATIONS = { hour: 3_600_000, day: 86_400_000, week: 7 * 86_400_000, month: 30 * 86_400_000 } as const;
export type UptimeDuration = keyof typeof UPTIME_DURATIONS;

/** UptimeSummary is what the REST API and the detail page's chart show. */
export interface UptimeSummary {
  duration: UptimeDuration;
  from: string;
  to: string;
  /** since is where the measured time begins: the window's start, or the container's creation if later. */
  since: string;
  samples: number;
  runningSamples: number;
  /** stoppedSamples were deliberate stops or pauses; they are not in `samples`. */
  stoppedSamples: number;
  /** uptimePercent is null when no sample in the window counts (none, or only deliberate stops). */
  uptimePercent: number | null;
  /** buckets split the window evenly; each is the running share of its counted samples (null if none), and whether it holds deliberate stops. */
  buckets: Array<{ start: string; percent: number | null; stopped: boolean }>;
}

/** sampleState is what the uptime history records for `c` now. */
export function sampleState(c: Pick<Container, 'state' | 'stoppedBy' | 'stoppedIdle'>): SampleState {
  return c.state !== 'running' && c.state !== 'paused' && (c.stoppedBy || c.stoppedIdle) ? 'stopped' : c.state;
}

/** sampleUptime records the current state of every container at `now`; returns how many. */
export function sampleUptime(store: Store, now: Date = new Date()): number {
  const samples = store.containers.all().map((c) => ({ containerId: c.id, state: sampleState(c) }));
  if (samples.length) store.uptime.record(now.toISOString(), samples);
  return samples.length;
}

/**
 * summarizeUptime summarises one container's samples over `duration` ending at `now`. Each bucket
 * is counted by the store over an index range: a month of minute samples is 43,200 rows, too many
 * to read out for every detail page view.
 */
export function summarizeUptime(store: Pick<Store, 'uptime'>, containerId: number, duration: UptimeDuration, now: Date = new Date(), bucketCount = 60, createdAt: string | null = null): UptimeSummary {
  const span = UPTIME_DURATIONS[duration];
  const fromMs = now.getTime() - span;
  const starts = Array.from({ length: bucketCount }, (_, i) => new Date(fromMs + (span * i) / bucketCount).toISOString());
  // The last bucket is open-ended: a sample stamped just after `now` still counts, as in SRC.
  const counts = starts.map((lo, i) => store.uptime.count(containerId, lo, starts[i + 1] ?? '\uffff'));
  const samples = counts.reduce((a, b) => a + b.n, 0);
  const up = counts.reduce((a, b) => a + b.up, 0);
  const stopped = counts.reduce((a, b) => a + b.stopped, 0);
  return {
    duration,
    from: starts[0],
    to: now.toISOString(),
    since: createdAt && createdAt > starts[0] ? createdAt : starts[0],
    samples,
    runningSamples: up,
    stoppedSamples: stopped,
    uptimePercent: samples ? Math.round((up / samples) * 1000) / 10 : null,
    buckets: counts.map((b, i) => ({ start: starts[i], percent: b.n ? Math.round((b.up / b.n) * 1000) / 10 : null, stopped: b.stopped > 0 })),
  };
}

/** uptimeRaw is SRC's raw form of the samples over `duration` ending at `now`: {time: running}. */
export function uptimeRaw(store: Pick<Store, 'uptime'>, containerId: number, duration: UptimeDuration, now: Date = new Date()): Record<string, boolean> {
  const raw: Record<string, boolean> = {};
  for (const r of store.uptime.since(containerId, new Date(now.getTime() - UPTIME_DURATIONS[duration]).toISOString())) raw[r.at] = r.state === 'running';
  return raw;
}

/** uptimeChartSvg draws the buckets as a small inline SVG bar chart (no script, safe to inline). */
export function uptimeChartSvg(s: Pick<UptimeSummary, 'buckets' | 'duration' | 'uptimePercent'> & Partial<Pick<UptimeSummary, 'from' | 'since' | 'stoppedSamples'>>, width = 240, height = 40): string {
  const w = width / s.buckets.length;
  const bars = s.buckets.map((b, i) => {
    // A bucket with only deliberate stops is drawn as "stopped" (slate, a third high), not as down.
    if (b.percent === null && b.stopped) return `<rect x="${(i * w).toFixed(2)}" y="${(height * 2 / 3).toFixed(2)}" width="${Math.max(w - 1, 1).toFixed(2)}" height="${(height / 3).toFixed(2)}" fill="#78909c"/>`;
    if (b.percent === null) return `<rect x="${(i * w).toFixed(2)}" y="${height - 2}" width="${Math.max(w - 1, 1).toFixed(2)}" height="2" fill="#ccc"/>`;
    const h = Math.max(2, (b.percent / 100) * height);
    const color = b.percent >= 99 ? '#2e7d32' : b.percent > 0 ? '#f9a825' : '#c62828';
    return `<rect x="${(i * w).toFixed(2)}" y="${(height - h).toFixed(2)}" width="${Math.max(w - 1, 1).toFixed(2)}" height="${h.toFixed(2)}" fill="${color}"/>`;
  }).join('');
  const label = uptimeLabel(s);
  return `<svg xmlns="http://www.w3.org/2000/svg" class="uptime-chart" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${label}"><title>${label}</title>${bars}</svg>`;
}

/** uptimeLabel says what the share measures: the window, or the container's life when it is younger. */
export function uptimeLabel(s: Pick<UptimeSummary, 'duration' | 'uptimePercent'> & Partial<Pick<UptimeSummary, 'from' | 'since' | 'stoppedSamples'>>): string {
  const young = s.since && s.from && s.since > s.from;
  const over = young ? `since it was created ${ago(Date.parse(s.since!))}` : `in the last ${s.duration}`;
  if (s.uptimePercent === null) return s.stoppedSamples ? `stopped on purpose ${over}` : `no samples ${over}`;
  return `${s.uptimePercent}% up ${over}`;
}

function ago(ms: number): string {
  const min = Math.max(0, Math.round((Date.now() - ms) / 60_000));
  if (min < 90) return `${min} min ago`;
  const h = Math.round(min / 60);
  return h < 48 ? `${h} h ago` : `${Math.round(h / 24)} days ago`;
}
