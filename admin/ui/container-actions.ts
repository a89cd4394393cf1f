/**
 * container-actions.ts: the controls (Kiosc 1.6.4) as POST forms with CSRF, run through the
 * container service, and the delete confirmation page. With htmx the answer is a flash message plus
 * the refreshed row or status (out-of-band swaps); without JavaScript it is a redirect or a page.
 */
import { ACTION_PERMISSIONS } from '../../gateway/core/auth/roles.ts';
import { NotFoundError, toPorticoError } from '../../gateway/core/errors.ts';
import { CONTAINER_ACTIONS } from '../../gateway/core/types.ts';
import type { Container, ContainerAction } from '../../gateway/core/types.ts';
import { readForm } from '../../gateway/http/body.ts';
import { checkCsrf, requireWritable } from '../api/guard.ts';
import type { Flash, UiDeps } from './pages.ts';
import { pageData, redirect, requirePageUser } from './pages.ts';
import { containerShell } from './projects.ts';
import { isInstance } from '../../gateway/core/apps/access.ts';
import { actionLabel, confirmQuestion, detailView } from './container-view.ts';
import { confirmed, sendConfirm } from './confirm.ts';
import { FRAGMENT_VIEWS, renderFragments } from './live-fragments.ts';
import type { FragmentView } from './live-fragments.ts';
import { renderDetail } from './container-detail.ts';

/** ACTION_WAIT_MS is how long an answer waits for its job; longer jobs report "still running" and go on. */
export const ACTION_WAIT_MS = 30_000;

type Outcome = { kind: 'done'; c: Container } | { kind: 'failed'; err: unknown } | { kind: 'pending' };

function isAction(s: string): s is ContainerAction {
  return (CONTAINER_ACTIONS as readonly string[]).includes(s);
}

function listUrl(c: Container, view: FragmentView): string {
  if (view === 'arow') return '/siteadmin';
  return view === 'row' ? goneUrl(c) : `/containers/${c.uuid}`;
}

/** goneUrl is the list a container's page leads back to: its project's, or My apps for an app instance (its hidden project opens for nobody). */
function goneUrl(c: Container): string {
  return isInstance(c) ? '/apps/mine' : `/projects/${c.projectUuid}/containers`;
}

/** registerContainerActions adds POST /containers/:container/:action and GET /containers/:container/delete. */
export function registerContainerActions(d: UiDeps): void {
  const { svc } = d;

  d.on('GET', '/containers/:container/delete', (ctx) => {
    const caller = requirePageUser(svc, ctx.req, ctx.res);
    const { container: c, role } = svc.access.container(caller.user, ctx.params.container, 'container.delete');
    const project = svc.store.projects.byId(c.projectId);
    if (!project) throw new NotFoundError('E_CONTAINER_NOT_FOUND', 'container not found');
    const viewer = { isAdmin: caller.user.isAdmin, role, csrf: caller.session?.csrf ?? '' };
    d.ui.page(ctx.req, ctx.res, 'pages/container-delete', pageData(caller, `Delete ${c.title}`, {
      ...containerShell({ project, role, user: caller.user }, 'containers'),
      c: detailView(c, viewer, svc.containers.queue.busy(c.id)),
    }));
  });

  d.on('POST', '/containers/:container/:action', async (ctx) => {
    const action = ctx.params.action;
    if (!isAction(action)) throw new NotFoundError();
    const caller = requirePageUser(svc, ctx.req, ctx.res);
    const form = await readForm(ctx.req, svc.config.maxJsonBody);
    checkCsrf(caller, ctx.req, form.csrf_token ?? null);
    const { container: c, role } = svc.access.container(caller.user, ctx.params.container, ACTION_PERMISSIONS[action]);
    requireWritable(svc, caller.user);
    const view: FragmentView = (FRAGMENT_VIEWS as readonly string[]).includes(form.view) ? form.view as FragmentView : 'detail';
    const htmx = ctx.req.headers['hx-request'] === 'true';
    const ask = confirmQuestion(action, c.title);
    if (ask && !confirmed(form)) {
      const project = svc.store.projects.byId(c.projectId);
      const back = listUrl(c, view);
      sendConfirm(d.ui, ctx.req, ctx.res, caller, { title: `${actionLabel(action)} ${c.title}`, ...ask, action: `/containers/${c.uuid}/${action}`,
        fields: { view }, button: actionLabel(action), cancel: back }, project && view !== 'arow' ? containerShell({ project, role, user: caller.user }, 'containers') : {});
      return;
    }

    const job = svc.containers.perform(c.id, action, caller.user.username);
    let timer: NodeJS.Timeout | undefined;
    const outcome: Outcome = await Promise.race([
      job.then((done): Outcome => ({ kind: 'done', c: done }), (err): Outcome => ({ kind: 'failed', err })),
      new Promise<Outcome>((resolve) => { timer = setTimeout(() => resolve({ kind: 'pending' }), ACTION_WAIT_MS); }),
    ]);
    clearTimeout(timer);
    if (outcome.kind === 'pending') job.catch(() => { /* the failure is in the container log and its state */ });

    const label = actionLabel(action);
    if (action === 'delete' && outcome.kind === 'done') {
      redirect(ctx.req, ctx.res, view === 'arow' ? '/siteadmin?done=deleted' : isInstance(c) ? '/apps/mine?done=delete' : `${goneUrl(c)}?done=deleted`);
    }
    const err = outcome.kind === 'failed' ? toPorticoError(outcome.err) : null;
    const flash: Flash = outcome.kind === 'done'
      ? { kind: 'ok', text: `${label}: ${c.title} is now ${outcome.c.state}.` }
      : outcome.kind === 'pending'
        ? { kind: 'info', text: `${label} of ${c.title} is still running; the state updates live.` }
        : { kind: 'bad', text: `${label} of ${c.title} failed: ${err!.message}` };
    const status = err ? err.status : outcome.kind === 'pending' ? 202 : 200;

    if (!htmx) {
      if (outcome.kind === 'done') redirect(ctx.req, ctx.res, `${listUrl(c, view)}?done=${action}`);
      const fresh = svc.store.containers.byId(c.id);
      if (!fresh) redirect(ctx.req, ctx.res, isInstance(c) ? '/apps/mine?done=delete' : `${goneUrl(c)}?done=deleted`);
      renderDetail(d, ctx.req, ctx.res, ctx.url, caller, fresh, role, flash, status);
      return;
    }
    const viewer = { isAdmin: caller.user.isAdmin, role, csrf: caller.session?.csrf ?? '' };
    const parts = Object.values(renderFragments(d, c.uuid, svc.store.containers.byId(c.id), view, viewer, true));
    const flashHtml = d.ui.render('partials/flash', { flash });
    d.ui.fragment(ctx.res, 'partials/oob', { flashHtml, parts }, status);
  });
}
