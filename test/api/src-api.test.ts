/**
 * src-api.test.ts: the SRC Container API against the real engine, as the SRC document's examples
 * describe: every endpoint, its IMAGE--USER names, its JSON shapes and its error cases (a paused
 * app cannot be started; pause needs a running app, unpause a paused one; an unapproved image, an
 * unknown app, facility, node or duration; a bad name), with token auth as the rest of the API.
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { startGateway, TEST_IMAGE } from '../helpers/gateway.ts';

t.test('every SRC endpoint on the real engine, with its error cases', async (t) => {
  const gw = await startGateway({ PORTICO_SRC_FACILITY: 'lab1' });
  t.teardown(() => gw.close());
  const { token: admin } = await gw.user('root', { admin: true });
  const { token: alice } = await gw.user('alice');
  await gw.user('carol');
  const made = await gw.api('POST', '/api/apps', admin, { image: `${TEST_IMAGE.repository}:${TEST_IMAGE.tag}`, title: 'httpd', port: 80 });
  t.equal(made.status, 201, JSON.stringify(made.body));
  const slug: string = made.body.slug;
  t.equal((await gw.api('POST', `/api/apps/${made.body.uuid}/grants`, admin, { user: 'alice' })).status, 201);
  const F = '/src/lab1';
  const post = (p: string, token = admin) => gw.api('POST', `${F}/${p}`, token);
  const get = (p: string, token = admin) => gw.api('GET', `${F}/${p}`, token);
  const name = `${slug}--alice`;

  // Create App: IMAGE--USER, created (solo mode: not started).
  const created = await post(`create-app?image=${slug}&user=alice`);
  t.equal(created.status, 201, JSON.stringify(created.body));
  t.equal(created.body.name, name, 'the app is named IMAGE--USER');
  t.equal((await post(`create-app?image=${slug}&user=alice`)).status, 409, 'the same app twice: 409');
  t.equal((await post(`create-app?image=${slug}`)).status, 400, 'no user: 400');
  t.equal((await post('create-app?image=nginx-not-requested&user=alice')).status, 404, 'an image not requested and approved: 404');
  t.equal((await post(`create-app?image=${slug}&user=carol`)).status, 403, 'an image not granted to the user: 403');
  t.equal((await post(`create-app?image=${slug}&user=a--b`)).status, 400, 'a user name with a double dash: 400');
  t.equal((await post(`create-app?image=${slug}&user=-x`)).status, 400, 'a user name starting with a dash: 400');
  t.equal((await post(`create-app?image=${slug}&user=carol`, alice)).status, 403, 'a user creates apps only for themselves');
  t.equal((await gw.api('POST', `/src/demo/create-app?image=${slug}&user=alice`, admin)).status, 404, 'another facility: 404');
  t.equal((await gw.api('GET', `${F}/get-app-names`, null)).status, 401, 'no token: 401');

  t.same((await get('get-app-names')).body, [name], 'Get App Names');
  t.same((await get('get-users')).body, ['alice'], 'Get Users');
  t.same((await get('get-app-names', alice)).body, [name], 'a user sees their own apps');

  // Start, status, pause rules.
  const started = await post(`start-app?name=${name}`);
  t.equal(started.status, 200, JSON.stringify(started.body));
  t.equal(started.body.state, 'running');
  const status = await get(`get-app-status?name=${name}`);
  t.equal(status.body.State, 'running', 'Get App Status: docker ps shape');
  t.match(status.body.Status, /^Up /);
  t.match(status.body.ID, /^[0-9a-f]{12}$/);
  for (const k of ['Command', 'CreatedAt', 'Image', 'Labels', 'LocalVolumes', 'Mounts', 'Names', 'Networks', 'Ports', 'RunningFor', 'Size']) t.ok(k in status.body, `status has ${k}`);
  t.ok(Array.isArray((await get('get-app-status')).body), 'without a name: every app');
  t.equal((await get('get-app-status?name=nope--alice')).status, 404, 'an unknown app: 404');
  t.equal((await get('get-app-status?name=no_double_dash')).status, 400, 'not IMAGE--USER: 400');

  t.equal((await post(`unpause-app?name=${name}`)).status, 409, 'unpause needs a paused app');
  t.equal((await post(`pause-app?name=${name}`)).body.state, 'paused', 'Pause App');
  t.equal((await post(`pause-app?name=${name}`)).status, 409, 'pause needs a running app');
  const startPaused = await post(`start-app?name=${name}`);
  t.equal(startPaused.status, 409, 'starting a paused app is an error: it must be unpaused');
  t.match(startPaused.body.error, /unpause/);
  t.equal((await post(`unpause-app?name=${name}`)).body.state, 'running', 'Unpause App');

  const stats = await get(`get-app-stats?name=${name}`);
  t.equal(stats.status, 200);
  t.match(stats.body.CPUPerc, /^\d+\.\d\d%$/, 'Get App Stats: docker stats shape');
  t.match(stats.body.MemUsage, /^[\d.]+[KMG]?i?B \/ [\d.]+[KMG]?i?B$/);
  for (const k of ['BlockIO', 'Container', 'ID', 'MemPerc', 'Name', 'NetIO', 'PIDs']) t.ok(k in stats.body, `stats has ${k}`);
  t.ok(Array.isArray((await get('get-app-stats')).body), 'without a name: every app');

  const info = await get(`get-app-info?name=${name}`);
  t.equal(info.body.State.Running, true, 'Get App Info: docker inspect');
  t.equal(info.body.Id, gw.core.store.containers.byUuid(created.body.link.split('/')[3])!.dockerId);
  t.equal((await get('get-app-info')).status, 400, 'no name: 400');

  const firstId = info.body.Id;
  t.equal((await post(`restart-app?name=${name}`)).body.state, 'running', 'Restart App');
  t.equal((await post(`stop-app?name=${name}`)).body.state, 'exited', 'Stop App');
  t.equal((await post(`start-app?name=${name}`)).body.state, 'running');
  t.equal((await post(`kill-app?name=${name}`)).body.state, 'exited', 'Kill App');
  t.equal((await post(`hard-reset-app?name=${name}`)).body.state, 'running', 'Hard Reset App: running again');
  t.not((await get(`get-app-info?name=${name}`)).body.Id, firstId, 'from a new container');

  const uptime = await get(`get-uptime-summary?name=${name}&duration=hour`);
  t.equal(uptime.status, 200);
  t.ok(Object.values(uptime.body).every((v) => typeof v === 'boolean'), 'Get App Uptime Summary: time → running');
  t.equal((await get(`get-uptime-summary?name=${name}&duration=year`)).status, 400, 'a duration other than hour, day, week, month: 400');

  // Nodes: a plain engine is one node.
  const hostname = execFileSync('docker', ['info', '--format', '{{.Name}}'], { encoding: 'utf8' }).trim();
  t.same((await get('get-node-names')).body, [hostname], 'Get Node Names: the engine\'s host');
  const ns = await get(`get-node-status?hostname=${hostname}`);
  t.same([ns.body.Hostname, ns.body.Status, ns.body.Availability, ns.body.Self], [hostname, 'Ready', 'Active', true], 'Get Node Status');
  t.equal((await get('get-node-status')).body.length, 1, 'without a hostname: every node');
  t.equal((await get('get-node-status?hostname=nowhere')).status, 404, 'an unknown node: 404');
  const ni = await get(`get-node-info?hostname=${hostname}`);
  t.equal(ni.body[0].Description.Hostname, hostname, 'Get Node Info: docker node inspect shape');
  t.ok(ni.body[0].Description.Resources.MemoryBytes > 0);
  t.equal((await get('get-node-info')).status, 400, 'no hostname: 400');

  const images = await get('get-images');
  const ours = images.body.find((i: any) => i.Repository === TEST_IMAGE.repository && i.Tag === TEST_IMAGE.tag);
  t.ok(ours, 'Get Images lists the local image');
  t.ok(ours.CreatedContainerCount >= 1, 'with the containers made from it');
  t.equal((await get('get-images', alice)).status, 403, 'images are for site admins');
  const pull = await post('request-image?image=127.0.0.1:9/portico-src-test:1');
  t.equal(pull.status, 502, 'Request Image: the registry\'s refusal is a 502 with its reason');
  t.equal((await post('request-image')).status, 400, 'no image: 400');
  t.equal((await post('request-image?image=x', alice)).status, 403, 'pulls are for site admins');

  t.equal((await post(`delete-app?name=${name}`)).status, 200, 'Delete App');
  t.same((await get('get-app-names')).body, [], 'gone from the names');
  t.equal((await post(`start-app?name=${name}`)).status, 404, 'a deleted app: 404');
});
