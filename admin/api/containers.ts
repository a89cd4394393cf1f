/**
 * containers.ts: Kiosc's container REST API (same paths, shapes and status codes; Kiosc's media
 * type and versioning, Basic auth, form bodies, OPTIONS) plus Portico's additions on the same
 * scheme: POST actions, PATCH update, logs.
 */
import { PorticoError, badRequest } from '../../gateway/core/errors.ts';
import type { Permission } from '../../gateway/core/auth/roles.ts';
import type { Services } from '../../gateway/core/services.ts';
import { CONTAINER_ACTIONS } from '../../gateway/core/types.ts';
import type { Container, ContainerAction } from '../../gateway/core/types.ts';
import { formatLogLine } from '../../gateway/core/containers/container-log.ts';
import { readFields } from '../../gateway/http/body.ts';
import { sendJson } from '../../gateway/http/respond.ts';
import { startFailureDetail } from '../../gateway/core/containers/start-failure.ts';
import type { Ctx, Router } from '../../gateway/http/router.ts';
import { requireCaller, requireWritable } from './guard.ts';
import { isSecureRequest } from './session.ts';
import { serializeContainer, serializeKiosc } from './serialize.ts';
import { apiErrorBody, apiRoute, sendApi } from './api-route.ts';
import type { ApiHandler } from './api-route.ts';
import type { Flavour } from './kiosc-media.ts';
import { containerInput } from './kiosc-input.ts';
import { optionsBody } from './kiosc-options.ts';
import { chooseHost, templateHostOf } from '../../gateway/core/hosts/choose.ts';

const ACTION_PERMISSION: Record<ContainerAction, Permission> = {
  start: 'container.start', stop: 'container.stop', pause: 'container.pause', unpause: 'container.pause',
  restart: 'container.restart', kill: 'container.kill', reset: 'container.reset', delete: 'container.delete',
};

const MAX_PAGE_SIZE = 1000;

function positiveInt(raw: string | null, name: string, fallback: number, max: number): number {
  if (raw === null || raw === '') return fallback;
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < 1) throw badRequest(`${name} must be a positive whole number`);
  return Math.min(Number(raw), max);
}

function pageUrl(ctx: Ctx, page: number, secure: boolean): string {
  const u = new URL(ctx.url.pathname + ctx.url.search, `${secure ? 'https' : 'http'}://${ctx.req.headers.host ?? 'localhost'}`);
  u.searchParams.set('page', String(page));
  return u.toString();
}

/** registerContainerApi adds the container API routes to `router`. */
export function registerContainerApi(router: Router, svc: Services): void {
  const { access, containers, config, store } = svc;
  const on = (method: string, path: string, handler: ApiHandler) => router.on(method, path, apiRoute(svc, handler));
  const shape = (c: Container, flavour: Flavour) => flavour.kiosc
    ? serializeKiosc(c, { timeZone: config.timeZone, kioscIds: store.kioscIds, kioscNulls: true })
    : serializeContainer(c, { timeZone: config.timeZone });
  const input = async (ctx: Ctx) => {
    const { kind, value } = await readFields(ctx.req, config.maxJsonBody);
    return containerInput(kind, value, store.kioscIds);
  };
  // Portico's `host` field (docs/container-hosts.md) is read apart from the settings: it is chosen once, at creation.
  const createInput = async (ctx: Ctx, user: Parameters<typeof chooseHost>[1]) => {
    const { kind, value } = await readFields(ctx.req, config.maxJsonBody);
    const requested = value && typeof value === 'object' ? (value as Record<string, unknown>).host : undefined;
    const input = containerInput(kind, value, store.kioscIds);
    return { input, hostId: chooseHost(svc.hosts, user, requested, templateHostOf(store, input)) };
  };
  const may = (check: () => unknown) => { try { check(); return true; } catch { return false; } };

  // OPTIONS: DRF's metadata of each view; the write fields only for whoever may write.
  const describe = (path: string, name: string, allow: string, writes: (ctx: Ctx, user: Parameters<typeof access.project>[0]) => Array<'POST' | 'PATCH'>) => {
    on('OPTIONS', path, (ctx, flavour) => {
      const caller = requireCaller(svc, ctx.req);
      if (ctx.params.project) access.project(caller.user, ctx.params.project, 'container.view');
      if (ctx.params.container) access.container(caller.user, ctx.params.container, 'container.view');
      ctx.res.setHeader('allow', `${allow}, OPTIONS`);
      sendApi(ctx.res, flavour, 200, optionsBody(name, writes(ctx, caller.user)));
    });
  };
  describe('/containers/api/:project', 'Container List API', 'GET, HEAD', () => []);
  describe('/containers/api/detail/:container', 'Container Detail API', 'GET, HEAD', () => []);
  describe('/containers/api/create/:project', 'Container Create API', 'POST',
    (ctx, user) => may(() => access.project(user, ctx.params.project, 'container.create')) ? ['POST'] : []);
  describe('/containers/api/update/:container', 'Container Update API', 'PATCH',
    (ctx, user) => may(() => access.container(user, ctx.params.container, 'container.update')) ? ['PATCH'] : []);
  describe('/containers/api/delete/:container', 'Container Delete API', 'DELETE', () => []);
  describe('/containers/api/start/:container', 'Container Start API', 'GET, HEAD, POST', () => []);
  describe('/containers/api/stop/:container', 'Container Stop API', 'GET, HEAD, POST', () => []);

  on('GET', '/containers/api/:project', (ctx, flavour) => {
    const caller = requireCaller(svc, ctx.req);
    const { project } = access.project(caller.user, ctx.params.project, 'container.view');
    const page = positiveInt(ctx.url.searchParams.get('page'), 'page', 1, 1_000_000);
    // Kiosc's SODAR_API_PAGE_SIZE is the default page size (config.apiPageSize).
    const size = positiveInt(ctx.url.searchParams.get('page_size'), 'page_size', config.apiPageSize, Math.max(MAX_PAGE_SIZE, config.apiPageSize));
    const { count, results } = store.containers.list({ projectId: project.id, limit: size, offset: (page - 1) * size });
    if (page > 1 && results.length === 0 && count > 0) throw new PorticoError('E_NOT_FOUND', 404, 'invalid page');
    sendApi(ctx.res, flavour, 200, {
      count,
      next: page * size < count ? pageUrl(ctx, page + 1, isSecureRequest(svc, ctx.req)) : null,
      previous: page > 1 ? pageUrl(ctx, page - 1, isSecureRequest(svc, ctx.req)) : null,
      results: results.map((c) => shape(c, flavour)),
    });
  });

  on('GET', '/containers/api/detail/:container', (ctx, flavour) => {
    const caller = requireCaller(svc, ctx.req);
    const { container } = access.container(caller.user, ctx.params.container, 'container.view');
    sendApi(ctx.res, flavour, 200, shape(container, flavour));
  });

  on('POST', '/containers/api/create/:project', async (ctx, flavour) => {
    const caller = requireCaller(svc, ctx.req);
    const { project } = access.project(caller.user, ctx.params.project, 'container.create');
    requireWritable(svc, caller.user);
    const { input: fields, hostId } = await createInput(ctx, caller.user);
    const c = containers.create(project.id, fields, caller.user.username, { hostId });
    sendApi(ctx.res, flavour, 201, shape(c, flavour));
  });

  on('PATCH', '/containers/api/update/:container', async (ctx, flavour) => {
    const caller = requireCaller(svc, ctx.req);
    const { container } = access.container(caller.user, ctx.params.container, 'container.update');
    requireWritable(svc, caller.user);
    const c = await containers.update(container.id, await input(ctx), caller.user.username);
    sendApi(ctx.res, flavour, 200, shape(c, flavour));
  });

  on('DELETE', '/containers/api/delete/:container', async (ctx) => {
    const caller = requireCaller(svc, ctx.req);
    const { container } = access.container(caller.user, ctx.params.container, 'container.delete');
    requireWritable(svc, caller.user);
    try {
      await containers.perform(container.id, 'delete', caller.user.username);
    } catch (err) {
      // Kiosc answers a failed delete with 400 and a message. An engine away or a shutdown is a 503:
      // the delete is recorded and finishes once the engine or the gateway is back (docs/faults.md).
      const e = err instanceof PorticoError ? err : new PorticoError('E_ACTION_FAILED', 400, (err as Error).message);
      const status = e.code === 'E_SHUTTING_DOWN' || e.code === 'E_ENGINE_UNAVAILABLE' ? 503 : 400;
      sendJson(ctx.res, status, { message: `Failed deleting container ${container.title}`, ...apiErrorBody(e) });
      return;
    }
    ctx.res.writeHead(204).end();
  });

  // Kiosc's GET start/stop submit a job and answer at once.
  for (const action of ['start', 'stop'] as const) {
    // As Kiosc, the answer is plain application/json whatever the Accept header.
    on('GET', `/containers/api/${action}/:container`, (ctx) => {
      const caller = requireCaller(svc, ctx.req);
      // A GET carries no CSRF token: with the session cookie alone, any page a viewer opens could start or stop containers.
      if (caller.via === 'session') throw new PorticoError('E_CSRF', 403, `GET ${action} is for API tokens; a browser session uses POST with its CSRF token`);
      const { container } = access.container(caller.user, ctx.params.container, ACTION_PERMISSION[action]);
      requireWritable(svc, caller.user);
      containers.perform(container.id, action, caller.user.username).catch(() => { /* recorded in the log and job */ });
      sendJson(ctx.res, 200, { message: `container ${action === 'start' ? 'starting' : 'stopping'} job submitted` });
    });
  }

  // POST actions run the job and answer with the container afterwards (?wait=0 to return at once).
  for (const action of CONTAINER_ACTIONS.filter((a) => a !== 'delete')) {
    on('POST', `/containers/api/${action}/:container`, async (ctx, flavour) => {
      const caller = requireCaller(svc, ctx.req);
      const { container } = access.container(caller.user, ctx.params.container, ACTION_PERMISSION[action]);
      requireWritable(svc, caller.user);
      const began = Date.now();
      const job = containers.perform(container.id, action, caller.user.username);
      if (ctx.url.searchParams.get('wait') === '0') {
        job.catch(() => {});
        sendApi(ctx.res, flavour, 202, { message: `container ${action} job submitted` });
        return;
      }
      let done;
      try {
        done = await job;
      } catch (err) {
        // A start that failed says why: the app's last lines and hints (whoever may start it may read its log).
        const fresh = err instanceof PorticoError && err.code === 'E_START_FAILED' ? store.containers.byId(container.id) : null;
        if (fresh) { sendApi(ctx.res, flavour, (err as PorticoError).status, { ...apiErrorBody(err as PorticoError), ...startFailureDetail(store, fresh, began, 'exited') }); return; }
        throw err;
      }
      sendApi(ctx.res, flavour, 200, shape(done, flavour));
    });
  }

  on('GET', '/containers/api/logs/:container', (ctx, flavour) => {
    const caller = requireCaller(svc, ctx.req);
    const { container } = access.container(caller.user, ctx.params.container, 'container.logs');
    const lines = positiveInt(ctx.url.searchParams.get('lines'), 'lines', config.logLinesDefault, config.logLinesMax);
    const entries = store.logs.tail(container.id, lines);
    if (ctx.url.searchParams.get('format') === 'text') {
      const text = entries.map(formatLogLine).join('\n') + (entries.length ? '\n' : '');
      ctx.res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' }).end(text);
      return;
    }
    sendApi(ctx.res, flavour, 200, {
      count: entries.length,
      results: entries.map((e) => ({ date: e.date, level: e.level, user: e.user, process: e.process, text: e.text, line: formatLogLine(e) })),
    });
  });
}
