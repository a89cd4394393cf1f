/**
 * sync.ts: one SODAR sync run (Kiosc's sync_remote_site_task): read the source's document, check
 * it, apply it in one transaction. Runs never overlap within a process; each outcome is kept in
 * the settings table, so the gateway's site-admin page and /healthz show the last one, whether the
 * scheduler, the page's button or `portico sodar sync` in another process ran it. A source that is
 * down or answers garbage fails the run with the reason and changes nothing.
 */
import type { SodarConfig } from '../config.ts';
import { PorticoError, toPorticoError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/index.ts';
import { bestEffort } from '../store/health.ts';
import { fetchGet, readSourceDocument } from './client.ts';
import type { HttpGet } from './client.ts';
import { mapSourceData } from './mapper.ts';
import { applySnapshot, formatReport } from './apply.ts';
import type { SyncReport } from './apply.ts';

/** SyncOutcome is what one run did (or why it failed). */
export interface SyncOutcome {
  at: string;
  ms: number;
  by: string;
  source: string;
  ok: boolean;
  summary: string;
  error: string | null;
  report: SyncReport | null;
}

/** SodarSync runs syncs and tells the last outcome. */
export interface SodarSync {
  /** active is true in TARGET mode (PROJECTROLES_SITE_MODE). */
  readonly active: boolean;
  readonly sourceUrl: string | null;
  /** run syncs now (joining a run in progress); resolves with the outcome, failures included. */
  run(by: string): Promise<SyncOutcome>;
  last(): SyncOutcome | null;
}

const LAST_KEY = 'sodar.last_sync';

/** createSodarSync builds the sync over the store; `http` replaces the network (it defaults to fetch). */
export function createSodarSync(deps: { config: SodarConfig; store: Store; logger: Logger; http?: HttpGet }): SodarSync {
  const { config, store, logger } = deps;
  const http = deps.http ?? fetchGet;
  let current: Promise<SyncOutcome> | null = null;

  async function once(by: string): Promise<SyncOutcome> {
    const began = Date.now();
    const source = config.sourceUrl ?? '';
    let outcome: SyncOutcome;
    try {
      const doc = await readSourceDocument(http, { url: source, secret: config.sourceSecret ?? '', timeoutMs: config.timeoutSeconds * 1000 });
      const snapshot = mapSourceData(doc);
      const report = applySnapshot(store, snapshot, { sourceUrl: source, allowLocalUsers: config.allowLocalUsers, defaultAdmin: config.defaultAdmin });
      outcome = { at: new Date(began).toISOString(), ms: Date.now() - began, by, source, ok: true, summary: formatReport(report), error: null, report };
      logger.info('SODAR sync done', { source, by, result: outcome.summary, ms: outcome.ms });
      for (const p of report.problems) logger.warn('SODAR sync problem', { source, problem: p });
    } catch (err) {
      const e = toPorticoError(err);
      const error = e.code === 'E_INTERNAL' ? `internal error: ${(err as Error).message}` : e.message;
      outcome = { at: new Date(began).toISOString(), ms: Date.now() - began, by, source, ok: false, summary: `failed: ${error}`, error, report: null };
      // A known cause is one line; a bug keeps its stack.
      logger.warn('SODAR sync failed; nothing changed', { source, by, reason: error, ...(e.code === 'E_INTERNAL' ? { err } : {}) });
    }
    bestEffort(store.db, 'the last SODAR sync result', () => store.settings.set(LAST_KEY, JSON.stringify(outcome)));
    return outcome;
  }

  return {
    active: config.siteMode === 'TARGET',
    sourceUrl: config.sourceUrl,
    run(by) {
      if (config.siteMode !== 'TARGET') {
        return Promise.reject(new PorticoError('E_CONFLICT', 409, 'this site is not a SODAR target site: set PROJECTROLES_SITE_MODE=TARGET, PORTICO_SODAR_SOURCE_URL and PORTICO_SODAR_SOURCE_SECRET'));
      }
      current ??= once(by).finally(() => { current = null; });
      return current;
    },
    last() {
      try {
        const raw = store.settings.get(LAST_KEY);
        return raw ? JSON.parse(raw) as SyncOutcome : null;
      } catch {
        return null;
      }
    },
  };
}
