/**
 * swarm-shared.test.ts: swarm mode as production runs it (docs/swarm.md): the gateway in a container
 * on a swarm manager (docker-shared mode), which joins the attachable overlay network at start-up and
 * reaches each app's service by name there. On a private single-node swarm (private-swarm.ts); the
 * gateway container runs this worktree's code (mounted read-only) in portico-test/node:1 (Node 24).
 */
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { startPrivateSwarm } from '../helpers/private-swarm.ts';
import { loadConfig } from '../../gateway/core/config.ts';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

t.test('docker-shared mode: the gateway container joins the overlay and opens a swarm app by its service name', async (t) => {
  const sw = await startPrivateSwarm({ images: ['portico-test/node:1', 'portico-test/httpd:1'] });
  t.teardown(() => sw.destroy());
  const modules = fs.realpathSync(path.join(root, 'node_modules'));
  const sock = sw.host.slice('unix://'.length);
  const env = ['PORTICO_NETWORK_MODE=docker-shared', 'PORTICO_DOCKER_MODE=swarm', 'PORTICO_HOST=0.0.0.0', 'PORTICO_PORT=8080', 'PORTICO_DATA_DIR=/tmp/data',
    'PORTICO_ADMIN_PASSWORD=admin-password-1', 'PORTICO_DOCKER_NETWORK=shared-net', 'PORTICO_APP_ORIGINS=same-origin', 'PORTICO_GATEWAY_NAME=portico-gw'];
  const config = loadConfig(Object.fromEntries(env.map((e) => e.split('='))));
  t.match(config, { networkMode: 'docker-shared', docker: { mode: 'swarm' }, publishPorts: false }, 'the gateway\'s settings are a valid swarm configuration');
  // As deployed (compose.yaml's restart policy): a start that fails (a loaded manager refusing the overlay attach) is retried by the engine.
  const id = sw.docker(`run -d --restart on-failure:5 --name portico-gw ${env.map((e) => `-e ${e}`).join(' ')} -v ${sock}:/var/run/docker.sock -v ${root}:${root}:ro -v ${modules}:${modules}:ro -w ${root} portico-test/node:1 /bin/node gateway/main.ts`).trim();
  // The gateway is reached from the host at its address on the private engine's default bridge (nothing is published).
  const ip = sw.docker(`inspect -f '{{.NetworkSettings.IPAddress}}' ${id}`).trim();
  const base = `http://${ip}:8080`;
  let health = '';
  // Up to 90 s (a loaded machine starts Node in a container slowly), each try bounded, and not after the gateway exited.
  const deadline = Date.now() + 90_000;
  while (!health && Date.now() < deadline) {
    health = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(2000) }).then((r) => (r.ok ? r.text() : ''), () => '');
    if (health || sw.docker(`inspect -f '{{.State.Status}} {{.RestartCount}}' ${id}`).trim() === 'exited 5') break;
    await new Promise((r) => setTimeout(r, 200));
  }
  if (!health) t.comment(`the gateway's last log lines:\n${sw.docker(`logs --tail 20 ${id} 2>&1`)}`);
  t.match(JSON.parse(health || '{}'), { status: 'ok', engine: 'up' }, 'the gateway runs and reaches the manager');
  const net = JSON.parse(sw.docker('network inspect shared-net'))[0];
  t.equal(net.Driver, 'overlay');
  t.ok(Object.values(net.Containers).some((c: any) => c.Name === 'portico-gw'), 'the gateway container joined the overlay network');

  const token = sw.docker(`exec -e PORTICO_DATA_DIR=/tmp/data -e PORTICO_DOCKER_MODE=swarm -e PORTICO_NETWORK_MODE=docker-shared -w ${root} ${id} /bin/node gateway/cli.ts token create admin`).trim();
  const h = { authorization: `token ${token}`, 'content-type': 'application/json' };
  const me = await (await fetch(`${base}/project/api/users/current`, { headers: h })).json() as any;
  const project = await (await fetch(`${base}/project/api/create`, { method: 'POST', headers: h, body: JSON.stringify({ title: 'p', type: 'PROJECT', parent: null, description: '', owner: me.sodar_uuid }) })).json() as any;
  const c = await (await fetch(`${base}/containers/api/create/${project.sodar_uuid}`, { method: 'POST', headers: h, body: JSON.stringify({ title: 'shared app', repository: 'portico-test/httpd', tag: '1', container_port: 80 }) })).json() as any;
  const r = await fetch(`${base}/containers/proxy/${c.sodar_uuid}/`, { headers: { authorization: `token ${token}` } });
  t.equal(r.status, 200, 'the app opens on demand through the gateway');
  t.match(await r.text(), /portico test app/, 'answered by the app');
  const detail = await (await fetch(`${base}/containers/api/detail/${c.sodar_uuid}`, { headers: h })).json() as any;
  t.equal(detail.state, 'running');
  const svc = JSON.parse(sw.docker(`service inspect ${detail.container_id}`))[0];
  t.equal(svc.Spec.Name, detail.container_name ?? svc.Spec.Name, 'the app is a service');
  t.notOk((svc.Spec.TaskTemplate.Placement?.Constraints ?? []).some((x: string) => x.startsWith('node.id==')), 'not pinned to a node: the overlay reaches every node');
  t.ok(Object.values(JSON.parse(sw.docker('network inspect shared-net'))[0].Containers).some((x: any) => x.Name.startsWith(svc.Spec.Name)), 'its task is on the same overlay');
});
