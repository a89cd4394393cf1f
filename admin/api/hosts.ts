/**
 * hosts.ts: the container-host REST API (docs/container-hosts.md), for site admins: list, add,
 * show, edit, test, choose the default, remove. Client keys are write-only (`<masked>` keeps one).
 */
import { PorticoError, badRequest } from '../../gateway/core/errors.ts';
import type { Services } from '../../gateway/core/services.ts';
import type { HostRecord } from '../../gateway/core/store/hosts.ts';
import { serializeHost } from '../../gateway/core/hosts/serialize.ts';
import { readJson } from '../../gateway/http/body.ts';
import { sendJson } from '../../gateway/http/respond.ts';
import type { Ctx, Router } from '../../gateway/http/router.ts';
import { withBasicAuth } from './basic-auth.ts';
import { requireCaller, requireWritable } from './guard.ts';

/** showHost is the public shape of `h` with its live status and users. */
export function showHost(svc: Pick<Services, 'hosts' | 'store'>, h: HostRecord): Record<string, unknown> {
  return serializeHost(h, svc.hosts.status(h.id), svc.store.hosts.users(h.id));
}

/** registerHostApi adds the container-host routes. */
export function registerHostApi(router: Router, svc: Services): void {
  const api = withBasicAuth(router, svc);
  const admin = (ctx: Ctx, write = false) => {
    const caller = requireCaller(svc, ctx.req);
    if (!caller.user.isAdmin) throw new PorticoError('E_FORBIDDEN', 403, 'only site administrators manage container hosts');
    if (write) requireWritable(svc, caller.user);
    return caller;
  };
  const body = async (ctx: Ctx) => {
    const b = await readJson(ctx.req, svc.config.maxJsonBody);
    if (!b || typeof b !== 'object' || Array.isArray(b)) throw badRequest('the body is a JSON object');
    const o = b as Record<string, unknown>;
    for (const k of ['check', 'default'] as const) {
      if (o[k] !== undefined && typeof o[k] !== 'boolean') throw badRequest(`${k} is true or false`);
    }
    return o;
  };

  api.on('GET', '/containers/api/hosts', (ctx) => {
    admin(ctx);
    sendJson(ctx.res, 200, svc.hosts.all().map((h) => showHost(svc, h)));
  });

  api.on('POST', '/containers/api/hosts', async (ctx) => {
    admin(ctx, true);
    const b = await body(ctx);
    let h = await svc.hosts.add(b, { check: b.check !== false });
    if (b.default === true) h = svc.hosts.setDefault(h.id);
    sendJson(ctx.res, 201, showHost(svc, h));
  });

  api.on('GET', '/containers/api/hosts/:host', (ctx) => {
    admin(ctx);
    sendJson(ctx.res, 200, showHost(svc, svc.hosts.resolve(ctx.params.host)));
  });

  api.on('PATCH', '/containers/api/hosts/:host', async (ctx) => {
    admin(ctx, true);
    const have = svc.hosts.resolve(ctx.params.host);
    const b = await body(ctx);
    const { default: makeDefault, check, ...fields } = b;
    let h = await svc.hosts.edit(have.id, fields, { check: check !== false });
    if (makeDefault === true) h = svc.hosts.setDefault(h.id);
    sendJson(ctx.res, 200, showHost(svc, h));
  });

  api.on('DELETE', '/containers/api/hosts/:host', async (ctx) => {
    admin(ctx, true);
    const h = svc.hosts.resolve(ctx.params.host);
    await svc.hosts.remove(h.id);
    ctx.res.writeHead(204).end();
  });

  api.on('POST', '/containers/api/hosts/:host/test', async (ctx) => {
    admin(ctx, true);
    const h = svc.hosts.resolve(ctx.params.host);
    const r = await svc.hosts.test(h.id);
    sendJson(ctx.res, 200, { host: h.name, ok: r.ok, ms: r.ms, reason: r.reason, field: r.field, version: r.version ? { version: r.version.version, api_version: r.version.apiVersion, os: r.version.os, arch: r.version.arch } : null });
  });

  api.on('POST', '/containers/api/hosts/:host/default', (ctx) => {
    admin(ctx, true);
    const h = svc.hosts.setDefault(svc.hosts.resolve(ctx.params.host).id);
    sendJson(ctx.res, 200, showHost(svc, h));
  });
}
