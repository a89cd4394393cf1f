/**
 * bulk-runs.ts: bulk actions a site admin confirms on the site-admin page. Each runs once per
 * action at a time (a second confirm joins the running one, so a double click cannot stop
 * everything twice), can be waited for with a limit, and is kept a while after it ends so a page
 * that stopped waiting can still show its report.
 */
import { randomBytes } from 'node:crypto';
import type { BulkReport } from '../../gateway/core/containers/bulk.ts';

/** BulkRun is one confirmed bulk action and where it stands. */
export interface BulkRun {
  id: string;
  action: string;
  user: string;
  state: 'running' | 'done' | 'failed';
  startedAt: string;
  report: BulkReport | null;
  error: string | null;
}

/** BulkRuns starts, finds and waits for runs. */
export type BulkRuns = ReturnType<typeof createBulkRuns>;

const KEEP_MS = 15 * 60_000;
const MAX_KEPT = 20;

/** createBulkRuns tracks bulk runs in memory (they are the gateway's own work; a restart forgets them). */
export function createBulkRuns() {
  const runs = new Map<string, { run: BulkRun; settled: Promise<void> }>();

  function prune(): void {
    const now = Date.now();
    for (const [id, { run }] of runs) {
      if (run.state === 'running') continue;
      if (now - Date.parse(run.startedAt) > KEEP_MS || runs.size > MAX_KEPT) runs.delete(id);
    }
  }

  return {
    /** start runs `work` for `action` unless a run of that action is still going, which is joined instead. */
    start(action: string, user: string, work: () => Promise<BulkReport>): { run: BulkRun; joined: boolean } {
      for (const { run } of runs.values()) if (run.action === action && run.state === 'running') return { run: { ...run }, joined: true };
      prune();
      const run: BulkRun = { id: randomBytes(8).toString('hex'), action, user, state: 'running', startedAt: new Date().toISOString(), report: null, error: null };
      const settled = work().then(
        (report) => { Object.assign(run, { state: 'done', report }); },
        (err: Error) => { Object.assign(run, { state: 'failed', error: err.message }); },
      );
      runs.set(run.id, { run, settled });
      return { run: { ...run }, joined: false };
    },
    /** get returns a copy of run `id`, or null when unknown or forgotten. */
    get(id: string): BulkRun | null {
      const r = runs.get(id);
      return r ? { ...r.run } : null;
    },
    /** wait resolves with run `id` once it ends, or as it stands after `ms`. */
    async wait(id: string, ms: number): Promise<BulkRun | null> {
      const r = runs.get(id);
      if (!r) return null;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([r.settled, new Promise<void>((resolve) => { timer = setTimeout(resolve, ms); })]);
      clearTimeout(timer);
      return { ...r.run };
    },
  };
}
