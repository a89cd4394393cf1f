/**
 * nodes.ts (SRC API): get-node-names, get-node-status (docker node ls) and get-node-info (docker
 * node inspect), answered from the engine's nodes (`Engine.nodes()`): every node of a swarm, or
 * the one node a plain engine is (then a manager that leads itself, as a one-node swarm shows).
 * Nodes are the site's infrastructure: site admins only, as Portico's own node API.
 */
import { NotFoundError, PorticoError, forbidden } from '../../../gateway/core/errors.ts';
import type { NodeInfo } from '../../../gateway/core/engine/engine.ts';
import type { Services } from '../../../gateway/core/services.ts';
import type { Ctx, Router } from '../../../gateway/http/router.ts';
import { sendJson } from '../../../gateway/http/respond.ts';
import { SRC_PREFIX, optionalParam, requiredParam, srcCaller } from './context.ts';
import { nodeInspect, nodeLsRow } from './docker-format.ts';

/** registerSrcNodes adds the SRC's node endpoints. */
export function registerSrcNodes(router: Router, svc: Services): void {
  async function nodes(ctx: Ctx): Promise<NodeInfo[]> {
    const user = srcCaller(svc, ctx);
    if (!user.isAdmin) throw forbidden('only site administrators may see the engine\'s nodes');
    if (!svc.engine.nodes) throw new PorticoError('E_NOT_SUPPORTED', 409, `the ${svc.engine.kind} engine does not list nodes`);
    return (await svc.engine.nodes()).sort((a, b) => a.name.localeCompare(b.name));
  }

  function node(all: NodeInfo[], hostname: string): NodeInfo {
    const n = all.find((x) => x.name === hostname);
    if (!n) throw new NotFoundError('E_NOT_FOUND', `no node with hostname ${JSON.stringify(hostname.slice(0, 100))} (get-node-names lists them)`);
    return n;
  }

  router.on('GET', `${SRC_PREFIX}/get-node-names`, async (ctx) => {
    sendJson(ctx.res, 200, (await nodes(ctx)).map((n) => n.name));
  });

  router.on('GET', `${SRC_PREFIX}/get-node-status`, async (ctx) => {
    const all = await nodes(ctx);
    const hostname = optionalParam(ctx, 'hostname');
    sendJson(ctx.res, 200, hostname === null ? all.map(nodeLsRow) : nodeLsRow(node(all, hostname)));
  });

  router.on('GET', `${SRC_PREFIX}/get-node-info`, async (ctx) => {
    const all = await nodes(ctx);
    sendJson(ctx.res, 200, nodeInspect(node(all, requiredParam(ctx, 'hostname', 'the hostname of a node (get-node-names)'))));
  });
}
