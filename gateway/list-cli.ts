/**
 * list-cli.ts: the `portico users|projects|members|tokens|containers` list verbs. Each prints an
 * aligned table with a header (for people) or, with --json, one JSON array (for scripts). They only
 * read the store, so they work beside a running gateway and without the container engine.
 */
import { PorticoError } from './core/errors.ts';
import { isUuid } from './core/auth/access.ts';
import type { Store } from './core/store/index.ts';
import type { Project } from './core/types.ts';
import { UsageError } from './project-cli.ts';

/** LIST_VERBS are the nouns this module answers. */
export const LIST_VERBS = new Set(['users', 'projects', 'members', 'tokens', 'containers']);

type Row = Record<string, string | number | boolean | null>;

/** formatTable aligns rows under their keys' headers; null shows as '-'. */
export function formatTable(rows: Row[], columns: string[]): string {
  const cells = [columns.map((c) => c.toUpperCase()), ...rows.map((r) => columns.map((c) => r[c] === null || r[c] === '' ? '-' : String(r[c])))];
  const widths = columns.map((_, i) => Math.max(...cells.map((row) => row[i].length)));
  return cells.map((row) => row.map((v, i) => (i === row.length - 1 ? v : v.padEnd(widths[i]))).join('  ')).join('\n') + '\n';
}

/** runListCli prints one list; args start with the noun. */
export function runListCli(args: string[], store: Store, out: (s: string) => void): number {
  const rest = args.slice(1);
  const i = rest.indexOf('--json');
  const json = i >= 0;
  if (json) rest.splice(i, 1);
  const noun = args[0];
  const project = (uuid: string): Project => {
    const p = isUuid(uuid) ? store.projects.byUuid(uuid.toLowerCase()) : null;
    if (!p) throw new PorticoError('E_PROJECT_NOT_FOUND', 404, `no project ${uuid}`);
    return p;
  };
  let rows: Row[];
  let columns: string[];
  if (noun === 'users') {
    if (rest.length) throw new UsageError('users takes no arguments (only --json)');
    rows = store.users.all().map((u) => ({ username: u.username, name: u.name, email: u.email, admin: u.isAdmin, active: u.active, source: u.source, created: u.createdAt }));
    columns = ['username', 'name', 'email', 'admin', 'active', 'source', 'created'];
  } else if (noun === 'projects') {
    if (rest.length) throw new UsageError('projects takes no arguments (only --json)');
    const counts = new Map<number, number>();
    for (const c of store.containers.all()) counts.set(c.projectId, (counts.get(c.projectId) ?? 0) + 1);
    rows = store.projects.all().map((p) => ({
      uuid: p.uuid, title: p.title, status: p.deletingAt ? 'deleting' : p.archived ? 'archived' : 'active',
      owner: store.projects.members(p.id).find((m) => m.role === 'owner')?.username ?? null,
      members: store.projects.members(p.id).length, containers: counts.get(p.id) ?? 0,
    }));
    columns = ['uuid', 'title', 'status', 'owner', 'members', 'containers'];
  } else if (noun === 'members') {
    if (rest.length !== 1) throw new UsageError('members needs PROJECT_UUID');
    const p = project(rest[0]);
    rows = store.projects.members(p.id).map((m) => ({ username: m.username ?? String(m.userId), role: m.role }));
    columns = ['username', 'role'];
  } else if (noun === 'tokens') {
    if (rest.length > 1) throw new UsageError('tokens takes at most one user NAME');
    const users = rest.length ? [store.users.byUsername(rest[0])] : store.users.all();
    if (!users[0] && rest.length) throw new PorticoError('E_USER_NOT_FOUND', 404, `no user ${rest[0]}`);
    // Only the prefix is stored in clear: the secret itself cannot be shown.
    rows = users.flatMap((u) => store.users.tokensOf(u!.id).map((tk) => ({
      user: u!.username, name: tk.name, prefix: tk.prefix, created: tk.createdAt, last_used: tk.lastUsedAt, expires: tk.expiresAt,
    })));
    columns = ['user', 'name', 'prefix', 'created', 'last_used', 'expires'];
  } else {
    if (rest.length > 1) throw new UsageError('containers takes at most one PROJECT_UUID');
    const only = rest.length ? project(rest[0]) : null;
    const titles = new Map(store.projects.all().map((p) => [p.id, p.title]));
    rows = store.containers.all().filter((c) => !only || c.projectId === only.id).map((c) => ({
      uuid: c.uuid, title: c.title, project: titles.get(c.projectId) ?? null, image: `${c.repository}:${c.tag}`, state: c.state,
    }));
    columns = ['uuid', 'title', 'project', 'image', 'state'];
  }
  out(json ? JSON.stringify(rows, null, 2) + '\n' : formatTable(rows, columns));
  return 0;
}
