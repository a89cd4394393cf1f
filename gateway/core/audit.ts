/**
 * audit.ts: the audit trail — who did what, when — for the actions of admins and owners across
 * Portico (container actions and settings, memberships and roles, user administration, tokens,
 * shares). `record` never writes on the caller's stack: events are queued and written in one
 * transaction on the next turn of the event loop, so the proxy's hot path (a shared instance's
 * first open) costs an array push. A store that cannot save drops the batch with a warning instead
 * of failing the action that caused it. Reads flush first, so a page shows what was just done.
 * Events older than PORTICO_AUDIT_RETENTION_DAYS are pruned by the retention job.
 */
import type { Logger } from './log.ts';
import type { Store } from './store/index.ts';
import type { AuditEvent, AuditInsert, AuditQuery } from './store/audit.ts';
import type { Container, Project, User } from './types.ts';

/** AuditObject names what an action was done to. */
export interface AuditObject {
  type: 'container' | 'project' | 'user' | 'token' | 'share' | 'site';
  uuid?: string;
  title?: string;
  projectId?: number | null;
  containerId?: number | null;
  ownerUserId?: number | null;
}

/** AuditRecord is one action as a service reports it; `actor` is a username (or 'portico-cli', 'scheduler'). */
export interface AuditRecord {
  actor: string;
  action: string;
  object: AuditObject;
  detail?: Record<string, unknown>;
}

/** MAX_QUEUED bounds the events waiting for their write (a store that cannot save must not grow memory). */
const MAX_QUEUED = 10_000;

/** Audit records and reads the trail. */
export type Audit = ReturnType<typeof createAudit>;

/** containerObject is the audit object of a container (an instance carries its owner). */
export function containerObject(c: Pick<Container, 'id' | 'uuid' | 'title' | 'projectId'>, ownerUserId: number | null = null): AuditObject {
  return { type: 'container', uuid: c.uuid, title: c.title, projectId: c.projectId, containerId: c.id, ownerUserId };
}

/** projectObject is the audit object of a project. */
export function projectObject(p: Pick<Project, 'id' | 'uuid' | 'title'>): AuditObject {
  return { type: 'project', uuid: p.uuid, title: p.title, projectId: p.id };
}

/** userObject is the audit object of a user account. */
export function userObject(u: Pick<User, 'uuid' | 'username'>): AuditObject {
  return { type: 'user', uuid: u.uuid, title: u.username };
}

/** createAudit builds the trail over the store. */
export function createAudit(deps: { store: Store; logger: Logger }) {
  const { store, logger } = deps;
  let queue: AuditInsert[] = [];
  let scheduled = false;
  const ids = new Map<string, number | null>();

  function userId(name: string): number | null {
    let id = ids.get(name);
    if (id === undefined) {
      id = store.users.byUsername(name)?.id ?? null;
      if (ids.size > 1000) ids.clear();
      ids.set(name, id);
    }
    return id;
  }

  function flush(): void {
    scheduled = false;
    if (!queue.length) return;
    const batch = queue;
    queue = [];
    try {
      for (const e of batch) e.actorUserId ??= userId(e.actor);
      store.audit.insertMany(batch);
    } catch (err) {
      logger.warn('audit: events could not be written and are lost', { err, events: batch.length });
    }
  }

  // The owner of an instance, when the caller did not say (project containers have none).
  function ownerOf(o: AuditObject): number | null {
    if (o.ownerUserId !== undefined) return o.ownerUserId;
    if (o.containerId == null) return null;
    try { return store.shares.ownerOf(o.containerId); } catch { return null; }
  }

  return {
    /** record queues one event; it is written on the next turn of the event loop. */
    record(r: AuditRecord): void {
      if (queue.length >= MAX_QUEUED) return;
      const o = r.object;
      queue.push({
        at: new Date().toISOString(), actor: r.actor, actorUserId: null, action: r.action, objectType: o.type,
        objectUuid: o.uuid ?? '', objectTitle: o.title ?? '', projectId: o.projectId ?? null, containerId: o.containerId ?? null,
        ownerUserId: ownerOf(o), detail: r.detail ?? {},
      });
      if (!scheduled) { scheduled = true; setImmediate(flush); }
    },
    /** flush writes the queued events now (reads call it; so does shutdown). */
    flush,
    /** list returns one page of the events `q.viewer` may read, newest first. */
    list(q: AuditQuery): { total: number; events: AuditEvent[] } {
      flush();
      return store.audit.list(q);
    },
    /** prune drops events older than `days` days; returns how many went. */
    prune(days: number, now = Date.now()): number {
      flush();
      return store.audit.prune(new Date(now - days * 86_400_000).toISOString());
    },
  };
}
