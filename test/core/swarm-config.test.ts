/**
 * swarm-config.test.ts: the swarm-mode settings (PORTICO_DOCKER_MODE, PORTICO_SWARM_CONSTRAINTS,
 * PORTICO_SWARM_RESERVE) are checked with a message that names the setting, and reach the spec.
 */
import t from 'tap';
import { loadConfig } from '../../gateway/core/config.ts';
import { buildSpec } from '../../gateway/core/containers/spec.ts';
import type { Container } from '../../gateway/core/types.ts';

const base = { PORTICO_DATA_DIR: '/tmp/portico-swarm-config' };

t.test('PORTICO_DOCKER_MODE is engine (default) or swarm; swarm refuses published ports', async (t) => {
  t.equal(loadConfig(base).docker.mode, 'engine');
  t.equal(loadConfig({ ...base, PORTICO_DOCKER_MODE: 'swarm' }).docker.mode, 'swarm');
  t.throws(() => loadConfig({ ...base, PORTICO_DOCKER_MODE: 'kubernetes' }), /PORTICO_DOCKER_MODE/);
  t.throws(() => loadConfig({ ...base, PORTICO_DOCKER_MODE: 'swarm', PORTICO_PUBLISH_PORTS: 'true' }), /PORTICO_PUBLISH_PORTS cannot be used with PORTICO_DOCKER_MODE=swarm/);
});

t.test('placement constraints and reservations are validated', async (t) => {
  const c = loadConfig({ ...base, PORTICO_SWARM_CONSTRAINTS: 'node.labels.apps==yes; node.role!=manager', PORTICO_SWARM_RESERVE: 'cpus=0.5,memory=256m' });
  t.same(c.swarm.constraints, ['node.labels.apps==yes', 'node.role!=manager']);
  t.same(c.swarm.reserve, { nanoCpus: 500_000_000, memoryBytes: 256 * 1024 * 1024 });
  t.same(loadConfig(base).swarm, { constraints: [], reserve: null }, 'none by default');
  t.throws(() => loadConfig({ ...base, PORTICO_SWARM_CONSTRAINTS: 'node.labels.apps=yes' }), /PORTICO_SWARM_CONSTRAINTS: "node.labels.apps=yes" is not a placement constraint/);
  t.throws(() => loadConfig({ ...base, PORTICO_SWARM_CONSTRAINTS: 'node.hostname==a b' }), /PORTICO_SWARM_CONSTRAINTS/);
  t.throws(() => loadConfig({ ...base, PORTICO_SWARM_RESERVE: 'cpus=-1' }), /PORTICO_SWARM_RESERVE must be/);
  t.throws(() => loadConfig({ ...base, PORTICO_SWARM_RESERVE: 'disk=1g' }), /PORTICO_SWARM_RESERVE must be/);
  t.throws(() => loadConfig({ ...base, PORTICO_SWARM_RESERVE: 'memory=lots' }), /"memory=lots"/);
});

t.test('the spec carries them only in swarm mode, so an engine-mode spec hash is unchanged', async (t) => {
  const c = { uuid: '0f0f0f0f-0000-4000-8000-000000000000', projectUuid: 'p', title: 'x', repository: 'r', tag: '1', containerPort: 80, containerPath: '', environment: {}, command: '', dataPath: '', description: '', requestedHostPort: null } as unknown as Container;
  const opts = { instance: 'i', network: 'n', publishHostPort: null, substitutions: [], log: { maxSize: '1m', maxFiles: 1 }, nofile: null };
  const plain = buildSpec(c, opts);
  t.notOk('placement' in plain || 'reservations' in plain, 'no swarm fields for a plain engine');
  const swarm = buildSpec(c, { ...opts, swarm: { constraints: ['node.role==worker'], reserve: { nanoCpus: 1e9, memoryBytes: 0 } } });
  t.same(swarm.placement, ['node.role==worker']);
  t.same(swarm.reservations, { nanoCpus: 1e9, memoryBytes: 0 });
  t.not(swarm.labels['portico.spec'], plain.labels['portico.spec'], 'a changed placement changes the spec hash (the service is recreated at its next start)');
  t.equal(buildSpec(c, { ...opts, swarm: { constraints: [], reserve: null } }).labels['portico.spec'], plain.labels['portico.spec'], 'no placement set hashes as before');
});
