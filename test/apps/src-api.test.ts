/**
 * src-api.test.ts: the SRC Container API (docs/src-api.md) against the real engine, endpoint by
 * endpoint as the SRC document describes them: names IMAGE--USER, the facility id, the Docker CLI
 * shapes of status, stats, info, nodes and images, the uptime summary, request-image through the
 * pull path (a private registry with an image host's credentials) into the catalogue, and the
 * errors: unknown facility, app or user, bad parameters, another user's app, wrong states.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import t from 'tap';
import { startGateway } from '../helpers/gateway.ts';
import { pushImage, removeLocalImage, startRegistry } from '../helpers/registry.ts';
import { buildAppImage, inspect, removeImage } from './images.ts';
import { sampleUptime } from '../../gateway/core/containers/uptime.ts';
import { loadConfig } from '../../gateway/core/config.ts';
import { login } from '../helpers/session.ts';

const S = 'eu.simphony-project.docker.';

t.test('every SRC endpoint on the real engine: create, the lifecycle, queries, nodes, images, and their errors', async (t) => {
  const img = buildAppImage({ [S + 'ui_name']: 'SRC httpd', [S + 'description']: 'For the SRC API' });
  const gw = await startGateway();
  t.teardown(async () => { await gw.close(); removeImage(img); });
  const admin = await gw.user('src-admin', { admin: true });
  const alice = await gw.user('alice');
  const bob = await gw.user('bob');
  await gw.user('carol');
  const app = (await gw.api('POST', '/api/apps/scan', admin.token, { image: img })).body.results[0];
  t.equal((await gw.api('POST', `/api/apps/${app.uuid}/grants`, admin.token, { user: 'alice' })).status, 201);
  t.equal((await gw.api('POST', `/api/apps/${app.uuid}/grants`, admin.token, { user: 'bob' })).status, 201);
  const slug: string = app.slug;
  const A = `${slug}--alice`;
  const B = `${slug}--bob`;
  const src = (method: string, endpoint: string, token: string | null, query: Record<string, string> = {}, facility = 'demo') =>
    gw.api(method, `/src-api/${facility}/${endpoint}${Object.keys(query).length ? `?${new URLSearchParams(query)}` : ''}`, token);

  // The facility and the credentials.
  t.equal((await src('GET', 'get-app-names', null)).status, 401, 'no token: 401');
  const other = await src('GET', 'get-app-names', alice.token, {}, 'elsewhere');
  t.equal(other.status, 404, 'an unknown facility: 404');
  t.match(other.body.error, /unknown facility "elsewhere".*"demo"/);
  const outline = await fetch(`${gw.base}/src-api/demo`, { headers: { authorization: `token ${alice.token}` } });
  t.equal(outline.status, 200);
  t.match(outline.headers.get('content-type'), /^text\/plain/);
  const text = await outline.text();
  for (const e of ['start-app', 'create-app', 'hard-reset-app', 'get-users', 'get-uptime-summary', 'request-image', 'get-images', 'get-node-info']) t.match(text, `/src-api/demo/${e}`, `the outline names ${e}`);

  // create-app: IMAGE is the catalogue app, USER the user; solo mode creates it without starting it.
  const made = await src('POST', 'create-app', alice.token, { image: slug, user: 'alice' });
  t.equal(made.status, 201, JSON.stringify(made.body));
  t.same(made.body, { name: A, action: 'create-app', state: made.body.state });
  t.equal(made.body.state, 'initial', 'created, not started (solo mode)');
  t.equal((await src('POST', 'create-app', alice.token, { image: slug, user: 'alice' })).status, 409, 'it exists: 409');
  t.equal((await src('POST', 'create-app', alice.token, { image: slug, user: 'bob' })).status, 403, 'a user creates apps only for themselves');
  t.equal((await src('POST', 'create-app', admin.token, { image: slug, user: 'bob' })).status, 201, 'a site admin creates one for bob');
  t.equal((await src('POST', 'create-app', admin.token, { image: slug, user: 'carol' })).status, 403, 'not granted to carol: 403');
  const nobody = await src('POST', 'create-app', admin.token, { image: slug, user: 'nobody' });
  t.equal(nobody.status, 404, 'an unknown user: 404');
  t.equal(nobody.body.code, 'E_USER_NOT_FOUND');
  const noimage = await src('POST', 'create-app', admin.token, { image: 'not-approved', user: 'alice' });
  t.equal(noimage.status, 404, 'an image not requested and approved: 404');
  t.equal(noimage.body.code, 'E_APP_NOT_FOUND');
  for (const [q, why] of [[{ image: slug, user: 'al--ice' }, 'a user with a double dash'], [{ image: slug, user: '-alice' }, 'a user starting with a dash'],
    [{ image: slug, user: 'a b' }, 'a space'], [{ image: slug }, 'no user'], [{ user: 'alice' }, 'no image'], [{ image: 'x/y', user: 'alice' }, 'a slash in the image']] as const) {
    const r = await src('POST', 'create-app', admin.token, q as Record<string, string>);
    t.equal(r.status, 400, `${why}: 400 (${r.body.error})`);
  }

  // Users and names: each user sees their own; a site admin everyone's.
  t.same((await src('GET', 'get-app-names', alice.token)).body, [A], 'alice\'s app names');
  t.same((await src('GET', 'get-app-names', admin.token)).body, [A, B], 'every app for a site admin');
  t.same((await src('GET', 'get-users', alice.token)).body, ['alice']);
  t.same((await src('GET', 'get-users', admin.token)).body, ['alice', 'bob']);

  // Before its first start the app has no engine container: status says created, info is a 409.
  const before = await src('GET', 'get-app-status', alice.token, { name: A });
  t.equal(before.status, 200);
  t.equal(before.body.State, 'created');
  t.equal(before.body.Names, A);
  t.equal((await src('GET', 'get-app-info', alice.token, { name: A })).status, 409, 'info before the engine container exists: 409');

  // The lifecycle, checked against docker inspect of the real container.
  const act = async (endpoint: string, name = A, token = alice.token) => src('POST', endpoint, token, { name });
  const started = await act('start-app');
  t.equal(started.status, 200, JSON.stringify(started.body));
  t.same(started.body, { name: A, action: 'start-app', state: 'running' });
  const dockerName = gw.core.store.containers.byUuid(gw.core.store.apps.instancesOfUser(alice.user.id)[0].container.uuid)!.dockerName!;
  t.equal(inspect(dockerName).State.Running, true, 'running on the engine');

  const status = await src('GET', 'get-app-status', alice.token, { name: A });
  t.same(Object.keys(status.body).sort(), ['Command', 'CreatedAt', 'ID', 'Image', 'Labels', 'LocalVolumes', 'Mounts', 'Names', 'Networks', 'Ports', 'RunningFor', 'Size', 'State', 'Status'], 'docker ps\'s keys');
  t.equal(status.body.State, 'running');
  t.match(status.body.Status, /^Up /);
  t.equal(status.body.ID, inspect(dockerName).Id.slice(0, 12));
  t.equal(status.body.Image, img);
  t.match(status.body.CreatedAt, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000 UTC$/);
  t.match(status.body.RunningFor, / ago$/);
  const all = await src('GET', 'get-app-status', admin.token);
  t.same(all.body.map((r: any) => r.Names), [A, B], 'without a name: every app');
  t.same(all.body.map((r: any) => r.State), ['running', 'created']);

  const stats = await src('GET', 'get-app-stats', alice.token, { name: A });
  t.same(Object.keys(stats.body).sort(), ['BlockIO', 'CPUPerc', 'Container', 'ID', 'MemPerc', 'MemUsage', 'Name', 'NetIO', 'PIDs'], 'docker stats\'s keys');
  t.match(stats.body.CPUPerc, /^\d+\.\d\d%$/);
  t.match(stats.body.MemUsage, /^[\d.]+(B|KiB|MiB|GiB) \/ [\d.]+(B|KiB|MiB|GiB)$/);
  t.ok(Number(stats.body.PIDs) >= 1, `a running app has processes (${stats.body.PIDs})`);
  t.equal(stats.body.Name, A);
  const allStats = await src('GET', 'get-app-stats', admin.token);
  t.same(allStats.body.map((r: any) => r.Name), [A, B]);
  t.equal(allStats.body[1].PIDs, '0', 'a created app prints zeros, as docker does');

  const info = await src('GET', 'get-app-info', alice.token, { name: A });
  t.equal(info.status, 200);
  t.equal(info.body.Id, inspect(dockerName).Id, 'docker inspect of the app');
  t.equal(info.body.State.Running, true);

  const paused = await act('pause-app');
  t.same(paused.body, { name: A, action: 'pause-app', state: 'paused' });
  t.equal(inspect(dockerName).State.Paused, true, 'paused on the engine');
  const startPaused = await act('start-app');
  t.equal(startPaused.status, 409, 'starting a paused app is an error: unpause it');
  t.match(startPaused.body.error, /unpause/);
  t.equal((await act('pause-app')).status, 409, 'pausing a paused app: 409');
  t.equal((await act('unpause-app')).body.state, 'running');
  t.equal(inspect(dockerName).State.Paused, false);
  t.equal((await act('unpause-app')).status, 409, 'unpausing a running app: 409');

  const startedAt = inspect(dockerName).State.StartedAt;
  t.same((await act('restart-app')).body, { name: A, action: 'restart-app', state: 'running' });
  t.not(inspect(dockerName).State.StartedAt, startedAt, 'restarted on the engine');
  const stopped = await act('stop-app');
  t.equal(stopped.status, 200);
  t.equal(inspect(dockerName).State.Running, false, 'stopped on the engine');
  t.equal((await src('GET', 'get-app-status', alice.token, { name: A })).body.State, 'exited');
  t.equal((await act('pause-app')).status, 409, 'pausing a stopped app: 409');
  t.equal((await act('start-app')).body.state, 'running');
  t.equal((await act('kill-app')).body.state, 'exited');
  t.equal(inspect(dockerName).State.Running, false, 'killed on the engine');
  t.equal(inspect(dockerName).State.ExitCode, 137, 'by SIGKILL');

  // Hard reset: removed and made again from the image (a new engine container).
  t.equal((await act('start-app')).status, 200);
  const oldId = inspect(dockerName).Id;
  const reset = await act('hard-reset-app');
  t.equal(reset.status, 200, JSON.stringify(reset.body));
  t.equal(reset.body.action, 'hard-reset-app');
  const newId = gw.core.store.apps.instancesOfUser(alice.user.id)[0].container.dockerId;
  t.ok(newId && newId !== oldId, 'a new engine container from the image');

  // Uptime: Portico's samples, keyed by seconds-precise times.
  sampleUptime(gw.core.store);
  const up = await src('GET', 'get-uptime-summary', alice.token, { name: A, duration: 'hour' });
  t.equal(up.status, 200);
  const keys = Object.keys(up.body);
  t.ok(keys.length >= 1, 'a sample');
  t.ok(keys.every((k) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/.test(k)), `times as the SRC prints them (${keys[0]})`);
  t.equal(up.body[keys.at(-1)!], reset.body.state === 'running', 'true when running');
  t.equal((await src('GET', 'get-uptime-summary', alice.token, { name: A, duration: 'year' })).status, 400, 'a duration other than hour, day, week or month: 400');
  t.equal((await src('GET', 'get-uptime-summary', alice.token, { name: A })).status, 400, 'no duration: 400');

  // Names: malformed 400, someone else's 403 (decided from the name), absent 404.
  for (const endpoint of ['stop-app', 'kill-app', 'delete-app']) {
    const r = await act(endpoint, B);
    t.equal(r.status, 403, `alice cannot ${endpoint} bob's app`);
  }
  t.equal((await src('GET', 'get-app-info', alice.token, { name: B })).status, 403, 'nor read its info');
  t.equal((await src('GET', 'get-app-stats', alice.token, { name: B })).status, 403, 'nor its stats');
  t.equal(inspect(dockerName).Id, newId, 'alice\'s own app untouched by the refusals');
  const unknown = await act('start-app', `nosuch--alice`);
  t.equal(unknown.status, 404, 'an unknown app: 404');
  t.equal(unknown.body.code, 'E_CONTAINER_NOT_FOUND');
  t.equal((await act('start-app', `nosuch--nobody`, admin.token)).status, 404, 'a site admin naming an unknown app: 404');
  t.equal((await act('start-app', 'no-double-dash')).status, 400, 'a name without IMAGE--USER: 400');
  t.equal((await src('POST', 'start-app', alice.token)).status, 400, 'no name: 400');
  t.equal((await src('GET', 'get-app-info', alice.token)).status, 400, 'get-app-info needs a name');
  t.equal((await act('stop-app', B, admin.token)).status, 200, 'a site admin acts on bob\'s app');

  // Nodes: the plain engine is one node, answered from the engine.
  const host = JSON.parse(execFileSync('docker', ['info', '--format', '{{json .Name}}'], { encoding: 'utf8' }));
  t.same((await src('GET', 'get-node-names', admin.token)).body, [host], 'the engine\'s host name');
  const nodes = await src('GET', 'get-node-status', admin.token);
  t.equal(nodes.body.length, 1);
  t.same(Object.keys(nodes.body[0]).sort(), ['Availability', 'EngineVersion', 'Hostname', 'ID', 'ManagerStatus', 'Self', 'Status', 'TLSStatus'], 'docker node ls\'s keys');
  t.match(nodes.body[0], { Availability: 'Active', Hostname: host, Self: true, Status: 'Ready' });
  t.same((await src('GET', 'get-node-status', admin.token, { hostname: host })).body, nodes.body[0], 'one node by hostname');
  t.equal((await src('GET', 'get-node-status', admin.token, { hostname: 'no.such.host' })).status, 404, 'an unknown node: 404');
  const nodeInfo = await src('GET', 'get-node-info', admin.token, { hostname: host });
  t.ok(Array.isArray(nodeInfo.body) && nodeInfo.body.length === 1, 'docker node inspect: an array of one');
  t.equal(nodeInfo.body[0].Description.Hostname, host);
  t.ok(nodeInfo.body[0].Description.Resources.MemoryBytes > 0);
  t.equal((await src('GET', 'get-node-info', admin.token)).status, 400, 'get-node-info needs a hostname');
  t.equal((await src('GET', 'get-node-info', admin.token, { hostname: 'no.such.host' })).status, 404);
  t.equal((await src('GET', 'get-node-names', alice.token)).status, 403, 'nodes are a site admin\'s');

  // Images: the catalogue's, with the count of apps made from each.
  const images = await src('GET', 'get-images', admin.token);
  const row = images.body.find((r: any) => r.App === slug);
  t.ok(row, 'the app\'s image is listed');
  t.match(row, { Repository: img.split(':')[0], Tag: '1', CreatedContainerCount: 2, Digest: '<none>' });
  t.equal(row.ID, execFileSync('docker', ['image', 'inspect', '--format', '{{.Id}}', img], { encoding: 'utf8' }).trim().replace('sha256:', '').slice(0, 12));
  t.match(row.Size, /^[\d.]+(B|kB|MB|GB)$/);
  t.same((await src('GET', 'get-images', alice.token)).body.map((r: any) => [r.App, r.CreatedContainerCount]), [[slug, 1]], 'alice: the images granted to her, her apps counted');
  t.same((await src('GET', 'get-images', (await gw.user('dave')).token)).body, [], 'a user with no grant: none');

  // request-image errors (the real pull is the next test's).
  t.equal((await src('POST', 'request-image', alice.token, { image: 'portico-test/httpd:1' })).status, 403, 'only site admins pull');
  t.equal((await src('POST', 'request-image', admin.token)).status, 400, 'no image: 400');
  t.equal((await src('POST', 'request-image', admin.token, { image: 'Bad Ref!' })).status, 400, 'a bad reference: 400');
  const refused = await src('POST', 'request-image', admin.token, { image: '127.0.0.1:9/portico-src-test:1' });
  t.equal(refused.status, 502, `a registry that refuses: 502 (${refused.body.error})`);
  t.equal(refused.body.code, 'E_IMAGE_PULL_FAILED');

  // delete-app removes the container; the name is gone.
  const deleted = await act('delete-app');
  t.same(deleted.body, { name: A, action: 'delete-app', state: 'deleted' });
  t.throws(() => inspect(dockerName), 'the engine container is gone');
  t.same((await src('GET', 'get-app-names', alice.token)).body, [], 'no longer listed');
  t.equal((await act('delete-app')).status, 404, 'deleting it again: 404');
  t.equal((await src('POST', 'create-app', alice.token, { image: slug, user: 'alice' })).status, 201, 'and it can be created again');
});

t.test('request-image pulls through an image host\'s credentials and approves the image: the catalogue has it, create-app uses it', async (t) => {
  const USER = { username: 'src-robot', password: `pw-${randomBytes(6).toString('hex')}` };
  const reg = await startRegistry([USER]);
  t.teardown(() => reg.stop());
  const local = buildAppImage({ [S + 'ui_name']: 'Requested app', 'portico.app.port': '80' });
  t.teardown(() => removeImage(local));
  const tag = `src-${randomBytes(4).toString('hex')}`;
  const ref = `${reg.address}/portico-test/src-requested:${tag}`;
  pushImage(reg, local, ref, USER);
  t.teardown(() => removeLocalImage(ref));
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const admin = await gw.user('src-pull-admin', { admin: true });
  const eve = await gw.user('eve');

  const anon = await gw.api('POST', `/src-api/demo/request-image?image=${encodeURIComponent(ref)}`, admin.token);
  t.equal(anon.status, 502, `without the host's credentials the registry refuses: 502 (${anon.body.error})`);
  t.equal((await gw.api('GET', '/src-api/demo/get-images', admin.token)).body.length, 0, 'nothing approved');

  const host = await gw.api('POST', '/containers/api/image-hosts', admin.token, { name: 'private', address: `https://${reg.address}/`, username: USER.username, password: USER.password, ca_cert: reg.caCert });
  t.equal(host.status, 201, JSON.stringify(host.body));
  const pulled = await gw.api('POST', `/src-api/demo/request-image?image=${encodeURIComponent(ref)}`, admin.token);
  t.equal(pulled.status, 201, JSON.stringify(pulled.body));
  t.match(pulled.body, { image: ref, status: 'pulled', created: true, label_problems: [] });
  const app = gw.core.store.apps.bySlug(pulled.body.app)!;
  t.equal(app.title, 'Requested app', 'registered from its labels');
  t.equal(app.image, ref);
  const again = await gw.api('POST', `/src-api/demo/request-image?image=${encodeURIComponent(ref)}`, admin.token);
  t.equal(again.status, 200, 'requested again: 200, the same app');
  t.equal(again.body.app, pulled.body.app);
  t.same((await gw.api('GET', '/src-api/demo/get-images', admin.token)).body.map((r: any) => r.App), [pulled.body.app]);

  t.equal((await gw.api('POST', `/api/apps/${app.uuid}/grants`, admin.token, { user: 'eve' })).status, 201);
  const made = await gw.api('POST', `/src-api/demo/create-app?image=${pulled.body.app}&user=eve`, eve.token);
  t.equal(made.status, 201, JSON.stringify(made.body));
  t.equal(made.body.name, `${pulled.body.app}--eve`);
  const started = await gw.api('POST', `/src-api/demo/start-app?name=${made.body.name}`, eve.token);
  t.equal(started.body.state, 'running', 'the requested image runs as eve\'s app');
});

t.test('PORTICO_SRC_FACILITY names the facility; the placeholder "demo" is then unknown', async (t) => {
  const gw = await startGateway({ PORTICO_SRC_FACILITY: 'hpc-1' });
  t.teardown(() => gw.close());
  const { token } = await gw.user('facility-user');
  t.same((await gw.api('GET', '/src-api/hpc-1/get-app-names', token)).body, []);
  t.equal((await gw.api('GET', '/src-api/demo/get-app-names', token)).status, 404);
});

t.test('a session acts with its CSRF header only; the read-only mode refuses a user\'s writes, not their reads', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const { token } = await gw.user('session-user');
  const s = await login(gw, token);
  const post = (headers: Record<string, string>) => fetch(`${gw.base}/src-api/demo/create-app?image=nosuch&user=session-user`, { method: 'POST', headers: { cookie: s.cookie, ...headers } });
  const forged = await post({});
  t.equal(forged.status, 403, 'a session POST without X-CSRF-Token: 403');
  t.equal(((await forged.json()) as { code: string }).code, 'E_CSRF');
  t.equal((await post({ 'x-csrf-token': s.csrf })).status, 404, 'with it the request is handled (the image is unknown: 404)');
  t.equal((await fetch(`${gw.base}/src-api/demo/get-app-names`, { headers: { cookie: s.cookie } })).status, 200, 'a session reads');

  const ro = await startGateway({ PORTICO_READ_ONLY: 'true' });
  t.teardown(() => ro.close());
  const u = await ro.user('ro-user');
  const refused = await ro.api('POST', '/src-api/demo/create-app?image=nosuch&user=ro-user', u.token);
  t.equal(refused.status, 403, 'read-only: a user\'s POST is 403');
  t.equal(refused.body.code, 'E_READ_ONLY');
  t.equal((await ro.api('GET', '/src-api/demo/get-app-names', u.token)).status, 200, 'reads still work');
});

t.test('a bad PORTICO_SRC_FACILITY is refused at start with a precise message', async (t) => {
  t.equal(loadConfig({}).srcFacility, 'demo', 'the SRC document\'s placeholder by default');
  for (const bad of ['a/b', 'has space', 'x'.repeat(65), '../admin']) {
    t.throws(() => loadConfig({ PORTICO_SRC_FACILITY: bad }), /PORTICO_SRC_FACILITY must be 1 to 64 letters, digits/, JSON.stringify(bad));
  }
});
