/**
 * container-log-view.ts: the search, level filter and download of a container's log. The detail
 * page shows the newest matching lines (`?q=&level=&lines=`); GET /containers/<uuid>/log.txt and
 * /log.jsonl download every stored line that matches, oldest first, read from the store in pages.
 */
import type { ServerResponse } from 'node:http';
import { badRequest } from '../../gateway/core/errors.ts';
import { formatLogLine } from '../../gateway/core/containers/container-log.ts';
import { LOG_LEVELS } from '../../gateway/core/store/logs.ts';
import type { LogFilter } from '../../gateway/core/store/logs.ts';
import type { LogLevel } from '../../gateway/core/types.ts';
import { contentDisposition } from '../api/files.ts';
import type { Ctx } from '../../gateway/http/router.ts';
import type { UiDeps } from './pages.ts';
import { requirePageUser } from './pages.ts';

const MAX_QUERY = 200;
const PAGE = 1000;

/** logFilter reads `q` and `level` from a URL; a level that is none of LOG_LEVELS is a 400. */
export function logFilter(url: URL): LogFilter {
  const q = (url.searchParams.get('q') ?? '').trim();
  if (q.length > MAX_QUERY) throw badRequest(`q: at most ${MAX_QUERY} characters`);
  const level = (url.searchParams.get('level') ?? '').toUpperCase() || 'DEBUG';
  if (!(LOG_LEVELS as readonly string[]).includes(level)) throw badRequest(`level must be one of ${LOG_LEVELS.join(', ')}`);
  return { q, minLevel: level as LogLevel };
}

/** filterActive tells whether `f` hides any line. */
export function filterActive(f: LogFilter): boolean {
  return f.q !== '' || f.minLevel !== 'DEBUG';
}

/** LEVEL_OPTIONS are the level filter's choices, as the log card's select shows them. */
export const LEVEL_OPTIONS = [
  { value: 'DEBUG', label: 'All levels' }, { value: 'INFO', label: 'INFO and above' },
  { value: 'WARNING', label: 'WARNING and above (app stderr)' }, { value: 'ERROR', label: 'ERROR only' },
];

function waitDrain(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => { res.off('drain', done); res.off('close', done); resolve(); };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** registerContainerLog adds the log downloads (same roles as the detail page). */
export function registerContainerLog(d: UiDeps): void {
  const { svc } = d;
  const download = (format: 'text' | 'jsonl') => async (ctx: Ctx) => {
    const caller = requirePageUser(svc, ctx.req, ctx.res);
    const { container: c } = svc.access.container(caller.user, ctx.params.container, 'container.view');
    const f = logFilter(ctx.url);
    const stamp = new Date().toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
    const res = ctx.res;
    res.writeHead(200, {
      'content-type': format === 'text' ? 'text/plain; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
      'content-disposition': contentDisposition(`${c.title}-log-${stamp}.${format === 'text' ? 'txt' : 'jsonl'}`),
      'x-content-type-options': 'nosniff',
      'cache-control': 'private, no-store',
    });
    let after = 0;
    for (;;) {
      if (res.destroyed) return;
      const page = svc.store.logs.afterFiltered(c.id, after, f, PAGE);
      if (!page.length) break;
      const body = page.map((e) => (format === 'text' ? formatLogLine(e)
        : JSON.stringify({ date: e.date, level: e.level, user: e.user || null, process: e.process, text: e.text }))).join('\n') + '\n';
      after = page[page.length - 1].id;
      if (!res.write(body)) await waitDrain(res);
      if (page.length < PAGE) break;
    }
    res.end();
  };
  d.on('GET', '/containers/:container/log.txt', download('text'));
  d.on('GET', '/containers/:container/log.jsonl', download('jsonl'));
}
