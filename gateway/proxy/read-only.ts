/**
 * read-only.ts: the proxy's part of read-only site mode. Starting or resuming an app is a change,
 * so while the site is read-only only site admins' visits start one; everyone may still use apps
 * that are running (or that an admin's visit is starting). The setting is read only on this
 * not-running path, so the hot path stays free of database reads.
 */
import { PorticoError } from '../core/errors.ts';
import type { Services } from '../core/services.ts';
import type { User } from '../core/types.ts';
import type { Route } from './routes.ts';

/** readOnlyRefusal returns E_READ_ONLY when opening `route` would start or resume it for a user who may not change anything now. */
export function readOnlyRefusal(svc: Pick<Services, 'siteMode'>, route: Route, user: User, startInFlight: boolean): PorticoError | null {
  if (route.state === 'running' || startInFlight || svc.siteMode.allowsChangesBy(user)) return null;
  return new PorticoError('E_READ_ONLY', 403, `The site is in read-only mode, so "${route.title}" cannot be started now. Ask an administrator, or try again later.`);
}
