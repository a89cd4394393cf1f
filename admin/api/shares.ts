/**
 * shares.ts: the REST API of session sharing and of the audit trail (docs/sharing.md). An
 * instance's owner lists, adds and revokes its shares (and sees who is connected now); every user
 * lists what is shared with them; the audit trail is read with filters and paging, each caller
 * seeing what they may (site admins everything, project owners their projects', instance owners
 * their instances').
 */
import { badRequest } from '../../gateway/core/errors.ts';
import type { Services } from '../../gateway/core/services.ts';
import type { Share } from '../../gateway/core/store/shares.ts';
import type { AuditEvent, AuditQuery } from '../../gateway/core/store/audit.ts';
import type { Connected } from '../../gateway/core/shares/live.ts';
import type { User } from '../../gateway/core/types.ts';
import { isUuid } from '../../gateway/core/auth/access.ts';
import { readJson } from '../../gateway/http/body.ts';
import { sendJson } from '../../gateway/http/respond.ts';
import type { Router } from '../../gateway/http/router.ts';
import { requireCaller } from './guard.ts';

/** serializeShare renders a share for the API. */
export function serializeShare(s: Share, connected?: Connected): Record<string, unknown> {
  const out: Record<string, unknown> = {
    container: s.containerUuid, title: s.containerTitle, owner: s.ownerUsername, user: s.username, mode: s.mode,
    created_by: s.createdBy, date_created: s.createdAt, state: s.state, link: `/containers/proxy/${s.containerUuid}/`,
  };
  if (connected !== undefined) out.connected = { http: connected.http, websocket: connected.ws };
  return out;
}

function serializeConnected(c: Connected): Record<string, unknown> {
  return { user: c.username, http: c.http, websocket: c.ws, since: c.since, last_seen: c.lastSeen };
}

/** serializeEvent renders an audit event for the API. */
export function serializeEvent(e: AuditEvent, names: { project(id: number): string | null; container(id: number): string | null }): Record<string, unknown> {
  return {
    id: e.id, at: e.at, actor: e.actor, action: e.action, object_type: e.objectType, object_uuid: e.objectUuid, object_title: e.objectTitle,
    project: e.projectId === null ? null : names.project(e.projectId), container: e.containerId === null ? null : names.container(e.containerId),
    detail: e.detail,
  };
}

const MAX_AUDIT_PAGE = 500;

function isoParam(raw: string | null, name: string): string | undefined {
  if (raw === null || raw === '') return undefined;
  const t = Date.parse(raw);
  if (!/^\d{4}-\d{2}-\d{2}/.test(raw) || !Number.isFinite(t)) throw badRequest(`${name} must be a date or time like 2026-12-01 or 2026-12-01T10:00:00Z`);
  return new Date(t).toISOString();
}

function intParam(raw: string | null, name: string, fallback: number, max: number): number {
  if (raw === null || raw === '') return fallback;
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < 1) throw badRequest(`${name} must be a positive whole number`);
  return Math.min(Number(raw), max);
}

/** auditQuery reads the audit filters from a query string; unknown project or container uuids match nothing. */
export function auditQuery(svc: Services, user: User, q: URLSearchParams, defaultSize = 50): { query: AuditQuery; page: number; size: number } {
  const page = intParam(q.get('page'), 'page', 1, 1_000_000);
  const size = intParam(q.get('page_size'), 'page_size', defaultSize, MAX_AUDIT_PAGE);
  const id = (raw: string | null, name: string, find: (u: string) => number | null): number | undefined => {
    if (raw === null || raw === '') return undefined;
    if (!isUuid(raw)) throw badRequest(`${name} must be a UUID`);
    return find(raw) ?? -1;
  };
  const text = (raw: string | null, name: string): string | undefined => {
    if (raw === null || raw === '') return undefined;
    if (raw.length > 200) throw badRequest(`${name} is too long (at most 200 characters)`);
    return raw;
  };
  return {
    page, size,
    query: {
      viewer: user.isAdmin ? null : user.id,
      actor: text(q.get('actor'), 'actor'), action: text(q.get('action'), 'action'), objectType: text(q.get('object_type'), 'object_type'),
      projectId: id(q.get('project'), 'project', (u) => svc.store.projects.byUuid(u)?.id ?? null),
      containerId: id(q.get('container'), 'container', (u) => svc.store.containers.byUuid(u)?.id ?? null),
      since: isoParam(q.get('since'), 'since'), until: isoParam(q.get('until'), 'until'),
      limit: size, offset: (page - 1) * size,
    },
  };
}

/** eventNames resolves the ids in events to uuids (null once the object is gone). */
export function eventNames(svc: Services): { project(id: number): string | null; container(id: number): string | null } {
  return {
    project: (id) => svc.store.projects.byId(id)?.uuid ?? null,
    container: (id) => svc.store.containers.byId(id)?.uuid ?? null,
  };
}

/** registerShareApi adds the share and audit endpoints. */
export function registerShareApi(router: Router, svc: Services): void {
  router.on('GET', '/api/shares', (ctx) => {
    const caller = requireCaller(svc, ctx.req);
    sendJson(ctx.res, 200, svc.shares.sharedWith(caller.user).map((s) => serializeShare(s)));
  });

  router.on('GET', '/api/instances/:container/shares', (ctx) => {
    const caller = requireCaller(svc, ctx.req);
    const { instance, shares, connected } = svc.shares.list(caller.user, ctx.params.container);
    const live = new Map(connected.map((c) => [c.userId, c]));
    sendJson(ctx.res, 200, {
      container: instance.container.uuid, title: instance.container.title, may_share: svc.shares.mayShare(instance.container),
      shares: shares.map((s) => serializeShare(s, live.get(s.userId) ?? { userId: s.userId, username: s.username, http: 0, ws: 0, since: '', lastSeen: '' })),
      connected: connected.map(serializeConnected),
    });
  });

  router.on('POST', '/api/instances/:container/shares', async (ctx) => {
    const caller = requireCaller(svc, ctx.req);
    const body = await readJson(ctx.req, svc.config.maxJsonBody);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('the body must be a JSON object {"user": NAME, "mode": "view"|"use"}');
    const b = body as Record<string, unknown>;
    const share = svc.shares.invite(caller.user, ctx.params.container, b.user, b.mode ?? 'view');
    sendJson(ctx.res, 201, serializeShare(share));
  });

  router.on('DELETE', '/api/instances/:container/shares/:user', (ctx) => {
    const caller = requireCaller(svc, ctx.req);
    const { cut } = svc.shares.revoke(caller.user, ctx.params.container, ctx.params.user);
    sendJson(ctx.res, 200, { revoked: ctx.params.user, connections_closed: cut });
  });

  router.on('GET', '/api/audit', (ctx) => {
    const caller = requireCaller(svc, ctx.req);
    const { query, page, size } = auditQuery(svc, caller.user, ctx.url.searchParams);
    const { total, events } = svc.audit.list(query);
    const names = eventNames(svc);
    sendJson(ctx.res, 200, { count: total, page, page_size: size, results: events.map((e) => serializeEvent(e, names)) });
  });
}
