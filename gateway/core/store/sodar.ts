/**
 * sodar.ts: SQL for the marks the SODAR sync leaves: which projects a source site owns (with the
 * access level it last granted) and which users it created or adopted.
 */
import type { Db } from './db.ts';
import { nowIso } from './db.ts';

/** SyncedProject is the mark on a project that a SODAR source site owns. */
export interface SyncedProject { projectId: number; sourceUrl: string; level: string; syncedAt: string }

interface Row { project_id: number; source_url: string; level: string; synced_at: string }
const toSynced = (r: Row): SyncedProject => ({ projectId: r.project_id, sourceUrl: r.source_url, level: r.level, syncedAt: r.synced_at });

/** SodarStore reads and writes the sync marks. */
export type SodarStore = ReturnType<typeof createSodarStore>;

/** createSodarStore prepares the sync-mark statements once. */
export function createSodarStore(db: Db) {
  const s = {
    mark: db.prepare(`INSERT INTO sodar_projects (project_id, source_url, level, synced_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (project_id) DO UPDATE SET source_url = excluded.source_url, level = excluded.level, synced_at = excluded.synced_at`),
    project: db.prepare('SELECT * FROM sodar_projects WHERE project_id = ?'),
    projects: db.prepare('SELECT * FROM sodar_projects ORDER BY project_id'),
    markUser: db.prepare('INSERT INTO sodar_users (user_id, synced_at) VALUES (?, ?) ON CONFLICT (user_id) DO UPDATE SET synced_at = excluded.synced_at'),
    user: db.prepare('SELECT 1 AS y FROM sodar_users WHERE user_id = ?'),
  };
  return {
    markProject(projectId: number, sourceUrl: string, level: string): void { s.mark.run(projectId, sourceUrl, level, nowIso()); },
    /** syncedProject returns the mark when a SODAR source owns the project, else null. */
    syncedProject(projectId: number): SyncedProject | null {
      const r = s.project.get(projectId) as Row | undefined;
      return r ? toSynced(r) : null;
    },
    syncedProjects(): SyncedProject[] { return (s.projects.all() as unknown as Row[]).map(toSynced); },
    markUser(userId: number): void { s.markUser.run(userId, nowIso()); },
    isSyncedUser(userId: number): boolean { return s.user.get(userId) !== undefined; },
  };
}
