/**
 * core-metrics.ts: the core's Prometheus metrics: containers by state, engine reachability and
 * event-stream reconnects, and every action job (starts with their durations). The proxy adds its
 * own (requests, latency, WebSockets) to the same registry.
 */
import type { Services } from './services.ts';
import { CONTAINER_STATES } from './types.ts';
import { START_BUCKETS } from './metrics.ts';

const STARTS = new Set(['start', 'restart', 'reset']);

/** registerCoreMetrics adds the core's metrics to `svc.metrics`. */
export function registerCoreMetrics(svc: Pick<Services, 'metrics' | 'store' | 'health' | 'bus'>): void {
  const m = svc.metrics;
  m.gauge('portico_containers', 'Stored containers by state.', () => {
    const counts = svc.store.containers.countByState();
    return CONTAINER_STATES.filter((s) => s !== 'deleted').map((state) => [{ state }, counts[state] ?? 0]);
  });
  m.gauge('portico_engine_up', 'Whether the container engine answers (1) or not (0).', () => [[undefined, svc.health.engineUp() ? 1 : 0]]);
  m.gauge('portico_store_writable', 'Whether the store can save (1) or its data directory refuses writes (0).', () => [[undefined, svc.store.health.status().ok ? 1 : 0]]);
  m.collectedCounter('portico_engine_event_reconnects_total', 'Reconnects of the engine event stream.', () => [[undefined, svc.health.reconnects()]]);
  const actions = m.counter('portico_container_actions_total', 'Container action jobs by action and result.');
  const starts = m.counter('portico_container_starts_total', 'Container starts (start, restart, reset) by result.');
  const startSeconds = m.histogram('portico_container_start_duration_seconds', 'Duration of successful container starts, image pull included.', START_BUCKETS);
  svc.bus.on('action', (e) => {
    actions.inc({ action: e.action, result: e.ok ? 'ok' : 'failed' });
    if (!STARTS.has(e.action)) return;
    starts.inc({ result: e.ok ? 'ok' : 'failed' });
    if (e.ok) startSeconds.observe(e.seconds);
  });
}
