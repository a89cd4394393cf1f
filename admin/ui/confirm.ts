/**
 * confirm.ts: the confirm step of destructive actions (Kill, Hard reset, Remove member, Leave
 * project, Delete token). Their forms carry `data-confirm` and an empty `confirm` field: with
 * JavaScript, static/live.js asks in a dialog and sends `confirm=yes`; without it (or when the
 * dialog is bypassed) the POST answers this confirm page, whose button posts again with `confirm=yes`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Caller } from '../../gateway/core/auth/authenticate.ts';
import type { Renderer } from './render.ts';
import { pageData } from './pages.ts';

/** ConfirmStep describes one confirm page: what is asked, where the confirmed POST goes, and the way back. */
export interface ConfirmStep {
  title: string;
  question: string;
  detail?: string;
  action: string;
  fields?: Record<string, string>;
  button: string;
  cancel: string;
}

/** confirmed tells whether a destructive action's form carries the confirmation. */
export function confirmed(form: Record<string, string>): boolean {
  return form.confirm === 'yes';
}

/**
 * sendConfirm answers an unconfirmed destructive POST with the confirm page (inside `shell`'s data
 * when given). For htmx it swaps the confirm card into #main and moves focus to it.
 */
export function sendConfirm(ui: Renderer, req: IncomingMessage, res: ServerResponse, caller: Caller, step: ConfirmStep, shell: Record<string, unknown> = {}): void {
  const data = pageData(caller, step.title, { ...shell, step, fields: Object.entries(step.fields ?? {}) });
  if (req.headers['hx-request'] === 'true') {
    res.setHeader('hx-retarget', '#main');
    res.setHeader('hx-reswap', 'innerHTML show:top');
    ui.fragment(res, 'partials/confirm-card', data, 200);
    return;
  }
  ui.page(req, res, shell.nav ? 'pages/confirm-project' : 'pages/confirm', data, 200);
}
