/**
 * siteadmin-bulk.ts: the CLI's bulk actions on the site-admin page (Kiosc's management commands):
 * remove stopped, stop all, stop unused. A GET previews (the dry run of gateway/core/containers/bulk.ts,
 * nothing changes); the confirm POST (CSRF) performs it, but only while the containers it would
 * touch are still the ones the preview listed. Site admins only; htmx swaps the panel in place,
 * plain forms get whole pages.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Caller } from '../../gateway/core/auth/authenticate.ts';
import { NotFoundError } from '../../gateway/core/errors.ts';
import { removeStopped, stopAll, stopUnused } from '../../gateway/core/containers/bulk.ts';
import type { BulkReport } from '../../gateway/core/containers/bulk.ts';
import { readForm } from '../../gateway/http/body.ts';
import { checkCsrf, requireWritable } from '../api/guard.ts';
import type { Flash, UiDeps } from './pages.ts';
import { pageData } from './pages.ts';
import { requireAdmin, stateCounts } from './siteadmin.ts';
import { ACTION_WAIT_MS } from './container-actions.ts';
import { createBulkRuns } from './bulk-runs.ts';
import { bulkActions, fingerprint, isBulkAction, reportView, runFlash, runView } from './bulk-view.ts';
import type { BulkActionInfo, BulkActionName, BulkReportView, ItemGroup, RunView } from './bulk-view.ts';
import { groupsOf } from './container-group.ts';

/** PanelData is what partials/bulk-panel.eta shows: a preview with its confirm form, or a run. */
interface PanelData { preview?: BulkReportView; run?: RunView }

/** registerSiteAdminBulk adds the bulk-action preview, confirm and run-status routes. */
export function registerSiteAdminBulk(d: UiDeps): void {
  const { svc } = d;
  const runs = createBulkRuns();
  const infos = new Map(bulkActions(svc.config.maxInactivityDays).map((a) => [a.name, a]));

  const run = (name: BulkActionName, user: string, dryRun: boolean): Promise<BulkReport> =>
    name === 'remove-stopped' ? removeStopped(svc, { remove: !dryRun, user })
      : name === 'stop-all' ? stopAll(svc, { dryRun, user })
        : stopUnused(svc, { dryRun, user });

  // A report keeps only each item's project uuid: the record says whether it is an app instance, and whose app.
  const groupOf = (): ItemGroup => {
    const of = groupsOf(svc.store);
    return (i) => of({ projectUuid: i.project, appId: svc.store.containers.byUuid(i.uuid)?.appId ?? null });
  };

  const actionOf = (name: string): BulkActionInfo => {
    if (!isBulkAction(name)) throw new NotFoundError('E_NOT_FOUND', `no such bulk action: ${name}`);
    return infos.get(name)!;
  };

  /** answer writes the panel: alone (plus the flash) for htmx, inside the site-admin page otherwise. */
  const answer = (req: IncomingMessage, res: ServerResponse, caller: Caller, title: string, panel: PanelData, flash: Flash | undefined, status: number) => {
    const csrf = caller.session?.csrf ?? '';
    if (d.ui.isFragmentRequest(req)) {
      // Once a run is over, the state counts above the list follow (the rows follow live).
      const counts = panel.run && panel.run.state !== 'running' ? stateCounts(d) : null;
      d.ui.fragment(res, 'partials/bulk-answer', { ...panel, csrf, flash, counts }, status);
      return;
    }
    d.ui.page(req, res, 'pages/siteadmin-bulk', pageData(caller, `Site admin · ${title}`, { tab: 'containers', ...panel, flash }), status);
  };

  d.on('GET', '/siteadmin/bulk/:action', async (ctx) => {
    const caller = requireAdmin(d, ctx.req, ctx.res);
    const action = actionOf(ctx.params.action);
    const preview = reportView(await run(action.name, caller.user.username, true), action, groupOf());
    answer(ctx.req, ctx.res, caller, `${action.label} (preview)`, { preview }, undefined, 200);
  });

  d.on('POST', '/siteadmin/bulk/:action', async (ctx) => {
    const caller = requireAdmin(d, ctx.req, ctx.res);
    const action = actionOf(ctx.params.action);
    const form = await readForm(ctx.req, svc.config.maxJsonBody);
    checkCsrf(caller, ctx.req, form.csrf_token ?? null);
    requireWritable(svc, caller.user);
    const user = caller.user.username;
    // Confirm exactly what was previewed: if the set changed since, show the new preview instead.
    const dry = await run(action.name, user, true);
    if (fingerprint(dry) !== (form.expect ?? '')) {
      const preview = reportView(dry, action, groupOf());
      const text = `The containers ${action.label.toLowerCase()} would affect changed since the preview. Nothing was done; check the new list and confirm again.`;
      answer(ctx.req, ctx.res, caller, `${action.label} (preview)`, { preview }, { kind: 'bad', text }, 409);
      return;
    }
    const started = runs.start(action.name, user, async () => {
      const report = await run(action.name, user, false);
      svc.logger.info('bulk action', { action: action.name, user, containers: report.items.length, failed: report.failed });
      return report;
    });
    const done = (await runs.wait(started.run.id, ACTION_WAIT_MS)) ?? started.run;
    const view = runView(done, infos.get(done.action as BulkActionName)!, groupOf());
    const status = done.state === 'running' ? 202 : done.state === 'failed' ? 500 : 200;
    answer(ctx.req, ctx.res, caller, action.label, { run: view }, runFlash(view, started.joined), status);
  });

  d.on('GET', '/siteadmin/bulk/runs/:id', (ctx) => {
    const caller = requireAdmin(d, ctx.req, ctx.res);
    const found = runs.get(ctx.params.id);
    const gone = 'This bulk run is no longer known: finished runs are kept for 15 minutes, and a restart of the gateway forgets them.';
    if (!found && d.ui.isFragmentRequest(ctx.req)) {
      // A poll of a forgotten run: 286 tells htmx to stop polling.
      d.ui.fragment(ctx.res, 'partials/flash', { flash: { kind: 'bad', text: gone } }, 286);
      return;
    }
    if (!found) throw new NotFoundError('E_NOT_FOUND', gone);
    const view = runView(found, infos.get(found.action as BulkActionName)!, groupOf());
    if (d.ui.isFragmentRequest(ctx.req)) {
      d.ui.fragment(ctx.res, 'partials/bulk-run-poll', { ...view, counts: view.state !== 'running' ? stateCounts(d) : null });
      return;
    }
    answer(ctx.req, ctx.res, caller, view.label, { run: view }, undefined, 200);
  });
}
