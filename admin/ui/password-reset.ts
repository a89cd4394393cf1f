/**
 * password-reset.ts: password reset without a mail server (docs/invitations.md). A site admin issues a
 * one-time link for a local user on the Users page and hands it over; the user opens it, sets a new
 * password, and every session of theirs ends. The link works once, for a day; a newer link
 * replaces an older one.
 */
import { PorticoError, ValidationError, toPorticoError } from '../../gateway/core/errors.ts';
import { RESET_HOURS } from '../../gateway/core/sharing/one-time-links.ts';
import { MIN_PASSWORD_LENGTH } from '../../gateway/core/auth/login.ts';
import { readForm } from '../../gateway/http/body.ts';
import type { Ctx } from '../../gateway/http/router.ts';
import { readPageForm, requireSiteAdmin } from './forms.ts';
import { createLoginCsrf } from './login-csrf.ts';
import { pageData, redirect } from './pages.ts';
import type { UiDeps } from './pages.ts';
import { siteUrl } from './site-url.ts';
import { hideReferrer } from './render.ts';

/** registerPasswordReset adds the reset link's issue (site admins), its page and its form. */
export function registerPasswordReset(d: UiDeps): void {
  const { svc, ui } = d;
  const csrf = createLoginCsrf(svc);

  function show(ctx: Ctx, extra: { errors?: Record<string, string>; error?: string | null } = {}, status = 200): void {
    hideReferrer(ctx.res);
    const token = ctx.params.token;
    let username: string;
    try {
      username = svc.links.resetTarget(token).username;
    } catch (err) {
      const e = toPorticoError(err);
      if (e.status >= 500) throw err;
      ui.page(ctx.req, ctx.res, 'pages/password-reset', pageData(null, 'Reset password', { gone: e.message, code: e.code }), e.status);
      return;
    }
    const { token: loginToken, cookie } = csrf.issue(ctx.req);
    ctx.res.setHeader('set-cookie', cookie);
    ui.page(ctx.req, ctx.res, 'pages/password-reset', pageData(null, 'Reset password', {
      gone: null, token, loginToken, username, minLength: MIN_PASSWORD_LENGTH, errors: extra.errors ?? {}, error: extra.error ?? null,
    }), status);
  }

  d.on('POST', '/admin/users/:user/reset-link', async (ctx) => {
    const { caller } = await readPageForm(svc, ctx);
    requireSiteAdmin(caller);
    const user = svc.store.users.byUuid(ctx.params.user);
    if (!user) throw new PorticoError('E_USER_NOT_FOUND', 404, 'No such user.');
    const token = svc.links.issueReset(caller.user, user);
    ui.page(ctx.req, ctx.res, 'pages/password-reset-issued', pageData(caller, `Reset link · ${user.username}`, {
      username: user.username, url: `${siteUrl(svc, ctx.req)}/reset/${token}`, hours: RESET_HOURS,
    }), 201);
  });

  d.on('GET', '/reset/:token', (ctx) => show(ctx));

  // Under /login, so the login form's CSRF cookie (scoped to /login) comes along.
  d.on('POST', '/login/reset/:token', async (ctx) => {
    hideReferrer(ctx.res);
    const form = await readForm(ctx.req, 16 * 1024);
    let username: string;
    try {
      csrf.verify(ctx.req, form.csrf_token);
      const user = await svc.links.reset(ctx.params.token, form.password ?? '', form.repeat ?? '');
      svc.sessions.destroyAllOf(user.id);
      username = user.username;
    } catch (err) {
      const e = toPorticoError(err);
      if (e.status >= 500) throw err;
      show(ctx, { errors: e instanceof ValidationError ? e.fields : {}, error: e instanceof ValidationError ? null : e.message }, e.status);
      return;
    }
    ctx.res.setHeader('set-cookie', csrf.clearCookie);
    redirect(ctx.req, ctx.res, `/login?reset=1&user=${encodeURIComponent(username)}`);
  });
}
