/**
 * projects.ts: SQL for projects and memberships (roles).
 */
import { randomUUID } from 'node:crypto';
import type { Db } from './db.ts';
import { nowIso } from './db.ts';
import type { Membership, Project, Role } from '../types.ts';
import type { AccessRevision } from './access-revision.ts';

interface ProjectRow { id: number; uuid: string; title: string; description: string; created_at: string }
const toProject = (r: ProjectRow): Project => ({ id: r.id, uuid: r.uuid, title: r.title, description: r.description, createdAt: r.created_at });

/** ProjectStore is every query on projects and memberships. */
export type ProjectStore = ReturnType<typeof createProjectStore>;

/** createProjectStore prepares the project statements once. */
export function createProjectStore(db: Db, revision: AccessRevision) {
  const s = {
    insert: db.prepare('INSERT INTO projects (uuid, title, description, created_at) VALUES (?, ?, ?, ?) RETURNING *'),
    byUuid: db.prepare('SELECT * FROM projects WHERE uuid = ?'),
    byId: db.prepare('SELECT * FROM projects WHERE id = ?'),
    all: db.prepare('SELECT * FROM projects ORDER BY title'),
    ofUser: db.prepare(`SELECT p.*, m.role FROM projects p JOIN memberships m ON m.project_id = p.id
      WHERE m.user_id = ? ORDER BY p.title`),
    update: db.prepare('UPDATE projects SET title = ?, description = ? WHERE id = ?'),
    remove: db.prepare('DELETE FROM projects WHERE id = ?'),
    role: db.prepare('SELECT role FROM memberships WHERE project_id = ? AND user_id = ?'),
    upsertMember: db.prepare(`INSERT INTO memberships (project_id, user_id, role) VALUES (?, ?, ?)
      ON CONFLICT (project_id, user_id) DO UPDATE SET role = excluded.role`),
    removeMember: db.prepare('DELETE FROM memberships WHERE project_id = ? AND user_id = ?'),
    members: db.prepare(`SELECT m.project_id, m.user_id, m.role, u.username FROM memberships m JOIN users u ON u.id = m.user_id
      WHERE m.project_id = ? ORDER BY u.username`),
    ownerCount: db.prepare(`SELECT COUNT(*) AS n FROM memberships WHERE project_id = ? AND role = 'owner'`),
  };
  return {
    /** create adds a project; `uuid` keeps one given elsewhere (a SODAR source site's). */
    create(title: string, description = '', uuid: string = randomUUID()): Project {
      return toProject(s.insert.get(uuid, title, description, nowIso()) as unknown as ProjectRow);
    },
    byUuid(uuid: string): Project | null {
      const r = s.byUuid.get(uuid) as ProjectRow | undefined;
      return r ? toProject(r) : null;
    },
    byId(id: number): Project | null {
      const r = s.byId.get(id) as ProjectRow | undefined;
      return r ? toProject(r) : null;
    },
    all(): Project[] { return (s.all.all() as unknown as ProjectRow[]).map(toProject); },
    ofUser(userId: number): Array<Project & { role: Role }> {
      return (s.ofUser.all(userId) as unknown as Array<ProjectRow & { role: Role }>).map((r) => ({ ...toProject(r), role: r.role }));
    },
    update(id: number, title: string, description: string): void { s.update.run(title, description, id); },
    remove(id: number): void { s.remove.run(id); revision.bump(); },
    roleOf(projectId: number, userId: number): Role | null {
      return ((s.role.get(projectId, userId) as { role: Role } | undefined)?.role) ?? null;
    },
    setRole(projectId: number, userId: number, role: Role): void { s.upsertMember.run(projectId, userId, role); revision.bump(); },
    removeMember(projectId: number, userId: number): boolean {
      const gone = Number(s.removeMember.run(projectId, userId).changes) > 0;
      if (gone) revision.bump();
      return gone;
    },
    members(projectId: number): Membership[] {
      return (s.members.all(projectId) as Array<Record<string, unknown>>).map((r) => ({
        projectId: r.project_id as number, userId: r.user_id as number, role: r.role as Role, username: r.username as string,
      }));
    },
    ownerCount(projectId: number): number { return (s.ownerCount.get(projectId) as { n: number }).n; },
  };
}
