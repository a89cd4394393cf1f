/**
 * metrics.ts: the proxy's Prometheus metrics, registered once on the services' registry. Label
 * keys are built up front so counting costs a Map update on the hot path.
 */
import type { Registry } from '../core/metrics.ts';
import { LATENCY_BUCKETS, START_BUCKETS } from '../core/metrics.ts';

/** ProxyMetrics are the counters the proxy updates. */
export interface ProxyMetrics {
  /** response counts a proxied response by status and its latency (seconds). */
  response(status: number, seconds: number): void;
  /** start counts an on-demand start and how long it took until the app answered. */
  start(result: 'ok' | 'failed' | 'timeout', seconds: number): void;
}

/** createProxyMetrics registers the metrics; `openWebSockets` is read at scrape time. */
export function createProxyMetrics(registry: Registry, openWebSockets: () => number): ProxyMetrics {
  const requests = registry.counter('portico_proxy_requests_total', 'Proxied HTTP responses by status class.');
  const byClass = ['1xx', '2xx', '3xx', '4xx', '5xx'].map((c) => requests.labelled({ class: c }));
  const latency = registry.histogram('portico_proxy_request_duration_seconds', 'Time from request to the end of the proxied response.', LATENCY_BUCKETS);
  registry.gauge('portico_proxy_websockets_open', 'Open proxied WebSocket connections.', () => [[undefined, openWebSockets()]]);
  const starts = registry.counter('portico_proxy_container_starts_total', 'Containers started on demand by the proxy, by result.');
  const startBy = { ok: starts.labelled({ result: 'ok' }), failed: starts.labelled({ result: 'failed' }), timeout: starts.labelled({ result: 'timeout' }) };
  const startTime = registry.histogram('portico_proxy_start_duration_seconds', 'Time from the first request to a ready app for on-demand starts.', START_BUCKETS);
  return {
    response(status, seconds) {
      const i = (status / 100) | 0;
      byClass[i >= 1 && i <= 5 ? i - 1 : 4]();
      latency.observe(seconds);
    },
    start(result, seconds) {
      startBy[result]();
      startTime.observe(seconds);
    },
  };
}
