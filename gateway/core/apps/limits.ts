/**
 * limits.ts: the caps that keep a shared site healthy (docs/apps.md): running instances per user
 * (PORTICO_APP_MAX_PER_USER), on the whole site (PORTICO_APP_MAX_SITE) and of public apps
 * (PORTICO_APP_MAX_PUBLIC). A start that would pass one is refused with E_LIMIT_REACHED (429) and a
 * message that says which cap and what to do; project containers are never counted.
 */
import type { Config } from '../config.ts';
import { PorticoError } from '../errors.ts';
import type { Store } from '../store/index.ts';
import type { Container, ContainerState } from '../types.ts';
import { DEFAULT_POLICY, policyKey } from './policy.ts';

const HOLDING: ReadonlySet<ContainerState> = new Set(['running', 'paused', 'restarting', 'pulling', 'created']);

/** limitReached is the refusal for one cap. */
export function limitReached(message: string, limit: number): PorticoError {
  return new PorticoError('E_LIMIT_REACHED', 429, message, { limit });
}

/**
 * checkStartLimits refuses to start instance `c` when a cap is reached; an instance already
 * holding resources (running, paused, starting) is not a new one and passes.
 */
export function checkStartLimits(store: Store, config: Config, c: Container): void {
  if (c.appId === null || HOLDING.has(c.state)) return;
  checkStillGranted(store, c);
  const { perUser, site, publicMax } = config.apps;
  if (c.publicSession !== null && publicMax > 0 && store.apps.running('public', c.id) >= publicMax) {
    throw limitReached(`this site runs at most ${publicMax} public app instance${publicMax === 1 ? '' : 's'} at a time, and all are in use: try again in a few minutes`, publicMax);
  }
  if (c.ownerUserId !== null && c.publicSession === null && perUser > 0 && store.apps.running({ userId: c.ownerUserId }, c.id) >= perUser) {
    throw limitReached(`you already run ${perUser} app instance${perUser === 1 ? '' : 's'}, the most one user may run at a time: stop one under "My apps" first`, perUser);
  }
  if (site > 0 && store.apps.running('site', c.id) >= site) {
    throw limitReached(`this site runs at most ${site} app instances at a time, and all are in use: try again later or ask a site admin`, site);
  }
}

/**
 * checkStillGranted refuses to start an instance whose app was disabled or removed, or whose owner
 * no longer holds its grant (revoked, or no longer a member of the project it went to); a public
 * instance needs its app still public. The instance itself stays, for its owner to delete.
 */
export function checkStillGranted(store: Store, c: Container): void {
  const app = c.appId !== null ? store.apps.byId(c.appId) : null;
  if (!app || !app.enabled) throw new PorticoError('E_FORBIDDEN', 403, 'this app is no longer in the catalogue (or is disabled): the instance cannot start');
  if (c.publicSession !== null) {
    if (!app.public) throw new PorticoError('E_FORBIDDEN', 403, 'this app is no longer public');
    return;
  }
  const owner = c.ownerUserId !== null ? store.users.byId(c.ownerUserId) : null;
  if (!owner) throw new PorticoError('E_FORBIDDEN', 403, 'the owner of this instance is gone: it cannot start');
  if (owner.isAdmin && c.policyKey === policyKey(DEFAULT_POLICY)) return;
  if (!store.apps.holdsGrant(owner.id, app.id, c.policyKey ?? '')) {
    throw new PorticoError('E_FORBIDDEN', 403, `${owner.username} no longer holds a grant of ${app.title} under this policy: the instance cannot start (delete it under "My apps")`);
  }
}
