/**
 * apply.ts: makes the store match a checked SODAR snapshot, in one transaction: users are created
 * (without a password, as LDAP users) or updated, projects are created or renamed under their
 * SODAR uuids and marked as synced, and each synced project's members become exactly the source's.
 * A project the source no longer shares with its members (level NONE, VIEW_AVAIL or READ_INFO, or
 * gone from the document) keeps its containers and files but loses every role: only site admins
 * see it until the source shares it again. Problems with single objects (a local account holding
 * the name of a SODAR user, say) are reported and the rest is applied.
 */
import type { Store } from '../store/index.ts';
import { ROLES } from '../types.ts';
import type { Role } from '../types.ts';
import { ROLE_LEVELS } from './mapper.ts';
import type { SourceSnapshot } from './mapper.ts';

/** SyncReport counts what one sync changed, with the problems it left unsolved. */
export interface SyncReport {
  users: { created: number; updated: number };
  projects: { created: number; updated: number; withdrawn: number };
  roles: { created: number; updated: number; removed: number };
  problems: string[];
}

/** ApplyOptions are the target site's rules (PROJECTROLES_ALLOW_LOCAL_USERS, PROJECTROLES_DEFAULT_ADMIN). */
export interface ApplyOptions { sourceUrl: string; allowLocalUsers: boolean; defaultAdmin: string }

/** REMOVED is the level recorded for a synced project that the source's document no longer lists. */
export const REMOVED_LEVEL = 'REMOVED';

/** emptyReport is a report of nothing done. */
export function emptyReport(): SyncReport {
  return { users: { created: 0, updated: 0 }, projects: { created: 0, updated: 0, withdrawn: 0 }, roles: { created: 0, updated: 0, removed: 0 }, problems: [] };
}

/** applySnapshot applies `snap` to `store` atomically and returns what changed. */
export function applySnapshot(store: Store, snap: SourceSnapshot, opts: ApplyOptions): SyncReport {
  const report = emptyReport();
  report.problems.push(...snap.notes);
  return store.transaction(() => {
    const userIds = syncUsers(store, snap, opts, report);
    const seen = new Set<number>();
    for (const p of snap.projects) {
      let project = store.projects.byUuid(p.uuid);
      const shared = ROLE_LEVELS.includes(p.level);
      const mark = project ? store.sodar.syncedProject(project.id) : null;
      // SODAR creates only projects it shares with their members; a local project with the uuid of
      // one it does not share is not ours (one it shares is adopted: a Kiosc import keeps SODAR uuids).
      if (!shared && !mark) continue;
      if (!project) {
        project = store.projects.create(p.title, p.description, '', p.uuid);
        report.projects.created++;
      } else if (p.level !== 'NONE' && p.level !== 'VIEW_AVAIL' && (project.title !== p.title || project.description !== p.description)) {
        // NONE and VIEW_AVAIL entries carry no description: the project is left as it is.
        store.projects.update(project.id, { title: p.title, description: p.description, readme: project.readme });
        report.projects.updated++;
      }
      seen.add(project.id);
      store.sodar.markProject(project.id, opts.sourceUrl, p.level);
      const want = new Map<number, Role>();
      if (shared) {
        for (const r of p.roles) {
          const id = userIds.get(r.username.toLowerCase());
          const who = id === undefined ? null : typeof id === 'number' ? id : ownerStandIn(store, id, r.role, opts, report, p.title);
          if (who === null) continue;
          const had = want.get(who);
          if (!had || rank(r.role) < rank(had)) want.set(who, r.role);
        }
        if (![...want.values()].includes('owner')) report.problems.push(`project ${JSON.stringify(p.title)} has no owner here`);
      } else if (store.projects.members(project.id).length) {
        report.projects.withdrawn++;
      }
      setMembers(store, project.id, want, report);
    }
    // Synced projects the source stopped listing: kept (containers, files), but nobody has a role.
    for (const mark of store.sodar.syncedProjects()) {
      if (seen.has(mark.projectId)) continue;
      if (mark.level !== REMOVED_LEVEL) {
        store.sodar.markProject(mark.projectId, mark.sourceUrl, REMOVED_LEVEL);
        if (store.projects.members(mark.projectId).length) report.projects.withdrawn++;
      }
      setMembers(store, mark.projectId, new Map(), report);
    }
    return report;
  });
}

/** LocalUser marks a source user who is local at the source: their owner roles go to the default admin. */
interface LocalUser { local: string }

function syncUsers(store: Store, snap: SourceSnapshot, opts: ApplyOptions, report: SyncReport): Map<string, number | LocalUser> {
  const ids = new Map<string, number | LocalUser>();
  for (const u of snap.users) {
    const key = u.username.toLowerCase();
    if (u.local) {
      // SODAR's rule: a local user of the source is matched only to an existing local user, and only when allowed.
      const existing = opts.allowLocalUsers ? store.users.byUsername(u.username) : null;
      ids.set(key, existing && existing.source === 'local' ? existing.id : { local: u.username });
      continue;
    }
    const byUuid = store.users.byUuid(u.uuid);
    const existing = byUuid ?? store.users.byUsername(u.username);
    if (byUuid && byUuid.username.toLowerCase() !== key) {
      report.problems.push(`user ${u.uuid} is ${u.username} at the source but ${byUuid.username} here; their roles are not applied`);
      continue;
    }
    if (existing && existing.source === 'local' && !store.sodar.isSyncedUser(existing.id) && store.users.passwordHash(existing.username)?.hash) {
      // The same refusal as an LDAP login onto a local account: the name belongs to someone else here.
      report.problems.push(`the local account ${existing.username} has the name of a SODAR user; their roles are not applied (rename or remove the local account)`);
      continue;
    }
    if (existing) {
      if (existing.name !== u.name || existing.email !== u.email) {
        store.users.update(existing.id, u.name, u.email);
        report.users.updated++;
      }
      store.sodar.markUser(existing.id);
      ids.set(key, existing.id);
      continue;
    }
    const created = store.users.create({ uuid: u.uuid, username: u.username, name: u.name, email: u.email, passwordHash: null, source: 'ldap' });
    store.sodar.markUser(created.id);
    report.users.created++;
    ids.set(key, created.id);
  }
  return ids;
}

function ownerStandIn(store: Store, u: LocalUser, role: Role, opts: ApplyOptions, report: SyncReport, title: string): number | null {
  if (role !== 'owner') {
    report.problems.push(opts.allowLocalUsers
      ? `local user ${u.local} (${role} of ${JSON.stringify(title)}) does not exist here; role not assigned`
      : `local user ${u.local} (${role} of ${JSON.stringify(title)}): local users are not allowed (PROJECTROLES_ALLOW_LOCAL_USERS); role not assigned`);
    return null;
  }
  const admin = store.users.byUsername(opts.defaultAdmin);
  if (!admin) {
    report.problems.push(`local user ${u.local} owns ${JSON.stringify(title)} and PROJECTROLES_DEFAULT_ADMIN (${opts.defaultAdmin}) does not exist here; owner not assigned`);
    return null;
  }
  return admin.id;
}

function setMembers(store: Store, projectId: number, want: Map<number, Role>, report: SyncReport): void {
  for (const m of store.projects.members(projectId)) {
    if (!want.has(m.userId)) {
      store.projects.removeMember(projectId, m.userId);
      report.roles.removed++;
    }
  }
  for (const [userId, role] of want) {
    const had = store.projects.roleOf(projectId, userId);
    if (had === role) continue;
    store.projects.setRole(projectId, userId, role);
    if (had) report.roles.updated++;
    else report.roles.created++;
  }
}

const rank = (r: Role) => ROLES.indexOf(r);

/** formatReport is the one-line summary the CLI prints and the logs and site-admin page show. */
export function formatReport(r: SyncReport): string {
  return `users: ${r.users.created} created, ${r.users.updated} updated; `
    + `projects: ${r.projects.created} created, ${r.projects.updated} updated, ${r.projects.withdrawn} withdrawn; `
    + `roles: ${r.roles.created} created, ${r.roles.updated} updated, ${r.roles.removed} removed`
    + (r.problems.length ? `; ${r.problems.length} problem(s)` : '');
}
