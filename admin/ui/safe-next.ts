/**
 * safe-next.ts: where to send the browser after login. Only a same-origin relative path is
 * accepted; anything that a browser could read as another origin (`//host`, `/\host`,
 * `https:…`, control characters) falls back to `/`, so the login page is no open redirect.
 */

const BASE = 'http://portico.invalid';

/** safeNext returns `raw` normalised when it is a same-origin path, otherwise `/`. */
export function safeNext(raw: unknown): string {
  if (typeof raw !== 'string' || raw.length > 2048 || !raw.startsWith('/')) return '/';
  // Browsers treat `\` like `/`, and strip tabs and newlines, so `/\evil` and `/\t/evil` are `//evil`.
  if (/[\\\x00-\x1f\x7f]/.test(raw) || raw.startsWith('//')) return '/';
  let url: URL;
  try { url = new URL(raw, BASE); } catch { return '/'; }
  if (url.origin !== BASE) return '/';
  const out = url.pathname + url.search + url.hash;
  // Normalising can turn `/.//evil` into `//evil`; check the result again.
  if (out.startsWith('//') || url.pathname === '/login' || url.pathname === '/logout') return '/';
  return out;
}
