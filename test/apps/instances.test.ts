/**
 * instances.test.ts: per-user app instances over the real proxy and engine (docs/apps.md): two users
 * get two containers and each reaches only their own; URL_ID, USER and env.* are in docker inspect;
 * the home volume outlives the instance; grant volumes only from the allowlist; the caps refuse
 * with a clear message; the same app under two policies is two choices.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { startGateway, waitFor } from '../helpers/gateway.ts';
import { buildAppImage, dockerExec, inspect, removeImage } from './images.ts';

const S = 'eu.simphony-project.docker.';

t.test('two users open the same app: two containers, each reaches only their own; variables and labels in docker inspect', async (t) => {
  const img = buildAppImage({ [S + 'ui_name']: 'Shared viewer', [S + 'env.x11-width']: '800', [S + 'env.startupdata']: '' });
  const gw = await startGateway();
  t.teardown(async () => { await gw.close(); removeImage(img); });
  const admin = await gw.user('inst-admin', { admin: true });
  const alice = await gw.user('alice');
  const bob = await gw.user('bob');
  const carol = await gw.user('carol');
  const app = (await gw.api('POST', '/api/apps/scan', admin.token, { image: img })).body.results[0];
  const project = gw.project('Viewers');
  gw.core.store.projects.setRole(gw.core.store.projects.byUuid(project)!.id, bob.user.id, 'guest');
  t.equal((await gw.api('POST', `/api/apps/${app.uuid}/grants`, admin.token, { user: 'alice', allow_env: true })).status, 201);
  t.equal((await gw.api('POST', `/api/apps/${app.uuid}/grants`, admin.token, { project })).status, 201, 'granted to every member of a project');

  const a = await gw.api('POST', `/api/apps/${app.uuid}/open`, alice.token, { env: { X11_WIDTH: '1280' } });
  t.equal(a.status, 201, JSON.stringify(a.body));
  const b = await gw.api('POST', `/api/apps/${app.uuid}/open`, bob.token, {});
  t.equal(b.status, 201);
  t.not(a.body.uuid, b.body.uuid, 'two instances');
  t.equal((await gw.api('POST', `/api/apps/${app.uuid}/open`, alice.token, {})).body.uuid, a.body.uuid, 'opening again gives the same instance');
  const bobEnv = await gw.api('POST', `/api/apps/${app.uuid}/open`, bob.token, { env: { X11_WIDTH: '1' } });
  t.equal(bobEnv.status, 403, 'a grant without allow_env: no variables at launch');
  const undeclared = await gw.api('POST', `/api/apps/${app.uuid}/open`, alice.token, { env: { LD_PRELOAD: '/x.so' } });
  t.equal(undeclared.status, 400, 'only variables the image declares');
  t.equal((await gw.api('POST', `/api/apps/${app.uuid}/open`, carol.token, {})).status, 404, 'no grant: 404');

  // Through the real proxy: the app starts on demand; each reaches their own, nobody else's.
  const get = (uuid: string, token: string) => fetch(`${gw.base}/containers/proxy/${uuid}/`, { headers: { authorization: `token ${token}` }, redirect: 'manual' });
  t.equal((await get(a.body.uuid, alice.token)).status, 200, 'alice opens hers (started on demand)');
  t.equal((await get(b.body.uuid, bob.token)).status, 200, 'bob opens his');
  t.equal((await get(a.body.uuid, bob.token)).status, 404, 'bob cannot reach alice\'s');
  t.equal((await get(b.body.uuid, alice.token)).status, 404, 'alice cannot reach bob\'s');
  t.equal((await get(a.body.uuid, carol.token)).status, 404, 'carol reaches neither');
  t.equal((await get(a.body.uuid, admin.token)).status, 200, 'a site admin reaches every instance');
  t.equal((await gw.api('GET', `/containers/api/detail/${a.body.uuid}`, bob.token)).status, 404, 'bob cannot see alice\'s in the container API');
  t.equal((await gw.api('GET', `/containers/api/detail/${a.body.uuid}`, alice.token)).status, 200, 'alice can');
  t.equal((await gw.api('PATCH', `/containers/api/update/${a.body.uuid}`, alice.token, { repository: 'evil/image' })).status, 403, 'an owner cannot change the image');

  const hidden = gw.core.store.apps.appsProject();
  t.equal((await gw.api('GET', `/containers/api/${hidden.uuid}`, admin.token)).status, 404, 'the hidden apps project is no project, not even for a site admin');
  t.equal((await gw.api('POST', `/containers/api/create/${hidden.uuid}`, admin.token, { title: 'x', repository: 'portico-test/httpd', tag: '1' })).status, 404, 'nothing is created in it by hand');
  t.notOk(gw.core.store.projects.all().some((p) => p.id === hidden.id), 'project lists leave it out');
  const page = await fetch(`${gw.base}/containers/${a.body.uuid}`, { headers: { authorization: `token ${alice.token}`, accept: 'text/html' } });
  t.equal(page.status, 200, 'the owner opens the instance\'s container page (state, log)');
  t.equal((await fetch(`${gw.base}/containers/${a.body.uuid}`, { headers: { authorization: `token ${bob.token}`, accept: 'text/html' } })).status, 404, 'bob does not');
  const mine = await gw.api('GET', '/api/instances', alice.token);
  t.same(mine.body.results.map((r: any) => r.uuid), [a.body.uuid], 'alice lists only hers');
  t.equal(mine.body.results[0].state, 'running');

  const ca = gw.core.store.containers.byUuid(a.body.uuid)!;
  t.match(ca.dockerName, /^portico-app-[0-9a-f]+--alice-[0-9a-f]{8}$/, 'named after the image and the user');
  const info = inspect(ca.dockerName!);
  const env = new Set(info.Config.Env as string[]);
  t.ok(env.has(`URL_ID=${a.body.uuid}`), 'URL_ID');
  t.ok(env.has('USER=alice'), 'USER');
  t.ok(env.has('JPY_USER=alice'));
  t.ok(env.has(`JPY_BASE_USER_URL=/containers/proxy/${a.body.uuid}/`), 'the base URL (__KIOSC_URL_PREFIX__)');
  t.ok(env.has('X11_WIDTH=1280'), 'env.x11-width set at launch');
  t.ok(env.has('STARTUPDATA='), 'env.startupdata with its default');
  t.equal(info.Config.Labels['eu.simphony-project.docker.url_id'], a.body.uuid);
  t.equal(info.Config.Labels['eu.simphony-project.docker.user'], 'alice');
  const cb = gw.core.store.containers.byUuid(b.body.uuid)!;
  t.ok((inspect(cb.dockerName!).Config.Env as string[]).includes('X11_WIDTH=800'), 'bob gets the default');

  const stop = await gw.api('POST', `/api/instances/${a.body.uuid}/stop`, bob.token);
  t.equal(stop.status, 404, 'bob cannot stop alice\'s');
  const stopped = await gw.api('POST', `/api/instances/${a.body.uuid}/stop`, alice.token);
  t.equal(stopped.status, 200);
  t.equal(stopped.body.state, 'exited');
  t.equal((await gw.api('POST', `/api/instances/${a.body.uuid}/delete`, alice.token)).status, 204);
  t.equal(gw.core.store.containers.byUuid(a.body.uuid), null);
});

t.test('the home volume survives the instance\'s deletion and comes back at the next start, with its files', async (t) => {
  const img = buildAppImage({ [S + 'ui_name']: 'Home app' });
  const gw = await startGateway({ PORTICO_APP_HOME_PATH: '/home/portico' });
  t.teardown(async () => { await gw.close(); removeImage(img); });
  const admin = await gw.user('home-admin', { admin: true });
  const dora = await gw.user('dora');
  const app = (await gw.api('POST', '/api/apps/scan', admin.token, { image: img })).body.results[0];
  await gw.api('POST', `/api/apps/${app.uuid}/grants`, admin.token, { user: 'dora', allow_home: true });
  const first = await gw.api('POST', `/api/apps/${app.uuid}/open`, dora.token, { start: true });
  t.equal(first.body.state, 'running', JSON.stringify(first.body));
  const c1 = gw.core.store.containers.byUuid(first.body.uuid)!;
  dockerExec(c1.dockerName!, 'echo kept > /home/portico/notes.txt');
  const mount = inspect(c1.dockerName!).Mounts.find((m: any) => m.Destination === '/home/portico');
  t.equal(mount.Type, 'volume');
  t.match(mount.Name, new RegExp(`^portico-${gw.instance}-home-dora-`));
  t.equal((await gw.api('POST', `/api/instances/${first.body.uuid}/delete`, dora.token)).status, 204);
  const again = await gw.api('POST', `/api/apps/${app.uuid}/open`, dora.token, { start: true });
  t.equal(again.status, 201, 'a new instance');
  t.not(again.body.uuid, first.body.uuid);
  const c2 = gw.core.store.containers.byUuid(again.body.uuid)!;
  t.equal(dockerExec(c2.dockerName!, 'cat /home/portico/notes.txt').trim(), 'kept', 'the file written in the first instance is there');
});

t.test('grant volumes come only from PORTICO_APP_VOLUMES: outside paths, symlinks out and rw on an ro entry are refused', async (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-appvol-'));
  fs.mkdirSync(path.join(root, 'data', 'sub'), { recursive: true });
  fs.writeFileSync(path.join(root, 'data', 'hello.txt'), 'shared\n');
  fs.symlinkSync('/etc', path.join(root, 'data', 'escape'));
  const img = buildAppImage({ [S + 'ui_name']: 'Volume app' });
  const gw = await startGateway({ PORTICO_APP_VOLUMES: `data=${path.join(root, 'data')}:ro` });
  t.teardown(async () => { await gw.close(); removeImage(img); fs.rmSync(root, { recursive: true, force: true }); });
  const admin = await gw.user('vol-admin', { admin: true });
  const erin = await gw.user('erin');
  const app = (await gw.api('POST', '/api/apps/scan', admin.token, { image: img })).body.results[0];
  const grant = (volume: string) => gw.api('POST', `/api/apps/${app.uuid}/grants`, admin.token, { user: 'erin', volume });
  for (const [volume, why] of [['/etc:/etc:ro', /outside every directory/], [`${root}/data/escape:/x:ro`, /outside every directory/], ['data:/data:rw', /read-only \(ro\) only/],
    ['nosuch:/data:ro', /not a name in PORTICO_APP_VOLUMES/], ['data:/data:rwx', /MODE must be ro or rw/]] as Array<[string, RegExp]>) {
    const r = await grant(volume);
    t.equal(r.status, 400, `${volume} refused`);
    t.match(r.body.error, why, r.body.error);
  }
  t.equal((await grant(`${root}/data/sub:/sub:ro`)).status, 201, 'a path inside an allowed directory is accepted');
  const ok = await grant('data:/data:ro');
  t.equal(ok.status, 201);
  const choices = (await gw.api('GET', '/api/apps', erin.token)).body.results;
  t.equal(choices.length, 2, 'the same app under two policies is two choices');
  const opened = await gw.api('POST', `/api/apps/${app.uuid}/open`, erin.token, { policy_key: ok.body.policy_key, start: true });
  t.equal(opened.body.state, 'running', JSON.stringify(opened.body));
  const c = gw.core.store.containers.byUuid(opened.body.uuid)!;
  const bind = inspect(c.dockerName!).Mounts.find((m: any) => m.Type === 'bind');
  t.equal(bind.Source, fs.realpathSync(path.join(root, 'data')));
  t.equal(bind.RW, false, 'mounted read-only');
  t.equal(dockerExec(c.dockerName!, 'cat /data/hello.txt').trim(), 'shared');
  t.equal((await gw.api('POST', `/api/apps/${app.uuid}/open`, erin.token, {})).status, 400, 'two choices: the policy must be named');
  const second = await gw.api('POST', `/api/apps/${app.uuid}/open`, erin.token, { policy_key: choices.find((c: any) => c.policy_key !== ok.body.policy_key).policy_key });
  t.equal(second.status, 201, 'regression: the same app under a second policy is a second instance (not a duplicate-title 500)');
  t.not(second.body.uuid, opened.body.uuid);
  // A revoked grant: the instance stays, but cannot start again.
  await gw.api('POST', `/api/instances/${opened.body.uuid}/stop`, erin.token);
  t.equal((await gw.api('DELETE', `/api/apps/grants/${ok.body.uuid}`, admin.token)).status, 204);
  const again = await gw.api('POST', `/api/instances/${opened.body.uuid}/start`, erin.token);
  t.equal(again.status, 403, 'regression: an instance outlives a revoked grant but must not start under it');
  t.match(again.body.error, /no longer holds a grant/);
});

t.test('limits: the per-user and site caps refuse a start with a clear message; stopping one frees a place', async (t) => {
  const one = buildAppImage({ [S + 'ui_name']: 'One' });
  const two = buildAppImage({ [S + 'ui_name']: 'Two' });
  const gw = await startGateway({ PORTICO_APP_MAX_PER_USER: '1', PORTICO_APP_MAX_SITE: '2' });
  t.teardown(async () => { await gw.close(); removeImage(one); removeImage(two); });
  const admin = await gw.user('lim-admin', { admin: true });
  const frank = await gw.user('frank');
  const gina = await gw.user('gina');
  const hank = await gw.user('hank');
  const apps = [];
  for (const img of [one, two]) {
    const app = (await gw.api('POST', '/api/apps/scan', admin.token, { image: img })).body.results[0];
    for (const u of ['frank', 'gina', 'hank']) await gw.api('POST', `/api/apps/${app.uuid}/grants`, admin.token, { user: u });
    apps.push(app);
  }
  const f1 = await gw.api('POST', `/api/apps/${apps[0].uuid}/open`, frank.token, { start: true });
  t.equal(f1.body.state, 'running');
  const f2 = await gw.api('POST', `/api/apps/${apps[1].uuid}/open`, frank.token, { start: true });
  t.equal(f2.status, 429);
  t.equal(f2.body.code, 'E_LIMIT_REACHED');
  t.match(f2.body.error, /you already run 1 app instance.*stop one under "My apps"/);
  // The proxy's on-demand start is refused the same way, with the reason.
  const inst = gw.core.store.apps.instanceOf(frank.user.id, gw.core.store.apps.byUuid(apps[1].uuid)!.id, f1.body.policy_key)!;
  const viaProxy = await fetch(`${gw.base}/containers/proxy/${inst.uuid}/`, { headers: { authorization: `token ${frank.token}` } });
  t.not(viaProxy.status, 200, 'the proxy does not start it either');
  t.match(await viaProxy.text(), /you already run 1 app instance/);
  t.equal((await gw.api('POST', `/api/apps/${apps[0].uuid}/open`, gina.token, { start: true })).body.state, 'running');
  const h = await gw.api('POST', `/api/apps/${apps[0].uuid}/open`, hank.token, { start: true });
  t.equal(h.status, 429);
  t.match(h.body.error, /this site runs at most 2 app instances/);
  await gw.api('POST', `/api/instances/${f1.body.uuid}/stop`, frank.token);
  await waitFor(() => gw.core.store.containers.byUuid(f1.body.uuid)!.state === 'exited');
  t.equal((await gw.api('POST', `/api/apps/${apps[0].uuid}/open`, hank.token, { start: true })).body.state, 'running', 'a stop frees a place');
});
