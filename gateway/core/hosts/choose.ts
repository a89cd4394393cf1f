/**
 * choose.ts: which host a new container records. Site admins may name any host (by name or id);
 * everyone else gets the default host, and naming another one is refused (a host is where a site
 * spends machines and trust, which is a site admin's call).
 */
import { PorticoError, ValidationError } from '../errors.ts';
import type { User } from '../types.ts';
import type { Hosts } from './registry.ts';

/** chooseHost returns the host id a new container records (null: the built-in host). */
export function chooseHost(hosts: Pick<Hosts, 'resolve' | 'defaultHostId'>, user: Pick<User, 'isAdmin'>, requested: unknown): number | null {
  const fallback = hosts.defaultHostId();
  if (requested === undefined || requested === null || requested === '') return fallback;
  let h;
  try {
    h = hosts.resolve(requested);
  } catch (err) {
    if (err instanceof PorticoError && (err.code === 'E_HOST_NOT_FOUND' || err.code === 'E_BAD_REQUEST')) throw new ValidationError({ host: err.message });
    throw err;
  }
  const id = h.builtin ? null : h.id;
  if (id !== fallback && !user.isAdmin) throw new PorticoError('E_FORBIDDEN', 403, 'only site administrators choose a container host; leave host out to use the default');
  return id;
}
