/**
 * host-choice.ts: the *Container host* select of the container and template forms
 * (docs/container-hosts.md). Only site admins choose a host, and only when there is more than one;
 * its first option (value "") leaves the choice out, as the API's missing `host` does: the default
 * host, or for a container the host of the template it came from.
 */
import type { Hosts } from '../../gateway/core/hosts/registry.ts';
import type { User } from '../../gateway/core/types.ts';

/** HostChoice is what the host-field partial shows. */
export interface HostChoice { options: Array<{ value: string; label: string; selected: boolean }>; error: string; help: string }

/** hostChoice builds the select for `user`, or null when it is not shown (not a site admin, or one host only). */
export function hostChoice(hosts: Hosts | undefined, user: Pick<User, 'isAdmin'>, f: { selected: string; error?: string; none: string; help: string }): HostChoice | null {
  const all = hosts?.all() ?? [];
  if (!hosts || !user.isAdmin || all.length < 2) return null;
  const fallback = all.find((h) => h.isDefault)?.name ?? all[0].name;
  return {
    error: f.error ?? '', help: f.help,
    options: [
      { value: '', label: f.none.replace('{default}', fallback), selected: f.selected === '' },
      ...all.map((h) => ({
        value: h.name, selected: h.name === f.selected,
        label: `${h.name}${h.isDefault ? ' (default)' : ''}${hosts.status(h.id).up ? '' : ' (unreachable)'}`,
      })),
    ],
  };
}

/** hostName is the name of a stored host id for a form value ("" for none, or a host gone meanwhile). */
export function hostName(hosts: Hosts | undefined, id: number | null): string {
  if (id === null || !hosts) return '';
  return hosts.all().find((h) => h.id === id)?.name ?? '';
}
