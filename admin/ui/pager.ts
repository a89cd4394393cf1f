/**
 * pager.ts: page numbers from the query string and the links of a paginated list, keeping the
 * other query parameters (search, filters) as they are.
 */

/** Pager is what templates/partials/pagination.eta shows. */
export interface Pager {
  page: number;
  pages: number;
  count: number;
  from: number;
  to: number;
  prev: string | null;
  next: string | null;
  first: string | null;
  last: string | null;
}

/** pageParam reads `?page=` (1 when missing or malformed: a list page never fails on it). */
export function pageParam(url: URL): number {
  const raw = url.searchParams.get('page') ?? '';
  return /^\d{1,7}$/.test(raw) && Number(raw) >= 1 ? Number(raw) : 1;
}

/** pager builds the links for `count` items shown `size` per page, `page` being the current one. */
export function pager(url: URL, page: number, size: number, count: number): Pager {
  const pages = Math.max(1, Math.ceil(count / size));
  const link = (n: number) => {
    const params = new URLSearchParams(url.searchParams);
    params.delete('done');
    if (n === 1) params.delete('page');
    else params.set('page', String(n));
    const q = params.toString();
    return url.pathname + (q ? `?${q}` : '');
  };
  return {
    page, pages, count,
    from: count ? (page - 1) * size + 1 : 0,
    to: Math.min(count, page * size),
    prev: page > 1 ? link(Math.min(page - 1, pages)) : null,
    next: page < pages ? link(page + 1) : null,
    first: page > 2 ? link(1) : null,
    last: page < pages - 1 ? link(pages) : null,
  };
}
