/**
 * last-action-sync.test.ts: the last-action sync brings a container to its last action's intent
 * from the state it is in, and what it does (or gives up on) is in the container's own log.
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { startGateway, waitFor, TEST_IMAGE } from '../helpers/gateway.ts';
import { createLastActionSync } from '../../gateway/core/containers/last-action-sync.ts';
import { silentLogger } from '../../gateway/core/log.ts';

t.test('regression: an app woken from paused and then found exited is started, not unpaused five times and given up', async (t) => {
  const gw = await startGateway({ PORTICO_SCHEDULE_SYNC: 'off' });
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('una', { project, role: 'owner' });
  const { body } = await gw.api('POST', `/containers/api/create/${project}`, token, { title: 'woken', ...TEST_IMAGE });
  const uuid: string = body.sodar_uuid;
  for (const a of ['start', 'pause', 'unpause']) t.equal((await gw.api('POST', `/containers/api/${a}/${uuid}`, token)).status, 200, a);
  const c = gw.core.store.containers.byUuid(uuid)!;
  t.equal(c.lastAction, 'unpause');
  // As after an engine restart: the container is exited while its last action wants it running.
  execFileSync('docker', ['kill', c.dockerId!], { stdio: 'ignore' });
  await waitFor(() => gw.core.store.containers.byUuid(uuid)!.state === 'exited', 10_000, 'the state sync to see it exited');

  const sync = createLastActionSync({ store: gw.core.store, containers: gw.core.containers, logger: silentLogger, graceMs: 0, engineUp: () => true });
  t.equal(await sync.run(), 'retried 1 container(s)');
  t.equal(gw.core.store.containers.byUuid(uuid)!.state, 'running', 'started again');
  const log = gw.core.store.logs.tail(c.id, 50).map((l) => l.text).join('\n');
  t.match(log, /disagrees with last action unpause; running start again \(retry 1\/5\)/, 'the container log says what the sync did');
  t.notMatch(log, /cannot unpause/, 'no futile unpause');
});

t.test('regression: a last-action sync give-up is in the container\'s own log, with the last error', async (t) => {
  const gw = await startGateway({ PORTICO_SCHEDULE_SYNC: 'off' });
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('vic', { project, role: 'owner' });
  // Every start fails at once and for certain: the image is pulled from a closed port on this host.
  const { body } = await gw.api('POST', `/containers/api/create/${project}`, token, { title: 'broken', repository: '127.0.0.1:9/portico-test/absent', tag: '1', max_retries: 1 });
  const uuid: string = body.sodar_uuid;
  t.not((await gw.api('POST', `/containers/api/start/${uuid}`, token)).status, 200, 'the start fails');
  const c = gw.core.store.containers.byUuid(uuid)!;
  t.equal(c.state, 'failed');

  const sync = createLastActionSync({ store: gw.core.store, containers: gw.core.containers, logger: silentLogger, graceMs: 0, engineUp: () => true });
  t.equal(await sync.run(), 'retried 1 container(s)', 'one retry');
  await sync.run();
  await sync.run();
  const lines = gw.core.store.logs.tail(c.id, 100);
  const text = lines.map((l) => l.text).join('\n');
  t.match(text, /Retry 1\/1 failed: .*127\.0\.0\.1:9/, 'the failed retry and its reason are in the container log');
  const gaveUp = lines.filter((l) => /giving up after 1 retries/.test(l.text));
  t.equal(gaveUp.length, 1, 'the give-up is written once');
  t.equal(gaveUp[0].level, 'ERROR');
  t.match(gaveUp[0].text, /\(last error: .*127\.0\.0\.1:9/, 'with the last error');
});
