/**
 * router.ts: a small method + path router with `:param` segments. Routes are matched segment by
 * segment; a path that matches with another method answers 405.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Ctx is one request as handlers see it. */
export interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: Record<string, string>;
}

/** Handler handles one request; it may be async. */
export type Handler = (ctx: Ctx) => unknown;

interface Route { method: string; path: string; parts: string[]; handler: Handler }

/** RouteInfo names one registered route: its method and its path pattern as registered (`:param` segments). */
export interface RouteInfo { method: string; path: string }

/** Router collects routes and finds the handler for a request. */
export class Router {
  private readonly routes: Route[] = [];
  private fallbackHandler: Handler | null = null;

  /** fallback sets the handler for paths no route matches (the UI renders an HTML 404 for browsers). */
  fallback(handler: Handler): this {
    this.fallbackHandler = handler;
    return this;
  }

  /** notFound is the fallback handler, if one was set. */
  get notFound(): Handler | null {
    return this.fallbackHandler;
  }

  /** on registers a handler; `path` segments starting with ':' are parameters. */
  on(method: string | string[], path: string, handler: Handler): this {
    const parts = path.split('/').filter(Boolean);
    for (const m of Array.isArray(method) ? method : [method]) this.routes.push({ method: m, path, parts, handler });
    return this;
  }

  /** list returns every registered route in registration order (the OpenAPI test compares them with the document). */
  list(): RouteInfo[] {
    return this.routes.map((r) => ({ method: r.method, path: r.path }));
  }

  /** match returns the handler and params, 'method' when only the method is wrong, or null. */
  match(method: string, pathname: string): { handler: Handler; params: Record<string, string> } | 'method' | null {
    const segs = pathname.split('/').filter(Boolean);
    let wrongMethod = false;
    for (const r of this.routes) {
      if (r.parts.length !== segs.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < segs.length; i++) {
        const p = r.parts[i];
        if (p.startsWith(':')) {
          try { params[p.slice(1)] = decodeURIComponent(segs[i]); } catch { ok = false; break; }
        } else if (p !== segs[i]) { ok = false; break; }
      }
      if (!ok) continue;
      if (r.method !== method && !(r.method === 'GET' && method === 'HEAD')) { wrongMethod = true; continue; }
      return { handler: r.handler, params };
    }
    return wrongMethod ? 'method' : null;
  }
}
