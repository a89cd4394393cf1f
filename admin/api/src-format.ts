/**
 * src-format.ts: the Docker CLI's `--format '{{json .}}'` shapes the SRC Container API returns
 * (docker ps, docker stats, docker images, docker node ls / inspect), built from the engine's
 * answers. Sizes and durations are written as the Docker CLI writes them ("29.92MiB", "4 seconds ago").
 */
import type { ContainerStats, ImageInfo } from '../../gateway/core/engine/engine.ts';

/** humanSize is Docker's decimal size ("168MB", "1.01GB"): go-units HumanSize. */
export function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) { v /= 1000; i++; }
  return `${Number(v.toPrecision(3))}${units[i]}`;
}

/** binarySize is Docker's binary size for memory ("29.92MiB", "7.668GiB"): go-units BytesSize. */
export function binarySize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${Number(v.toPrecision(4))}${units[i]}`;
}

/** ago is Docker's human duration ("4 seconds ago", "7 days ago"): go-units HumanDuration. */
export function ago(fromIso: string | null | undefined, now = Date.now()): string {
  const t = fromIso ? Date.parse(fromIso) : NaN;
  if (!Number.isFinite(t) || t <= 0) return '';
  return `${duration((now - t) / 1000)} ago`;
}

function duration(s: number): string {
  if (s < 1) return 'Less than a second';
  if (s < 2) return '1 second';
  if (s < 60) return `${Math.floor(s)} seconds`;
  const m = s / 60;
  if (m < 2) return 'About a minute';
  if (m < 60) return `${Math.floor(m)} minutes`;
  const h = m / 60;
  if (h < 2) return 'About an hour';
  if (h < 48) return `${Math.floor(h)} hours`;
  const d = h / 24;
  if (d < 14) return `${Math.floor(d)} days`;
  if (d < 60) return `${Math.floor(d / 7)} weeks`;
  if (d < 730) return `${Math.floor(d / 30)} months`;
  return `${Math.floor(d / 365)} years`;
}

/** dockerDate is the CLI's CreatedAt ("2021-03-10 00:15:05 +0000 UTC"). */
export function dockerDate(iso: string | null | undefined): string {
  const t = iso ? Date.parse(iso) : NaN;
  if (!Number.isFinite(t)) return '';
  return new Date(t).toISOString().slice(0, 19).replace('T', ' ') + ' +0000 UTC';
}

type Json = Record<string, any>;

/** psRow is one `docker ps --format '{{json .}}'` line from a container's inspect. */
export function psRow(raw: Json, now = Date.now()): Record<string, string> {
  const st = raw.State ?? {};
  const state: string = st.Status ?? 'unknown';
  const status = state === 'running' ? `Up ${duration((now - Date.parse(st.StartedAt)) / 1000)}${st.Paused ? ' (Paused)' : ''}`
    : state === 'paused' ? `Up ${duration((now - Date.parse(st.StartedAt)) / 1000)} (Paused)`
    : state === 'exited' ? `Exited (${st.ExitCode ?? 0}) ${ago(st.FinishedAt, now)}`
    : state.charAt(0).toUpperCase() + state.slice(1);
  const ports = Object.keys(raw.Config?.ExposedPorts ?? {}).join(', ');
  const mounts = (raw.Mounts ?? []) as Json[];
  return {
    Command: JSON.stringify([raw.Path, ...(raw.Args ?? [])].filter((x) => x !== undefined).join(' ').slice(0, 20) + '…'),
    CreatedAt: dockerDate(raw.Created), ID: String(raw.Id ?? '').slice(0, 12), Image: raw.Config?.Image ?? '',
    Labels: Object.entries(raw.Config?.Labels ?? {}).map(([k, v]) => `${k}=${v}`).join(','),
    LocalVolumes: String(mounts.filter((m) => m.Type === 'volume').length),
    Mounts: mounts.map((m) => m.Name ?? m.Source ?? '').join(','),
    Names: String(raw.Name ?? '').replace(/^\//, ''), Networks: Object.keys(raw.NetworkSettings?.Networks ?? {}).join(','),
    Ports: ports, RunningFor: ago(raw.Created, now), Size: '0B', State: state, Status: status,
  };
}

/** statsRow is one `docker stats --no-stream --format '{{json .}}'` line (zeros for an app that is not running, as docker prints). */
export function statsRow(id: string, name: string, s: ContainerStats | null): Record<string, string> {
  const pct = (n: number) => `${n.toFixed(2)}%`;
  const mem = s && s.memoryLimitBytes ? (s.memoryBytes / s.memoryLimitBytes) * 100 : 0;
  return {
    BlockIO: s ? `${humanSize(s.blockReadBytes)} / ${humanSize(s.blockWriteBytes)}` : '0B / 0B',
    CPUPerc: pct(s?.cpuPercent ?? 0), Container: id.slice(0, 12), ID: id.slice(0, 12), MemPerc: pct(mem),
    MemUsage: s ? `${binarySize(s.memoryBytes)} / ${binarySize(s.memoryLimitBytes)}` : '0B / 0B', Name: name,
    NetIO: s ? `${humanSize(s.netRxBytes)} / ${humanSize(s.netTxBytes)}` : '0B / 0B', PIDs: String(s?.pids ?? 0),
  };
}

/** imageRows is `docker images --format '{{json .}}'` for one image (a line per tag) plus SRC's CreatedContainerCount. */
export function imageRows(img: ImageInfo, createdContainerCount: number, now = Date.now()): Array<Record<string, string | number>> {
  const tags = img.tags.length ? img.tags : ['<none>:<none>'];
  return tags.map((t) => {
    const at = t.lastIndexOf(':');
    return {
      Containers: 'N/A', CreatedAt: dockerDate(img.createdAt), CreatedSince: ago(img.createdAt, now), Digest: '<none>',
      ID: img.id.replace(/^sha256:/, '').slice(0, 12), Repository: t.slice(0, at), SharedSize: 'N/A', Size: humanSize(img.size),
      Tag: t.slice(at + 1), UniqueSize: 'N/A', VirtualSize: humanSize(img.size), CreatedContainerCount: createdContainerCount,
    };
  });
}

/** SoloNode is the one node of a plain engine, from `docker info`. */
export interface SoloNode { id: string; hostname: string; engineVersion: string; os: string; arch: string; cpus: number; memory: number; createdAt: string }

/** soloNode reads the node of a plain engine from its `docker info`. */
export function soloNode(info: Json): SoloNode {
  return {
    id: String(info.ID ?? ''), hostname: String(info.Name ?? 'localhost'), engineVersion: String(info.ServerVersion ?? ''),
    os: String(info.OSType ?? 'linux'), arch: String(info.Architecture ?? ''), cpus: Number(info.NCPU ?? 0), memory: Number(info.MemTotal ?? 0),
    createdAt: String(info.SystemTime ?? new Date().toISOString()),
  };
}

/** nodeStatus is `docker node ls --format '{{json .}}'` for a node: a plain engine is one ready manager, itself. */
export function nodeStatus(n: SoloNode): Record<string, unknown> {
  return { Availability: 'Active', EngineVersion: n.engineVersion, Hostname: n.hostname, ID: n.id, ManagerStatus: 'Leader', Self: true, Status: 'Ready', TLSStatus: 'Ready' };
}

/** nodeInfo is `docker node inspect` for a node (an array of one). */
export function nodeInfo(n: SoloNode): Array<Record<string, unknown>> {
  return [{
    ID: n.id, Version: { Index: 0 }, CreatedAt: n.createdAt, UpdatedAt: n.createdAt,
    Spec: { Labels: {}, Role: 'manager', Availability: 'active' },
    Description: {
      Hostname: n.hostname, Platform: { Architecture: n.arch, OS: n.os },
      Resources: { NanoCPUs: n.cpus * 1e9, MemoryBytes: n.memory }, Engine: { EngineVersion: n.engineVersion, Plugins: [] },
    },
    Status: { State: 'ready', Addr: '127.0.0.1' },
    ManagerStatus: { Leader: true, Reachability: 'reachable', Addr: '127.0.0.1:2377' },
  }];
}
