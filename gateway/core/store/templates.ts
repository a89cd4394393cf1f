/**
 * templates.ts: SQL for container templates. A template's container fields are one JSON column
 * (the template service reads it over the defaults, so fields added later need no migration).
 */
import { randomUUID } from 'node:crypto';
import type { Db } from './db.ts';
import { nowIso } from './db.ts';
import { orNull, rowMapper, type Row } from './rows.ts';
import type { ContainerTemplate, TemplateSettings } from '../types.ts';

const SELECT = `SELECT t.*, p.uuid AS project_uuid, p.title AS project_title
  FROM templates t LEFT JOIN projects p ON p.id = t.project_id`;

/** TemplateStore is every query on templates. */
export type TemplateStore = ReturnType<typeof createTemplateStore>;

/** createTemplateStore prepares the template statements once. */
export function createTemplateStore(db: Db) {
  const s = {
    insert: db.prepare(`INSERT INTO templates (uuid, project_id, title, settings, created_at, modified_at)
      VALUES (?, ?, ?, ?, ?, ?) RETURNING id`),
    update: db.prepare('UPDATE templates SET title = ?, settings = ?, modified_at = ? WHERE id = ?'),
    remove: db.prepare('DELETE FROM templates WHERE id = ?'),
    byUuid: db.prepare(`${SELECT} WHERE t.uuid = ?`),
    byId: db.prepare(`${SELECT} WHERE t.id = ?`),
    site: db.prepare(`${SELECT} WHERE t.project_id IS NULL ORDER BY t.title`),
    ofProject: db.prepare(`${SELECT} WHERE t.project_id = ? ORDER BY t.title`),
    ofProjects: db.prepare(`${SELECT} WHERE t.project_id IN (SELECT value FROM json_each(?)) ORDER BY p.title, t.title`),
    allProject: db.prepare(`${SELECT} WHERE t.project_id IS NOT NULL ORDER BY p.title, t.title`),
    // `IS` compares NULL with NULL, so one statement serves both scopes.
    titleTaken: db.prepare('SELECT 1 FROM templates WHERE project_id IS ? AND title = ? AND id != ?'),
    setHost: db.prepare('UPDATE templates SET host_id = ? WHERE id = ?'),
  };

  const { one, many } = rowMapper((r: Row): ContainerTemplate => ({
    id: r.id as number,
    uuid: r.uuid as string,
    projectId: orNull<number>(r.project_id),
    projectUuid: orNull<string>(r.project_uuid),
    projectTitle: orNull<string>(r.project_title),
    title: r.title as string,
    settings: { dataPath: '', ...JSON.parse(r.settings as string) } as TemplateSettings, // data_path came later (migration 3)
    hostId: orNull<number>(r.host_id),
    createdAt: r.created_at as string,
    modifiedAt: r.modified_at as string,
  }));

  return {
    /** setHost names the container host of a template's containers (null: the default). */
    setHost(id: number, hostId: number | null): void { s.setHost.run(hostId, id); },
    create(projectId: number | null, title: string, settings: TemplateSettings): ContainerTemplate {
      const now = nowIso();
      const { id } = s.insert.get(randomUUID(), projectId, title, JSON.stringify(settings), now, now) as { id: number };
      return one(s.byId.get(id))!;
    },
    update(id: number, title: string, settings: TemplateSettings): void {
      s.update.run(title, JSON.stringify(settings), nowIso(), id);
    },
    remove(id: number): void { s.remove.run(id); },
    byUuid: (uuid: string): ContainerTemplate | null => one(s.byUuid.get(uuid)),
    byId: (id: number): ContainerTemplate | null => one(s.byId.get(id)),
    site(): ContainerTemplate[] { return many(s.site.all()); },
    ofProject(projectId: number): ContainerTemplate[] { return many(s.ofProject.all(projectId)); },
    ofProjects(projectIds: number[]): ContainerTemplate[] { return many(s.ofProjects.all(JSON.stringify(projectIds))); },
    allProject(): ContainerTemplate[] { return many(s.allProject.all()); },
    titleTaken(projectId: number | null, title: string, exceptId = -1): boolean {
      return s.titleTaken.get(projectId, title, exceptId) !== undefined;
    },
  };
}
