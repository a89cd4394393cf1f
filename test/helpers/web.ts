/**
 * web.ts (test helper): a tiny cookie-keeping HTTP client that talks to the UI the way a browser
 * does (forms, redirects not followed, cookies kept per name), and a login through the real form.
 */

/** WebClient keeps cookies between requests to one gateway. */
export interface WebClient {
  cookies: Map<string, string>;
  /** request sends `method path` with the jar's cookies and stores Set-Cookie answers. */
  request(method: string, path: string, opts?: { form?: Record<string, string>; headers?: Record<string, string> }): Promise<{ status: number; text: string; headers: Headers }>;
  /** login fetches the login form and posts it; returns the POST's answer. */
  login(username: string, password: string, next?: string): Promise<{ status: number; text: string; headers: Headers }>;
  /** csrf returns the CSRF token on the page at `path` (layout meta tag). */
  csrf(path?: string): Promise<string>;
}

/** formField returns the value of the hidden input `name` in `html`. */
export function formField(html: string, name: string): string | null {
  const m = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  return m ? m[1].replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'") : null;
}

/** createWebClient returns a client for the gateway at `base`. */
export function createWebClient(base: string): WebClient {
  const cookies = new Map<string, string>();
  const client: WebClient = {
    cookies,
    async request(method, path, opts = {}) {
      const headers: Record<string, string> = { ...opts.headers };
      if (cookies.size) headers.cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      let body: string | undefined;
      if (opts.form) {
        body = new URLSearchParams(opts.form).toString();
        headers['content-type'] = 'application/x-www-form-urlencoded';
      }
      const res = await fetch(base + path, { method, headers, body, redirect: 'manual' });
      for (const c of res.headers.getSetCookie()) {
        const [pair, ...attrs] = c.split(';');
        const i = pair.indexOf('=');
        const name = pair.slice(0, i).trim();
        const value = pair.slice(i + 1).trim();
        if (attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === '') cookies.delete(name);
        else cookies.set(name, value);
      }
      return { status: res.status, text: await res.text(), headers: res.headers };
    },
    async login(username, password, next) {
      const page = await client.request('GET', '/login' + (next ? `?next=${encodeURIComponent(next)}` : ''));
      const token = formField(page.text, 'csrf_token') ?? '';
      return client.request('POST', '/login', { form: { csrf_token: token, next: formField(page.text, 'next') ?? '/', username, password } });
    },
    async csrf(path = '/tokens') {
      const page = await client.request('GET', path);
      const m = /<meta name="csrf-token" content="([^"]*)">/.exec(page.text);
      return m ? m[1] : '';
    },
  };
  return client;
}
