/**
 * app.ts: createGateway builds the request and upgrade handlers from the services; it never listens.
 * The proxy path is checked first (the hot path); everything else goes through the router.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Services } from './core/services.ts';
import { NotFoundError, PorticoError } from './core/errors.ts';
import { Router } from './http/router.ts';
import { sendError, sendJson } from './http/respond.ts';
import { refusalAnswer } from './http/refusal.ts';

/** Surface is a part of the app (REST API, UI, …) that adds routes. */
export type Surface = (router: Router, svc: Services) => void;

/** ProxyHandler serves /containers/proxy/… (and every request to an app's own origin) for HTTP and WebSocket upgrades. */
export interface ProxyHandler {
  /** ownsHost: the Host names an app's origin, where the UI and the API are never served. */
  ownsHost?(host: string | undefined): boolean;
  handle(req: IncomingMessage, res: ServerResponse): void;
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
}

/** Gateway is what main.ts attaches to an http.Server. */
export interface Gateway {
  handleRequest(req: IncomingMessage, res: ServerResponse): void;
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  router: Router;
}

function hostHealth(svc: Services): Array<Record<string, unknown>> {
  return svc.hosts.all().map((h) => {
    const st = svc.hosts.status(h.id);
    return { name: h.name, url: h.url, builtin: h.builtin, default: h.isDefault, engine: st.up ? 'up' : 'down', ...(st.up ? {} : { reason: st.reason }), since: st.since };
  });
}

/** PROXY_PREFIX is the path every proxied app lives under. */
export const PROXY_PREFIX = '/containers/proxy/';

/** createGateway assembles the handlers from the services, the surfaces and the proxy. */
export function createGateway(svc: Services, surfaces: Surface[], proxy: ProxyHandler | null): Gateway {
  const router = new Router();
  // A store that cannot save answers 503 like a missing engine (a load balancer or HEALTHCHECK must
  // see it), while the proxy keeps serving running apps; `storeError` says why (docs/storage-faults.md).
  router.on('GET', '/healthz', (ctx) => {
    const engine = svc.health.engineUp();
    let readable = true;
    try { svc.store.db.prepare('SELECT 1').get(); } catch { readable = false; }
    const saving = svc.store.health.status();
    const ok = engine && readable && saving.ok;
    const body: Record<string, unknown> = { status: ok ? 'ok' : 'degraded', engine: engine ? 'up' : 'down', store: readable && saving.ok ? 'up' : 'down' };
    if (!saving.ok) body.storeError = { kind: saving.kind, code: saving.code, reason: saving.reason, since: saving.since };
    // With more than the built-in host, every host is told; only the built-in one (and the store) decides
    // the status code, so a remote host away never takes the gateway out of a load balancer (docs/container-hosts.md).
    const hosts = svc.hosts ? hostHealth(svc) : [];
    if (hosts.length > 1) body.hosts = hosts;
    // The last SODAR sync is told, not judged: a source that is down leaves this site working.
    if (svc.sodar.active) {
      const last = svc.sodar.last();
      body.sodarSync = last ? { ok: last.ok, at: last.at, ...(last.ok ? {} : { error: last.error }) } : { ok: null, at: null };
    }
    sendJson(ctx.res, ok ? 200 : 503, body);
  });
  for (const s of surfaces) s(router, svc);

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://gateway');
    } catch {
      throw new PorticoError('E_BAD_REQUEST', 400, 'malformed request URL');
    }
    const found = router.match(req.method ?? 'GET', url.pathname);
    if (found === 'method') throw new PorticoError('E_METHOD_NOT_ALLOWED', 405, `method ${req.method} not allowed here`);
    if (!found && router.notFound) return void (await router.notFound({ req, res, url, params: {} }));
    if (!found) throw new NotFoundError('E_NOT_FOUND', `no such endpoint: ${url.pathname}`);
    await found.handler({ req, res, url, params: found.params });
  }

  return {
    router,
    handleRequest(req, res) {
      if (proxy && (req.url?.startsWith(PROXY_PREFIX) || proxy.ownsHost?.(req.headers.host))) {
        proxy.handle(req, res);
        return;
      }
      route(req, res).catch((err) => sendError(res, err, svc.logger));
    },
    handleUpgrade(req, socket, head) {
      if (proxy && (req.url?.startsWith(PROXY_PREFIX) || proxy.ownsHost?.(req.headers.host))) {
        proxy.upgrade(req, socket, head);
        return;
      }
      socket.end(refusalAnswer(404, 'E_NOT_FOUND', `no WebSocket endpoint here: ${(req.url ?? '').slice(0, 200)}`));
    },
  };
}
