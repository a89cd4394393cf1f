/**
 * engine.ts: the container-engine interface. Portico talks to engines only through it; only
 * docker.ts and swarm.ts know dockerode's types. Docker Swarm services (swarm.ts) and a remote
 * TLS host implement the same interface.
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
  /** publishAddress is the host address the port is published on (default 127.0.0.1); 0 as publishHostPort lets the engine pick the port. */
  publishAddress?: string;
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
  /** placement are swarm placement constraints (`node.labels.apps==yes`); a plain engine ignores them. */
  placement?: string[];
  /** reservations are the CPU (nano-CPUs) and memory (bytes) a swarm reserves for the app on its node; a plain engine ignores them. */
  reservations?: { nanoCpus: number; memoryBytes: number };
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
  /**
   * hostAddress is where a process on the engine's own host reaches the app when its address on
   * the network is not routable from there (a swarm task's address on the node's docker_gwbridge).
   */
  hostAddress?: string | null;
}

/**
 * NodeInfo is one node of the engine's cluster (a plain engine is one node), as the node page and
 * the SRC-style node endpoints show it: `docker node ls` and the useful part of `docker node inspect`.
 */
export interface NodeInfo {
  id: string;
  /** name is the node's host name. */
  name: string;
  /** status: ready, down, unknown or disconnected (a plain engine that answers is ready). */
  status: string;
  /** availability: active, pause or drain (a plain engine is active). */
  availability: string;
  /** role: manager or worker (a plain engine: engine). */
  role: 'manager' | 'worker' | 'engine';
  /** leader: the manager that leads the swarm's raft (a plain engine: false). */
  leader: boolean;
  /** self: the node Portico's engine connection is on. */
  self: boolean;
  address: string | null;
  engineVersion: string;
  os: string;
  arch: string;
  cpus: number;
  memoryBytes: number;
  labels: Record<string, string>;
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

/** RegistryAuth is the credentials a pull sends its registry (the engine's X-Registry-Auth). */
export interface RegistryAuth { username: string; password: string; serveraddress: string }

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

/** EngineVersion is what an engine says about itself. */
export interface EngineVersion { version: string; apiVersion: string; os: string; arch: string }

/** Engine is the narrow set of operations Portico needs from a container engine. */
export interface Engine {
  readonly kind: string;
  ping(): Promise<void>;
  /** version is the engine's own description (the host test shows it); optional for engines that cannot tell. */
  version?(): Promise<EngineVersion>;
  ensureNetwork(name: string, labels: Record<string, string>): Promise<void>;
  connectNetwork(network: string, containerIdOrName: string, aliases?: string[]): Promise<void>;
  imageExists(ref: string): Promise<boolean>;
  /** pullImage pulls `ref`, sending `auth` to its registry when given (an image host's credentials). */
  pullImage(ref: string, onProgress: (p: PullProgress) => void, signal?: AbortSignal, auth?: RegistryAuth): Promise<void>;
  create(spec: ContainerSpec): Promise<string>;
  start(id: string): Promise<void>;
  stop(id: string, timeoutSeconds: number): Promise<void>;
  pause(id: string): Promise<void>;
  unpause(id: string): Promise<void>;
  kill(id: string): Promise<void>;
  /**
   * remove deletes a container (`force`: a running one too). One already gone is no error; a
   * running one without force is E_INVALID_STATE (409); a removal another caller began is waited for.
   */
  remove(id: string, force: boolean): Promise<void>;
  inspect(id: string): Promise<ContainerInfo | null>;
  /** inspectRaw is the engine's own full description of a container (for admins; mask secrets before showing). */
  inspectRaw(id: string): Promise<Record<string, unknown> | null>;
  list(opts: { labels?: Record<string, string>; all: boolean }): Promise<ContainerInfo[]>;
  /** events streams container events until `signal` aborts; it resolves when the stream ends or fails. */
  events(opts: { labels?: Record<string, string>; since?: number }, onEvent: (e: EngineEvent) => void, signal: AbortSignal): Promise<void>;
  logs(id: string, opts: { since?: number; follow: boolean; tail?: number }, onLine: (l: LogLine) => void, signal: AbortSignal): Promise<void>;
  stats(id: string): Promise<ContainerStats>;
  listImages(): Promise<ImageInfo[]>;
  /** removeImage removes a tag (the image goes with its last tag) or an untagged image by id; E_CONFLICT (409) while a container uses it, nothing when it is gone. Never forced. */
  removeImage(ref: string): Promise<void>;
  listNetworks(): Promise<NetworkInfo[]>;
  listVolumes(): Promise<VolumeInfo[]>;
  /** ensureVolume creates a named volume with `labels` unless it exists (then its labels are left as they are). */
  ensureVolume(name: string, labels: Record<string, string>): Promise<void>;
  /** removeVolume removes a named volume; E_CONFLICT (409) while a container uses it, nothing when it is gone. */
  removeVolume(name: string): Promise<void>;
  /** volumeSizes are the bytes each volume uses, by name (the engine walks them: call it on demand, not per request). */
  volumeSizes(): Promise<Record<string, number>>;
  /** nodes lists the cluster's nodes (a plain engine: itself, from `docker info`). */
  nodes?(): Promise<NodeInfo[]>;
  /**
   * roll replaces the app's running instance by a new one with the same settings and files (a swarm
   * service's task, by a forced update); engines without it restart by removing and recreating.
   */
  roll?(id: string): Promise<void>;
}
