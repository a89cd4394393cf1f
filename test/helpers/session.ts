/**
 * session.ts (test helper): a browser-like session for UI tests over HTTP: trades an API token for
 * the session cookie (POST /api/session) and sends forms with the CSRF token.
 */
import type { TestGateway } from './gateway.ts';

/** Session is a logged-in cookie with its CSRF token and request helpers. */
export interface Session {
  cookie: string;
  csrf: string;
  get(path: string, headers?: Record<string, string>): Promise<{ status: number; text: string; headers: Headers }>;
  post(path: string, form: Record<string, string>, opts?: { csrf?: boolean; headers?: Record<string, string> }): Promise<{ status: number; text: string; headers: Headers }>;
}

/** login opens a session for the owner of `token`. */
export async function login(gw: TestGateway, token: string): Promise<Session> {
  const res = await fetch(`${gw.base}/api/session`, { method: 'POST', headers: { authorization: `token ${token}` } });
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
  const { csrf_token: csrf } = await res.json() as { csrf_token: string };
  const send = async (method: string, path: string, body: string | undefined, headers: Record<string, string>) => {
    const r = await fetch(gw.base + path, { method, headers: { cookie, accept: 'text/html', ...headers }, body, redirect: 'manual' });
    return { status: r.status, text: await r.text(), headers: r.headers };
  };
  return {
    cookie,
    csrf,
    get: (path, headers = {}) => send('GET', path, undefined, headers),
    post: (path, form, opts = {}) => {
      const body = new URLSearchParams({ ...(opts.csrf === false ? {} : { csrf_token: csrf }), ...form }).toString();
      return send('POST', path, body, { 'content-type': 'application/x-www-form-urlencoded', ...(opts.headers ?? {}) });
    },
  };
}
