/**
 * audit.ts: SQL for the audit trail (audit_events, migrations 11 and 17): appended in batches,
 * read newest first with filters and paging, pruned by age. Actors and objects are kept as text, so
 * the trail still reads after the user or the object is gone.
 */
import type { Db } from './db.ts';

/** AuditEvent is one recorded action. */
export interface AuditEvent {
  id: number;
  at: string;
  actor: string;
  actorUserId: number | null;
  action: string;
  objectType: string;
  objectUuid: string;
  objectTitle: string;
  projectId: number | null;
  containerId: number | null;
  ownerUserId: number | null;
  detail: Record<string, unknown>;
}

/** AuditInsert is an event before it is stored. */
export type AuditInsert = Omit<AuditEvent, 'id'>;

/** AuditQuery narrows a listing; `viewer` null sees everything (a site admin), else only what that user may read. */
export interface AuditQuery {
  viewer: number | null;
  actor?: string;
  /** action matches exactly, or as a prefix when it ends with '.' (e.g. "share."). */
  action?: string;
  objectType?: string;
  projectId?: number;
  containerId?: number;
  since?: string;
  until?: string;
  limit: number;
  offset: number;
}

type Row = Record<string, unknown>;

function toEvent(r: Row): AuditEvent {
  let detail: Record<string, unknown> = {};
  try { detail = JSON.parse(r.detail as string) as Record<string, unknown>; } catch { /* a row written by hand: shown without detail */ }
  return {
    id: r.id as number, at: r.at as string, actor: r.actor as string, actorUserId: (r.actor_user_id as number | null) ?? null,
    action: r.action as string, objectType: r.object_type as string, objectUuid: r.object_uuid as string, objectTitle: r.object_title as string,
    projectId: (r.project_id as number | null) ?? null, containerId: (r.container_id as number | null) ?? null,
    ownerUserId: (r.owner_user_id as number | null) ?? null, detail,
  };
}

// A project owner reads the events of their projects; an instance owner those of their instances.
const WHERE = `WHERE (?1 IS NULL
    OR project_id IN (SELECT project_id FROM memberships WHERE user_id = ?1 AND role = 'owner')
    OR owner_user_id = ?1)
  AND (?2 IS NULL OR actor = ?2)
  AND (?3 IS NULL OR action = ?3 OR (substr(?3, -1) = '.' AND substr(action, 1, length(?3)) = ?3))
  AND (?4 IS NULL OR object_type = ?4)
  AND (?5 IS NULL OR project_id = ?5)
  AND (?6 IS NULL OR container_id = ?6)
  AND (?7 IS NULL OR at >= ?7)
  AND (?8 IS NULL OR at < ?8)`;

/** AuditStore is every query on the audit trail. */
export type AuditStore = ReturnType<typeof createAuditStore>;

/** createAuditStore prepares the audit statements once. */
export function createAuditStore(db: Db) {
  const s = {
    insert: db.prepare(`INSERT INTO audit_events (at, actor, actor_user_id, action, object_type, object_uuid, object_title, project_id, container_id, owner_user_id, detail)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    list: db.prepare(`SELECT * FROM audit_events ${WHERE} ORDER BY at DESC, id DESC LIMIT ?9 OFFSET ?10`),
    count: db.prepare(`SELECT COUNT(*) AS n FROM audit_events ${WHERE}`),
    prune: db.prepare('DELETE FROM audit_events WHERE at < ?'),
  };
  function args(q: AuditQuery): Array<string | number | null> {
    return [q.viewer, q.actor ?? null, q.action ?? null, q.objectType ?? null, q.projectId ?? null, q.containerId ?? null, q.since ?? null, q.until ?? null];
  }
  return {
    /** insertMany appends events in one transaction (the caller batches). */
    insertMany(events: readonly AuditInsert[]): void {
      if (!events.length) return;
      const run = () => {
        for (const e of events) {
          s.insert.run(e.at, e.actor, e.actorUserId, e.action, e.objectType, e.objectUuid, e.objectTitle, e.projectId, e.containerId, e.ownerUserId, JSON.stringify(e.detail));
        }
      };
      if (db.isTransaction) { run(); return; }
      db.exec('BEGIN IMMEDIATE');
      try { run(); db.exec('COMMIT'); } catch (err) { if (db.isTransaction) db.exec('ROLLBACK'); throw err; }
    },
    /** list returns one page of events, newest first, and how many match in all. */
    list(q: AuditQuery): { total: number; events: AuditEvent[] } {
      const a = args(q);
      const total = (s.count.get(...a) as { n: number }).n;
      const events = (s.list.all(...a, q.limit, q.offset) as Row[]).map(toEvent);
      return { total, events };
    },
    /** prune deletes events older than `beforeIso`; returns how many went. */
    prune(beforeIso: string): number { return Number(s.prune.run(beforeIso).changes); },
  };
}
