/**
 * metrics.ts: a tiny Prometheus registry (counters, gauges, histograms) with text exposition.
 * Increments are plain number additions, cheap enough for the proxy's hot path.
 */

type Labels = Record<string, string>;

function key(labels: Labels | undefined): string {
  if (!labels) return '';
  const parts = Object.keys(labels).sort().map((k) => `${k}="${labels[k].replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

/** Counter only goes up. */
export class Counter {
  readonly values = new Map<string, number>();
  readonly name: string;
  readonly help: string;
  constructor(name: string, help: string) { this.name = name; this.help = help; }
  inc(labels?: Labels, by = 1): void {
    const k = key(labels);
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }
  get(labels?: Labels): number { return this.values.get(key(labels)) ?? 0; }
  /** labelled returns an incrementer bound to fixed labels, its key built once (for hot paths). */
  labelled(labels: Labels): (by?: number) => void {
    const k = key(labels);
    return (by = 1) => { this.values.set(k, (this.values.get(k) ?? 0) + by); };
  }
  render(): string {
    let out = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} counter\n`;
    if (this.values.size === 0) out += `${this.name} 0\n`;
    for (const [k, v] of this.values) out += `${this.name}${k} ${v}\n`;
    return out;
  }
}

/** Gauge reads its values from a callback at scrape time (type `counter` for totals kept elsewhere). */
export class Gauge {
  readonly name: string;
  readonly help: string;
  readonly type: 'gauge' | 'counter';
  private readonly collect: () => Array<[Labels | undefined, number]>;
  constructor(name: string, help: string, collect: () => Array<[Labels | undefined, number]>, type: 'gauge' | 'counter' = 'gauge') {
    this.name = name; this.help = help; this.collect = collect; this.type = type;
  }
  render(): string {
    let out = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} ${this.type}\n`;
    for (const [labels, v] of this.collect()) out += `${this.name}${key(labels)} ${v}\n`;
    return out;
  }
}

/** Histogram counts observations into fixed buckets (seconds). */
export class Histogram {
  readonly name: string;
  readonly help: string;
  readonly buckets: number[];
  private readonly series = new Map<string, { counts: number[]; sum: number; count: number; labels: Labels | undefined }>();
  constructor(name: string, help: string, buckets: number[]) { this.name = name; this.help = help; this.buckets = buckets; }
  observe(value: number, labels?: Labels): void {
    const k = key(labels);
    let s = this.series.get(k);
    if (!s) { s = { counts: new Array(this.buckets.length).fill(0), sum: 0, count: 0, labels }; this.series.set(k, s); }
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]) { s.counts[i]++; break; }
    s.sum += value;
    s.count++;
  }
  render(): string {
    let out = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} histogram\n`;
    for (const s of this.series.values()) {
      let cum = 0;
      for (let i = 0; i < this.buckets.length; i++) {
        cum += s.counts[i];
        out += `${this.name}_bucket${key({ ...s.labels, le: String(this.buckets[i]) })} ${cum}\n`;
      }
      out += `${this.name}_bucket${key({ ...s.labels, le: '+Inf' })} ${s.count}\n`;
      out += `${this.name}_sum${key(s.labels)} ${s.sum}\n${this.name}_count${key(s.labels)} ${s.count}\n`;
    }
    return out;
  }
}

/** Registry holds every metric and renders the exposition text. */
export class Registry {
  private readonly metrics: Array<Counter | Gauge | Histogram> = [];
  counter(name: string, help: string): Counter { const m = new Counter(name, help); this.metrics.push(m); return m; }
  gauge(name: string, help: string, collect: () => Array<[Labels | undefined, number]>): Gauge { const m = new Gauge(name, help, collect); this.metrics.push(m); return m; }
  /** collectedCounter exposes a total that another module keeps (e.g. reconnects), read at scrape time. */
  collectedCounter(name: string, help: string, collect: () => Array<[Labels | undefined, number]>): Gauge { const m = new Gauge(name, help, collect, 'counter'); this.metrics.push(m); return m; }
  histogram(name: string, help: string, buckets: number[]): Histogram { const m = new Histogram(name, help, buckets); this.metrics.push(m); return m; }
  render(): string { return this.metrics.map((m) => m.render()).join(''); }
}

/** LATENCY_BUCKETS suit proxied requests (seconds). */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** START_BUCKETS suit container starts (seconds). */
export const START_BUCKETS = [0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300];
