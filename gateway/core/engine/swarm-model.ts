/**
 * swarm-model.ts: how Docker Swarm's services and tasks map onto Portico's engine view (swarm.ts):
 * which task is current, what state and error it means, the ContainerInfo of a service, and the
 * service spec a ContainerSpec becomes. Pure functions over the Engine API's JSON; no I/O.
 */
import type { ContainerInfo, ContainerSpec, EngineState } from './engine.ts';

/** STARTING are the task states on the way to running. */
export const STARTING = new Set(['new', 'allocated', 'pending', 'assigned', 'accepted', 'ready', 'preparing', 'starting']);

/** Task and Service are the parts of the Engine API's task and service Portico reads. */
export interface Task {
  ID: string; ServiceID: string; NodeID?: string; Slot?: number; CreatedAt: string; UpdatedAt: string; DesiredState: string;
  Version?: { Index: number };
  Status: { Timestamp?: string; State: string; Message?: string; Err?: string; ContainerStatus?: { ContainerID?: string; ExitCode?: number } };
  NetworksAttachments?: Array<{ Network: { Spec: { Name: string } }; Addresses?: string[] }>;
  Spec?: { ContainerSpec?: { Image?: string } };
}

export interface Service {
  ID: string; CreatedAt: string; UpdatedAt: string; Version: { Index: number };
  Spec: {
    Name: string; Labels?: Record<string, string>; Mode?: { Replicated?: { Replicas?: number } };
    TaskTemplate: { ContainerSpec?: { Image?: string; Env?: string[]; Args?: string[] }; ForceUpdate?: number; [k: string]: unknown };
    [k: string]: unknown;
  };
}

/** currentTask is the task that says what the service is doing now: the one created last (one slot; a roll replaces it). */
export function currentTask(tasks: Task[]): Task | null {
  // Not by Version: an old task's version moves on when it is told to shut down.
  let out: Task | null = null;
  for (const t of tasks) if (!out || t.CreatedAt > out.CreatedAt) out = t;
  return out;
}

/** meantToRun: the swarm wants the task up ('ready' is a rolled task's while the old one stops). */
export function meantToRun(t: Task): boolean {
  return t.DesiredState === 'running' || t.DesiredState === 'ready';
}

/** replicas is how many tasks the service asks for. */
export function replicas(s: Service): number {
  return s.Spec.Mode?.Replicated?.Replicas ?? 0;
}

/** engineState maps a service and its current task to a container state. */
export function engineState(s: Service, t: Task | null): EngineState {
  if (!t) return replicas(s) > 0 ? 'restarting' : 'created';
  if (t.Status.State === 'running') return 'running';
  if (STARTING.has(t.Status.State)) return meantToRun(t) ? 'restarting' : 'exited';
  return 'exited';
}

/** taskError is why a task is not running, in the swarm's words (null while it runs or starts without complaint). */
export function taskError(t: Task | null): string | null {
  if (!t || t.Status.State === 'running') return null;
  return t.Status.Err || (t.Status.State === 'rejected' || t.Status.State === 'failed' ? t.Status.Message ?? t.Status.State : null);
}

/** toInfo is Portico's view of a service and its current task (`gw`: container ids to docker_gwbridge addresses, when read). */
export function toInfo(s: Service, t: Task | null, gw: Map<string, string> | null): ContainerInfo {
  const state = engineState(s, t);
  const ips: Record<string, string> = {};
  if (t && state === 'running') for (const a of t.NetworksAttachments ?? []) if (a.Addresses?.[0]) ips[a.Network.Spec.Name] = a.Addresses[0].split('/')[0];
  const cid = t?.Status.ContainerStatus?.ContainerID ?? '';
  const cs = s.Spec.TaskTemplate.ContainerSpec ?? {};
  const image = (cs.Image ?? '').replace(/@sha256:[0-9a-f]+$/, '');
  const exited = state === 'exited' && t !== null;
  return {
    id: s.ID, name: s.Spec.Name, image, imageId: t?.Spec?.ContainerSpec?.Image ?? cs.Image ?? '', state,
    labels: s.Spec.Labels ?? {}, ips, hostPorts: {},
    startedAt: state === 'running' ? t?.Status.Timestamp ?? null : null,
    finishedAt: exited ? t?.Status.Timestamp ?? null : null,
    exitCode: exited ? t?.Status.ContainerStatus?.ExitCode ?? null : null,
    error: taskError(t),
    // The current task's: a rolled task is newer than the action that rolled it (recovery.ts' reached).
    createdAt: t?.CreatedAt ?? s.CreatedAt, env: cs.Env ?? [], cmd: cs.Args ?? null,
    hostAddress: state === 'running' && gw && cid ? gw.get(cid) ?? null : null,
  };
}

/** serviceSpec is the Engine API's service spec for `spec`, created with 0 replicas (`pin`: a node id to keep it on). */
export function serviceSpec(spec: ContainerSpec, pin: string | null): object {
  const constraints = [...(spec.placement ?? []), ...(pin ? [`node.id==${pin}`] : [])];
  return {
    Name: spec.name,
    Labels: spec.labels,
    TaskTemplate: {
      ContainerSpec: {
        Image: spec.image, Env: spec.env, Args: spec.cmd ?? undefined, Labels: spec.labels, Init: true, Hostname: spec.name,
        // Only named volumes Portico created: a spec cannot name a host path (Type is never 'bind').
        Mounts: spec.volumes.map((v) => ({ Type: 'volume', Source: v.name, Target: v.target })),
        Ulimits: spec.nofile ? [{ Name: 'nofile', Soft: spec.nofile.soft, Hard: spec.nofile.hard }] : undefined,
        StopGracePeriod: 10e9,
      },
      // Portico owns the lifecycle (on-demand start, idle stop), as RestartPolicy 'no' does for a plain container.
      RestartPolicy: { Condition: 'none' },
      Placement: constraints.length ? { Constraints: constraints } : undefined,
      Resources: spec.reservations ? { Reservations: { NanoCPUs: spec.reservations.nanoCpus || undefined, MemoryBytes: spec.reservations.memoryBytes || undefined } } : undefined,
      Networks: [{ Target: spec.network, Aliases: spec.aliases }],
      LogDriver: { Name: 'json-file', Options: { 'max-size': spec.log.maxSize, 'max-file': String(spec.log.maxFiles) } },
    },
    Mode: { Replicated: { Replicas: 0 } },
    // DNS round robin: the name resolves to the task itself, no virtual IP (nor IPVS) in between.
    EndpointSpec: { Mode: 'dnsrr' },
  };
}
