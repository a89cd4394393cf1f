/**
 * recovery.test.ts: a delete is intent from the moment it is accepted. While it is pending (here:
 * recorded, as a crash before its turn leaves it) nothing starts the container again, and the next
 * resync with the engine finishes it.
 */
import t from 'tap';
import { startGateway, engineContainers, waitFor, TEST_IMAGE } from '../helpers/gateway.ts';

t.test('regression: the proxy never starts a container whose delete is pending, and start-up finishes the delete', async (t) => {
  const gw = await startGateway({ PORTICO_SCHEDULE_SYNC: 'off' });
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('wes', { project, role: 'owner' });
  const { body } = await gw.api('POST', `/containers/api/create/${project}`, token, { title: 'going', ...TEST_IMAGE });
  const uuid: string = body.sodar_uuid;
  t.equal((await gw.api('POST', `/containers/api/start/${uuid}`, token)).status, 200);
  t.equal((await gw.api('POST', `/containers/api/stop/${uuid}`, token)).body.state, 'exited');
  const c = gw.core.store.containers.byUuid(uuid)!;
  // What a gateway killed right after accepting a DELETE leaves behind.
  gw.core.store.containers.setLastAction(c.id, 'delete', 0);

  const proxied = await gw.api('GET', `/containers/proxy/${uuid}/`, token);
  t.not(proxied.status, 200, `the proxy does not start it (${proxied.status})`);
  t.match(JSON.stringify(proxied.body), /being deleted/, 'and says why');
  t.same(engineContainers(gw.instance).map((e) => e.state), ['exited'], 'the engine container stays exited');
  const start = await gw.api('POST', `/containers/api/start/${uuid}`, token);
  t.equal(start.status, 409, 'a start is refused');
  t.match(start.body.error, /being deleted/);

  await gw.restart();
  await waitFor(() => gw.core.store.containers.byUuid(uuid) === null, 10_000, 'the pending delete to finish at start-up');
  t.same(engineContainers(gw.instance), [], 'the engine container is gone with it');
  t.equal((await gw.api('GET', `/containers/proxy/${uuid}/`, token)).status, 404, 'the link finds nothing');
  t.same(engineContainers(gw.instance), [], 'and starts nothing');
});
