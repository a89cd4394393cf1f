/**
 * engine.ts: the container-engine interface. Portico talks to engines only through it; only
 * docker.ts knows dockerode's types. A second backend (Swarm services, a remote TLS host)
 * implements the same interface.
 */

/** EngineState is the state an engine reports for one container. */
export type EngineState = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

/** ContainerSpec is everything needed to create one app container. */
export interface ContainerSpec {
  name: string;
  image: string;
  env: string[];
  cmd: string[] | null;
  labels: Record<string, string>;
  network: string;
  /** aliases on `network`, so the gateway can reach the app by a stable name in docker-shared mode. */
  aliases: string[];
  port: number;
  /** publish the port on 127.0.0.1 at this host port (only when publishing is on). */
  publishHostPort: number | null;
  /** volumes are named volumes (created with these labels when missing) mounted at `target`; never a host path. */
  volumes: Array<{ name: string; target: string; labels: Record<string, string> }>;
  /**
   * binds are host directories mounted into an app instance. Only the app platform sets them, and
   * only to a real path inside the site's PORTICO_APP_VOLUMES allowlist (apps/policy.ts resolveVolume).
   */
  binds?: Array<{ hostPath: string; target: string; readOnly: boolean }>;
  /** log bounds the engine's log of the container (json-file max-size and max-file). */
  log: { maxSize: string; maxFiles: number };
  /** nofile is the app's open-files limit (Docker's nofile ulimit), as Kiosc sets it; null leaves the engine's default. */
  nofile: { soft: number; hard: number } | null;
}

/** ContainerInfo is our view of an engine container, converted at the edge. */
export interface ContainerInfo {
  id: string;
  name: string;
  image: string;
  imageId: string;
  state: EngineState;
  labels: Record<string, string>;
  /** addresses by network name. */
  ips: Record<string, string>;
  /** DNS aliases by network name (from inspect only). */
  aliases?: Record<string, string[]>;
  /** published host ports by container port. */
  hostPorts: Record<number, number>;
  startedAt: string | null;
  finishedAt: string | null;
  exitCode: number | null;
  error: string | null;
  createdAt: string;
  env?: string[];
  cmd?: string[] | null;
}

/** EngineEvent is one container event from the engine's event stream. */
export interface EngineEvent {
  id: string;
  action: string;
  labels: Record<string, string>;
  time: number;
}

/** PullProgress is one progress message of an image pull. */
export interface PullProgress {
  status: string;
  layer?: string;
  current?: number;
  total?: number;
}

/** ImageInfo, NetworkInfo and VolumeInfo describe other engine objects for the site-admin page. */
export interface ImageInfo { id: string; tags: string[]; size: number; createdAt: string; labels: Record<string, string> }
export interface NetworkInfo {
  id: string; name: string; driver: string; subnet: string | null; gateway: string | null;
  /** containers are the endpoints on the network: engine container id, name, and address with its prefix length. */
  containers: Array<{ id: string; name: string; ip: string }>; labels: Record<string, string>;
}
export interface VolumeInfo { name: string; driver: string; mountpoint: string; labels: Record<string, string>; createdAt?: string }

/** ContainerStats is one sample of a container's resource use. */
export interface ContainerStats {
  cpuPercent: number; memoryBytes: number; memoryLimitBytes: number;
  netRxBytes: number; netTxBytes: number; blockReadBytes: number; blockWriteBytes: number; pids: number;
}

/** LogLine is one line a container wrote. */
export interface LogLine { time: string; stream: 'stdout' | 'stderr'; text: string }

/** Engine is the narrow set of operations Portico needs from a container engine. */
export interface Engine {
  readonly kind: string;
  ping(): Promise<void>;
  ensureNetwork(name: string, labels: Record<string, string>): Promise<void>;
  connectNetwork(network: string, containerIdOrName: string, aliases?: string[]): Promise<void>;
  imageExists(ref: string): Promise<boolean>;
  pullImage(ref: string, onProgress: (p: PullProgress) => void, signal?: AbortSignal): Promise<void>;
  create(spec: ContainerSpec): Promise<string>;
  start(id: string): Promise<void>;
  stop(id: string, timeoutSeconds: number): Promise<void>;
  pause(id: string): Promise<void>;
  unpause(id: string): Promise<void>;
  kill(id: string): Promise<void>;
  remove(id: string, force: boolean): Promise<void>;
  inspect(id: string): Promise<ContainerInfo | null>;
  /** inspectRaw is the engine's own full description of a container (for admins; mask secrets before showing). */
  inspectRaw(id: string): Promise<Record<string, unknown> | null>;
  list(opts: { labels?: Record<string, string>; all: boolean }): Promise<ContainerInfo[]>;
  /** events streams container events until `signal` aborts; it resolves when the stream ends or fails. */
  events(opts: { labels?: Record<string, string>; since?: number }, onEvent: (e: EngineEvent) => void, signal: AbortSignal): Promise<void>;
  logs(id: string, opts: { since?: number; follow: boolean; tail?: number }, onLine: (l: LogLine) => void, signal: AbortSignal): Promise<void>;
  stats(id: string): Promise<ContainerStats>;
  /** engineInfo is the engine's own description (`docker info`), for the SRC API's node endpoints; optional (a multi-node engine describes its nodes instead). */
  engineInfo?(): Promise<Record<string, unknown>>;
  listImages(): Promise<ImageInfo[]>;
  listNetworks(): Promise<NetworkInfo[]>;
  listVolumes(): Promise<VolumeInfo[]>;
  /** ensureVolume creates a named volume with `labels` unless it exists (then its labels are left as they are). */
  ensureVolume(name: string, labels: Record<string, string>): Promise<void>;
  /** removeVolume removes a named volume; E_CONFLICT (409) while a container uses it, nothing when it is gone. */
  removeVolume(name: string): Promise<void>;
  /** volumeSizes are the bytes each volume uses, by name (the engine walks them: call it on demand, not per request). */
  volumeSizes(): Promise<Record<string, number>>;
}
