/**
 * ops.ts: the operations REST API next to Kiosc's (SRC's stats, inspect, uptime summary, images,
 * image pull, data volumes) and the Prometheus /metrics endpoint. Members see stats and uptime of
 * their containers; inspect, images, pulls and volumes are for site admins.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { PorticoError, badRequest } from '../../gateway/core/errors.ts';
import type { Services } from '../../gateway/core/services.ts';
import type { Container, User } from '../../gateway/core/types.ts';
import { summarizeUptime, UPTIME_DURATIONS, uptimeChartSvg, uptimeRaw } from '../../gateway/core/containers/uptime.ts';
import type { UptimeDuration } from '../../gateway/core/containers/uptime.ts';
import { maskInspect } from '../../gateway/core/containers/inspect-mask.ts';
import { listDataVolumes, removeDataVolume } from '../../gateway/core/containers/volumes.ts';
import type { DataVolume } from '../../gateway/core/containers/volumes.ts';
import { isValidRepository, isValidTag } from '../../gateway/core/containers/validate.ts';
import { maskCredentials } from '../../gateway/core/image-hosts/service.ts';
import { readJson } from '../../gateway/http/body.ts';
import { sendJson } from '../../gateway/http/respond.ts';
import type { Router } from '../../gateway/http/router.ts';
import { withBasicAuth } from './basic-auth.ts';
import { requireCaller, requireWritable } from './guard.ts';
import { registerNodeApi } from './nodes.ts';
import { hostOn } from '../../gateway/core/hosts/scope.ts';

function requireAdmin(user: User): void {
  if (!user.isAdmin) throw new PorticoError('E_FORBIDDEN', 403, 'only site administrators may do this');
}

function requireRunning(c: Container): string {
  if (!c.dockerId || (c.state !== 'running' && c.state !== 'paused')) {
    throw new PorticoError('E_INVALID_STATE', 409, `container is ${c.state}; statistics exist only while it runs`);
  }
  return c.dockerId;
}

/** parseImageRef checks `repo[:tag]` or `repo@sha256:…` and returns the reference to pull (tag defaults to latest). */
export function parseImageRef(input: unknown): string {
  if (typeof input !== 'string' || !input.trim()) throw badRequest('image must be a string like "repository:tag"');
  const ref = input.trim();
  if (ref.length > 512) throw badRequest('image reference is too long (at most 512 characters)');
  const at = ref.indexOf('@');
  if (at >= 0) {
    if (!isValidRepository(ref.slice(0, at)) || !/^sha256:[a-f0-9]{64}$/.test(ref.slice(at + 1))) throw badRequest(`invalid image reference ${JSON.stringify(ref)}`);
    return ref;
  }
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  const [repo, tag] = colon > slash ? [ref.slice(0, colon), ref.slice(colon + 1)] : [ref, 'latest'];
  if (!isValidRepository(repo) || !isValidTag(tag)) throw badRequest(`invalid image reference ${JSON.stringify(ref)}`);
  return `${repo}:${tag}`;
}

function metricsAllowed(svc: Services, req: IncomingMessage): boolean {
  const want = svc.config.metricsToken;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  if (want && m) {
    const a = Buffer.from(m[1]);
    const b = Buffer.from(want);
    if (a.length === b.length && timingSafeEqual(a, b)) return true;
  }
  const caller = svc.auth.authenticate(req.headers);
  if (!caller) throw new PorticoError('E_UNAUTHENTICATED', 401, 'metrics need a site admin\'s token or "Authorization: Bearer $PORTICO_METRICS_TOKEN"');
  requireAdmin(caller.user);
  return true;
}

/** serializeVolume renders a data volume for the REST API. */
export function serializeVolume(v: DataVolume): Record<string, unknown> {
  return {
    name: v.name, status: v.status, size: v.size, date_created: v.createdAt, container: v.containerUuid,
    container_title: v.container?.title ?? null, project: v.container?.projectUuid ?? null, data_path: v.container?.dataPath ?? null,
  };
}

/** registerOpsApi adds the operations endpoints and /metrics. Register it before the container API (its paths are more specific). */
export function registerOpsApi(router: Router, svc: Services): void {
  const api = withBasicAuth(router, svc);
  const { access, engine, store, config } = svc;

  router.on('GET', '/metrics', (ctx) => {
    metricsAllowed(svc, ctx.req);
    const text = svc.metrics.render();
    ctx.res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' }).end(text);
  });

  registerNodeApi(api, svc);

  api.on('GET', '/containers/api/stats/:container', async (ctx) => {
    const caller = requireCaller(svc, ctx.req);
    const { container } = access.container(caller.user, ctx.params.container, 'container.view');
    const s = await engine.stats(requireRunning(container));
    sendJson(ctx.res, 200, {
      sodar_uuid: container.uuid,
      state: container.state,
      sampled_at: new Date().toISOString(),
      cpu_percent: Math.round(s.cpuPercent * 100) / 100,
      memory_bytes: s.memoryBytes,
      memory_limit_bytes: s.memoryLimitBytes,
      memory_percent: s.memoryLimitBytes ? Math.round((s.memoryBytes / s.memoryLimitBytes) * 10000) / 100 : null,
      net_rx_bytes: s.netRxBytes,
      net_tx_bytes: s.netTxBytes,
      block_read_bytes: s.blockReadBytes,
      block_write_bytes: s.blockWriteBytes,
      pids: s.pids,
    });
  });

  api.on('GET', '/containers/api/uptime/:container', (ctx) => {
    const caller = requireCaller(svc, ctx.req);
    const { container } = access.container(caller.user, ctx.params.container, 'container.view');
    const duration = (ctx.url.searchParams.get('duration') ?? 'day') as UptimeDuration;
    if (!Object.hasOwn(UPTIME_DURATIONS, duration)) throw badRequest('duration must be one of hour, day, week, month');
    const format = ctx.url.searchParams.get('format') ?? 'json';
    if (format === 'src') return sendJson(ctx.res, 200, uptimeRaw(store, container.id, duration));
    const s = summarizeUptime(store, container.id, duration, new Date(), 60, container.createdAt);
    if (format === 'svg') {
      ctx.res.writeHead(200, { 'content-type': 'image/svg+xml', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' }).end(uptimeChartSvg(s));
      return;
    }
    if (format !== 'json') throw badRequest('format must be json, src or svg');
    sendJson(ctx.res, 200, {
      sodar_uuid: container.uuid, duration: s.duration, from: s.from, to: s.to, samples: s.samples,
      running_samples: s.runningSamples, stopped_samples: s.stoppedSamples, since: s.since, uptime_percent: s.uptimePercent, buckets: s.buckets,
    });
  });

  api.on('GET', '/containers/api/inspect/:container', async (ctx) => {
    const caller = requireCaller(svc, ctx.req);
    requireAdmin(caller.user);
    const { container } = access.container(caller.user, ctx.params.container, 'container.view');
    if (!container.dockerId) throw new PorticoError('E_INVALID_STATE', 409, 'the container has no Docker container (never started, or removed)');
    const raw = await engine.inspectRaw(container.dockerId);
    if (!raw) throw new PorticoError('E_INVALID_STATE', 409, 'the Docker container no longer exists');
    sendJson(ctx.res, 200, maskInspect(raw, container));
  });

  api.on('GET', '/containers/api/images', async (ctx) => {
    const caller = requireCaller(svc, ctx.req);
    requireAdmin(caller.user);
    // ?host= names a container host (docs/container-hosts.md); its engine, its containers.
    const on = hostOn(svc.hosts, ctx.url.searchParams.get('host'));
    const images = await on.engine.listImages();
    const all = store.containers.all().filter(on.onHost.containers);
    sendJson(ctx.res, 200, images.map((i) => {
      const users = all.filter((c) => c.imageId === i.id || i.tags.includes(`${c.repository}:${c.tag}`));
      return {
        id: i.id, tags: i.tags, size: i.size, created_at: i.createdAt,
        container_count: users.length,
        running_count: users.filter((c) => c.state === 'running').length,
        containers: users.map((c) => c.uuid),
      };
    }));
  });

  api.on('GET', '/containers/api/volumes', async (ctx) => {
    const caller = requireCaller(svc, ctx.req);
    requireAdmin(caller.user);
    const sizes = new URL(ctx.req.url ?? '/', 'http://x').searchParams.get('size');
    if (sizes !== null && sizes !== 'true' && sizes !== 'false') throw badRequest('size must be true or false');
    const on = hostOn(svc.hosts, ctx.url.searchParams.get('host'));
    sendJson(ctx.res, 200, (await listDataVolumes({ ...svc, engine: on.engine }, { sizes: sizes === 'true', owns: on.onHost.containers })).map(serializeVolume));
  });

  api.on('DELETE', '/containers/api/volumes/:name', async (ctx) => {
    const caller = requireCaller(svc, ctx.req);
    requireAdmin(caller.user);
    requireWritable(svc, caller.user);
    const on = hostOn(svc.hosts, ctx.url.searchParams.get('host'));
    const removed = await removeDataVolume({ ...svc, engine: on.engine }, ctx.params.name, caller.user.username, { owns: on.onHost.containers });
    sendJson(ctx.res, 200, { ...serializeVolume(removed), removed: true });
  });

  api.on('POST', '/containers/api/images/pull', async (ctx) => {
    const caller = requireCaller(svc, ctx.req);
    requireAdmin(caller.user);
    requireWritable(svc, caller.user);
    const on = hostOn(svc.hosts, ctx.url.searchParams.get('host'));
    const body = await readJson(ctx.req, config.maxJsonBody);
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('body must be a JSON object like {"image": "repository:tag"}');
    const b = body as Record<string, unknown>;
    if (b.registry !== undefined && (typeof b.registry !== 'string' || !b.registry)) throw badRequest('registry must be the name of an image host');
    // A named image host puts its address before an image that names no registry (docs/image-hosts.md).
    const ref = typeof b.registry === 'string' ? svc.imageHosts.qualify(parseImageRef(b.image), b.registry) : parseImageRef(b.image);
    const creds = svc.imageHosts.authFor(ref);
    const res = ctx.res;
    const abort = new AbortController();
    res.on('close', () => { if (!res.writableFinished) abort.abort(); });
    // The progress stream begins with the engine's first progress line: a pull the engine refuses at
    // once (no such host, connection refused) is a plain 502 with the engine's reason instead.
    const begin = () => {
      if (res.headersSent) return;
      res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
      line({ status: 'pulling', image: ref });
    };
    const line = (o: unknown) => { begin(); if (!res.destroyed) res.write(JSON.stringify(o) + '\n'); };
    svc.logger.info('image pull requested', { image: ref, user: caller.user.username, imageHost: creds?.host ?? null, host: on.host.name });
    try {
      await on.engine.pullImage(ref, (p) => line({ status: p.status, layer: p.layer ?? null, current: p.current ?? null, total: p.total ?? null }), abort.signal, creds?.auth);
      line({ status: 'done', image: ref });
      // A pulled image that carries app labels joins the catalogue (docs/apps.md), which reads the built-in host.
      if (on.host.builtin) svc.apps.catalogue.scanIfApp(ref).catch((err) => svc.logger.warn('reading the labels of a pulled image failed', { image: ref, err }));
    } catch (err) {
      const raw = err instanceof PorticoError ? err : new PorticoError('E_IMAGE_PULL_FAILED', 502, (err as Error).message);
      const e = creds ? new PorticoError(raw.code, raw.status, `${maskCredentials(raw.message, creds.auth)} (sent the credentials of image host ${creds.host})`) : raw;
      svc.logger.info('image pull failed', { image: ref, error: e.message });
      if (!res.headersSent) { sendJson(res, e.status, { error: e.message, code: e.code }); return; }
      line({ status: 'failed', error: e.message, code: e.code });
    }
    res.end();
  });
}
