/**
 * paging.ts: the page shape of Kiosc's list endpoints (Django REST framework's page-number
 * pagination: count, next, previous, results) for lists held in memory. The default page size is
 * SODAR_API_PAGE_SIZE (config.apiPageSize), as in Kiosc; page_size asks for another, up to a cap.
 */
import type { Config } from '../../gateway/core/config.ts';
import { PorticoError, badRequest } from '../../gateway/core/errors.ts';
import type { Ctx } from '../../gateway/http/router.ts';

/** MAX_PAGE_SIZE caps page_size (or the configured page size, when that is larger). */
export const MAX_PAGE_SIZE = 1000;

function positiveInt(raw: string | null, name: string, fallback: number, max: number): number {
  if (raw === null || raw === '') return fallback;
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < 1) throw badRequest(`${name} must be a positive whole number`);
  return Math.min(Number(raw), max);
}

function pageUrl(ctx: Ctx, page: number): string {
  const u = new URL(ctx.url.pathname + ctx.url.search, `http://${ctx.req.headers.host ?? 'localhost'}`);
  u.searchParams.set('page', String(page));
  return u.toString();
}

/** pageOf returns one page of `list` for the request's page and page_size, in the list shape; 404 past the last page. */
export function pageOf<T>(ctx: Ctx, config: Pick<Config, 'apiPageSize'>, list: readonly T[]): { count: number; next: string | null; previous: string | null; results: T[] } {
  const page = positiveInt(ctx.url.searchParams.get('page'), 'page', 1, 1_000_000);
  const size = positiveInt(ctx.url.searchParams.get('page_size'), 'page_size', config.apiPageSize, Math.max(MAX_PAGE_SIZE, config.apiPageSize));
  const results = list.slice((page - 1) * size, page * size);
  if (page > 1 && results.length === 0) throw new PorticoError('E_NOT_FOUND', 404, 'invalid page');
  return {
    count: list.length,
    next: page * size < list.length ? pageUrl(ctx, page + 1) : null,
    previous: page > 1 ? pageUrl(ctx, page - 1) : null,
    results,
  };
}
