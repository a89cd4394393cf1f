/**
 * forms.ts: what every state-changing UI handler does first: find the logged-in user, read the
 * form, and check its CSRF token (header `X-CSRF-Token` from htmx, or field `csrf_token`).
 */
import type { Caller } from '../../gateway/core/auth/authenticate.ts';
import { forbidden } from '../../gateway/core/errors.ts';
import type { Services } from '../../gateway/core/services.ts';
import { readForm } from '../../gateway/http/body.ts';
import type { Ctx } from '../../gateway/http/router.ts';
import { checkCsrf } from '../api/guard.ts';
import { requirePageUser } from './pages.ts';

const FORM_LIMIT = 64 * 1024;

/** readPageForm returns the caller and the form of a UI POST, after the CSRF check. */
export async function readPageForm(svc: Services, ctx: Ctx): Promise<{ caller: Caller; form: Record<string, string> }> {
  const caller = requirePageUser(svc, ctx.req, ctx.res);
  const form = await readForm(ctx.req, FORM_LIMIT);
  checkCsrf(caller, ctx.req, form.csrf_token ?? null);
  return { caller, form };
}

/** requireSiteAdmin refuses callers who are not site admins. */
export function requireSiteAdmin(caller: Caller): void {
  if (!caller.user.isAdmin) throw forbidden('Only site administrators can open this page.');
}

/** field returns a trimmed form value ('' when missing). */
export function field(form: Record<string, string>, name: string): string {
  return (form[name] ?? '').trim();
}
