/**
 * projects.ts: SQL for projects and memberships (roles). Changes go through the project service
 * (core/projects/service.ts), which checks the rules; this module only reads and writes.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from './db.ts';
import { nowIso } from './db.ts';
import type { Membership, Project, Role } from '../types.ts';
import type { AccessRevision } from './access-revision.ts';

interface ProjectRow {
  id: number; uuid: string; title: string; description: string; readme: string; archived: number; deleting_at: string | null; kind?: string; created_at: string;
}
const toProject = (r: ProjectRow): Project => ({
  id: r.id, uuid: r.uuid, title: r.title, description: r.description, readme: r.readme, archived: r.archived === 1,
  deletingAt: r.deleting_at, kind: r.kind === 'apps' ? 'apps' : 'project', createdAt: r.created_at,
});

type MemberRow = { project_id: number; user_id: number; role: Role; uuid: string; username: string };
const toMember = (r: MemberRow): Membership => ({ projectId: r.project_id, userId: r.user_id, role: r.role, uuid: r.uuid, username: r.username });

/** ProjectFields are the editable fields of a project. */
export interface ProjectFields { title: string; description: string; readme: string }

/** ProjectStore is every query on projects and memberships. */
export type ProjectStore = ReturnType<typeof createProjectStore>;

/** createProjectStore prepares the project statements once. */
export function createProjectStore(db: Db, revision: AccessRevision) {
  const s = {
    insert: db.prepare('INSERT INTO projects (uuid, title, description, readme, created_at) VALUES (?, ?, ?, ?, ?) RETURNING *'),
    byUuid: db.prepare('SELECT * FROM projects WHERE uuid = ?'),
    byId: db.prepare('SELECT * FROM projects WHERE id = ?'),
    all: db.prepare("SELECT * FROM projects WHERE kind = 'project' ORDER BY title"),
    ofUser: db.prepare(`SELECT p.*, m.role FROM projects p JOIN memberships m ON m.project_id = p.id
      WHERE m.user_id = ? AND p.deleting_at IS NULL ORDER BY p.title`),
    titleTaken: db.prepare("SELECT 1 FROM projects WHERE title = ? AND id != ? AND deleting_at IS NULL AND kind = 'project'"),
    update: db.prepare('UPDATE projects SET title = ?, description = ?, readme = ? WHERE id = ?'),
    setArchived: db.prepare('UPDATE projects SET archived = ? WHERE id = ?'),
    markDeleting: db.prepare('UPDATE projects SET deleting_at = ? WHERE id = ? AND deleting_at IS NULL'),
    deleting: db.prepare('SELECT * FROM projects WHERE deleting_at IS NOT NULL ORDER BY deleting_at'),
    remove: db.prepare('DELETE FROM projects WHERE id = ?'),
    role: db.prepare('SELECT role FROM memberships WHERE project_id = ? AND user_id = ?'),
    upsertMember: db.prepare(`INSERT INTO memberships (project_id, user_id, role, uuid) VALUES (?, ?, ?, ?)
      ON CONFLICT (project_id, user_id) DO UPDATE SET role = excluded.role`),
    removeMember: db.prepare('DELETE FROM memberships WHERE project_id = ? AND user_id = ?'),
    members: db.prepare(`SELECT m.project_id, m.user_id, m.role, m.uuid, u.username FROM memberships m JOIN users u ON u.id = m.user_id
      WHERE m.project_id = ? ORDER BY u.username`),
    member: db.prepare(`SELECT m.project_id, m.user_id, m.role, m.uuid, u.username FROM memberships m JOIN users u ON u.id = m.user_id
      WHERE m.project_id = ? AND m.user_id = ?`),
    memberByUuid: db.prepare(`SELECT m.project_id, m.user_id, m.role, m.uuid, u.username FROM memberships m JOIN users u ON u.id = m.user_id
      WHERE m.uuid = ?`),
    ownerCount: db.prepare(`SELECT COUNT(*) AS n FROM memberships WHERE project_id = ? AND role = 'owner'`),
    roleCount: db.prepare('SELECT COUNT(*) AS n FROM memberships WHERE project_id = ? AND role = ?'),
  };
  return {
    /** create adds a project; `uuid` keeps one given elsewhere (a SODAR source site's). */
    create(title: string, description = '', readme = '', uuid: string = randomUUID()): Project {
      return toProject(s.insert.get(uuid, title, description, readme, nowIso()) as unknown as ProjectRow);
    },
    byUuid(uuid: string): Project | null {
      const r = s.byUuid.get(uuid) as ProjectRow | undefined;
      return r ? toProject(r) : null;
    },
    byId(id: number): Project | null {
      const r = s.byId.get(id) as ProjectRow | undefined;
      return r ? toProject(r) : null;
    },
    /** all lists every project, those being deleted included (they carry `deletingAt`). */
    all(): Project[] { return (s.all.all() as unknown as ProjectRow[]).map(toProject); },
    ofUser(userId: number): Array<Project & { role: Role }> {
      return (s.ofUser.all(userId) as unknown as Array<ProjectRow & { role: Role }>).map((r) => ({ ...toProject(r), role: r.role }));
    },
    /** titleTaken tells whether another live project (not `exceptId`) has this title. */
    titleTaken(title: string, exceptId = 0): boolean { return s.titleTaken.get(title, exceptId) !== undefined; },
    update(id: number, fields: ProjectFields): void { s.update.run(fields.title, fields.description, fields.readme, id); },
    setArchived(id: number, archived: boolean): void { s.setArchived.run(archived ? 1 : 0, id); },
    /** markDeleting records the durable intent to delete; false when it was already recorded. */
    markDeleting(id: number): boolean {
      const marked = Number(s.markDeleting.run(nowIso(), id).changes) > 0;
      if (marked) revision.bump();
      return marked;
    },
    /** deleting lists the projects whose delete began but did not finish (a kill, an engine away). */
    deleting(): Project[] { return (s.deleting.all() as unknown as ProjectRow[]).map(toProject); },
    remove(id: number): void { s.remove.run(id); revision.bump(); },
    roleOf(projectId: number, userId: number): Role | null {
      return ((s.role.get(projectId, userId) as { role: Role } | undefined)?.role) ?? null;
    },
    /** setRole gives a user a role (a new assignment gets a UUID; a changed one keeps its UUID). */
    setRole(projectId: number, userId: number, role: Role): void { s.upsertMember.run(projectId, userId, role, randomUUID()); revision.bump(); },
    removeMember(projectId: number, userId: number): boolean {
      const gone = Number(s.removeMember.run(projectId, userId).changes) > 0;
      if (gone) revision.bump();
      return gone;
    },
    members(projectId: number): Membership[] {
      return (s.members.all(projectId) as unknown as MemberRow[]).map(toMember);
    },
    member(projectId: number, userId: number): Membership | null {
      const r = s.member.get(projectId, userId) as MemberRow | undefined;
      return r ? toMember(r) : null;
    },
    memberByUuid(uuid: string): Membership | null {
      const r = s.memberByUuid.get(uuid) as MemberRow | undefined;
      return r ? toMember(r) : null;
    },
    ownerCount(projectId: number): number { return (s.ownerCount.get(projectId) as { n: number }).n; },
    roleCount(projectId: number, role: Role): number { return (s.roleCount.get(projectId, role) as { n: number }).n; },
  };
}
