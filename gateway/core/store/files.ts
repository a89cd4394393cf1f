/**
 * files.ts: SQL for small-file records (the bytes live on disk, named by UUID), and the lookups
 * the file server and the delete warning need.
 */
import type { Db } from './db.ts';
import { nowIso } from './db.ts';
import { rowMapper, type Row } from './rows.ts';
import type { StoredFile } from '../types.ts';

const SELECT = 'SELECT f.*, p.uuid AS project_uuid FROM files f JOIN projects p ON p.id = f.project_id';

const fileRows = rowMapper((r: Row): StoredFile => {
  return {
    id: r.id as number, uuid: r.uuid as string, projectId: r.project_id as number, projectUuid: r.project_uuid as string,
    name: r.name as string, size: r.size as number, sha256: r.sha256 as string, contentType: r.content_type as string,
    uploadedBy: r.uploaded_by as string, createdAt: r.created_at as string,
  };
});

/** NewFile is what an upload records once its bytes are on disk. */
export interface NewFile { uuid: string; name: string; size: number; sha256: string; contentType: string; uploadedBy: string }

/** FileStore is every query on small files. */
export type FileStore = ReturnType<typeof createFileStore>;

/** createFileStore prepares the file statements once. */
export function createFileStore(db: Db) {
  const s = {
    insert: db.prepare(`INSERT INTO files (uuid, project_id, name, size, sha256, content_type, uploaded_by, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
    byUuid: db.prepare(`${SELECT} WHERE f.uuid = ?`),
    byId: db.prepare(`${SELECT} WHERE f.id = ?`),
    nameTaken: db.prepare('SELECT 1 FROM files WHERE project_id = ? AND name = ?'),
    ofProject: db.prepare(`${SELECT} WHERE f.project_id = ? ORDER BY f.name`),
    remove: db.prepare('DELETE FROM files WHERE id = ?'),
    // instr() rather than LIKE: the reference holds '_' characters, which LIKE treats as wildcards.
    referencing: db.prepare(`SELECT uuid, title FROM containers
      WHERE project_id = ? AND (instr(command, ?) > 0 OR instr(environment, ?) > 0) ORDER BY title`),
    projectsAtIp: db.prepare('SELECT DISTINCT project_id FROM containers WHERE container_ip = ?'),
  };
  return {
    create(projectId: number, f: NewFile): StoredFile {
      const { id } = s.insert.get(f.uuid, projectId, f.name, f.size, f.sha256, f.contentType, f.uploadedBy, nowIso()) as { id: number };
      return fileRows.one(s.byId.get(id))!;
    },
    byUuid: (uuid: string): StoredFile | null => fileRows.one(s.byUuid.get(uuid)),
    nameTaken(projectId: number, name: string): boolean { return s.nameTaken.get(projectId, name) !== undefined; },
    ofProject: (projectId: number): StoredFile[] => fileRows.many(s.ofProject.all(projectId)),
    remove(id: number): boolean { return Number(s.remove.run(id).changes) > 0; },
    /** referencing lists the containers of `projectId` whose command or environment contains `reference`. */
    referencing(projectId: number, reference: string): Array<{ uuid: string; title: string }> {
      return s.referencing.all(projectId, reference, reference) as Array<{ uuid: string; title: string }>;
    },
    /** projectsAtIp lists the projects of the containers last seen at `ip` on the Portico network. */
    projectsAtIp(ip: string): number[] {
      return (s.projectsAtIp.all(ip) as Array<{ project_id: number }>).map((r) => r.project_id);
    },
  };
}
