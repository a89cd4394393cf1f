/**
 * health.ts: whether the store can save. Every statement runs through a guard: a storage fault (the
 * data directory full, read-only or failing) becomes a StoreUnavailableError (503, a clear reason)
 * and turns the store degraded; while degraded a probe write runs every `probeMs` (and after any
 * commit that gets through), and the first one that succeeds turns it back. Writes that may be lost
 * (a session's last-seen time, say) are counted with `dropped` and logged at most once a minute per
 * kind, so nothing goes without a log line.
 */
import path from 'node:path';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { StoreUnavailableError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { diagnose, dirFault, dirProblem } from './fault.ts';
import type { StoreFault } from './fault.ts';

/** StoreStatus is what /healthz shows for the store. */
export type StoreStatus = { ok: true } | { ok: false; kind: StoreFault['kind']; code: string; reason: string; since: string };

/** StoreHealth is the store's degraded/ok state and its book of writes that were not saved. */
export interface StoreHealth {
  /** ok is false from the first failed write until a probe write succeeds. */
  ok(): boolean;
  /** status checks the data directory (access, statfs: cheap) and returns the state. */
  status(): StoreStatus;
  /** report records a fault seen by a write. */
  report(fault: StoreFault): void;
  /**
   * wrap turns a storage fault seen writing `file` (the database by default; an upload, say) into a
   * StoreUnavailableError and reports it; any other error comes back unchanged.
   */
  wrap(err: unknown, file?: string): unknown;
  /** dropped notes `n` writes of `what` that were not saved (logged at most once a minute per kind). */
  dropped(what: string, n?: number): void;
  /** onRecover registers a callback run when writes work again (buffers flush at once). */
  onRecover(fn: () => void): void;
  stop(): void;
}

/** PROBE_MS is how often a degraded store tries a probe write. */
export const PROBE_MS = 2000;
const DROP_LOG_MS = 60_000;

const HEALTH = new WeakMap<DatabaseSync, StoreHealth>();

/** healthOf returns the health guarding `db`, or null for a database opened without one. */
export function healthOf(db: DatabaseSync): StoreHealth | null {
  return HEALTH.get(db) ?? null;
}

/**
 * bestEffort runs a write that may be lost when the store cannot save (`what` names it in the log):
 * a StoreUnavailableError is counted as dropped instead of failing the request that caused it.
 */
export function bestEffort(db: DatabaseSync, what: string, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof StoreUnavailableError)) throw err;
    healthOf(db)?.dropped(what);
  }
}

/** guardStore wraps `db`'s prepare and exec so storage faults are diagnosed, reported and typed. */
export function guardStore(db: DatabaseSync, file: string, logger: Logger, probeMs = PROBE_MS): StoreHealth {
  const rawPrepare = db.prepare.bind(db);
  const rawExec = db.exec.bind(db);
  const dir = file === ':memory:' ? null : path.dirname(file);
  let fault: StoreFault | null = null;
  let since = 0;
  let timer: NodeJS.Timeout | null = null;
  const drops = new Map<string, { pending: number; total: number; loggedAt: number }>();
  const recovered: Array<() => void> = [];
  let probeStmt: StatementSync | null = null;

  function report(f: StoreFault): void {
    if (fault) {
      if (f.reason !== fault.reason) logger.warn('store writes failing', { reason: f.reason, was: fault.reason });
      fault = f;
      return;
    }
    fault = f;
    since = Date.now();
    logger.error('store writes failing: serving on, changes are refused until it can save', { reason: f.reason });
    timer = setInterval(probe, probeMs);
    timer.unref();
  }

  function probe(): void {
    if (!fault) return;
    if (dir && dirProblem(dir, true)) return;
    try {
      probeStmt ??= rawPrepare(`INSERT INTO settings (key, value) VALUES ('store_probe', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`);
      rawExec('BEGIN IMMEDIATE');
      try {
        probeStmt.run(new Date().toISOString());
        rawExec('COMMIT');
      } catch (err) {
        if (db.isTransaction) { try { rawExec('ROLLBACK'); } catch { /* the write's own error is the one that counts */ } }
        throw err;
      }
    } catch (err) {
      const f = diagnose(err, file);
      if (f) report(f);
      else logger.warn('store probe write failed', { err });
      return;
    }
    const seconds = Math.round((Date.now() - since) / 1000);
    const lost = [...drops].filter(([, d]) => d.total > 0).map(([what, d]) => `${d.total} ${what}`);
    logger.info('store writable again', { after: `${seconds} s`, was: fault.reason, ...(lost.length ? { notSaved: lost.join(', ') } : {}) });
    fault = null;
    drops.clear();
    if (timer) { clearInterval(timer); timer = null; }
    for (const fn of recovered) {
      try { fn(); } catch (err) { logger.warn('flush after the store recovered failed', { err }); }
    }
  }

  function onError(err: unknown, target = file): unknown {
    if (err instanceof StoreUnavailableError) return err;
    const f = diagnose(err, target);
    if (!f) return err;
    report(f);
    return new StoreUnavailableError(`not saved: ${f.detail} (${f.code}); reading still works`, { kind: f.kind, sqlite: f.code, reason: f.reason }, err);
  }

  function guardStatement(stmt: StatementSync): StatementSync {
    for (const m of ['run', 'get', 'all'] as const) {
      const raw = stmt[m].bind(stmt) as (...args: unknown[]) => unknown;
      (stmt as unknown as Record<string, unknown>)[m] = (...args: unknown[]) => {
        try {
          return raw(...args);
        } catch (err) {
          throw onError(err);
        }
      };
    }
    return stmt;
  }

  db.prepare = ((...args: Parameters<DatabaseSync['prepare']>) => guardStatement(rawPrepare(...args))) as DatabaseSync['prepare'];
  db.exec = ((sql: string) => {
    try {
      rawExec(sql);
    } catch (err) {
      throw onError(err);
    }
    // A write that got through while degraded: confirm with the probe now rather than at the next tick.
    if (fault && sql === 'COMMIT') setImmediate(probe);
  }) as DatabaseSync['exec'];

  const health: StoreHealth = {
    ok: () => fault === null,
    status() {
      if (!fault) {
        const f = dirFault(file);
        if (f) report(f);
      }
      if (!fault) return { ok: true };
      return { ok: false, kind: fault.kind, code: fault.code, reason: fault.reason, since: new Date(since).toISOString() };
    },
    report,
    wrap: onError,
    dropped(what, n = 1) {
      let d = drops.get(what);
      if (!d) { d = { pending: 0, total: 0, loggedAt: 0 }; drops.set(what, d); }
      d.pending += n;
      d.total += n;
      const now = Date.now();
      if (now - d.loggedAt < DROP_LOG_MS) return;
      logger.warn(`not saved: ${d.pending} ${what}`, { reason: fault?.reason ?? 'store unavailable' });
      d.pending = 0;
      d.loggedAt = now;
    },
    onRecover(fn) { recovered.push(fn); },
    stop() { if (timer) { clearInterval(timer); timer = null; } },
  };
  HEALTH.set(db, health);
  return health;
}
