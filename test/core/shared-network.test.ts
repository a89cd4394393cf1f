/**
 * shared-network.test.ts: docker-shared mode's start-up rules (the container image test in
 * test/deploy/ runs the whole thing for real): finding the own container id, the gateway's name,
 * and the settings that cannot go together.
 */
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../gateway/core/config.ts';
import { buildCore } from '../../gateway/core/build.ts';
import { createLogger, silentLogger } from '../../gateway/core/log.ts';
import { gatewayHost, joinSharedNetwork, selfContainerId } from '../../gateway/core/containers/shared-network.ts';
import { EngineError } from '../../gateway/core/errors.ts';
import { Bus } from '../../gateway/core/events.ts';
import type { Engine } from '../../gateway/core/engine/engine.ts';

const ID = 'd768aac8a7cb827282424f8b33e40dc07531e530a4b3ade24f3277ec143defde';

t.test('selfContainerId reads the container id from mountinfo or cgroup v1', async (t) => {
  const mountinfo = [
    '600 550 0:52 / / rw,relatime master:280 - overlay overlay rw,lowerdir=/var/lib/docker/overlay2/l/ABC',
    `620 600 254:1 /var/lib/docker/containers/${ID}/resolv.conf /etc/resolv.conf rw,relatime - ext4 /dev/vda1 rw`,
    `621 600 254:1 /var/lib/docker/containers/${ID}/hostname /etc/hostname rw,relatime - ext4 /dev/vda1 rw`,
  ].join('\n');
  t.equal(selfContainerId(mountinfo), ID, 'from the bind-mounted /etc/hostname (cgroup v2 hosts)');
  t.equal(selfContainerId('', `12:pids:/docker/${ID}\n0::/`), ID, 'from a cgroup v1 path');
  t.equal(selfContainerId('', `0::/system.slice/docker-${ID}.scope`), ID, 'from a systemd cgroup scope');
  t.equal(selfContainerId('600 550 0:52 / / rw - ext4 /dev/vda1 rw', '0::/user.slice'), null, 'null outside a container');
  t.equal(selfContainerId(`1 2 3 /var/lib/docker/containers/${ID}/mounts/secrets /run/secrets rw - ext4 x rw`), null,
    'other files under the container directory do not count');
});

t.test('gatewayHost is PORTICO_GATEWAY_NAME, else the hostname', async (t) => {
  t.equal(gatewayHost({ gatewayName: 'portico' }, 'abc'), 'portico');
  t.equal(gatewayHost({ gatewayName: null }, 'd768aac8a7cb'), 'd768aac8a7cb');
  t.equal(gatewayHost(loadConfig({ KIOSC_DOCKER_WEB_SERVER: 'kiosc-web' })), 'kiosc-web', "Kiosc's variable is read too");
});

t.test('settings docker-shared mode refuses', async (t) => {
  t.throws(() => loadConfig({ PORTICO_NETWORK_MODE: 'docker-shared', PORTICO_PUBLISH_PORTS: 'true' }),
    { code: 'E_CONFIG', message: /PORTICO_PUBLISH_PORTS cannot be used with PORTICO_NETWORK_MODE=docker-shared/ }, 'publishing app ports');
  t.equal(loadConfig({ KIOSC_NETWORK_MODE: 'docker-shared' }).publishPorts, false);
  t.throws(() => loadConfig({ PORTICO_RUN_AS: 'root; rm -rf /' }), { code: 'E_CONFIG', message: /PORTICO_RUN_AS/ });
  t.equal(loadConfig({ PORTICO_RUN_AS: '1000:1000' }).runAs, '1000:1000');
  t.equal(loadConfig({}).runAs, null, 'no switch unless asked');
});

t.test('docker-shared mode outside a container warns and joins nothing', async (t) => {
  t.ok(!selfContainerId(fs.readFileSync('/proc/self/mountinfo', 'utf8')), 'this test runs on the host, not in a container');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-shared-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const config = loadConfig({ PORTICO_DATA_DIR: dir, PORTICO_NETWORK_MODE: 'docker-shared', PORTICO_INSTANCE: 't-shared-host', PORTICO_DOCKER_NETWORK: 'portico-test-net' });
  const lines: string[] = [];
  const core = await buildCore(config, { logger: createLogger({ format: 'text', level: 'warn', write: (l) => lines.push(l) }) });
  t.teardown(() => core.close());
  t.ok(lines.some((l) => /runs in no Docker container: not joining the network/.test(l)), 'says why it does not join');
});

t.test('a container the engine does not know fails start-up with the reason', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-shared-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const config = loadConfig({ PORTICO_DATA_DIR: dir, PORTICO_NETWORK_MODE: 'docker-shared', PORTICO_INSTANCE: 't-shared-host', PORTICO_DOCKER_NETWORK: 'portico-test-net' });
  const core = await buildCore(config, { logger: silentLogger });
  t.teardown(() => core.close());
  const mountinfo = `1 2 3 /var/lib/docker/containers/${'0'.repeat(64)}/hostname /etc/hostname rw - ext4 x rw`;
  await t.rejects(joinSharedNetwork({ config, engine: core.engine, bus: core.bus, logger: silentLogger, ensureNetwork: core.containers.ensureNetwork, read: (f) => (f.endsWith('mountinfo') ? mountinfo : '') }),
    { code: 'E_CONFIG', message: /the engine does not know this container \(000000000000\)/ });
});

t.test('regression: a swarm manager that answered the overlay attach with "context deadline exceeded" made the gateway exit; the join tries again', async (t) => {
  const config = loadConfig({ PORTICO_NETWORK_MODE: 'docker-shared', PORTICO_DOCKER_NETWORK: 'shared-net', PORTICO_GATEWAY_NAME: 'portico-gw' });
  const id = 'a'.repeat(64);
  let attached = false;
  let attempts = 0;
  const engine = {
    kind: 'fake',
    async inspect(x: string) { return { id: x, name: 'portico-gw', ips: attached ? { 'shared-net': '10.0.9.2' } : {}, aliases: {}, labels: {} }; },
    async connectNetwork() {
      attempts++;
      if (attempts < 3) throw new EngineError('E_ACTION_FAILED', 'connect aaaa to network shared-net: attaching to network failed, make sure your network options are correct and check manager logs: context deadline exceeded');
      attached = true;
    },
  } as unknown as Engine;
  const warnings: string[] = [];
  const logger = createLogger({ format: 'text', level: 'warn', write: (l) => warnings.push(l) });
  const self = await joinSharedNetwork({ config, engine, bus: new Bus(), logger, ensureNetwork: async () => {}, read: (f) => (f.endsWith('mountinfo') ? `1 2 3 /var/lib/docker/containers/${id}/hostname /etc/hostname rw - ext4 x rw` : '') });
  t.equal(attempts, 3, 'tried again after two refusals');
  t.equal(self?.ip, '10.0.9.2', 'and joined');
  t.equal(warnings.filter((l) => /trying again/.test(l)).length, 2, 'each refusal is a warning, not an exit');

  // Another engine error is not retried: it fails the start at once, as before.
  attempts = 0;
  attached = false;
  const other = { ...engine, async connectNetwork() { attempts++; throw new EngineError('E_ACTION_FAILED', 'network shared-net not found'); } } as unknown as Engine;
  await t.rejects(joinSharedNetwork({ config, engine: other, bus: new Bus(), logger, ensureNetwork: async () => {}, read: (f) => (f.endsWith('mountinfo') ? `1 2 3 /var/lib/docker/containers/${id}/hostname /etc/hostname rw - ext4 x rw` : '') }), /not found/);
  t.equal(attempts, 1, 'once');
});
