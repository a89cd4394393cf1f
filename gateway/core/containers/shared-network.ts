/**
 * shared-network.ts: docker-shared mode. The gateway runs in a container itself; at start-up it
 * finds its own container, makes sure the Portico network exists, and joins it under its
 * gateway name. Apps are then reached by name on that network (service.upstream) with no port
 * published, and apps reach the gateway (small files) by that same name.
 */
import fs from 'node:fs';
import os from 'node:os';
import type { Config } from '../config.ts';
import type { Engine } from '../engine/engine.ts';
import { ConfigError, EngineError } from '../errors.ts';
import type { Bus } from '../events.ts';
import type { Logger } from '../log.ts';

/** SelfContainer is the gateway's own container as the engine sees it after joining. */
export interface SelfContainer { id: string; name: string; network: string; host: string; ip: string | null }

/**
 * gatewayHost is the name apps use to reach the gateway on the Docker network in docker-shared mode:
 * PORTICO_GATEWAY_NAME, else the gateway's hostname. joinSharedNetwork makes it resolvable.
 */
export function gatewayHost(config: Pick<Config, 'gatewayName'>, hostname: string = os.hostname()): string {
  return config.gatewayName ?? hostname;
}

const ID = '[0-9a-f]{64}';

/**
 * selfContainerId finds the id of the container this process runs in: Docker bind-mounts the
 * container's own /etc/hostname, /etc/hosts and /etc/resolv.conf from /var/lib/docker/containers/<id>/
 * (seen in /proc/self/mountinfo, cgroup v1 and v2 alike); cgroup v1 paths name it too. Null outside a container.
 */
export function selfContainerId(mountinfo: string, cgroup = ''): string | null {
  const mount = new RegExp(`/containers/(${ID})/(?:hostname|hosts|resolv\\.conf)(?:\\s|$)`, 'm').exec(mountinfo);
  if (mount) return mount[1];
  const group = new RegExp(`(?:/docker/|docker-)(${ID})(?:\\.scope)?(?:\\s|/|$)`, 'm').exec(cgroup);
  return group ? group[1] : null;
}

function readProc(file: string): string {
  try { return fs.readFileSync(file, 'utf8'); } catch { return ''; }
}

/** SharedNetworkDeps are what joining needs; ensureNetwork is the container service's (one creation in flight). */
export interface SharedNetworkDeps {
  config: Config;
  engine: Engine;
  bus: Bus;
  logger: Logger;
  ensureNetwork(): Promise<void>;
  /** read returns a /proc file's text ('' when missing); tests pass their own. */
  read?: (file: string) => string;
}

/**
 * joinSharedNetwork joins the gateway's container to the Portico network. With an engine that does
 * not know this container, start-up fails with a message saying why; outside a container it warns
 * and joins nothing. With the engine down it resolves null and joins as soon as the engine is back.
 */
export async function joinSharedNetwork(deps: SharedNetworkDeps): Promise<SelfContainer | null> {
  const { config, engine, bus, logger } = deps;
  const read = deps.read ?? readProc;
  const hostname = os.hostname();
  const id = selfContainerId(read('/proc/self/mountinfo'), read('/proc/self/cgroup')) ?? (/^[0-9a-f]{12}$/.test(hostname) ? hostname : null);
  if (!id) {
    // Not fatal: a gateway on the host may still be set up to resolve app names (tests do this),
    // but the usual cause is a gateway started outside its container by mistake.
    logger.warn('docker-shared mode, but this process runs in no Docker container: not joining the network; app names resolve only where Docker\'s DNS answers (use host mode outside Docker)',
      { network: config.dockerNetwork });
    return null;
  }
  const host = gatewayHost(config, hostname);

  async function join(): Promise<SelfContainer> {
    const info = await engine.inspect(id!);
    if (!info) {
      throw new ConfigError(`docker-shared mode: the engine does not know this container (${id!.slice(0, 12)}); DOCKER_HOST must be the engine the gateway runs on`);
    }
    await deps.ensureNetwork();
    let ip: string | null = info.ips[config.dockerNetwork] ?? null;
    if (!ip) {
      // The container name resolves by itself; the alias makes the gateway name (and the hostname) resolve too.
      for (let attempt = 1; ; attempt++) {
        try {
          await engine.connectNetwork(config.dockerNetwork, info.id, [...new Set([host, hostname])]);
          break;
        } catch (err) {
          // A swarm manager under load can answer an overlay attach with "context deadline exceeded":
          // a few more tries before the start fails (regression: the gateway exited on the first one).
          if (attempt >= 8 || !(err instanceof EngineError) || !/deadline exceeded|timed? ?out|attaching to network failed/i.test(err.message)) throw err;
          logger.warn('joining the Docker network failed in the engine; trying again', { network: config.dockerNetwork, attempt, err: err.message });
          await new Promise((r) => setTimeout(r, Math.min(5000, 1000 * attempt)));
        }
      }
      ip = (await engine.inspect(info.id))?.ips[config.dockerNetwork] ?? null;
      logger.info('joined the Docker network', { network: config.dockerNetwork, as: host, container: info.name, ip });
    } else if (host !== info.name && !(info.aliases?.[config.dockerNetwork] ?? []).includes(host)) {
      // Put there by someone else (a compose file, say) without the alias: apps cannot resolve the gateway name.
      logger.warn('already on the Docker network, but not as the gateway name: give it that alias, or set PORTICO_GATEWAY_NAME to the container name',
        { network: config.dockerNetwork, name: host, container: info.name });
    }
    return { id: info.id, name: info.name, network: config.dockerNetwork, host, ip };
  }

  try {
    return await join();
  } catch (err) {
    if (!(err instanceof EngineError) || err.code !== 'E_ENGINE_UNAVAILABLE') throw err;
    logger.warn('container engine unreachable; joining the Docker network once it answers', { network: config.dockerNetwork });
  }
  const retry = ({ up, hostId }: { up: boolean; hostId?: number | null }) => {
    // Only the built-in host's engine is the one the gateway's own container runs on.
    if (!up || hostId) return;
    bus.off('engine-status', retry);
    join().catch((err) => {
      if (err instanceof EngineError && err.code === 'E_ENGINE_UNAVAILABLE') {
        bus.on('engine-status', retry);
        return;
      }
      logger.error('could not join the Docker network; apps stay unreachable until the gateway restarts', { err });
    });
  };
  bus.on('engine-status', retry);
  return null;
}
