/**
 * image-hosts.ts: the image-host REST API (docs/image-hosts.md), for site admins only. Answers say
 * whether a host has a password, never what it is.
 */
import { PorticoError, badRequest } from '../../gateway/core/errors.ts';
import type { Services } from '../../gateway/core/services.ts';
import type { User } from '../../gateway/core/types.ts';
import type { ImageHost, ImageHostInput } from '../../gateway/core/image-hosts/service.ts';
import { readJson } from '../../gateway/http/body.ts';
import { sendJson } from '../../gateway/http/respond.ts';
import type { Router } from '../../gateway/http/router.ts';
import { withBasicAuth } from './basic-auth.ts';
import { requireCaller, requireWritable } from './guard.ts';

function requireAdmin(user: User): void {
  if (!user.isAdmin) throw new PorticoError('E_FORBIDDEN', 403, 'only site administrators may manage image hosts');
}

/** serializeImageHost is the API shape of an image host. */
export function serializeImageHost(h: ImageHost) {
  return {
    name: h.name, address: h.address, username: h.username, has_password: h.hasPassword,
    credentials_unreadable: h.credentialsUnreadable, ca_cert: h.caCert, is_default: h.isDefault,
    created_at: h.createdAt, modified_at: h.modifiedAt,
  };
}

const FIELDS = new Set(['name', 'address', 'username', 'password', 'ca_cert', 'is_default', 'check']);

async function readInput(svc: Services, req: Parameters<typeof readJson>[0]): Promise<{ input: ImageHostInput; check: boolean }> {
  const body = await readJson(req, svc.config.maxJsonBody);
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('body must be a JSON object like {"name": …, "address": "registry.example.org:5000"}');
  const b = body as Record<string, unknown>;
  const unknown = Object.keys(b).filter((k) => !FIELDS.has(k));
  if (unknown.length) throw badRequest(`unknown field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (known: ${[...FIELDS].join(', ')})`);
  if (b.check !== undefined && typeof b.check !== 'boolean') throw badRequest('check must be true or false');
  return {
    input: { name: b.name, address: b.address, username: b.username, password: b.password, caCert: b.ca_cert, isDefault: b.is_default },
    check: b.check === true,
  };
}

/** registerImageHostApi adds /containers/api/image-hosts and its item, test and default routes. */
export function registerImageHostApi(router: Router, svc: Services): void {
  const api = withBasicAuth(router, svc);
  const admin = (req: Parameters<typeof requireCaller>[1], write: boolean) => {
    const caller = requireCaller(svc, req);
    requireAdmin(caller.user);
    if (write) requireWritable(svc, caller.user);
    return caller;
  };

  api.on('GET', '/containers/api/image-hosts', (ctx) => {
    admin(ctx.req, false);
    sendJson(ctx.res, 200, svc.imageHosts.list().map(serializeImageHost));
  });

  api.on('POST', '/containers/api/image-hosts', async (ctx) => {
    const caller = admin(ctx.req, true);
    const { input, check } = await readInput(svc, ctx.req);
    sendJson(ctx.res, 201, serializeImageHost(await svc.imageHosts.add(input, { check, user: caller.user.username })));
  });

  api.on('GET', '/containers/api/image-hosts/:name', (ctx) => {
    admin(ctx.req, false);
    sendJson(ctx.res, 200, serializeImageHost(svc.imageHosts.get(ctx.params.name)));
  });

  api.on('PATCH', '/containers/api/image-hosts/:name', async (ctx) => {
    const caller = admin(ctx.req, true);
    const { input, check } = await readInput(svc, ctx.req);
    sendJson(ctx.res, 200, serializeImageHost(await svc.imageHosts.update(ctx.params.name, input, { check, user: caller.user.username })));
  });

  api.on('DELETE', '/containers/api/image-hosts/:name', (ctx) => {
    const caller = admin(ctx.req, true);
    sendJson(ctx.res, 200, { ...serializeImageHost(svc.imageHosts.remove(ctx.params.name, caller.user.username)), removed: true });
  });

  api.on('POST', '/containers/api/image-hosts/:name/test', async (ctx) => {
    admin(ctx.req, false);
    const host = svc.imageHosts.get(ctx.params.name);
    const r = await svc.imageHosts.test(host.name);
    sendJson(ctx.res, 200, { name: host.name, address: host.address, outcome: r.outcome, detail: r.detail });
  });

  api.on('POST', '/containers/api/image-hosts/:name/default', (ctx) => {
    const caller = admin(ctx.req, true);
    sendJson(ctx.res, 200, serializeImageHost(svc.imageHosts.setDefault(ctx.params.name, caller.user.username)));
  });
}
