/**
 * container-detail.ts: one container (Kiosc 1.6.3): every field (secrets masked), the state with
 * the bell, last action with retries, Docker ids, and the merged log with a line-count choice.
 * State, log lines and pull progress stream in over SSE (live-stream.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Caller } from '../../gateway/core/auth/authenticate.ts';
import { NotFoundError } from '../../gateway/core/errors.ts';
import type { Container, LogEntry, Role } from '../../gateway/core/types.ts';
import type { Flash, UiDeps } from './pages.ts';
import { doneFlash, pageData, requirePageUser } from './pages.ts';
import { containerShell } from './projects.ts';
import { detailView, fmtDate } from './container-view.ts';
import { formatCursor } from './live-hub.ts';
import { hasStats, STATS_POLL_SECONDS, uptimeViews } from './container-stats.ts';
import { movedPermanently } from './kiosc-redirects.ts';
import { isUuid } from '../../gateway/core/auth/access.ts';
import { siteUrl } from './site-url.ts';
import { publicPrefix } from '../../gateway/core/containers/spec.ts';
import { filterActive, LEVEL_OPTIONS, logFilter } from './container-log-view.ts';

/** LogLineView is one log line as templates/partials/log-line.eta shows it. */
export interface LogLineView { id: number; date: string; level: string; user: string; process: string; text: string }

/** logLineView formats a log entry (Kiosc's "[date LEVEL user] (Process) text"). */
export function logLineView(e: Pick<LogEntry, 'id' | 'date' | 'level' | 'user' | 'process' | 'text'>): LogLineView {
  return { id: e.id, date: fmtDate(e.date, true), level: e.level, user: e.user, process: e.process, text: e.text };
}

function lineOptions(def: number, max: number): number[] {
  return [...new Set([50, 100, 500, 1000, 5000, def])].filter((n) => n <= max).sort((a, b) => a - b);
}

/** renderDetail writes the detail page of `c` (also used to show an action's outcome without JavaScript). */
export function renderDetail(d: UiDeps, req: IncomingMessage, res: ServerResponse, url: URL, caller: Caller, c: Container, role: Role | null, flash?: Flash, status = 200): void {
  const { config, store, containers } = d.svc;
  const project = store.projects.byId(c.projectId);
  if (!project) throw new NotFoundError('E_CONTAINER_NOT_FOUND', 'container not found');
  const raw = url.searchParams.get('lines') ?? '';
  const lines = /^\d{1,7}$/.test(raw) && Number(raw) > 0 ? Math.min(Number(raw), config.logLinesMax) : config.logLinesDefault;
  const seq = d.hub.cursor();
  const filter = logFilter(url);
  const filtered = filterActive(filter);
  const entries = filtered ? store.logs.tailFiltered(c.id, lines, filter) : store.logs.tail(c.id, lines);
  const query = new URLSearchParams();
  if (filter.q) query.set('q', filter.q);
  if (filter.minLevel !== 'DEBUG') query.set('level', filter.minLevel);
  const since = formatCursor({ ...seq, logId: entries.length ? entries[entries.length - 1].id : 0 });
  // An archived project offers only what a guest gets: the server refuses the rest anyway.
  const viewer = project.archived ? { isAdmin: false, role: 'guest' as const, csrf: caller.session?.csrf ?? '' } : { isAdmin: caller.user.isAdmin, role, csrf: caller.session?.csrf ?? '' };
  d.ui.page(req, res, 'pages/container', pageData(caller, `${c.title} · Containers`, {
    ...containerShell({ project, role, user: caller.user }, 'containers'),
    c: detailView(c, viewer, containers.queue.busy(c.id)),
    log: entries.map(logLineView),
    lines,
    logFilter: { q: filter.q, level: filter.minLevel, active: filtered, levelOptions: LEVEL_OPTIONS, query: query.size ? `?${query}` : '' },
    lineOptions: lineOptions(config.logLinesDefault, config.logLinesMax),
    statsCard: { uuid: c.uuid, statsActive: hasStats(c), pollSeconds: STATS_POLL_SECONDS },
    uptime: uptimeViews(store, c.id),
    since,
    shareUrl: siteUrl(d.svc, req) + publicPrefix(c),
    shareLabel: project.kind === 'apps' ? 'Link to share (you and those you share the instance with open the app with it)' : 'Link to share (members of the project open the app with it)',
    flash: flash ?? doneFlash(url),
  }), status);
}

/**
 * kioscProjectList is where Kiosc's project container list, /containers/<project> (the same
 * shape as this page), went: Portico's list of that project, for a caller who may see it; null
 * when the uuid is no project's.
 */
function kioscProjectList(d: UiDeps, caller: Caller, uuid: string): string | null {
  const u = uuid.toLowerCase();
  if (!isUuid(u) || d.svc.store.containers.byUuid(u) || !d.svc.store.projects.byUuid(u)) return null;
  return `/projects/${d.svc.access.project(caller.user, u).project.uuid}/containers`;
}

/** registerContainerDetail adds GET /containers/:container (and answers Kiosc's /containers/<project>). */
export function registerContainerDetail(d: UiDeps): void {
  d.on('GET', '/containers/:container', (ctx) => {
    const caller = requirePageUser(d.svc, ctx.req, ctx.res);
    const kioscList = kioscProjectList(d, caller, ctx.params.container);
    if (kioscList) { movedPermanently(ctx.res, kioscList); return; }
    const { container, role } = d.svc.access.container(caller.user, ctx.params.container, 'container.view');
    renderDetail(d, ctx.req, ctx.res, ctx.url, caller, container, role);
  });
}
