/**
 * shares.ts: the sharing pages (docs/sharing.md). An instance's share dialog (/instances/:uuid/share:
 * invite to view or use, who is connected now, revoke, copy the link), "Shared with me" (/shared; the
 * same partial the home page includes) and the audit trail (/audit: filters and pages, each user
 * seeing what they may). Forms post and redirect without JavaScript; with htmx they swap the dialog.
 */
import type { IncomingMessage } from 'node:http';
import { PorticoError } from '../../gateway/core/errors.ts';
import type { Services } from '../../gateway/core/services.ts';
import type { Caller } from '../../gateway/core/auth/authenticate.ts';
import type { Ctx } from '../../gateway/http/router.ts';
import type { Share } from '../../gateway/core/store/shares.ts';
import { auditQuery, eventNames } from '../api/shares.ts';
import { field, readPageForm } from './forms.ts';
import type { Flash, UiDeps } from './pages.ts';
import { pageData, redirect, requirePageUser } from './pages.ts';
import { pager } from './pager.ts';

const FLASHES: Record<string, Flash> = {
  invited: { kind: 'ok', text: 'Invitation saved.' },
  revoked: { kind: 'ok', text: 'Share revoked; that user\'s open connections were closed.' },
};

/** appLink is the absolute link of an instance, as the owner and the invited users open it. */
export function appLink(svc: Services, req: IncomingMessage, uuid: string): string {
  const base = svc.config.publicUrl ?? `http://${req.headers.host ?? '127.0.0.1'}`;
  return `${base.replace(/\/$/, '')}/containers/proxy/${uuid}/`;
}

/** sharedView is a share as the "Shared with me" partial shows it. */
function sharedView(svc: Services, req: IncomingMessage, s: Share): Record<string, unknown> {
  return { ...s, link: appLink(svc, req, s.containerUuid), path: `/containers/proxy/${s.containerUuid}/` };
}

/** sharedWithMe is the data of partials/shared-with-me.eta for `caller` (the home page uses it too). */
export function sharedWithMe(svc: Services, req: IncomingMessage, caller: Caller): Array<Record<string, unknown>> {
  return svc.shares.sharedWith(caller.user).map((s) => sharedView(svc, req, s));
}

/** registerSharePages adds the share dialog, "Shared with me" and the audit trail pages. */
export function registerSharePages(d: UiDeps): void {
  const { svc, ui } = d;

  function dialog(ctx: Ctx, caller: Caller, uuid: string, extra: Record<string, unknown> = {}, status = 200): void {
    const { instance, shares, connected } = svc.shares.list(caller.user, uuid);
    const live = new Map(connected.map((c) => [c.userId, c]));
    const owner = svc.store.users.byId(instance.ownerUserId);
    const data = pageData(caller, `Share ${instance.container.title}`, {
      instance: instance.container, owner: owner?.username ?? '', link: appLink(svc, ctx.req, instance.container.uuid),
      mayShare: svc.shares.mayShare(instance.container),
      shares: shares.map((s) => ({ ...s, http: live.get(s.userId)?.http ?? 0, ws: live.get(s.userId)?.ws ?? 0 })),
      connected, errors: {}, form: {}, flash: FLASHES[ctx.url.searchParams.get('ok') ?? ''], ...extra,
    });
    if (ui.isFragmentRequest(ctx.req)) ui.fragment(ctx.res, 'partials/share-dialog', data, status);
    else ui.page(ctx.req, ctx.res, 'pages/share', data, status);
  }

  d.on('GET', '/instances/:uuid/share', (ctx) => {
    const caller = requirePageUser(svc, ctx.req, ctx.res);
    dialog(ctx, caller, ctx.params.uuid);
  });

  d.on('POST', '/instances/:uuid/share', async (ctx) => {
    const { caller, form } = await readPageForm(svc, ctx);
    const user = field(form, 'user');
    const mode = field(form, 'mode') || 'view';
    try {
      svc.shares.invite(caller.user, ctx.params.uuid, user, mode);
    } catch (err) {
      // A mistake in the form is shown in the dialog; anything else (404, 403) is the error page.
      if (!(err instanceof PorticoError) || (err.status !== 400 && err.code !== 'E_USER_NOT_FOUND')) throw err;
      const fields = (err as { fields?: Record<string, string> }).fields ?? { user: err.message };
      dialog(ctx, caller, ctx.params.uuid, { errors: fields, form: { user, mode } }, 400);
      return;
    }
    if (ui.isFragmentRequest(ctx.req)) { dialog(ctx, caller, ctx.params.uuid, { flash: FLASHES.invited }); return; }
    redirect(ctx.req, ctx.res, `/instances/${ctx.params.uuid}/share?ok=invited`);
  });

  d.on('POST', '/instances/:uuid/share/:user/revoke', async (ctx) => {
    const { caller } = await readPageForm(svc, ctx);
    svc.shares.revoke(caller.user, ctx.params.uuid, ctx.params.user);
    if (caller.user.username === ctx.params.user) { redirect(ctx.req, ctx.res, '/shared'); return; }
    if (ui.isFragmentRequest(ctx.req)) { dialog(ctx, caller, ctx.params.uuid, { flash: FLASHES.revoked }); return; }
    redirect(ctx.req, ctx.res, `/instances/${ctx.params.uuid}/share?ok=revoked`);
  });

  d.on('GET', '/shared', (ctx) => {
    const caller = requirePageUser(svc, ctx.req, ctx.res);
    ui.page(ctx.req, ctx.res, 'pages/shared', pageData(caller, 'Shared with me', { sharedWithMe: sharedWithMe(svc, ctx.req, caller) }));
  });

  d.on('GET', '/audit', (ctx) => {
    const caller = requirePageUser(svc, ctx.req, ctx.res);
    const { query, page, size } = auditQuery(svc, caller.user, ctx.url.searchParams, 50);
    const { total, events } = svc.audit.list(query);
    const names = eventNames(svc);
    const q = ctx.url.searchParams;
    ui.page(ctx.req, ctx.res, 'pages/audit', pageData(caller, 'Audit trail', {
      events: events.map((e) => ({
        ...e, when: e.at.slice(0, 19).replace('T', ' '), detailText: JSON.stringify(e.detail),
        containerUuid: e.containerId === null ? null : names.container(e.containerId),
      })),
      filters: { actor: q.get('actor') ?? '', action: q.get('action') ?? '', object_type: q.get('object_type') ?? '', container: q.get('container') ?? '', project: q.get('project') ?? '', since: q.get('since') ?? '', until: q.get('until') ?? '' },
      scope: caller.user.isAdmin ? 'everything (you are a site administrator)' : 'the events of the projects you own and of your instances',
      pager: pager(ctx.url, page, size, total),
    }));
  });
}
