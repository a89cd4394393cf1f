/**
 * docker.ts: the Engine implemented on dockerode. The only module that knows dockerode's types;
 * it converts them into ContainerInfo and friends, and Docker's errors into EngineError.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import Docker from 'dockerode';
import { EngineError, conflict } from '../errors.ts';
import { dockerSocketPath } from './docker-socket.ts';
import type {
  ContainerInfo, ContainerSpec, ContainerStats, Engine, EngineEvent, EngineState, ImageInfo, LogLine, NetworkInfo,
  NodeInfo, PullProgress, VolumeInfo,
} from './engine.ts';

/** DockerOptions says how to reach the engine (from Config.docker). */
export interface DockerOptions {
  host: string | null;
  tlsVerify: boolean;
  certPath: string | null;
  /** tls are PEM texts for a tcp:// host (a container host added in Portico); they win over certPath. */
  tls?: { ca: string; cert: string; key: string } | null;
}

/** modemOptions is how dockerode reaches the engine described by `opts`. */
export function modemOptions(opts: DockerOptions): Docker.DockerOptions {
  const socketPath = dockerSocketPath(opts);
  if (socketPath) return { socketPath };
  const url = new URL(String(opts.host).replace(/^tcp:/, opts.tlsVerify ? 'https:' : 'http:'));
  const out: Docker.DockerOptions = {
    host: url.hostname,
    port: Number(url.port || (opts.tlsVerify ? 2376 : 2375)),
    protocol: opts.tlsVerify ? 'https' : 'http',
  };
  if (opts.tlsVerify && opts.tls) {
    out.ca = opts.tls.ca;
    out.cert = opts.tls.cert;
    out.key = opts.tls.key;
  } else if (opts.tlsVerify && opts.certPath) {
    out.ca = fs.readFileSync(path.join(opts.certPath, 'ca.pem'));
    out.cert = fs.readFileSync(path.join(opts.certPath, 'cert.pem'));
    out.key = fs.readFileSync(path.join(opts.certPath, 'key.pem'));
  }
  return out;
}

/** REMOVAL_WAIT_MS bounds the wait for a container removal that another caller began. */
const REMOVAL_WAIT_MS = 30_000;
/** REMOVAL_POLL_MS is how often that wait looks whether the container is gone. */
const REMOVAL_POLL_MS = 50;

const UNAVAILABLE = new Set(['ENOENT', 'ECONNREFUSED', 'ECONNRESET', 'EACCES', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH']);

/** toEngineError converts a dockerode failure into an EngineError with Docker's own message. */
export function toEngineError(err: unknown, what: string): EngineError {
  if (err instanceof EngineError) return err;
  const e = err as { statusCode?: number; code?: string; json?: { message?: string }; reason?: string; message?: string };
  if (e.code && UNAVAILABLE.has(e.code)) {
    return new EngineError('E_ENGINE_UNAVAILABLE', `container engine unavailable (${e.code}) while trying to ${what}`);
  }
  // docker-modem puts the engine's own reason only in the message when the body was not JSON:
  // "(HTTP code 500) server error - Get …: dial tcp …: connection refused".
  const modem = /^\(HTTP code \d+\) [^-]*- ([\s\S]+)$/.exec(e.message ?? '')?.[1];
  const message = e.json?.message ?? (typeof e.json === 'string' ? e.json : undefined) ?? (modem?.trim() || undefined) ?? e.reason ?? e.message ?? String(err);
  return new EngineError('E_ACTION_FAILED', `${what}: ${String(message).trim()}`, e.statusCode);
}

const PULL_CAUSES: Array<[RegExp, string]> = [
  // An insecure registry (127.0.0.0/8 by default) is retried over plain HTTP when HTTPS fails, and
  // the engine reports only that retry: its HTTPS attempt was refused, most often for lack of credentials.
  [/HTTP request to an HTTPS server/i, 'the registry refused the pull over HTTPS (most often: a private image needs an image host with its credentials), and the engine\'s plain-HTTP retry for an insecure registry reached an HTTPS port'],
  [/no such host|server misbehaving|name resolution/i, 'the registry host name is not known'],
  [/connection refused/i, 'the registry refused the connection'],
  [/i\/o timeout|deadline exceeded|timeout/i, 'the registry did not answer in time'],
  [/unauthorized|authentication required|denied|no basic auth credentials/i, 'the registry refused access (a private image needs an image host with its credentials)'],
  [/manifest unknown|not found|does not exist/i, 'no such image or tag in the registry'],
  [/x509|certificate/i, "the registry's TLS certificate is not trusted by the engine"],
];

/** pullFailure turns an engine's pull error into a message that keeps the engine's words and says what they mean. */
export function pullFailure(ref: string, reason: string): string {
  const cause = PULL_CAUSES.find(([re]) => re.test(reason))?.[1];
  return `could not pull ${ref}${cause ? `: ${cause}` : ''} (${reason})`;
}

/** statusOf is the engine's HTTP status of a failed dockerode call. */
export function statusOf(err: unknown): number | undefined {
  return (err as { statusCode?: number }).statusCode;
}

/** ok304 treats Docker's "304 Not Modified" (already started/stopped/paused) as success. */
async function ok304(p: Promise<unknown>, what: string): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (statusOf(err) === 304) return;
    throw toEngineError(err, what);
  }
}

function toInfo(c: Docker.ContainerInspectInfo): ContainerInfo {
  const networks = c.NetworkSettings?.Networks ?? {};
  const ips: Record<string, string> = {};
  const aliases: Record<string, string[]> = {};
  for (const [name, n] of Object.entries(networks)) {
    if (n?.IPAddress) ips[name] = n.IPAddress;
    aliases[name] = n?.Aliases ?? [];
  }
  const hostPorts: Record<number, number> = {};
  for (const [key, bindings] of Object.entries(c.NetworkSettings?.Ports ?? {})) {
    const b = (bindings as Array<{ HostPort: string }> | null)?.[0];
    if (b?.HostPort) hostPorts[Number(key.split('/')[0])] = Number(b.HostPort);
  }
  const st = c.State;
  return {
    id: c.Id,
    name: c.Name.replace(/^\//, ''),
    image: c.Config?.Image ?? '',
    imageId: c.Image,
    state: (st?.Status ?? 'created') as EngineState,
    labels: c.Config?.Labels ?? {},
    ips,
    aliases,
    hostPorts,
    startedAt: st?.StartedAt && !st.StartedAt.startsWith('0001') ? st.StartedAt : null,
    finishedAt: st?.FinishedAt && !st.FinishedAt.startsWith('0001') ? st.FinishedAt : null,
    exitCode: typeof st?.ExitCode === 'number' ? st.ExitCode : null,
    error: st?.Error || (st?.OOMKilled ? 'killed: out of memory' : null),
    createdAt: c.Created,
    env: c.Config?.Env ?? [],
    cmd: c.Config?.Cmd ?? null,
  };
}

function listToInfo(c: Docker.ContainerInfo): ContainerInfo {
  const ips: Record<string, string> = {};
  for (const [name, n] of Object.entries(c.NetworkSettings?.Networks ?? {})) if (n?.IPAddress) ips[name] = n.IPAddress;
  const hostPorts: Record<number, number> = {};
  for (const p of c.Ports ?? []) if (p.PublicPort) hostPorts[p.PrivatePort] = p.PublicPort;
  return {
    id: c.Id, name: (c.Names?.[0] ?? '').replace(/^\//, ''), image: c.Image, imageId: c.ImageID,
    state: c.State as EngineState, labels: c.Labels ?? {}, ips, hostPorts, startedAt: null, finishedAt: null,
    exitCode: null, error: null, createdAt: new Date(c.Created * 1000).toISOString(),
  };
}

function labelFilters(labels?: Record<string, string>): string[] {
  return Object.entries(labels ?? {}).map(([k, v]) => `${k}=${v}`);
}

/** splitLines calls onLine for each complete line of a byte stream. */
export function splitLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let buf = '';
    stream.on('data', (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line.trim()) onLine(line);
      }
    });
    stream.on('end', () => { if (buf.trim()) onLine(buf); resolve(); });
    stream.on('close', () => resolve());
    stream.on('error', reject);
  });
}

/** readLogStream demultiplexes an engine log stream (a container's or a service's) into lines until it ends or `signal` aborts. */
export async function readLogStream(docker: Docker, raw: NodeJS.ReadableStream, onLine: (l: LogLine) => void, signal: AbortSignal): Promise<void> {
  const out = new PassThrough();
  const errs = new PassThrough();
  docker.modem.demuxStream(raw, out, errs);
  // A destroyed stream (abort) emits only 'close': end the demuxed streams on every way out.
  for (const ev of ['end', 'error', 'close']) raw.on(ev, () => { out.end(); errs.end(); });
  const onAbort = () => (raw as unknown as { destroy?: () => void }).destroy?.();
  signal.addEventListener('abort', onAbort, { once: true });
  if (signal.aborted) onAbort();
  const emit = (streamName: 'stdout' | 'stderr') => (line: string) => {
    const sp = line.indexOf(' ');
    const time = sp > 0 ? line.slice(0, sp) : new Date().toISOString();
    onLine({ time, stream: streamName, text: sp > 0 ? line.slice(sp + 1) : line });
  };
  try {
    await Promise.all([splitLines(out, emit('stdout')), splitLines(errs, emit('stderr'))]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** createDockerEngine returns an Engine backed by the Docker engine described by `opts`. */
export function createDockerEngine(opts: DockerOptions): Engine {
  const docker = new Docker(modemOptions(opts));

  /**
   * removedElsewhere waits (until `deadline`) for a removal another caller began: true once the
   * container is gone, false when it stays. The engine shows such a container `running` while it
   * kills it and `removing` after; a removal that failed leaves it `dead`.
   */
  async function removedElsewhere(id: string, deadline: number): Promise<boolean> {
    for (;;) {
      const info = await inspect(id);
      if (!info) return true;
      await new Promise((r) => setTimeout(r, REMOVAL_POLL_MS));
      if (info.state === 'dead' || Date.now() >= deadline) return false;
    }
  }

  async function inspect(id: string): Promise<ContainerInfo | null> {
    try {
      return toInfo(await docker.getContainer(id).inspect());
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw toEngineError(err, `inspect container ${id.slice(0, 12)}`);
    }
  }

  return {
    kind: 'docker',

    async ping() {
      try {
        await docker.ping();
      } catch (err) {
        throw toEngineError(err, 'reach the engine');
      }
    },

    async version() {
      try {
        const v = await docker.version();
        return { version: v.Version, apiVersion: v.ApiVersion, os: v.Os, arch: v.Arch };
      } catch (err) {
        throw toEngineError(err, 'reach the engine');
      }
    },

    async ensureNetwork(name, labels) {
      try {
        await docker.getNetwork(name).inspect();
        return;
      } catch (err) {
        if (statusOf(err) !== 404) throw toEngineError(err, `inspect network ${name}`);
      }
      try {
        await docker.createNetwork({ Name: name, Driver: 'bridge', CheckDuplicate: true, Labels: labels });
      } catch (err) {
        if (statusOf(err) === 409) return; // created concurrently
        throw toEngineError(err, `create network ${name}`);
      }
    },

    async connectNetwork(network, containerIdOrName, aliases) {
      try {
        await docker.getNetwork(network).connect({ Container: containerIdOrName, EndpointConfig: aliases?.length ? { Aliases: aliases } : {} });
      } catch (err) {
        const msg = String((err as { json?: { message?: string } }).json?.message ?? (err as Error).message);
        if (statusOf(err) === 403 && /already exists/.test(msg)) return;
        if (/already exists in network/.test(msg)) return;
        throw toEngineError(err, `connect ${containerIdOrName} to network ${network}`);
      }
    },

    async imageExists(ref) {
      try {
        await docker.getImage(ref).inspect();
        return true;
      } catch (err) {
        if (statusOf(err) === 404) return false;
        throw toEngineError(err, `inspect image ${ref}`);
      }
    },

    async pullImage(ref, onProgress, signal, auth) {
      let stream: NodeJS.ReadableStream;
      try {
        stream = (await docker.pull(ref, { abortSignal: signal, ...(auth ? { authconfig: auth } : {}) } as object)) as NodeJS.ReadableStream;
      } catch (err) {
        const e = toEngineError(err, `pull ${ref}`);
        if (e.code === 'E_ENGINE_UNAVAILABLE') throw e;
        throw new EngineError('E_IMAGE_PULL_FAILED', pullFailure(ref, e.message.slice(`pull ${ref}: `.length)), e.engineStatus);
      }
      let failure: string | null = null;
      await splitLines(stream, (line) => {
        let msg: { status?: string; id?: string; error?: string; errorDetail?: { message?: string }; progressDetail?: { current?: number; total?: number } };
        try { msg = JSON.parse(line); } catch { return; }
        if (msg.error || msg.errorDetail) {
          failure = msg.errorDetail?.message ?? msg.error ?? 'pull failed';
          return;
        }
        onProgress({ status: msg.status ?? '', layer: msg.id, current: msg.progressDetail?.current, total: msg.progressDetail?.total });
      }).catch((err) => { failure = (err as Error).message; });
      if (failure) throw new EngineError('E_IMAGE_PULL_FAILED', pullFailure(ref, failure));
    },

    async create(spec) {
      const portKey = `${spec.port}/tcp`;
      try {
        const c = await docker.createContainer({
          name: spec.name,
          Image: spec.image,
          Env: spec.env,
          Cmd: spec.cmd ?? undefined,
          Labels: spec.labels,
          ExposedPorts: { [portKey]: {} },
          HostConfig: {
            NetworkMode: spec.network,
            // Port 0 lets the engine pick a free one (a remote host's ports are not ours to probe).
            PortBindings: spec.publishHostPort !== null ? { [portKey]: [{ HostIp: spec.publishAddress ?? '127.0.0.1', HostPort: spec.publishHostPort ? String(spec.publishHostPort) : '' }] } : undefined,
            RestartPolicy: { Name: 'no' },
            Init: true,
            // Named volumes Portico created, plus an app grant's binds, which are only ever allowlisted real paths (apps/policy.ts).
            Mounts: [
              ...spec.volumes.map((v) => ({ Type: 'volume' as const, Source: v.name, Target: v.target })),
              ...(spec.binds ?? []).map((b) => ({ Type: 'bind' as const, Source: b.hostPath, Target: b.target, ReadOnly: b.readOnly })),
            ],
            LogConfig: { Type: 'json-file', Config: { 'max-size': spec.log.maxSize, 'max-file': String(spec.log.maxFiles) } },
            Ulimits: spec.nofile ? [{ Name: 'nofile', Soft: spec.nofile.soft, Hard: spec.nofile.hard }] : undefined,
          },
          NetworkingConfig: { EndpointsConfig: { [spec.network]: { Aliases: spec.aliases } } },
        });
        return c.id;
      } catch (err) {
        throw toEngineError(err, `create container ${spec.name}`);
      }
    },

    start: (id) => ok304(docker.getContainer(id).start(), 'start container'),
    stop: (id, t) => ok304(docker.getContainer(id).stop({ t }), 'stop container'),
    pause: (id) => ok304(docker.getContainer(id).pause(), 'pause container'),
    unpause: (id) => ok304(docker.getContainer(id).unpause(), 'unpause container'),

    async kill(id) {
      try {
        await docker.getContainer(id).kill();
      } catch (err) {
        // 409: not running; that is what kill wants.
        if (statusOf(err) === 409 || statusOf(err) === 304) return;
        throw toEngineError(err, 'kill container');
      }
    },

    async remove(id, force) {
      const deadline = Date.now() + REMOVAL_WAIT_MS;
      for (;;) {
        try {
          await docker.getContainer(id).remove({ force, v: true });
          return;
        } catch (err) {
          const st = statusOf(err);
          // Gone already: what a removal wants.
          if (st === 404) return;
          const e = toEngineError(err, 'remove container');
          if (st !== 409) throw e;
          // A running container without force (or a paused one): the action does not fit the state.
          if (!/already in progress/.test(e.message)) throw conflict(e.message, 'E_INVALID_STATE');
          // Another caller's removal, which the engine reports at once: done when the container is
          // gone; when that removal failed instead (the container is dead), ours tries again.
          if (await removedElsewhere(id, deadline)) return;
          if (Date.now() >= deadline) {
            throw conflict(`remove container: a removal of ${id.slice(0, 12)} begun elsewhere did not finish within ${REMOVAL_WAIT_MS / 1000} s`, 'E_INVALID_STATE');
          }
        }
      }
    },

    inspect,

    async inspectRaw(id) {
      try {
        return (await docker.getContainer(id).inspect()) as unknown as Record<string, unknown>;
      } catch (err) {
        if (statusOf(err) === 404) return null;
        throw toEngineError(err, `inspect container ${id.slice(0, 12)}`);
      }
    },

    async list({ labels, all }) {
      try {
        const filters = labels ? { label: labelFilters(labels) } : undefined;
        const list = await docker.listContainers({ all, filters: filters ? JSON.stringify(filters) : undefined } as Docker.ContainerListOptions);
        return list.map(listToInfo);
      } catch (err) {
        throw toEngineError(err, 'list containers');
      }
    },

    async events({ labels, since }, onEvent, signal) {
      let stream: NodeJS.ReadableStream;
      try {
        stream = (await docker.getEvents({
          filters: { type: ['container'], ...(labels ? { label: labelFilters(labels) } : {}) },
          ...(since ? { since } : {}),
          abortSignal: signal,
        } as object)) as NodeJS.ReadableStream;
      } catch (err) {
        throw toEngineError(err, 'follow engine events');
      }
      const onAbort = () => (stream as unknown as { destroy?: () => void }).destroy?.();
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        await splitLines(stream, (line) => {
          let e: { Type?: string; Action?: string; status?: string; id?: string; Actor?: { ID?: string; Attributes?: Record<string, string> }; time?: number };
          try { e = JSON.parse(line); } catch { return; }
          if (e.Type && e.Type !== 'container') return;
          const action = (e.Action ?? e.status ?? '').split(':')[0];
          const id = e.Actor?.ID ?? e.id;
          if (!id) return;
          onEvent({ id, action, labels: e.Actor?.Attributes ?? {}, time: e.time ?? Math.floor(Date.now() / 1000) });
        });
      } catch (err) {
        if (signal.aborted) return;
        throw toEngineError(err, 'follow engine events');
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    },

    async logs(id, opts, onLine, signal) {
      const c = docker.getContainer(id);
      let raw: NodeJS.ReadableStream;
      try {
        raw = (await c.logs({
          follow: opts.follow as true, stdout: true, stderr: true, timestamps: true, since: opts.since ?? 0,
          tail: opts.tail ?? 'all', abortSignal: signal,
        } as Docker.ContainerLogsOptions & { follow: true })) as NodeJS.ReadableStream;
      } catch (err) {
        throw toEngineError(err, 'read container logs');
      }
      await readLogStream(docker, raw, onLine, signal);
    },

    async stats(id) {
      try {
        const s = (await docker.getContainer(id).stats({ stream: false })) as Docker.ContainerStats;
        const cpuDelta = s.cpu_stats.cpu_usage.total_usage - (s.precpu_stats.cpu_usage?.total_usage ?? 0);
        const sysDelta = (s.cpu_stats.system_cpu_usage ?? 0) - (s.precpu_stats.system_cpu_usage ?? 0);
        const cpus = s.cpu_stats.online_cpus ?? s.cpu_stats.cpu_usage.percpu_usage?.length ?? 1;
        let rx = 0, tx = 0;
        for (const n of Object.values(s.networks ?? {})) { rx += n.rx_bytes; tx += n.tx_bytes; }
        let br = 0, bw = 0;
        for (const e of s.blkio_stats?.io_service_bytes_recursive ?? []) {
          if (e.op.toLowerCase() === 'read') br += e.value;
          if (e.op.toLowerCase() === 'write') bw += e.value;
        }
        return {
          cpuPercent: sysDelta > 0 && cpuDelta > 0 ? (cpuDelta / sysDelta) * cpus * 100 : 0,
          memoryBytes: s.memory_stats.usage ?? 0,
          memoryLimitBytes: s.memory_stats.limit ?? 0,
          netRxBytes: rx, netTxBytes: tx, blockReadBytes: br, blockWriteBytes: bw,
          pids: (s as unknown as { pids_stats?: { current?: number } }).pids_stats?.current ?? 0,
        };
      } catch (err) {
        throw toEngineError(err, 'read container stats');
      }
    },

    async listImages(): Promise<ImageInfo[]> {
      try {
        return (await docker.listImages()).map((i) => ({
          id: i.Id, tags: (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>'), size: i.Size,
          createdAt: new Date(i.Created * 1000).toISOString(), labels: i.Labels ?? {},
        }));
      } catch (err) {
        throw toEngineError(err, 'list images');
      }
    },

    async listNetworks(): Promise<NetworkInfo[]> {
      try {
        const nets = await docker.listNetworks();
        return await Promise.all(nets.map(async (n) => {
          const full = await docker.getNetwork(n.Id).inspect().catch(() => n) as Docker.NetworkInspectInfo;
          const cfg = full.IPAM?.Config?.[0];
          return {
            id: n.Id, name: n.Name, driver: n.Driver, subnet: cfg?.Subnet ?? null, gateway: cfg?.Gateway ?? null,
            containers: Object.entries(full.Containers ?? {}).map(([id, c]) => ({ id, name: c.Name, ip: c.IPv4Address })),
            labels: n.Labels ?? {},
          };
        }));
      } catch (err) {
        throw toEngineError(err, 'list networks');
      }
    },

    async listVolumes(): Promise<VolumeInfo[]> {
      try {
        const v = await docker.listVolumes();
        return (v.Volumes ?? []).map((x) => ({
          name: x.Name, driver: x.Driver, mountpoint: x.Mountpoint, labels: x.Labels ?? {},
          createdAt: (x as { CreatedAt?: string }).CreatedAt,
        }));
      } catch (err) {
        throw toEngineError(err, 'list volumes');
      }
    },

    async ensureVolume(name, labels) {
      try {
        await docker.getVolume(name).inspect();
        return;
      } catch (err) {
        if (statusOf(err) !== 404) throw toEngineError(err, `inspect volume ${name}`);
      }
      try {
        // Creating an existing volume is a no-op for the local driver, so a concurrent create is harmless.
        await docker.createVolume({ Name: name, Labels: labels });
      } catch (err) {
        throw toEngineError(err, `create volume ${name}`);
      }
    },

    async removeVolume(name) {
      try {
        await docker.getVolume(name).remove();
      } catch (err) {
        const st = statusOf(err);
        if (st === 404) return;
        const e = toEngineError(err, `remove volume ${name}`);
        if (st === 409) throw conflict(e.message);
        throw e;
      }
    },

    async nodes(): Promise<NodeInfo[]> {
      try {
        const i = await docker.info();
        return [{
          id: i.ID, name: i.Name, status: 'ready', availability: 'active', role: 'engine', leader: false, self: true, address: null,
          engineVersion: i.ServerVersion, os: i.OSType ?? i.OperatingSystem, arch: i.Architecture, cpus: i.NCPU, memoryBytes: i.MemTotal,
          labels: Object.fromEntries((i.Labels ?? []).map((l: string) => [l.split('=')[0], l.slice(l.indexOf('=') + 1)])),
        }];
      } catch (err) {
        throw toEngineError(err, 'read the engine\'s info');
      }
    },

    async removeImage(ref) {
      try {
        await docker.getImage(ref).remove({ force: false, noprune: false });
      } catch (err) {
        const st = statusOf(err);
        if (st === 404) return;
        const e = toEngineError(err, `remove image ${ref}`);
        if (st === 409) throw conflict(e.message);
        throw e;
      }
    },

    async volumeSizes() {
      try {
        // type=volume (API 1.42) spares the engine sizing images and containers; older engines ignore it.
        const df = await new Promise<{ Volumes?: Array<{ Name: string; UsageData?: { Size?: number } }> }>((resolve, reject) => {
          docker.modem.dial({ path: '/system/df?', method: 'GET', options: { type: 'volume' }, statusCodes: { 200: true, 500: 'server error' } },
            (err: unknown, data: unknown) => (err ? reject(err) : resolve(data as { Volumes?: Array<{ Name: string; UsageData?: { Size?: number } }> })));
        });
        const out: Record<string, number> = {};
        for (const v of df.Volumes ?? []) if (typeof v.UsageData?.Size === 'number' && v.UsageData.Size >= 0) out[v.Name] = v.UsageData.Size;
        return out;
      } catch (err) {
        throw toEngineError(err, 'read volume sizes');
      }
    },
  };
}
