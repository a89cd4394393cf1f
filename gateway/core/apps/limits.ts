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
