/**
 * lifecycle.test.ts: the Kiosc container lifecycle against the real Docker engine, through the REST API.
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { startGateway, engineContainers, dockerInspect, waitFor, TEST_IMAGE } from '../helpers/gateway.ts';

t.test('full cycle: create → start → pause → unpause → restart → stop → start → delete', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('alice', { project, role: 'contributor' });

  const created = await gw.api('POST', `/containers/api/create/${project}`, token, {
    title: 'Echo <app>', ...TEST_IMAGE, container_port: 80,
    environment: { PUBLIC_URL_PREFIX: '__KIOSC_URL_PREFIX__', API_KEY: 's3cret', N: 5 },
    environment_secret_keys: 'API_KEY',
    command: `sh -c 'echo prefix=__KIOSC_URL_PREFIX__; exec httpd -f -p 80 -h /www'`,
  });
  t.equal(created.status, 201, 'create answers 201');
  const uuid = created.body.sodar_uuid;
  t.equal(created.body.state, 'initial');
  t.equal(created.body.environment.API_KEY, '<masked>', 'secret masked in the create answer');
  t.equal(created.body.project, project);

  const started = await gw.api('POST', `/containers/api/start/${uuid}`, token);
  t.equal(started.status, 200, 'start answers 200');
  t.equal(started.body.state, 'running');
  const firstId = started.body.container_id;
  t.ok(firstId, 'has a docker id');

  const info = dockerInspect(firstId);
  const env: string[] = info.Config.Env;
  t.ok(env.includes(`PUBLIC_URL_PREFIX=/containers/proxy/${uuid}/`), 'prefix substituted in environment');
  t.ok(env.includes('API_KEY=s3cret'), 'secret value reaches the container');
  t.ok(env.includes('TITLE=Echo <app>') && env.includes('CONTAINER_PORT=80') && env.includes('N=5'), 'Kiosc extra variables');
  t.match(info.Config.Cmd.join(' '), `echo prefix=/containers/proxy/${uuid}/`, 'prefix substituted in command');
  t.equal(info.Config.Labels['portico.managed'], 'true');
  t.equal(info.Config.Labels['portico.container'], uuid);
  t.equal(info.Config.Labels['portico.project'], project);
  t.match(info.Name, /^\/portico-echo-app-[0-9a-f]{8}$/, 'readable name');
  t.ok(info.NetworkSettings.Networks['portico-test-net'], 'joined the Portico network');
  t.same(info.HostConfig.PortBindings ?? {}, {}, 'no port published by default');

  const paused = await gw.api('POST', `/containers/api/pause/${uuid}`, token);
  t.equal(paused.body.state, 'paused');
  const unpaused = await gw.api('POST', `/containers/api/unpause/${uuid}`, token);
  t.equal(unpaused.body.state, 'running');

  const restarted = await gw.api('POST', `/containers/api/restart/${uuid}`, token);
  t.equal(restarted.body.state, 'running');
  t.not(restarted.body.container_id, firstId, 'restart recreates: new Docker id');
  t.equal(engineContainers(gw.instance).length, 1, 'old container removed');

  const stopped = await gw.api('POST', `/containers/api/stop/${uuid}`, token);
  t.equal(stopped.body.state, 'exited');
  const again = await gw.api('POST', `/containers/api/start/${uuid}`, token);
  t.equal(again.body.state, 'running');
  const noop = await gw.api('POST', `/containers/api/start/${uuid}`, token);
  t.equal(noop.status, 200, 'start on running is a no-op success');
  t.equal(noop.body.container_id, again.body.container_id);

  const logs = await gw.api('GET', `/containers/api/logs/${uuid}?lines=200`, token);
  const lines: string[] = logs.body.results.map((r: { line: string }) => r.line);
  t.ok(lines.some((l) => /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d INFO alice\] \(Object\) Created$/.test(l)), 'Kiosc log format');
  t.ok(lines.some((l) => l.includes('(Action) Restart')), 'actions logged');

  const del = await gw.api('DELETE', `/containers/api/delete/${uuid}`, token);
  t.equal(del.status, 204);
  t.equal(engineContainers(gw.instance).length, 0, 'nothing left in docker ps -a');
  t.equal((await gw.api('GET', `/containers/api/detail/${uuid}`, token)).status, 404);
});

t.test('Kiosc GET start/stop submit a job and answer at once', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('bob', { project, role: 'owner' });
  const { body } = await gw.api('POST', `/containers/api/create/${project}`, token, { title: 'g', ...TEST_IMAGE });
  const r = await gw.api('GET', `/containers/api/start/${body.sodar_uuid}`, token);
  t.equal(r.status, 200);
  t.same(r.body, { message: 'container starting job submitted' });
  await waitFor(async () => (await gw.api('GET', `/containers/api/detail/${body.sodar_uuid}`, token)).body.state === 'running', 20_000, 'running');
  const s = await gw.api('GET', `/containers/api/stop/${body.sodar_uuid}`, token);
  t.same(s.body, { message: 'container stopping job submitted' });
  await waitFor(async () => (await gw.api('GET', `/containers/api/detail/${body.sodar_uuid}`, token)).body.state === 'exited', 20_000, 'exited');
});

t.test('a bad image fails with the reason in the log and no stray container', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('carol', { project, role: 'owner' });
  // A registry on 127.0.0.1:9 refuses at once: no traffic leaves the machine.
  const { body } = await gw.api('POST', `/containers/api/create/${project}`, token, { title: 'bad', repository: '127.0.0.1:9/portico/missing', tag: '1' });
  const r = await gw.api('POST', `/containers/api/start/${body.sodar_uuid}`, token);
  t.equal(r.status, 502, 'the failed pull answers 502');
  t.equal(r.body.code, 'E_IMAGE_PULL_FAILED');
  const d = await gw.api('GET', `/containers/api/detail/${body.sodar_uuid}`, token);
  t.equal(d.body.state, 'failed');
  const logs = await gw.api('GET', `/containers/api/logs/${body.sodar_uuid}`, token);
  t.ok(logs.body.results.some((e: { level: string; text: string }) => e.level === 'ERROR' && /start failed: could not pull .*connection refused/.test(e.text)), 'reason logged, the engine\'s own words included');
  t.equal(engineContainers(gw.instance).length, 0, 'no stray container');
});

t.test('concurrent starts create exactly one Docker container', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('dave', { project, role: 'owner' });
  const { body } = await gw.api('POST', `/containers/api/create/${project}`, token, { title: 'c', ...TEST_IMAGE });
  const results = await Promise.all(Array.from({ length: 20 }, () => gw.api('POST', `/containers/api/start/${body.sodar_uuid}`, token)));
  t.ok(results.every((r) => r.status === 200 && r.body.state === 'running'), 'all 20 succeed');
  t.equal(new Set(results.map((r) => r.body.container_id)).size, 1, 'one docker id');
  t.equal(engineContainers(gw.instance).length, 1, 'one container on the engine');
});

t.test('an external docker kill shows as exited within about a second', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('erin', { project, role: 'owner' });
  const { body } = await gw.api('POST', `/containers/api/create/${project}`, token, { title: 'k', ...TEST_IMAGE });
  const s = await gw.api('POST', `/containers/api/start/${body.sodar_uuid}`, token);
  const t0 = Date.now();
  execFileSync('docker', ['kill', s.body.container_id], { stdio: 'ignore' });
  await waitFor(async () => (await gw.api('GET', `/containers/api/detail/${body.sodar_uuid}`, token)).body.state === 'exited', 3000, 'exited');
  t.ok(Date.now() - t0 < 1500, `state followed in ${Date.now() - t0} ms`);
});

t.test('a gateway restart adopts state and containers without duplicating them', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('fred', { project, role: 'owner' });
  const { body } = await gw.api('POST', `/containers/api/create/${project}`, token, { title: 'r', ...TEST_IMAGE });
  const s = await gw.api('POST', `/containers/api/start/${body.sodar_uuid}`, token);
  // Stop it behind the gateway's back while the gateway is down.
  await gw.restart();
  const d = await gw.api('GET', `/containers/api/detail/${body.sodar_uuid}`, token);
  t.equal(d.body.state, 'running');
  t.equal(d.body.container_id, s.body.container_id, 'same container adopted');
  t.equal(engineContainers(gw.instance).length, 1, 'no duplicate');
  const again = await gw.api('POST', `/containers/api/start/${body.sodar_uuid}`, token);
  t.equal(again.body.container_id, s.body.container_id, 'start after restart is a no-op');
});
