/**
 * nodes.ts: the engine's nodes for site admins (docs/swarm.md): on a swarm, every node with its
 * status, availability, role, engine version and resources (what the SRC Container API's node
 * endpoints show); on a plain engine, the one node it is. Served through the ops API's router.
 */
import { NotFoundError, PorticoError } from '../../gateway/core/errors.ts';
import type { NodeInfo } from '../../gateway/core/engine/engine.ts';
import type { Services } from '../../gateway/core/services.ts';
import { sendJson } from '../../gateway/http/respond.ts';
import type { RouteAdder } from './basic-auth.ts';
import { requireCaller } from './guard.ts';
import { hostOn } from '../../gateway/core/hosts/scope.ts';

/** serializeNode is a node as the REST API shows it. */
export function serializeNode(n: NodeInfo) {
  return {
    id: n.id, name: n.name, status: n.status, availability: n.availability, role: n.role, leader: n.leader, self: n.self,
    address: n.address, engine_version: n.engineVersion, os: n.os, arch: n.arch, cpus: n.cpus, memory_bytes: n.memoryBytes, labels: n.labels,
  };
}

/** listNodes is the engine's nodes, sorted managers first, then by name. */
export async function listNodes(svc: Pick<Services, 'engine'>): Promise<NodeInfo[]> {
  if (!svc.engine.nodes) throw new PorticoError('E_NOT_SUPPORTED', 409, `the ${svc.engine.kind} engine does not list nodes`);
  const rank = (n: NodeInfo) => (n.role === 'worker' ? 1 : 0);
  return (await svc.engine.nodes()).sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
}

/** registerNodeApi adds GET /containers/api/nodes and /containers/api/nodes/:node (by id or host name), each with an optional ?host=. */
export function registerNodeApi(api: RouteAdder, svc: Services): void {
  const admin = (req: Parameters<typeof requireCaller>[1]) => {
    const caller = requireCaller(svc, req);
    if (!caller.user.isAdmin) throw new PorticoError('E_FORBIDDEN', 403, 'only site administrators may see the engine\'s nodes');
  };

  api.on('GET', '/containers/api/nodes', async (ctx) => {
    admin(ctx.req);
    // ?host= names a container host (docs/container-hosts.md); the built-in one without.
    const on = hostOn(svc.hosts, ctx.url.searchParams.get('host'));
    const mode = on.host.builtin ? svc.config.docker.mode : on.host.mode;
    sendJson(ctx.res, 200, { mode, host: on.host.name, nodes: (await listNodes(on)).map(serializeNode) });
  });

  api.on('GET', '/containers/api/nodes/:node', async (ctx) => {
    admin(ctx.req);
    const key = ctx.params.node;
    const n = (await listNodes(hostOn(svc.hosts, ctx.url.searchParams.get('host')))).find((x) => x.id === key || x.name === key);
    if (!n) throw new NotFoundError('E_NOT_FOUND', `no node with the id or host name ${JSON.stringify(key.slice(0, 100))}`);
    sendJson(ctx.res, 200, serializeNode(n));
  });
}
