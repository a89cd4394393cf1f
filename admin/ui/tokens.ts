/**
 * tokens.ts: the API tokens page: create (the token is shown once, only its hash is stored),
 * list (name, created, last used, expiry) and delete. Tokens are personal credentials, so they
 * can be managed even in read-only mode (revoking one must always be possible).
 */
import { NotFoundError, ValidationError } from '../../gateway/core/errors.ts';
import type { Services } from '../../gateway/core/services.ts';
import type { Caller } from '../../gateway/core/auth/authenticate.ts';
import { hashSecret, newSecret } from '../../gateway/core/auth/tokens.ts';
import type { Ctx, Router } from '../../gateway/http/router.ts';
import { field, readPageForm } from './forms.ts';
import { confirmed, sendConfirm } from './confirm.ts';
import { pageData, redirect, requirePageUser } from './pages.ts';
import type { Renderer } from './render.ts';

const MAX_TOKENS = 100;

/** parseExpiry turns an optional YYYY-MM-DD into the end of that day (UTC), which must be in the future. */
export function parseExpiry(raw: string, now = Date.now()): string | null {
  if (!raw) return null;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(raw)) throw new ValidationError({ expires: 'Use a date like 2030-12-31.' });
  const end = Date.parse(`${raw}T23:59:59.999Z`);
  if (!Number.isFinite(end) || new Date(end).toISOString().slice(0, 10) !== raw) throw new ValidationError({ expires: 'No such date.' });
  if (end <= now) throw new ValidationError({ expires: 'The expiry date must be in the future.' });
  return new Date(end).toISOString();
}

/** registerTokens adds GET/POST /tokens and POST /tokens/:id/delete. */
export function registerTokens(router: Router, svc: Services, ui: Renderer): void {
  function show(ctx: Ctx, caller: Caller, extra: Record<string, unknown>, status = 200): void {
    const tokens = svc.store.users.tokensOf(caller.user.id).map((t) => ({
      ...t, expired: t.expiresAt !== null && Date.parse(t.expiresAt) <= Date.now(),
    }));
    ui.page(ctx.req, ctx.res, 'pages/tokens', pageData(caller, 'API tokens', { tokens, created: null, errors: {}, form: {}, ...extra }), status);
  }

  router.on('GET', '/tokens', (ctx) => {
    const caller = requirePageUser(svc, ctx.req, ctx.res);
    show(ctx, caller, ctx.url.searchParams.get('ok') === 'deleted' ? { flash: { kind: 'ok', text: 'Token deleted.' } } : {});
  });

  router.on('POST', '/tokens', async (ctx) => {
    const { caller, form } = await readPageForm(svc, ctx);
    const name = field(form, 'name');
    let expiresAt: string | null;
    try {
      if (!name || name.length > 100) throw new ValidationError({ name: 'Give the token a name (at most 100 characters).' });
      expiresAt = parseExpiry(field(form, 'expires'));
      if (svc.store.users.tokensOf(caller.user.id).length >= MAX_TOKENS) throw new ValidationError({ name: `You have ${MAX_TOKENS} tokens; delete some first.` });
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      show(ctx, caller, { errors: err.fields, form: { name, expires: field(form, 'expires') } }, 400);
      return;
    }
    const token = newSecret(32);
    svc.store.users.createToken(caller.user.id, name, hashSecret(token), token.slice(0, 6), expiresAt);
    svc.logger.info('API token created', { user: caller.user.username, name });
    svc.audit.record({ actor: caller.user.username, action: 'token.create', object: { type: 'token', uuid: '', title: name }, detail: { user: caller.user.username, expires: expiresAt } });
    show(ctx, caller, { created: { name, token, expiresAt } }, 201);
  });

  router.on('POST', '/tokens/:id/delete', async (ctx) => {
    const { caller, form } = await readPageForm(svc, ctx);
    const id = /^\d{1,15}$/.test(ctx.params.id) ? Number(ctx.params.id) : -1;
    const token = svc.store.users.tokensOf(caller.user.id).find((t) => t.id === id);
    if (token && !confirmed(form)) {
      sendConfirm(ui, ctx.req, ctx.res, caller, { title: `Delete token ${token.name}`, question: `Delete the API token ${token.name}?`,
        detail: 'Scripts that use it are refused from now on. This cannot be undone.', action: `/tokens/${id}/delete`, button: 'Delete token', cancel: '/tokens' });
      return;
    }
    const name = token?.name ?? '';
    if (!svc.store.users.deleteToken(caller.user.id, id)) throw new NotFoundError('E_NOT_FOUND', 'no such token');
    svc.audit.record({ actor: caller.user.username, action: 'token.delete', object: { type: 'token', uuid: '', title: name }, detail: { user: caller.user.username } });
    redirect(ctx.req, ctx.res, '/tokens?ok=deleted');
  });
}
