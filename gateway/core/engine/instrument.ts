/**
 * instrument.ts: wraps an Engine so every failed call is counted by operation and error code
 * (portico_engine_errors_total). The wrapper changes no behaviour.
 */
import type { Engine } from './engine.ts';
import type { Registry } from '../metrics.ts';

/** instrumentEngine returns `engine` with failures counted in `metrics`. */
export function instrumentEngine(engine: Engine, metrics: Registry): Engine {
  const errors = metrics.counter('portico_engine_errors_total', 'Failed container-engine calls by operation and error code.');
  const wrapped: Record<string, unknown> = { kind: engine.kind };
  for (const key of Object.keys(engine) as Array<keyof Engine>) {
    const value = engine[key];
    if (typeof value !== 'function') continue;
    wrapped[key] = async (...args: unknown[]) => {
      try {
        return await (value as (...a: unknown[]) => Promise<unknown>).apply(engine, args);
      } catch (err) {
        // An aborted stream (log follow, events) is how Portico stops them, not an engine failure.
        const signal = args.find((a): a is AbortSignal => a instanceof AbortSignal);
        if (!signal?.aborted) errors.inc({ op: key, code: (err as { code?: string }).code ?? 'unknown' });
        throw err;
      }
    };
  }
  return wrapped as unknown as Engine;
}
