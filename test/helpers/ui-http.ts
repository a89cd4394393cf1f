/**
 * ui-http.ts (test helper): talk to the UI as a browser does, without one: a session cookie with
 * its CSRF token, HTML GETs and form POSTs that do not follow redirects.
 */
import type { TestGateway } from './gateway.ts';

/** session trades a token for a cookie and CSRF token, as a logged-in browser holds them. */
export async function session(gw: TestGateway, token: string): Promise<{ cookie: string; csrf: string }> {
  const r = await gw.api('POST', '/api/session', token);
  return { cookie: (r.headers.get('set-cookie') ?? '').split(';')[0], csrf: r.body.csrf_token };
}

/** page GETs `path` as a browser would. */
export async function page(gw: TestGateway, path: string, cookie: string | null, headers: Record<string, string> = {}) {
  const res = await fetch(gw.base + path, { headers: { accept: 'text/html', ...(cookie ? { cookie } : {}), ...headers }, redirect: 'manual' });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** post sends a form as a browser would. */
export async function post(gw: TestGateway, path: string, cookie: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
  const res = await fetch(gw.base + path, {
    method: 'POST', redirect: 'manual', body: new URLSearchParams(fields).toString(),
    headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded', cookie, ...headers },
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

