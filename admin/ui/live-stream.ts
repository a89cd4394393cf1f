/**
 * live-stream.ts: the server-sent-event streams that keep pages live, fed by the core Bus and
 * filtered to what the user may see: a project's container rows, one container's status, log and
 * pull progress, and (admins) every container row. A reconnecting browser sends its cursor
 * (Last-Event-ID) and gets what it missed; when that cannot be replayed it is told to reload the view.
 */
import type { IncomingMessage } from 'node:http';
import { can } from '../../gateway/core/auth/roles.ts';
import type { Caller } from '../../gateway/core/auth/authenticate.ts';
import { PorticoError } from '../../gateway/core/errors.ts';
import type { BusEvents } from '../../gateway/core/events.ts';
import type { Ctx } from '../../gateway/http/router.ts';
import type { UiDeps } from './pages.ts';
import { openSse } from './sse.ts';
import type { Sse } from './sse.ts';
import { formatCursor, parseCursor } from './live-hub.ts';
import type { Cursor, StateChange } from './live-hub.ts';
import { renderFragments } from './live-fragments.ts';
import type { FragmentView, LiveViewer } from './live-fragments.ts';
import { logLineView } from './container-detail.ts';

const SESSION_CHECK_MS = 30_000;

function streamCaller(d: UiDeps, req: IncomingMessage): Caller {
  const caller = d.svc.auth.authenticate(req.headers);
  if (!caller) throw new PorticoError('E_UNAUTHENTICATED', 401, 'log in to follow live updates');
  return caller;
}

function cursorOf(ctx: Ctx): Cursor | null {
  const header = ctx.req.headers['last-event-id'];
  return parseCursor(typeof header === 'string' ? header : null) ?? parseCursor(ctx.url.searchParams.get('since'));
}

/** watchSession ends the stream once its login ends (logout, expiry, deactivation). */
function watchSession(d: UiDeps, req: IncomingMessage, sse: Sse): void {
  const timer = setInterval(() => { if (!d.svc.auth.authenticate(req.headers)) sse.close(); }, SESSION_CHECK_MS);
  timer.unref();
  sse.onClose(() => clearInterval(timer));
}

/** latestPerContainer keeps the last change of each container (a replay renders each row once). */
function latestPerContainer(changes: StateChange[]): StateChange[] {
  const byId = new Map<number, StateChange>();
  for (const c of changes) byId.set(c.containerId, c);
  return [...byId.values()].sort((a, b) => a.seq - b.seq);
}

/**
 * followRows streams row fragments for the state changes `wants` accepts; `viewerFor` returns the
 * viewer for a project (null: the caller lost access, the stream ends).
 */
function followRows(d: UiDeps, ctx: Ctx, view: FragmentView, wants: (e: StateChange) => boolean,
  viewerFor: (projectId: number) => LiveViewer | null): void {
  const cursor = cursorOf(ctx);
  const sse = openSse(ctx.req, ctx.res);
  watchSession(d, ctx.req, sse);
  const send = (e: StateChange) => {
    const viewer = viewerFor(e.projectId);
    if (!viewer) { sse.close(); return; }
    const frags = renderFragments(d, e.uuid, d.svc.store.containers.byId(e.containerId), view, viewer, false);
    sse.send('fragments', frags, formatCursor({ epoch: d.hub.epoch, seq: e.seq, logId: 0 }));
  };
  if (cursor) {
    const missed = d.hub.since(cursor);
    if (missed === null) sse.send('resync', {}, formatCursor(d.hub.cursor()));
    else for (const e of latestPerContainer(missed.filter(wants))) send(e);
  }
  sse.onClose(d.hub.subscribe((e) => { if (wants(e)) send(e); }));
}

/** registerLiveStreams adds the event-stream endpoints. */
export function registerLiveStreams(d: UiDeps): void {
  const { svc } = d;

  d.on('GET', '/projects/:project/events', (ctx) => {
    const caller = streamCaller(d, ctx.req);
    const pa = svc.access.project(caller.user, ctx.params.project, 'container.view');
    const csrf = caller.session?.csrf ?? '';
    followRows(d, ctx, 'row', (e) => e.projectId === pa.project.id, (projectId) => {
      const role = svc.store.projects.roleOf(projectId, caller.user.id);
      return caller.user.isAdmin || role ? { isAdmin: caller.user.isAdmin, role, csrf } : null;
    });
  });

  d.on('GET', '/siteadmin/events', (ctx) => {
    const caller = streamCaller(d, ctx.req);
    if (!caller.user.isAdmin) throw new PorticoError('E_FORBIDDEN', 403, 'only site admins may follow all containers');
    const csrf = caller.session?.csrf ?? '';
    followRows(d, ctx, 'arow', () => true, () => ({ isAdmin: true, role: null, csrf }));
  });

  d.on('GET', '/containers/:container/events', (ctx) => {
    const caller = streamCaller(d, ctx.req);
    const { container: c, role } = svc.access.container(caller.user, ctx.params.container, 'container.view');
    const logs = can(caller.user.isAdmin, role, 'container.logs');
    const cursor = cursorOf(ctx);
    const sse = openSse(ctx.req, ctx.res);
    watchSession(d, ctx.req, sse);
    let pos: Cursor = cursor && cursor.epoch === d.hub.epoch ? cursor : { ...d.hub.cursor(), logId: cursor?.logId ?? 0 };

    const sendState = () => {
      const r = svc.access.containerRole(c, caller.user.id);
      if (!caller.user.isAdmin && !r) { sse.close(); return; }
      const fresh = svc.store.containers.byId(c.id);
      sse.send('fragments', renderFragments(d, c.uuid, fresh, 'detail', { isAdmin: caller.user.isAdmin, role: r, csrf: caller.session?.csrf ?? '' }, false), formatCursor(pos));
      if (!fresh || fresh.state === 'deleted') { sse.send('end', {}); sse.close(); }
    };
    const sendLog = (e: Pick<BusEvents['log'][0], 'id' | 'date' | 'level' | 'user' | 'process' | 'text'>) => {
      pos = { ...pos, logId: Math.max(pos.logId, e.id) };
      sse.send('log', { key: c.uuid, html: d.ui.render('partials/log-line', { ...logLineView(e) }) }, formatCursor(pos));
    };

    if (cursor) {
      const missed = d.hub.since(cursor);
      if (missed === null || missed.some((e) => e.containerId === c.id)) { pos = { ...pos, seq: d.hub.cursor().seq }; sendState(); }
      // Only the newest lines matter: the page shows at most its chosen count.
      if (logs) for (const e of svc.store.logs.tail(c.id, svc.config.logLinesMax)) if (e.id > cursor.logId) sendLog(e);
    }
    if (sse.closed) return;
    sse.onClose(d.hub.subscribe((e) => {
      if (e.containerId !== c.id) return;
      pos = { ...pos, seq: e.seq };
      sendState();
    }));
    if (logs) {
      const onLog = (e: BusEvents['log'][0]) => { if (e.containerId === c.id) sendLog(e); };
      svc.bus.on('log', onLog);
      sse.onClose(() => svc.bus.off('log', onLog));
    }
    const onProgress = (e: BusEvents['progress'][0]) => {
      if (e.containerId === c.id) sse.send('progress', { key: c.uuid, percent: e.percent, status: e.status });
    };
    svc.bus.on('progress', onProgress);
    sse.onClose(() => svc.bus.off('progress', onProgress));
  });
}
