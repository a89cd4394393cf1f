/**
 * src-api-swarm.test.ts: the SRC Container API's swarm mode (docs/src-api.md) on a private
 * single-node swarm: create-app starts the app (a service), pause-app and unpause-app are refused
 * as the SRC document's table of modes says, kill and delete work, and the node endpoints answer
 * from the swarm's nodes.
 */
import t from 'tap';
import { startGateway } from '../helpers/gateway.ts';
import { startPrivateSwarm } from '../helpers/private-swarm.ts';

t.test('swarm mode: created apps are started, pause is refused, nodes are the swarm\'s', async (t) => {
  const sw = await startPrivateSwarm({ images: ['portico-test/httpd:1'] });
  t.teardown(() => sw.destroy());
  const gw = await startGateway({
    DOCKER_HOST: sw.host, PORTICO_DOCKER_MODE: 'swarm', PORTICO_DOCKER_NETWORK: `src-swarm-${process.pid}`,
    PORTICO_SWARM_CONSTRAINTS: 'node.role==manager', PORTICO_SWARM_RESERVE: 'memory=8m',
  });
  t.teardown(() => gw.close());
  const admin = await gw.user('src-swarm-admin', { admin: true });
  await gw.user('alice');
  const app = await gw.api('POST', '/api/apps', admin.token, { image: 'portico-test/httpd:1', title: 'Swarm httpd', port: 80 });
  t.equal(app.status, 201, JSON.stringify(app.body));
  t.equal((await gw.api('POST', `/api/apps/${app.body.uuid}/grants`, admin.token, { user: 'alice' })).status, 201);
  const src = (method: string, endpoint: string, query: Record<string, string> = {}) =>
    gw.api(method, `/src-api/demo/${endpoint}?${new URLSearchParams(query)}`, admin.token);
  const name = `${app.body.slug}--alice`;

  const made = await src('POST', 'create-app', { image: app.body.slug, user: 'alice' });
  t.equal(made.status, 201, JSON.stringify(made.body));
  t.same(made.body, { name, action: 'create-app', state: 'running' }, 'swarm mode: started upon creation');
  const c = gw.core.store.apps.instancesOfUser(gw.core.store.users.byUsername('alice')!.id)[0].container;
  const spec = JSON.parse(sw.docker(`service inspect ${c.dockerId}`))[0];
  t.equal(spec.Spec.Mode.Replicated.Replicas, 1, 'a one-replica service on the swarm');

  for (const endpoint of ['pause-app', 'unpause-app']) {
    const r = await src('POST', endpoint, { name });
    t.equal(r.status, 409, `${endpoint} on a swarm: 409`);
    t.equal(r.body.code, 'E_NOT_SUPPORTED');
    t.match(r.body.error, /solo mode only/);
  }
  t.equal((await src('GET', 'get-app-status', { name })).body.Names, name, 'status of a service\'s app');

  const node = JSON.parse(sw.docker('node inspect self'))[0];
  t.same((await src('GET', 'get-node-names')).body, [node.Description.Hostname], 'the swarm\'s nodes');
  const status = (await src('GET', 'get-node-status', { hostname: node.Description.Hostname })).body;
  t.match(status, { ID: node.ID, Hostname: node.Description.Hostname, ManagerStatus: 'Leader', Self: true, Status: 'Ready', Availability: 'Active' });
  const info = (await src('GET', 'get-node-info', { hostname: node.Description.Hostname })).body;
  t.equal(info[0].ID, node.ID);
  t.equal(info[0].Spec.Role, 'manager');

  t.equal((await src('POST', 'kill-app', { name })).status, 200, 'kill-app works in swarm mode');
  t.equal((await src('POST', 'delete-app', { name })).body.state, 'deleted');
  t.same((await src('GET', 'get-app-names')).body, []);
});
