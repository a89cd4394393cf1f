/**
 * siteadmin-host.ts: which container host the site-admin Docker pages (Not in Portico, Docker
 * entities, images, pulls, Nodes) show and act on: `?host=<name or id>`, the built-in host when
 * left out. Every link and form of those pages carries it on, so each action goes to that host's
 * engine. An unknown host is a 404 that says so (hosts are the site admin's own objects: naming one
 * hides nothing).
 */
import type { Services } from '../../gateway/core/services.ts';
import { hostOn } from '../../gateway/core/hosts/scope.ts';
import type { HostOn } from '../../gateway/core/hosts/scope.ts';

/** HostScope is the chosen host of a site-admin Docker page. */
export interface HostScope extends HostOn {
  /** q is the query that names the host ("" for the built-in host), for links and form actions. */
  q: string;
  /** pick is the host select (null with only the built-in host). */
  pick: { path: string; options: Array<{ value: string; label: string; selected: boolean }> } | null;
}

/** hostScope reads `?host=` of `url` (E_HOST_NOT_FOUND, 404, for an unknown one); `path` is where the select goes. */
export function hostScope(svc: Pick<Services, 'hosts'>, url: URL, path = url.pathname): HostScope {
  const { hosts } = svc;
  const on = hostOn(hosts, url.searchParams.get('host'));
  const { host } = on;
  const all = hosts.all();
  return {
    ...on,
    q: host.builtin ? '' : `?host=${encodeURIComponent(host.name)}`,
    pick: all.length < 2 ? null : {
      path,
      options: all.map((h) => ({
        value: h.name, selected: h.id === host.id,
        label: `${h.name}${h.builtin ? ' (built-in)' : ''}${hosts.status(h.id).up ? '' : ' (unreachable)'}`,
      })),
    },
  };
}

/** withQ appends the scope's host to a path that may carry a query and a fragment already. */
export function withQ(scope: Pick<HostScope, 'q'>, href: string): string {
  if (!scope.q) return href;
  const [path, hash] = href.split('#');
  const joined = path.includes('?') ? `${path}&${scope.q.slice(1)}` : `${path}${scope.q}`;
  return hash === undefined ? joined : `${joined}#${hash}`;
}
