/**
 * container-source.ts: which project's container a request comes from, by the socket's own
 * address on the Portico network (never a header such as X-Forwarded-For, which Kiosc trusted and
 * anyone can send). The engine says who holds the address now; the store says whose container that
 * is. An address the engine does not list, a container of another gateway, or an engine that
 * cannot answer all give null.
 */
import type { Config } from '../config.ts';
import type { Engine } from '../engine/engine.ts';
import type { Store } from '../store/index.ts';

/** peerAddress is a socket's remote address without the IPv4-mapped prefix, or null. */
export function peerAddress(remote: string | undefined): string | null {
  return remote ? remote.replace(/^::ffff:/, '') : null;
}

/** projectAtAddress returns the project id of the Portico container at `ip` on the Portico network now, or null. */
export async function projectAtAddress(deps: { engine: Pick<Engine, 'listNetworks'>; store: Store; config: Pick<Config, 'dockerNetwork'> }, ip: string): Promise<number | null> {
  let endpoints;
  try {
    endpoints = (await deps.engine.listNetworks()).find((n) => n.name === deps.config.dockerNetwork)?.containers ?? [];
  } catch {
    return null;
  }
  const there = endpoints.find((e) => e.ip.split('/')[0] === ip);
  if (!there) return null;
  return deps.store.containers.byDockerId(there.id)?.projectId ?? null;
}
