/**
 * project-summary.ts: SQL for the home page's project cards: container counts per project and
 * state, and the running apps, in two statements whatever the number of projects.
 */
import type { Db } from './db.ts';

/** ProjectSummary is one card's numbers and its running apps (at most `perProject`). */
export interface ProjectSummary { total: number; running: number; apps: Array<{ uuid: string; title: string; containerPath: string }>; moreApps: number }

/** createProjectSummaryStore prepares the statements once. */
export function createProjectSummaryStore(db: Db) {
  const s = {
    counts: db.prepare(`SELECT project_id AS p, COUNT(*) AS n, SUM(state = 'running') AS r FROM containers
      WHERE project_id IN (SELECT value FROM json_each(?)) GROUP BY project_id`),
    running: db.prepare(`SELECT project_id AS p, uuid, title, container_path FROM (
        SELECT project_id, uuid, title, container_path, ROW_NUMBER() OVER (PARTITION BY project_id ORDER BY title) AS k FROM containers
        WHERE state = 'running' AND project_id IN (SELECT value FROM json_each(?))) WHERE k <= ?`),
  };
  return {
    /** of returns the summary of each project id (projects without containers get zeros). */
    of(projectIds: number[], perProject = 5): Map<number, ProjectSummary> {
      const out = new Map<number, ProjectSummary>();
      for (const id of projectIds) out.set(id, { total: 0, running: 0, apps: [], moreApps: 0 });
      if (projectIds.length === 0) return out;
      const ids = JSON.stringify(projectIds);
      for (const r of s.counts.all(ids) as Array<{ p: number; n: number; r: number }>) {
        const sum = out.get(r.p)!;
        sum.total = r.n;
        sum.running = r.r;
      }
      for (const r of s.running.all(ids, perProject) as Array<{ p: number; uuid: string; title: string; container_path: string | null }>) out.get(r.p)!.apps.push({ uuid: r.uuid, title: r.title, containerPath: r.container_path ?? '' });
      for (const sum of out.values()) sum.moreApps = Math.max(0, sum.running - sum.apps.length);
      return out;
    },
  };
}
