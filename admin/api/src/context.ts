/**
 * context.ts (SRC API): what every SRC endpoint does first: the facility id of the path must be
 * PORTICO_SRC_FACILITY (404 otherwise), the caller is authenticated as on the rest of the API
 * (token, Basic, or a session with its CSRF header), writes respect the read-only mode, and the
 * query parameters are read with a clear 400 when one is missing.
 */
import { NotFoundError, badRequest } from '../../../gateway/core/errors.ts';
import type { Services } from '../../../gateway/core/services.ts';
import type { User } from '../../../gateway/core/types.ts';
import type { Ctx } from '../../../gateway/http/router.ts';
import { requireCaller, requireWritable } from '../guard.ts';

/** SRC_PREFIX is where the SRC API is mounted: its document's paths, /<FACILITY_ID>/<endpoint>, under /src-api. */
export const SRC_PREFIX = '/src-api/:facility';

/** srcCaller checks the facility and returns the authenticated caller (writes: also the read-only mode). */
export function srcCaller(svc: Services, ctx: Ctx, write = false): User {
  const { user } = requireCaller(svc, ctx.req);
  if (ctx.params.facility !== svc.config.srcFacility) {
    throw new NotFoundError('E_NOT_FOUND', `unknown facility ${JSON.stringify(String(ctx.params.facility).slice(0, 80))}: this site is facility ${JSON.stringify(svc.config.srcFacility)}`);
  }
  if (write) requireWritable(svc, user);
  return user;
}

/** optionalParam is a query parameter, null when absent or empty. */
export function optionalParam(ctx: Ctx, name: string): string | null {
  const v = ctx.url.searchParams.get(name);
  return v === null || v === '' ? null : v;
}

/** requiredParam is a query parameter that must be given (400 naming it otherwise). */
export function requiredParam(ctx: Ctx, name: string, what: string): string {
  const v = optionalParam(ctx, name);
  if (v === null) throw badRequest(`the query parameter ${name} is required: ${what}`);
  if (v.length > 500) throw badRequest(`the query parameter ${name} is longer than 500 characters`);
  return v;
}
