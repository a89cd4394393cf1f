/**
 * password.ts: GET/POST /password. Changing the password checks the current one (under the
 * failed-login throttle), ends every session of the user and gives this browser a fresh one.
 */
import { PorticoError, ValidationError, toPorticoError } from '../../gateway/core/errors.ts';
import type { Services } from '../../gateway/core/services.ts';
import { MIN_PASSWORD_LENGTH } from '../../gateway/core/auth/login.ts';
import { clientAddress } from '../../gateway/http/client-address.ts';
import type { Router } from '../../gateway/http/router.ts';
import { isSecureRequest, sessionCookie } from '../api/session.ts';
import { readPageForm } from './forms.ts';
import { pageData, redirect, requirePageUser } from './pages.ts';
import type { Renderer } from './render.ts';

/** registerPassword adds the password change page. */
export function registerPassword(router: Router, svc: Services, ui: Renderer): void {
  router.on('GET', '/password', (ctx) => {
    const caller = requirePageUser(svc, ctx.req, ctx.res);
    const done = ctx.url.searchParams.get('ok') === 'changed';
    ui.page(ctx.req, ctx.res, 'pages/password', pageData(caller, 'Change password', {
      local: caller.user.source === 'local', oidc: caller.user.source === 'oidc', minLength: MIN_PASSWORD_LENGTH, errors: {}, error: null,
      flash: done ? { kind: 'ok', text: 'Your password was changed. Every other session has been logged out.' } : undefined,
    }));
  });

  router.on('POST', '/password', async (ctx) => {
    const { caller, form } = await readPageForm(svc, ctx);
    try {
      await svc.login.changePassword(caller.user, {
        current: form.current ?? '', password: form.password ?? '', repeat: form.repeat ?? '',
      }, clientAddress(ctx.req, svc.config.trustProxy));
    } catch (err) {
      const e = toPorticoError(err);
      if (e.status >= 500) throw err;
      if (e.code === 'E_THROTTLED') ctx.res.setHeader('retry-after', String(e.details?.retryAfter ?? 1));
      ui.page(ctx.req, ctx.res, 'pages/password', pageData(caller, 'Change password', {
        local: caller.user.source === 'local', oidc: caller.user.source === 'oidc', minLength: MIN_PASSWORD_LENGTH,
        errors: e instanceof ValidationError ? e.fields : {}, error: e instanceof ValidationError ? null : (e as PorticoError).message,
      }), e.status);
      return;
    }
    // Every session ends (a thief's too); this browser continues in a new one.
    svc.sessions.destroyAllOf(caller.user.id);
    if (caller.via === 'session') {
      const session = svc.sessions.create(caller.user.id);
      ctx.res.setHeader('set-cookie', sessionCookie(session.id, isSecureRequest(svc, ctx.req), svc.config.sessionAbsoluteHours * 3600));
    }
    svc.logger.info('password changed', { user: caller.user.username });
    redirect(ctx.req, ctx.res, '/password?ok=changed');
  });
}
