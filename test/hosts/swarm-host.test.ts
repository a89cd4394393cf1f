/**
 * swarm-host.test.ts: a swarm manager added as a container host through the REST API (mode
 * 'swarm', not the built-in host). The gateway runs on the shared engine as its built-in host, in
 * host network mode; the swarm is a single-node one on a private dockerd (test/helpers/private-swarm.ts)
 * whose unix:// socket is on this machine, so the proxy reaches a task at its docker_gwbridge address
 * (docs/swarm.md), not at a published port (a swarm service publishes none). And the refused cases:
 * a tcp:// swarm host in host mode (its gwbridge is on another machine), an engine that is no manager.
 */
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { startGateway, waitFor, TEST_IMAGE, ENGINE_SOCKET } from '../helpers/gateway.ts';
import type { TestGateway } from '../helpers/gateway.ts';
import { startPrivateSwarm } from '../helpers/private-swarm.ts';
import type { PrivateSwarm } from '../helpers/private-swarm.ts';
import { call } from '../proxy/helpers.ts';

const NAV = { 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document', accept: 'text/html' };

let sw: PrivateSwarm;
let gw: TestGateway;
let admin: string;
let project: string;

function service(id: string): any {
  return JSON.parse(sw.docker(`service inspect ${id}`))[0];
}

/** clientTls makes a CA and a client certificate it issued (PEM texts), enough to pass the host's TLS checks. */
function clientTls(dir: string): { ca: string; cert: string; key: string } {
  const f = (n: string) => path.join(dir, n);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca-key.pem'), '-out', f('ca.pem'), '-days', '2', '-subj', '/CN=portico-test-swarm-ca');
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('key.pem'), '-out', f('client.csr'), '-subj', '/CN=portico-gateway');
  ssl('x509', '-req', '-in', f('client.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca-key.pem'), '-CAcreateserial', '-out', f('cert.pem'), '-days', '2');
  const read = (n: string) => fs.readFileSync(f(n), 'utf8');
  return { ca: read('ca.pem'), cert: read('cert.pem'), key: read('key.pem') };
}

t.before(async () => {
  sw = await startPrivateSwarm({ images: [`${TEST_IMAGE.repository}:${TEST_IMAGE.tag}`] });
  gw = await startGateway();
  project = gw.project();
  ({ token: admin } = await gw.user('admin', { project, role: 'owner', admin: true, password: 'admin-password-1' }));
});

t.teardown(async () => {
  await gw?.close();
  await sw?.destroy();
});

t.test('a swarm-mode host added through the API: create there, open through the proxy on demand, stop (scale 0), delete', async (t) => {
  const added = await gw.api('POST', '/containers/api/hosts', admin, { name: 'swarm1', url: `unix://${sw.sock}`, mode: 'swarm' });
  t.equal(added.status, 201, `added: ${JSON.stringify(added.body)}`);
  t.equal(added.body.mode, 'swarm');

  const created = await gw.api('POST', `/containers/api/create/${project}`, admin, { title: 'on the swarm host', ...TEST_IMAGE, container_port: 80, host: 'swarm1' });
  t.equal(created.status, 201, `created: ${JSON.stringify(created.body)}`);
  const uuid = created.body.sodar_uuid;
  t.equal(created.body.host_id, added.body.id, 'the container records its host');

  // regression: a swarm-mode added host went down the publish-on-the-host's-address path, which a swarm refuses.
  const opened = await call(gw, `/containers/proxy/${uuid}/`, { headers: { authorization: `token ${admin}`, ...NAV } });
  t.ok(opened.status === 200 || opened.status === 202, `opening its link starts it: ${opened.status} ${opened.text.slice(0, 200)}`);
  await waitFor(async () => (await call(gw, `/containers/proxy/${uuid}/`, { headers: { authorization: `token ${admin}` } })).status === 200, 30_000, 'the app on the swarm host to answer');
  const c = gw.core.store.containers.byUuid(uuid)!;
  t.equal(c.state, 'running');
  const svc = service(c.dockerId!);
  t.equal(svc.ID, c.dockerId, 'it is a service of that swarm');
  t.equal(svc.Spec.Mode.Replicated.Replicas, 1, 'with one replica');
  t.notOk(svc.Endpoint?.Ports?.length, 'publishing no port');
  t.equal(c.hostPort, null, 'and none is recorded');
  t.same(svc.Spec.TaskTemplate.Placement.Constraints, [`node.id==${sw.nodeId}`], 'pinned to the manager\'s node, whose gwbridge this machine reaches');
  const gwbridge = JSON.parse(sw.docker('network inspect docker_gwbridge'))[0];
  t.ok(Object.values(gwbridge.Containers).some((x: any) => x.IPv4Address.startsWith(`${c.containerIp}/`)), `the route address ${c.containerIp} is the task's docker_gwbridge address`);
  t.equal(gw.core.containers.upstream(c)?.host, c.containerIp, 'and the proxy goes there');

  const stopped = await gw.api('POST', `/containers/api/stop/${uuid}`, admin);
  t.equal(stopped.body.state, 'exited', `stop: ${JSON.stringify(stopped.body).slice(0, 300)}`);
  t.equal(service(c.dockerId!).Spec.Mode.Replicated.Replicas, 0, 'is a scale to 0');
  t.equal((await call(gw, `/containers/proxy/${uuid}/`, { headers: { authorization: `token ${admin}` } })).status, 503, 'held stopped for a script, as on the built-in host');

  const deleted = await gw.api('DELETE', `/containers/api/delete/${uuid}`, admin);
  t.ok(deleted.status === 200 || deleted.status === 204, `delete (${deleted.status})`);
  t.equal(sw.docker(`service ls -q --filter label=portico.container=${uuid}`).trim(), '', 'removes the service');
  t.equal((await gw.api('DELETE', '/containers/api/hosts/swarm1', admin)).status, 204, 'and the host, unused now, can go');
});

t.test('refused at add and edit: a tcp:// swarm host while the gateway is in host mode, an engine that is no swarm manager', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'swarm-host-pki-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const tls = clientTls(dir);
  let r = await gw.api('POST', '/containers/api/hosts', admin, { name: 'far-swarm', url: 'tcp://127.0.0.1:2376', tls, publish_address: '127.0.0.1', mode: 'swarm' });
  t.equal(r.status, 400, 'a tcp:// swarm host is a 400');
  t.match(r.body.fields?.url, /docker_gwbridge/, `saying why: ${JSON.stringify(r.body)}`);

  r = await gw.api('POST', '/containers/api/hosts', admin, { name: 'no-manager', url: `unix://${ENGINE_SOCKET}`, mode: 'swarm' });
  t.equal(r.status, 400, 'an engine that is no swarm manager is refused at the connection test');
  t.match(JSON.stringify(r.body), /swarm/i);

  r = await gw.api('POST', '/containers/api/hosts', admin, { name: 'plain', url: `unix://${sw.sock}`, mode: 'engine' });
  t.equal(r.status, 201, 'an engine-mode host is added');
  r = await gw.api('PATCH', '/containers/api/hosts/plain', admin, { url: 'tcp://127.0.0.1:2376', tls, publish_address: '127.0.0.1', mode: 'swarm' });
  t.equal(r.status, 400, 'an edit into a tcp:// swarm host is a 400 too');
  t.match(r.body.fields?.url, /docker_gwbridge/);
  const plain = await gw.api('GET', '/containers/api/hosts/plain', admin);
  t.equal(plain.body.mode, 'engine', 'the host is left as it was');
  t.equal(plain.body.url, `unix://${sw.sock}`);
  t.same((await gw.api('GET', '/containers/api/hosts', admin)).body.map((h: { name: string }) => h.name).sort(), ['local', 'plain'], 'nothing half-created');
  t.equal((await gw.api('DELETE', '/containers/api/hosts/plain', admin)).status, 204);
});
