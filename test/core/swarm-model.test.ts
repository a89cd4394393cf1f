/**
 * swarm-model.test.ts: the pure mapping of swarm services and tasks (gateway/core/engine/swarm-model.ts):
 * which task is current, the state it means, and the service spec a ContainerSpec becomes.
 */
import t from 'tap';
import { currentTask, engineState, serviceSpec, toInfo } from '../../gateway/core/engine/swarm-model.ts';
import type { Service, Task } from '../../gateway/core/engine/swarm-model.ts';
import type { ContainerSpec } from '../../gateway/core/engine/engine.ts';

const svc = (replicas: number): Service => ({
  ID: 's1', CreatedAt: '2026-01-01T00:00:00Z', UpdatedAt: '2026-01-01T00:00:00Z', Version: { Index: 1 },
  Spec: { Name: 'portico-a-1', Labels: { 'portico.container': 'u' }, Mode: { Replicated: { Replicas: replicas } }, TaskTemplate: { ContainerSpec: { Image: 'img:1@sha256:' + 'a'.repeat(64), Env: ['A=1'] } } },
});
const task = (id: string, created: string, version: number, state: string, desired: string, extra: Partial<Task['Status']> = {}): Task => ({
  ID: id, ServiceID: 's1', NodeID: 'n1', CreatedAt: created, UpdatedAt: created, DesiredState: desired, Version: { Index: version },
  Status: { State: state, Timestamp: created, ContainerStatus: { ContainerID: `c-${id}`, ExitCode: 0 }, ...extra },
  NetworksAttachments: [{ Network: { Spec: { Name: 'net' } }, Addresses: ['10.0.1.5/24'] }],
});

t.test('regression: the current task is the one created last, not the highest version (an old task told to shut down moves on)', async (t) => {
  const old = task('old', '2026-01-01T00:00:01Z', 40, 'running', 'shutdown');
  const rolled = task('new', '2026-01-01T00:00:02Z', 30, 'pending', 'ready');
  t.equal(currentTask([old, rolled])?.ID, 'new');
  t.equal(currentTask([]), null);
});

t.test('states: no task, starting (also while a roll waits in desired state ready), running, ended', async (t) => {
  t.equal(engineState(svc(0), null), 'created', 'never started');
  t.equal(engineState(svc(1), null), 'restarting', 'asked for, no task yet');
  t.equal(engineState(svc(1), task('a', 'x', 1, 'preparing', 'running')), 'restarting');
  t.equal(engineState(svc(1), task('a', 'x', 1, 'pending', 'ready')), 'restarting', 'a rolled task waiting for the old one');
  t.equal(engineState(svc(1), task('a', 'x', 1, 'running', 'running')), 'running');
  t.equal(engineState(svc(0), task('a', 'x', 1, 'shutdown', 'shutdown')), 'exited');
  t.equal(engineState(svc(1), task('a', 'x', 1, 'failed', 'shutdown')), 'exited', 'killed (restart policy none: it stays ended)');
  const failed = toInfo(svc(1), task('a', '2026-01-01T00:00:03Z', 1, 'failed', 'shutdown', { Err: 'task: non-zero exit (137)', ContainerStatus: { ContainerID: 'c', ExitCode: 137 } }), null);
  t.match(failed, { state: 'exited', exitCode: 137, error: 'task: non-zero exit (137)', ips: {}, hostAddress: null });
});

t.test('info: the service id and name, the image without its digest, the overlay and gwbridge addresses of a running task', async (t) => {
  const run = task('a', '2026-01-01T00:00:05Z', 1, 'running', 'running');
  const info = toInfo(svc(1), run, new Map([['c-a', '172.20.0.3']]));
  t.match(info, { id: 's1', name: 'portico-a-1', image: 'img:1', state: 'running', ips: { net: '10.0.1.5' }, hostAddress: '172.20.0.3', startedAt: run.CreatedAt, createdAt: run.CreatedAt });
  t.equal(toInfo(svc(1), run, null).hostAddress, null, 'no gwbridge address when it was not read (a task on another node)');
});

t.test('the service spec: named volumes only, restart policy none, dnsrr, 0 replicas, placement and reservations, the pin', async (t) => {
  const spec: ContainerSpec = {
    name: 'portico-a-1', image: 'img:1', env: ['A=1'], cmd: ['run', 'it'], labels: { 'portico.container': 'u' }, network: 'net', aliases: ['portico-a-1'], port: 80,
    publishHostPort: null, volumes: [{ name: 'v1', target: '/data', labels: {} }], log: { maxSize: '10m', maxFiles: 3 }, nofile: null,
    placement: ['node.labels.apps==yes'], reservations: { nanoCpus: 5e8, memoryBytes: 0 },
  };
  const s = serviceSpec(spec, 'node-x') as any;
  t.same(s.TaskTemplate.ContainerSpec.Mounts, [{ Type: 'volume', Source: 'v1', Target: '/data' }]);
  t.same(s.TaskTemplate.ContainerSpec.Args, ['run', 'it'], 'the command replaces the image\'s CMD, as for a container');
  t.equal(s.TaskTemplate.RestartPolicy.Condition, 'none');
  t.equal(s.EndpointSpec.Mode, 'dnsrr');
  t.equal(s.Mode.Replicated.Replicas, 0);
  t.same(s.TaskTemplate.Placement.Constraints, ['node.labels.apps==yes', 'node.id==node-x']);
  t.same(s.TaskTemplate.Resources.Reservations, { NanoCPUs: 5e8, MemoryBytes: undefined });
  t.notOk('EndpointSpec' in s && s.EndpointSpec.Ports, 'no published port');
  t.equal((serviceSpec({ ...spec, placement: undefined, reservations: undefined }, null) as any).TaskTemplate.Placement, undefined, 'no constraints, no placement');
});
