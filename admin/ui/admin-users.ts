/**
 * admin-users.ts: site admins list and create users, and switch a user's admin flag or
 * deactivate them (which ends their sessions). Admins cannot demote or deactivate themselves,
 * so a site never loses its last way in by accident.
 */
import { userObject } from '../../gateway/core/audit.ts';
import { PorticoError, ValidationError, conflict, forbidden, toPorticoError } from '../../gateway/core/errors.ts';
import type { Services } from '../../gateway/core/services.ts';
import type { Caller } from '../../gateway/core/auth/authenticate.ts';
import { MIN_PASSWORD_LENGTH } from '../../gateway/core/auth/login.ts';
import { generatePassword, hashPassword } from '../../gateway/core/auth/passwords.ts';
import type { User } from '../../gateway/core/types.ts';
import type { Ctx, Router } from '../../gateway/http/router.ts';
import { field, readPageForm, requireSiteAdmin } from './forms.ts';
import { pageData, redirect, requirePageUser } from './pages.ts';
import type { Renderer } from './render.ts';

/** USERNAME_RE is the shape of a local user name (the CLI accepts the same). */
export const USERNAME_RE = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,149}$/;

const DONE: Record<string, string> = { activated: 'is active again', deactivated: 'is deactivated and logged out', admin: 'is now a site admin', 'not-admin': 'is no longer a site admin' };

/** registerAdminUsers adds /admin/users and its actions. */
export function registerAdminUsers(router: Router, svc: Services, ui: Renderer): void {
  const { store } = svc;

  function show(ctx: Ctx, caller: Caller, extra: Record<string, unknown>, status = 200): void {
    ui.page(ctx.req, ctx.res, 'pages/admin-users', pageData(caller, 'Users', {
      users: store.users.all(), created: null, error: null, errors: {}, form: {}, minLength: MIN_PASSWORD_LENGTH, ...extra,
    }), status);
  }

  function target(ctx: Ctx, caller: Caller): User {
    const user = store.users.byUuid(ctx.params.user);
    if (!user) throw new PorticoError('E_USER_NOT_FOUND', 404, 'No such user.');
    if (user.id === caller.user.id) throw forbidden('You cannot change your own admin flag or deactivate yourself.');
    return user;
  }

  router.on('GET', '/admin/users', (ctx) => {
    const caller = requirePageUser(svc, ctx.req, ctx.res);
    requireSiteAdmin(caller);
    const done = DONE[ctx.url.searchParams.get('done') ?? ''];
    const who = store.users.byUsername(ctx.url.searchParams.get('user') ?? '');
    show(ctx, caller, done && who ? { flash: { kind: 'ok', text: `${who.username} ${done}.` } } : {});
  });

  router.on('POST', '/admin/users', async (ctx) => {
    const { caller, form } = await readPageForm(svc, ctx);
    requireSiteAdmin(caller);
    const input = { username: field(form, 'username'), name: field(form, 'name'), email: field(form, 'email'), admin: form.admin === 'on' };
    let password = form.password ?? '';
    try {
      const fields: Record<string, string> = {};
      if (!USERNAME_RE.test(input.username)) fields.username = "Letters, digits, '.', '_', '@' and '-' (at most 150).";
      if (input.name.length > 150) fields.name = 'At most 150 characters.';
      if (input.email && (input.email.length > 254 || !/^[^\s@]+@[^\s@]+$/.test(input.email))) fields.email = 'Not an e-mail address.';
      if (password && password.length < MIN_PASSWORD_LENGTH) fields.password = `At least ${MIN_PASSWORD_LENGTH} characters, or leave empty to generate one.`;
      if (Object.keys(fields).length) throw new ValidationError(fields);
      if (store.users.byUsername(input.username)) throw conflict(`A user named ${input.username} exists already.`);
    } catch (err) {
      const e = toPorticoError(err);
      if (e.status >= 500) throw err;
      show(ctx, caller, { error: e instanceof ValidationError ? null : e.message, errors: e instanceof ValidationError ? e.fields : {}, form: input }, e.status);
      return;
    }
    const generated = !password;
    if (generated) password = generatePassword();
    const user = store.users.create({ username: input.username, name: input.name, email: input.email, passwordHash: await hashPassword(password), isAdmin: input.admin });
    svc.logger.info('user created', { user: user.username, admin: user.isAdmin, by: caller.user.username });
    svc.audit.record({ actor: caller.user.username, action: 'user.create', object: userObject(user), detail: { admin: user.isAdmin } });
    show(ctx, caller, { created: { username: user.username, password: generated ? password : null } }, 201);
  });

  router.on('POST', '/admin/users/:user/active', async (ctx) => {
    const { caller, form } = await readPageForm(svc, ctx);
    requireSiteAdmin(caller);
    const user = target(ctx, caller);
    const active = form.active === 'on';
    store.users.setActive(user.id, active);
    if (!active) svc.sessions.destroyAllOf(user.id);
    if (active !== user.active) svc.audit.record({ actor: caller.user.username, action: active ? 'user.activate' : 'user.deactivate', object: userObject(user) });
    redirect(ctx.req, ctx.res, `/admin/users?done=${active ? 'activated' : 'deactivated'}&user=${encodeURIComponent(user.username)}`);
  });

  router.on('POST', '/admin/users/:user/admin', async (ctx) => {
    const { caller, form } = await readPageForm(svc, ctx);
    requireSiteAdmin(caller);
    const user = target(ctx, caller);
    store.users.setAdmin(user.id, form.admin === 'on');
    if ((form.admin === 'on') !== user.isAdmin) svc.audit.record({ actor: caller.user.username, action: form.admin === 'on' ? 'user.admin' : 'user.unadmin', object: userObject(user) });
    redirect(ctx.req, ctx.res, `/admin/users?done=${form.admin === 'on' ? 'admin' : 'not-admin'}&user=${encodeURIComponent(user.username)}`);
  });
}
