/**
 * bulk-view.ts: what the site-admin page shows about the bulk actions (gateway/core/containers/bulk.ts):
 * the three actions with their help texts, a report (preview or outcome) as rows, and the
 * fingerprint that ties a confirm to the preview the admin saw. Pure functions.
 */
import { createHash } from 'node:crypto';
import type { BulkItem, BulkReport } from '../../gateway/core/containers/bulk.ts';
import type { ContainerState } from '../../gateway/core/types.ts';
import type { Flash } from './pages.ts';
import { fmtDate } from './container-view.ts';
import type { BulkRun } from './bulk-runs.ts';
import type { ContainerGroup } from './container-group.ts';

/** ItemGroup names the project of a report's item (or, for an app instance, its app) with its link. */
export type ItemGroup = (item: BulkItem) => ContainerGroup;

/** BulkActionName is one of the CLI's bulk verbs. */
export type BulkActionName = 'remove-stopped' | 'stop-all' | 'stop-unused';

/** BulkActionInfo is how the page names and explains one bulk action. */
export interface BulkActionInfo { name: BulkActionName; label: string; help: string; noun: string; act: string; verb: string; nothing: string }

/** bulkActions lists the actions in page order; `maxInactivityDays` caps every container's threshold. */
export function bulkActions(maxInactivityDays: number): BulkActionInfo[] {
  return [
    {
      name: 'remove-stopped', label: 'Remove stopped', noun: 'Docker container', act: 'Remove', verb: 'removed',
      help: 'Removes the Docker containers of stopped containers (exited, dead, created, failed). The containers stay in Portico; their next start creates a fresh Docker container.',
      nothing: 'No stopped container has a Docker container.',
    },
    {
      name: 'stop-all', label: 'Stop all', noun: 'container', act: 'Stop', verb: 'stopped',
      help: 'Stops every container that is running, paused, restarting, created or pulling.',
      nothing: 'No container needs stopping.',
    },
    {
      name: 'stop-unused', label: 'Stop unused', noun: 'container', act: 'Stop', verb: 'stopped',
      help: `Stops running containers nobody opened for longer than their inactivity threshold (at most ${maxInactivityDays} days).`,
      nothing: 'No running container has been idle past its inactivity threshold.',
    },
  ];
}

/** isBulkAction tells a known action name from anything else in a URL. */
export function isBulkAction(s: string): s is BulkActionName {
  return s === 'remove-stopped' || s === 'stop-all' || s === 'stop-unused';
}

/** plural writes "1 container" or "3 containers". */
export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** fingerprint identifies the set of containers a report names (order does not matter). */
export function fingerprint(r: Pick<BulkReport, 'items'>): string {
  const ids = r.items.map((i) => i.uuid).sort().join(',');
  return createHash('sha256').update(ids).digest('hex').slice(0, 24);
}

/** BulkRowView is one container of a report as a table row. */
export interface BulkRowView { uuid: string; title: string; group: ContainerGroup; state: ContainerState; result: string; bad: boolean; detailUrl: string }

/** BulkReportView is a report as the panel shows it. */
export interface BulkReportView {
  action: BulkActionInfo;
  dryRun: boolean;
  count: number;
  failed: number;
  rows: BulkRowView[];
  more: number;
  fingerprint: string;
  summary: string;
  confirmLabel: string;
}

/** MAX_ROWS caps the rows a report lists; the counts stay exact. */
export const MAX_ROWS = 1000;

function outcome(result: string): 'ok' | 'failed' | 'skipped' {
  return result.startsWith('failed') ? 'failed' : result.startsWith('skipped') ? 'skipped' : 'ok';
}

/** reportView builds the panel's view of `r`; `groupOf` names an item's project (or an instance's app). */
export function reportView(r: BulkReport, action: BulkActionInfo, groupOf: ItemGroup): BulkReportView {
  const n = r.items.length;
  const done = r.items.filter((i) => outcome(i.result) === 'ok').length;
  const skipped = r.items.filter((i) => outcome(i.result) === 'skipped').length;
  const summary = r.dryRun
    ? (n ? `${plural(n, action.noun)} would be ${action.verb}.` : action.nothing)
    : `${action.label}: ${plural(done, action.noun)} ${action.verb}${r.failed ? `, ${r.failed} failed` : ''}${skipped ? `, ${skipped} skipped (changed meanwhile)` : ''}.`;
  return {
    action,
    dryRun: r.dryRun,
    count: n,
    failed: r.failed,
    rows: r.items.slice(0, MAX_ROWS).map((i) => ({
      uuid: i.uuid, title: i.title, group: groupOf(i), state: i.state,
      result: i.result, bad: outcome(i.result) === 'failed', detailUrl: `/containers/${i.uuid}`,
    })),
    more: Math.max(0, n - MAX_ROWS),
    fingerprint: fingerprint(r),
    summary,
    confirmLabel: `${action.act} ${plural(n, action.noun)}`,
  };
}

/** RunView is a bulk run as the panel shows it: still running (polled), or its report. */
export interface RunView { id: string; state: BulkRun['state']; user: string; started: string; label: string; error: string; report: BulkReportView | null }

/** runView builds the panel's view of run `run`. */
export function runView(run: BulkRun, action: BulkActionInfo, groupOf: ItemGroup): RunView {
  return {
    id: run.id, state: run.state, user: run.user, started: fmtDate(run.startedAt, true), label: action.label, error: run.error ?? '',
    report: run.report ? reportView(run.report, action, groupOf) : null,
  };
}

/** runFlash is the message that answers a confirm: the outcome, "still running", or "already running". */
export function runFlash(run: RunView, joined: boolean): Flash {
  if (joined) return { kind: 'info', text: `${run.label} is already running (started by ${run.user} at ${run.started}); showing that run.` };
  if (run.state === 'running') return { kind: 'info', text: `${run.label} is still running; this panel shows the outcome when it ends, and the list updates live.` };
  if (run.state === 'failed') return { kind: 'bad', text: `${run.label} failed: ${run.error}` };
  const r = run.report!;
  return { kind: r.failed ? 'bad' : 'ok', text: r.summary };
}
