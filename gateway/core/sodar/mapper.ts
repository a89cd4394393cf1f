/**
 * mapper.ts: checks a SODAR source site's remote-sync document (sodar-core's
 * RemoteProjectAPI.get_source_data: `users`, `projects`, `peer_sites`, `app_settings`) and turns it
 * into what Portico keeps: users, and projects with the roles each user holds there. A malformed
 * document is refused whole with the path of the first fault, so a sync never applies half of a
 * document it misread. Categories are not kept (Portico has none): their roles are inherited by
 * the projects below them, the strongest role of a user winning, as SODAR's role inheritance does.
 */
import { PorticoError } from '../errors.ts';
import { ROLES } from '../types.ts';
import type { Role } from '../types.ts';

/** LEVELS are SODAR's remote access levels (REMOTE_LEVEL_*). */
export const LEVELS = ['NONE', 'REVOKED', 'VIEW_AVAIL', 'READ_INFO', 'READ_ROLES'] as const;
export type SodarLevel = (typeof LEVELS)[number];

/** ROLE_LEVELS are the levels under which SODAR sends members (REVOKED: owners and delegates only). */
export const ROLE_LEVELS: readonly SodarLevel[] = ['READ_ROLES', 'REVOKED'];

/** SODAR_ROLES maps SODAR's role names to Portico's; viewer and finder give no access to apps (Kiosc's rules), so no role. */
const SODAR_ROLES: Record<string, Role | null> = {
  'project owner': 'owner',
  'project delegate': 'delegate',
  'project contributor': 'contributor',
  'project guest': 'guest',
  'project viewer': null,
  'project finder': null,
};

/** SourceUser is one user of the source site. `local` is SODAR's test: no groups, or the "system" group (not an LDAP/OIDC user). */
export interface SourceUser { uuid: string; username: string; name: string; email: string; local: boolean }

/** SourceRole is the role one user holds in a project, inherited ones folded in. */
export interface SourceRole { username: string; role: Role }

/** SourceProject is one project (type PROJECT) the source shares with this site, at its access level. */
export interface SourceProject {
  uuid: string;
  title: string;
  description: string;
  level: SodarLevel;
  /** roles is empty unless the level is READ_ROLES or REVOKED. */
  roles: SourceRole[];
}

/** SourceSnapshot is a checked document: every user, every project, and notes on what was left out (unknown role names). */
export interface SourceSnapshot { users: SourceUser[]; projects: SourceProject[]; notes: string[] }

/** SodarDataError is a source document that cannot be used; `path` points at the fault. */
export class SodarDataError extends PorticoError {
  readonly expose = true;
  constructor(path: string, problem: string) {
    super('E_SODAR_SYNC', 502, `the source's sync data is invalid at ${path}: ${problem}`, { path });
    this.name = 'SodarDataError';
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Django's user-name characters (letters, digits and @.+-_), as SODAR's LDAP names (alice@EXAMPLE) use them.
const USERNAME = /^[\p{L}\p{N}._@+-]{1,150}$/u;
const MAX_TITLE = 255;
const MAX_DESCRIPTION = 10_000;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function obj(v: unknown, path: string): Obj {
  if (!isObj(v)) throw new SodarDataError(path, `expected an object, got ${kind(v)}`);
  return v;
}

function kind(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}

function text(v: unknown, path: string, opts: { required?: boolean; max?: number } = {}): string {
  if (v === undefined || v === null) {
    if (opts.required) throw new SodarDataError(path, 'is missing');
    return '';
  }
  if (typeof v !== 'string') throw new SodarDataError(path, `expected a string, got ${kind(v)}`);
  if (opts.required && !v.trim()) throw new SodarDataError(path, 'is empty');
  if (opts.max !== undefined && v.length > opts.max) throw new SodarDataError(path, `is longer than ${opts.max} characters`);
  return v;
}

function uuidKey(k: string, path: string): string {
  if (!UUID.test(k)) throw new SodarDataError(path, `key ${JSON.stringify(k)} is not a UUID`);
  return k.toLowerCase();
}

interface RawProject { uuid: string; type: 'PROJECT' | 'CATEGORY'; title: string; description: string; level: SodarLevel; parent: string | null; roles: Map<string, Role> }

/** mapSourceData checks `doc` (parsed JSON) and returns the snapshot, or throws SodarDataError. */
export function mapSourceData(doc: unknown): SourceSnapshot {
  const root = obj(doc, '$');
  const notes: string[] = [];
  const users: SourceUser[] = [];
  const byName = new Map<string, SourceUser>();
  for (const [k, raw] of Object.entries(obj(root.users, '$.users'))) {
    const path = `$.users.${k}`;
    const uuid = uuidKey(k, '$.users');
    const u = obj(raw, path);
    const username = text(u.username, `${path}.username`, { required: true });
    if (!USERNAME.test(username)) throw new SodarDataError(`${path}.username`, `${JSON.stringify(username)} is not a user name (letters, digits and @.+-_, at most 150)`);
    const key = username.toLowerCase();
    if (byName.has(key)) throw new SodarDataError(`${path}.username`, `${JSON.stringify(username)} is given to two users`);
    let groups: string[] = [];
    if (u.groups !== undefined && u.groups !== null) {
      if (!Array.isArray(u.groups) || u.groups.some((g) => typeof g !== 'string')) throw new SodarDataError(`${path}.groups`, 'expected a list of group names');
      groups = u.groups as string[];
    }
    const user: SourceUser = {
      uuid, username,
      name: text(u.name, `${path}.name`, { max: 255 }),
      email: text(u.email, `${path}.email`, { max: 254 }),
      local: groups.length === 0 || groups.includes('system'),
    };
    users.push(user);
    byName.set(key, user);
  }

  const raws = new Map<string, RawProject>();
  for (const [k, rawValue] of Object.entries(obj(root.projects, '$.projects'))) {
    const path = `$.projects.${k}`;
    const uuid = uuidKey(k, '$.projects');
    const p = obj(rawValue, path);
    if (p.type !== 'PROJECT' && p.type !== 'CATEGORY') throw new SodarDataError(`${path}.type`, `expected "PROJECT" or "CATEGORY", got ${JSON.stringify(p.type)}`);
    if (!(LEVELS as readonly unknown[]).includes(p.level)) throw new SodarDataError(`${path}.level`, `expected one of ${LEVELS.join(', ')}, got ${JSON.stringify(p.level)}`);
    const level = p.level as SodarLevel;
    const parentRaw = text(p.parent_uuid, `${path}.parent_uuid`);
    const parent = parentRaw ? uuidKey(parentRaw, `${path}.parent_uuid`) : null;
    const roles = new Map<string, Role>();
    // Members are replaced by what is sent, so a project shared with its members must say who they are.
    if (p.type === 'PROJECT' && ROLE_LEVELS.includes(level) && !isObj(p.roles)) {
      throw new SodarDataError(`${path}.roles`, `a ${level} project must list its roles (an object), got ${kind(p.roles)}`);
    }
    if (p.roles !== undefined && p.roles !== null) {
      for (const [rk, rr] of Object.entries(obj(p.roles, `${path}.roles`))) {
        const rpath = `${path}.roles.${rk}`;
        uuidKey(rk, `${path}.roles`);
        const r = obj(rr, rpath);
        const username = text(r.user, `${rpath}.user`, { required: true });
        const user = byName.get(username.toLowerCase());
        if (!user) throw new SodarDataError(`${rpath}.user`, `${JSON.stringify(username)} is not among $.users`);
        const roleName = text(r.role, `${rpath}.role`, { required: true });
        if (!(roleName in SODAR_ROLES)) {
          notes.push(`role ${JSON.stringify(roleName)} of ${user.username} in ${JSON.stringify(String(p.title))} is unknown to Portico; not assigned`);
          continue;
        }
        const role = SODAR_ROLES[roleName];
        if (role) roles.set(user.username.toLowerCase(), stronger(roles.get(user.username.toLowerCase()), role));
      }
    }
    raws.set(uuid, {
      uuid, type: p.type, level, parent, roles,
      title: text(p.title, `${path}.title`, { required: true, max: MAX_TITLE }).trim(),
      description: text(p.description, `${path}.description`, { max: MAX_DESCRIPTION }),
    });
  }

  const projects: SourceProject[] = [];
  for (const p of raws.values()) {
    if (p.type !== 'PROJECT') continue;
    const effective = new Map(p.roles);
    if (ROLE_LEVELS.includes(p.level)) {
      // Walk up the categories (bounded: a loop in the data is an error, not a hang).
      const seen = new Set([p.uuid]);
      for (let parent = p.parent; parent;) {
        const c = raws.get(parent);
        if (!c) throw new SodarDataError(`$.projects.${p.uuid}.parent_uuid`, `category ${parent} is not among $.projects`);
        if (c.type !== 'CATEGORY') throw new SodarDataError(`$.projects.${p.uuid}.parent_uuid`, `${parent} is a project, not a category`);
        if (seen.has(c.uuid)) throw new SodarDataError(`$.projects.${c.uuid}.parent_uuid`, 'the categories form a loop');
        seen.add(c.uuid);
        // A REVOKED project keeps only its own owners and delegates; SODAR sends its categories without roles.
        if (p.level === 'READ_ROLES') for (const [name, role] of c.roles) effective.set(name, stronger(effective.get(name), role));
        parent = c.parent;
      }
    }
    const roles = ROLE_LEVELS.includes(p.level)
      ? [...effective].map(([name, role]) => ({ username: byName.get(name)!.username, role }))
      : [];
    projects.push({ uuid: p.uuid, title: p.title, description: p.description, level: p.level, roles });
  }
  return { users, projects, notes };
}

function stronger(a: Role | undefined, b: Role): Role {
  if (!a) return b;
  return ROLES.indexOf(a) <= ROLES.indexOf(b) ? a : b;
}
