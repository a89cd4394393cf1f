/**
 * choose.ts: which host a new container records. Site admins may name any host (by name or id);
 * everyone else gets the default host, and naming another one is refused (a host is where a site
 * spends machines and trust, which is a site admin's call).
 */
import { PorticoError, ValidationError } from '../errors.ts';
import type { User } from '../types.ts';
import type { Hosts } from './registry.ts';
import type { Store } from '../store/index.ts';

function find(hosts: Pick<Hosts, 'resolve'>, requested: unknown) {
  try {
    return hosts.resolve(requested);
  } catch (err) {
    if (err instanceof PorticoError && (err.code === 'E_HOST_NOT_FOUND' || err.code === 'E_BAD_REQUEST')) throw new ValidationError({ host: err.message });
    throw err;
  }
}

/**
 * chooseHost returns the host id a new container records (null: the built-in host). Without a
 * `host`, a template's host (`templateHostId`, a site admin's choice) wins over the default.
 */
export function chooseHost(hosts: Pick<Hosts, 'resolve' | 'defaultHostId'>, user: Pick<User, 'isAdmin'>, requested: unknown, templateHostId: number | null = null): number | null {
  const fallback = templateHostId !== null ? (find(hosts, templateHostId).builtin ? null : templateHostId) : hosts.defaultHostId();
  if (requested === undefined || requested === null || requested === '') return fallback;
  const h = find(hosts, requested);
  const id = h.builtin ? null : h.id;
  if (id !== fallback && !user.isAdmin) throw new PorticoError('E_FORBIDDEN', 403, 'only site administrators choose a container host; leave host out to use the default');
  return id;
}

/**
 * templateHost reads a template's `host` (site admins only): undefined when not given, null to
 * clear it (the default at each creation), else the host's id.
 */
export function templateHost(hosts: Pick<Hosts, 'resolve'>, user: Pick<User, 'isAdmin'>, body: unknown): number | null | undefined {
  const requested = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>).host : undefined;
  if (requested === undefined) return undefined;
  if (!user.isAdmin) throw new PorticoError('E_FORBIDDEN', 403, 'only site administrators choose a container host');
  if (requested === null || requested === '') return null;
  return find(hosts, requested).id;
}

/** templateHostOf is the host of the template a container's input names (site or project), or null. */
export function templateHostOf(store: Pick<Store, 'templates'>, input: unknown): number | null {
  const i = (input ?? {}) as Record<string, unknown>;
  for (const k of ['containertemplatesite', 'containertemplateproject', 'templateSiteUuid', 'templateProjectUuid']) {
    const t = typeof i[k] === 'string' && i[k] ? store.templates.byUuid(i[k] as string) : null;
    if (t?.hostId) return t.hostId;
  }
  return null;
}
