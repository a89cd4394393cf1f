/**
 * docker-format.ts (SRC API): the Docker CLI's `--format '{{json .}}'` shapes the SRC document's
 * examples show (docker ps, stats, images, node ls, node inspect), built from the engine's data:
 * strings as the CLI prints them ("29.92MiB / 7.668GiB", "Up 3 seconds", "7 days ago").
 */
import type { ContainerStats, ImageInfo, NodeInfo } from '../../../gateway/core/engine/engine.ts';

type Raw = Record<string, any>;

/** siSize prints bytes as the CLI prints image sizes and I/O: decimal units (kB, MB, GB). */
export function siSize(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) { n /= 1000; i++; }
  return `${i === 0 ? n : Number(n.toPrecision(4))}${units[i]}`;
}

/** binSize prints bytes as the CLI prints memory: binary units (KiB, MiB, GiB). */
export function binSize(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return `${i === 0 ? n : Number(n.toPrecision(4))}${units[i]}`;
}

/** human prints how long since `iso` as Docker's HumanDuration ("3 seconds", "About a minute", "2 hours", "7 days"). */
export function human(iso: string, now = Date.now()): string {
  const s = Math.max(0, (now - Date.parse(iso)) / 1000);
  if (s < 1) return 'Less than a second';
  if (s < 60) return `${Math.floor(s)} seconds`;
  if (s < 120) return 'About a minute';
  if (s < 3600) return `${Math.floor(s / 60)} minutes`;
  if (s < 7200) return 'About an hour';
  if (s < 48 * 3600) return `${Math.floor(s / 3600)} hours`;
  if (s < 14 * 86_400) return `${Math.floor(s / 86_400)} days`;
  if (s < 60 * 86_400) return `${Math.floor(s / 604_800)} weeks`;
  if (s < 730 * 86_400) return `${Math.floor(s / 2_592_000)} months`;
  return `${Math.floor(s / 31_536_000)} years`;
}

const ago = (iso: string) => `${human(iso)} ago`;

/** cliTime prints a time as the CLI's CreatedAt ("2021-03-10 00:15:05 +0000 UTC"). */
export function cliTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : `${d.toISOString().slice(0, 19).replace('T', ' ')} +0000 UTC`;
}

const shortId = (id: string) => id.replace(/^sha256:/, '').slice(0, 12);

function status(state: Raw): string {
  if (state.Running) return `Up ${human(state.StartedAt)}${state.Paused ? ' (Paused)' : ''}`;
  if (state.Status === 'created') return 'Created';
  if (state.Status === 'restarting') return `Restarting (${state.ExitCode}) ${ago(state.FinishedAt)}`;
  if (state.Status === 'dead') return 'Dead';
  return `Exited (${state.ExitCode}) ${ago(state.FinishedAt)}`;
}

/** psRow is `docker ps --format '{{json .}}'` of container `raw` (docker inspect), named `name` (its SRC name). */
export function psRow(raw: Raw, name: string): Record<string, string> {
  const cfg = raw.Config ?? {};
  const cmd = [...(cfg.Entrypoint ?? []), ...(cfg.Cmd ?? [])].join(' ');
  const ports: string[] = [];
  for (const [port, binds] of Object.entries((raw.NetworkSettings?.Ports ?? {}) as Record<string, Array<{ HostIp: string; HostPort: string }> | null>)) {
    if (binds?.length) for (const b of binds) ports.push(`${b.HostIp}:${b.HostPort}->${port}`);
    else ports.push(port);
  }
  const mounts = (raw.Mounts ?? []) as Array<{ Type: string; Name?: string; Source: string }>;
  return {
    Command: JSON.stringify(cmd.length > 20 ? `${cmd.slice(0, 19)}…` : cmd),
    CreatedAt: cliTime(raw.Created),
    ID: shortId(raw.Id ?? ''),
    Image: cfg.Image ?? '',
    Labels: Object.entries((cfg.Labels ?? {}) as Record<string, string>).map(([k, v]) => `${k}=${v}`).join(','),
    LocalVolumes: String(mounts.filter((m) => m.Type === 'volume').length),
    Mounts: mounts.map((m) => m.Name ?? m.Source).join(','),
    Names: name,
    Networks: Object.keys(raw.NetworkSettings?.Networks ?? {}).join(','),
    Ports: ports.join(', '),
    RunningFor: ago(raw.Created),
    Size: '0B',
    State: raw.State?.Status ?? 'unknown',
    Status: raw.State ? status(raw.State) : '',
  };
}

/** psRowUnmade is the docker ps row of an instance whose engine container is not made yet (it is at its first start). */
export function psRowUnmade(name: string, image: string, createdAt: string): Record<string, string> {
  return {
    Command: '""', CreatedAt: cliTime(createdAt), ID: '', Image: image, Labels: '', LocalVolumes: '0', Mounts: '',
    Names: name, Networks: '', Ports: '', RunningFor: ago(createdAt), Size: '0B', State: 'created', Status: 'Created',
  };
}

/** statsRow is `docker stats --no-stream --format '{{json .}}'`; `s` null (not running) prints zeros as docker does. */
export function statsRow(id: string, name: string, s: ContainerStats | null): Record<string, string> {
  const z = s ?? { cpuPercent: 0, memoryBytes: 0, memoryLimitBytes: 0, netRxBytes: 0, netTxBytes: 0, blockReadBytes: 0, blockWriteBytes: 0, pids: 0 };
  const memPerc = z.memoryLimitBytes ? (z.memoryBytes / z.memoryLimitBytes) * 100 : 0;
  return {
    BlockIO: `${siSize(z.blockReadBytes)} / ${siSize(z.blockWriteBytes)}`,
    CPUPerc: `${z.cpuPercent.toFixed(2)}%`,
    Container: shortId(id),
    ID: shortId(id),
    MemPerc: `${memPerc.toFixed(2)}%`,
    MemUsage: `${binSize(z.memoryBytes)} / ${binSize(z.memoryLimitBytes)}`,
    Name: name,
    NetIO: `${siSize(z.netRxBytes)} / ${siSize(z.netTxBytes)}`,
    PIDs: String(z.pids),
  };
}

/** imageRow is `docker images --format '{{json .}}'` of `ref` (the engine's `info`, null when absent) plus CreatedContainerCount and App (the IMAGE for create-app). */
export function imageRow(ref: string, app: string, info: ImageInfo | null, count: number): Record<string, string | number> {
  const at = ref.lastIndexOf(':');
  const tagged = at > 0 && !ref.slice(at).includes('/');
  return {
    Containers: 'N/A',
    CreatedAt: info ? cliTime(info.createdAt) : '',
    CreatedSince: info ? ago(info.createdAt) : '',
    Digest: '<none>',
    ID: info ? shortId(info.id) : '',
    Repository: tagged ? ref.slice(0, at) : ref,
    SharedSize: 'N/A',
    Size: info ? siSize(info.size) : 'N/A',
    Tag: tagged ? ref.slice(at + 1) : 'latest',
    UniqueSize: 'N/A',
    VirtualSize: info ? siSize(info.size) : 'N/A',
    CreatedContainerCount: count,
    App: app,
  };
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** nodeLsRow is `docker node ls --format '{{json .}}'`; a plain engine is a single manager that leads itself. */
export function nodeLsRow(n: NodeInfo): Record<string, string | boolean> {
  const manager = n.role !== 'worker';
  return {
    Availability: cap(n.availability), EngineVersion: n.engineVersion, Hostname: n.name, ID: n.id,
    ManagerStatus: !manager ? '' : n.leader || n.role === 'engine' ? 'Leader' : 'Reachable',
    Self: n.self, Status: cap(n.status), TLSStatus: 'Ready',
  };
}

/** nodeInspect is `docker node inspect` of one node (the CLI prints an array of one). */
export function nodeInspect(n: NodeInfo): Raw[] {
  const manager = n.role !== 'worker';
  return [{
    ID: n.id,
    Spec: { Labels: n.labels, Role: manager ? 'manager' : 'worker', Availability: n.availability },
    Description: {
      Hostname: n.name,
      Platform: { Architecture: n.arch, OS: n.os },
      Resources: { NanoCPUs: Math.round(n.cpus * 1e9), MemoryBytes: n.memoryBytes },
      Engine: { EngineVersion: n.engineVersion },
    },
    Status: { State: n.status, Addr: n.address ?? '' },
    ...(manager ? { ManagerStatus: { Leader: n.leader || n.role === 'engine', Reachability: 'reachable', Addr: n.address ?? '' } } : {}),
  }];
}
