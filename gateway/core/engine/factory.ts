/**
 * factory.ts: the one place an Engine is built for a container host. A unix:// host is a socket on
 * this machine; a tcp:// host is a remote engine reached with mutual TLS (never in the clear). Calls
 * to a remote engine that are not streams answer within a bound, so a host that stopped answering
 * (packets dropped, not refused) never holds a page or an action for the kernel's connect timeout.
 */
import { EngineError, ValidationError } from '../errors.ts';
import { createDockerEngine } from './docker.ts';
import { createSwarmEngine } from './swarm.ts';
import type { Engine } from './engine.ts';

/** EngineHost is what the factory needs to reach one host. */
export interface EngineHost {
  url: string;
  tls?: { ca: string; cert: string; key: string } | null;
  mode: 'engine' | 'swarm';
  /** name is the host's name, for messages. */
  name?: string;
}

/** REMOTE_CALL_MS bounds every non-streaming call to a remote engine. */
export const REMOTE_CALL_MS = 10_000;

// Streams and pulls run as long as they need; their callers hold an AbortSignal or a deadline.
const UNBOUNDED = new Set(['events', 'logs', 'pullImage', 'volumeSizes']);

/**
 * createEngine builds the engine of `host`: a plain engine, or a swarm manager whose apps are
 * services (swarm.ts). `pinToManager` (a gateway in host mode) keeps a swarm's tasks on the
 * manager's node, whose docker_gwbridge addresses this machine can reach (docs/swarm.md).
 */
export function createEngine(host: EngineHost, opts: { callMs?: number; pinToManager?: boolean } = {}): Engine {
  const make = (o: { host: string; tlsVerify: boolean; certPath: null; tls?: EngineHost['tls'] }): Engine =>
    (host.mode === 'swarm' ? createSwarmEngine({ ...o, pinToManager: opts.pinToManager ?? true }) : createDockerEngine(o));
  if (host.url.startsWith('unix://')) return make({ host: host.url, tlsVerify: false, certPath: null });
  // hosts/validate.ts refuses both before anything is stored; these are the backstop for any other caller.
  if (!host.url.startsWith('tcp://')) throw new ValidationError({ url: `a container host is unix:///path or tcp://host:port, not ${JSON.stringify(host.url)}` });
  if (!host.tls) throw new ValidationError({ tls: 'a tcp:// host needs a CA certificate, a client certificate and its key (Portico never drives an engine in the clear)' });
  const engine = make({ host: host.url, tlsVerify: true, certPath: null, tls: host.tls });
  return bounded(engine, opts.callMs ?? REMOTE_CALL_MS, host.name ?? host.url);
}

/** bounded returns `engine` with every non-streaming call failing E_ENGINE_UNAVAILABLE after `ms`. */
function bounded(engine: Engine, ms: number, name: string): Engine {
  const out: Record<string, unknown> = { kind: engine.kind };
  for (const key of Object.keys(engine) as Array<keyof Engine>) {
    const fn = engine[key];
    if (typeof fn !== 'function') continue;
    if (UNBOUNDED.has(key)) { out[key] = fn; continue; }
    out[key] = (...args: unknown[]) => {
      let timer: NodeJS.Timeout;
      return Promise.race([
        (fn as (...a: unknown[]) => Promise<unknown>).apply(engine, args),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new EngineError('E_ENGINE_UNAVAILABLE', `container host ${name} did not answer within ${Math.round(ms / 1000)} s`)), ms);
        }),
      ]).finally(() => clearTimeout(timer));
    };
  }
  return out as unknown as Engine;
}
