/**
 * invitations.ts: invitations to a project (docs/invitations.md). An owner or delegate creates one on
 * the Members page and copies its link; whoever opens the link sees the project (and the app it
 * leads to), then joins with their account, or sets a user name and password for a new local one,
 * and lands in the app or the project. The link's token is the capability: its page names the
 * project and the app to anyone who holds it, since the owner chose to share exactly that.
 */
import { ValidationError, toPorticoError } from '../../gateway/core/errors.ts';
import type { PorticoError } from '../../gateway/core/errors.ts';
import type { Services } from '../../gateway/core/services.ts';
import type { OpenInvitation } from '../../gateway/core/sharing/one-time-links.ts';
import { INVITATION_DAYS } from '../../gateway/core/sharing/one-time-links.ts';
import { publicPrefix } from '../../gateway/core/containers/spec.ts';
import { ROLES } from '../../gateway/core/types.ts';
import type { Project, Role } from '../../gateway/core/types.ts';
import { readForm } from '../../gateway/http/body.ts';
import type { Ctx } from '../../gateway/http/router.ts';
import { field, readPageForm } from './forms.ts';
import { createLoginCsrf } from './login-csrf.ts';
import { startSession } from './login.ts';
import { pageData, redirect } from './pages.ts';
import type { UiDeps } from './pages.ts';
import { projectShell } from './projects.ts';
import { hideReferrer } from './render.ts';
import { siteUrl } from './site-url.ts';

const INVITE_CONTAINERS = 200;

/** inviteData is what the Members page's invitation section needs (nothing when the caller may not manage members). */
export function inviteData(svc: Services, project: Project, manage: boolean): Record<string, unknown> {
  if (!manage) return { invitations: [], inviteContainers: [], invitationDays: INVITATION_DAYS };
  const containers = svc.store.containers.list({ projectId: project.id, limit: INVITE_CONTAINERS, offset: 0 }).results
    .map((c) => ({ uuid: c.uuid, title: c.title })).sort((a, b) => a.title.localeCompare(b.title));
  return { invitations: svc.links.pending(project), inviteContainers: containers, invitationDays: INVITATION_DAYS };
}

/** landing is where an accepted invitation leads: its app, else the project's containers. */
export function landing(opened: OpenInvitation): string {
  return opened.container ? publicPrefix(opened.container) : `/projects/${opened.project.uuid}/containers`;
}

/** invitationContext is the login page's line for a `next` that is an invitation link, or null. */
export function invitationContext(svc: Services, next: string): string | null {
  const m = /^\/invite\/([A-Za-z0-9_-]{43})$/.exec(next);
  if (!m) return null;
  try {
    const o = svc.links.open(m[1]);
    return o.container ? `Log in to open ${o.container.title} in ${o.project.title}` : `Log in to join ${o.project.title}`;
  } catch {
    return null;
  }
}

/** registerInvitations adds the invitation routes. */
export function registerInvitations(d: UiDeps): void {
  const { svc, ui } = d;
  const csrf = createLoginCsrf(svc);

  function show(ctx: Ctx, token: string, extra: { errors?: Record<string, string>; error?: string | null; username?: string } = {}, status = 200): void {
    hideReferrer(ctx.res);
    const caller = svc.auth.authenticate(ctx.req.headers);
    let opened: OpenInvitation;
    try {
      opened = svc.links.open(token);
    } catch (err) {
      const e = toPorticoError(err);
      if (e.status >= 500) throw err;
      ui.page(ctx.req, ctx.res, 'pages/invitation', pageData(caller, 'Invitation', { gone: e.message, code: e.code }), e.status);
      return;
    }
    const { invitation } = opened;
    const named = svc.store.users.byUsername(invitation.invitee);
    const byEmail = invitation.invitee.includes('@') && !named;
    const { token: loginToken, cookie } = csrf.issue(ctx.req);
    ctx.res.setHeader('set-cookie', cookie);
    ui.page(ctx.req, ctx.res, 'pages/invitation', pageData(caller, `Invitation to ${opened.project.title}`, {
      gone: null, token, loginToken, project: opened.project, container: opened.container, role: invitation.role,
      inviter: opened.inviter?.username ?? null, invitee: invitation.invitee,
      // Who may accept: an invitation by user name to an existing account is that account's alone.
      mine: caller ? !named || named.id === caller.user.id : false,
      named: named?.username ?? null,
      signUp: !caller && !named,
      username: extra.username ?? (byEmail ? invitation.invitee.split('@')[0].replace(/[^A-Za-z0-9._-]/g, '').replace(/^[^A-Za-z0-9]+/, '') : invitation.invitee),
      usernameFixed: !byEmail,
      loginHref: `/login?next=${encodeURIComponent(`/invite/${token}`)}`,
      errors: extra.errors ?? {}, error: extra.error ?? null,
    }), status);
  }

  d.on('POST', '/projects/:project/invitations', async (ctx) => {
    const { caller, form } = await readPageForm(svc, ctx);
    const pa = svc.access.project(caller.user, ctx.params.project, 'project.members');
    const role = field(form, 'role');
    const containerUuid = field(form, 'container');
    let created: { token: string };
    try {
      if (!(ROLES as readonly string[]).includes(role)) throw new ValidationError({ role: `Choose one of ${ROLES.join(', ')}.` });
      const c = containerUuid ? svc.store.containers.byUuid(containerUuid) : null;
      if (containerUuid && (!c || c.projectId !== pa.project.id)) throw new ValidationError({ container: 'That container is not in this project.' });
      created = svc.links.invite(caller.user, pa.project, { invitee: field(form, 'invitee'), role: role as Role, container: c });
    } catch (err) {
      const e = toPorticoError(err) as PorticoError;
      if (e.status >= 500) throw err;
      const message = e instanceof ValidationError ? Object.values(e.fields)[0] : e.message;
      ui.page(ctx.req, ctx.res, 'pages/invitation-created', pageData(caller, `Invitation · ${pa.project.title}`, {
        ...projectShell(pa, 'members'), url: null, error: message,
      }), e.status);
      return;
    }
    const url = `${siteUrl(svc, ctx.req)}/invite/${created.token}`;
    ui.page(ctx.req, ctx.res, 'pages/invitation-created', pageData(caller, `Invitation · ${pa.project.title}`, {
      ...projectShell(pa, 'members'), url, error: null, invitee: field(form, 'invitee'), role, days: INVITATION_DAYS,
    }), 201);
  });

  d.on('POST', '/projects/:project/invitations/:id/revoke', async (ctx) => {
    const { caller } = await readPageForm(svc, ctx);
    const pa = svc.access.project(caller.user, ctx.params.project, 'project.members');
    svc.links.revoke(caller.user, pa.project, Number(ctx.params.id) || 0);
    redirect(ctx.req, ctx.res, `/projects/${pa.project.uuid}/members#invite`);
  });

  d.on('GET', '/invite/:token', (ctx) => show(ctx, ctx.params.token));

  // Accepting with the account this browser is logged in with (the session's CSRF token).
  d.on('POST', '/invite/:token/accept', async (ctx) => {
    hideReferrer(ctx.res);
    const { caller } = await readPageForm(svc, ctx);
    let opened: OpenInvitation;
    try {
      opened = svc.links.accept(ctx.params.token, caller.user);
    } catch (err) {
      const e = toPorticoError(err);
      if (e.status >= 500) throw err;
      show(ctx, ctx.params.token, { error: e.message }, e.status);
      return;
    }
    redirect(ctx.req, ctx.res, landing(opened));
  });

  // A new local account from the invitation: under /login, so the login form's CSRF cookie comes along.
  d.on('POST', '/login/invite/:token', async (ctx) => {
    hideReferrer(ctx.res);
    const form = await readForm(ctx.req, 16 * 1024);
    let result: Awaited<ReturnType<Services['links']['signUp']>>;
    try {
      csrf.verify(ctx.req, form.csrf_token);
      result = await svc.links.signUp(ctx.params.token, { username: form.username ?? '', password: form.password ?? '', repeat: form.repeat ?? '' });
    } catch (err) {
      const e = toPorticoError(err);
      if (e.status >= 500) throw err;
      show(ctx, ctx.params.token, { errors: e instanceof ValidationError ? e.fields : {}, error: e instanceof ValidationError ? null : e.message, username: form.username ?? '' }, e.status);
      return;
    }
    startSession(svc, ctx.req, ctx.res, result.user, [csrf.clearCookie]);
    redirect(ctx.req, ctx.res, landing(result.opened));
  });
}
