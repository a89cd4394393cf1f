/**
 * container-hosts.test.ts: a second engine over TCP with mutual TLS (a private dockerd on 127.0.0.1,
 * certificates made here with openssl) driven through Portico's API like the local host: a container
 * there is created, opened through the proxy (on-demand start), stopped and opened again. Stopping
 * that engine leaves the local host's app serving without a gap while the remote one shows
 * unreachable; when it returns, so does its container. And the bad input: plain tcp, wrong CA,
 * a key of another certificate, nothing listening, an unknown host — each a clear 4xx.
 */
import t from 'tap';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { ENGINE_ENV, startGateway, waitFor, TEST_IMAGE, TEST_NETWORK } from '../helpers/gateway.ts';
import { startPrivateDockerd } from '../helpers/private-dockerd.ts';
import { runCli } from '../../gateway/cli.ts';

const cliPath = new URL('../../gateway/cli.ts', import.meta.url).pathname;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const p = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(p));
    });
  });
}

/** makePki writes a CA, a server certificate for 127.0.0.1 and a client certificate under `dir/name`. */
function makePki(dir: string, name: string): Record<'ca' | 'caKey' | 'cert' | 'key' | 'srvCert' | 'srvKey', string> {
  const d = path.join(dir, name);
  fs.mkdirSync(d);
  const f = (n: string) => path.join(d, n);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca-key.pem'), '-out', f('ca.pem'), '-days', '2', '-subj', `/CN=portico-test-ca-${name}`);
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('server-key.pem'), '-out', f('server.csr'), '-subj', '/CN=127.0.0.1');
  fs.writeFileSync(f('server.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  ssl('x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca-key.pem'), '-CAcreateserial', '-out', f('server.pem'), '-days', '2', '-extfile', f('server.ext'));
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('key.pem'), '-out', f('client.csr'), '-subj', '/CN=portico-gateway');
  fs.writeFileSync(f('client.ext'), 'extendedKeyUsage=clientAuth\n');
  ssl('x509', '-req', '-in', f('client.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca-key.pem'), '-CAcreateserial', '-out', f('cert.pem'), '-days', '2', '-extfile', f('client.ext'));
  return { ca: f('ca.pem'), caKey: f('ca-key.pem'), cert: f('cert.pem'), key: f('key.pem'), srvCert: f('server.pem'), srvKey: f('server-key.pem') };
}

const read = (p: string) => fs.readFileSync(p, 'utf8');

t.test('a second engine over TCP with TLS: create, open on demand, stop; its outage leaves the local host serving; it comes back', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hosts-pki-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const good = makePki(dir, 'good');
  const other = makePki(dir, 'other');
  const port = await freePort();
  const pd = await startPrivateDockerd({
    images: [`${TEST_IMAGE.repository}:${TEST_IMAGE.tag}`], network: null,
    extraArgs: ['--tlsverify', '--tlscacert', good.ca, '--tlscert', good.srvCert, '--tlskey', good.srvKey, '-H', `tcp://127.0.0.1:${port}`],
  });
  t.teardown(() => pd.destroy());
  // The apps' network on that engine, on a subnet of its own (the engine would make it otherwise).
  pd.docker(`network create --driver bridge --subnet 10.${200 + (port % 50)}.${port % 250}.0/24 --label portico.managed=true ${TEST_NETWORK}`);

  const gw = await startGateway();
  t.teardown(() => gw.close());
  const { token: admin } = await gw.user('hostadmin', { admin: true });
  const projectUuid = gw.project('Hosts');
  const { token: member } = await gw.user('member', { project: projectUuid, role: 'contributor' });
  const url = `tcp://127.0.0.1:${port}`;
  const tls = { ca: read(good.ca), cert: read(good.cert), key: read(good.key) };

  await t.test('bad input: each a clear 400, and nothing is stored', async (t) => {
    const add = (body: unknown) => gw.api('POST', '/containers/api/hosts', admin, body);
    let r = await add({ name: 'plain', url, publish_address: '127.0.0.1' });
    t.equal(r.status, 400, 'plain tcp:// is refused');
    t.match(r.body.fields.tls, /needs TLS/);
    r = await add({ name: 'http', url: `http://127.0.0.1:${port}`, tls, publish_address: '127.0.0.1' });
    t.equal(r.status, 400);
    t.match(r.body.fields.url, /tcp:\/\/host:port/);
    r = await add({ name: 'wild', url, tls, publish_address: '0.0.0.0' });
    t.equal(r.status, 400, 'a wildcard publish address is refused');
    t.match(r.body.fields.publish_address, /not a wildcard/);
    r = await add({ name: 'nopub', url, tls });
    t.equal(r.status, 400, 'a tcp:// host needs a publish address');
    r = await add({ name: 'badpem', url, tls: { ...tls, ca: '-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n' }, publish_address: '127.0.0.1' });
    t.equal(r.status, 400);
    t.match(r.body.fields['tls.ca'], /not a readable PEM certificate/);
    r = await add({ name: 'wrongkey', url, tls: { ...tls, key: read(other.key) }, publish_address: '127.0.0.1' });
    t.equal(r.status, 400);
    t.match(r.body.fields['tls.key'], /does not belong to the client certificate/);
    r = await add({ name: 'wrongissuer', url, tls: { ...tls, cert: read(other.cert), key: read(other.key) }, publish_address: '127.0.0.1' });
    t.equal(r.status, 400);
    t.match(r.body.fields['tls.cert'], /not issued by the given CA/);
    // A consistent set from another CA: the engine's certificate is not one it signed.
    r = await add({ name: 'wrongca', url, tls: { ca: read(other.ca), cert: read(other.cert), key: read(other.key) }, publish_address: '127.0.0.1' });
    t.equal(r.status, 400, 'certificates of another CA are refused at the connection test');
    t.match(r.body.fields.tls, /not signed by the given CA/);
    // Both CAs given (the engine's is trusted), but the client certificate is of a CA the engine does not trust.
    r = await add({ name: 'refusedcert', url, tls: { ca: read(other.ca) + read(good.ca), cert: read(other.cert), key: read(other.key) }, publish_address: '127.0.0.1' });
    t.equal(r.status, 400, 'a client certificate the engine does not trust is refused at the connection test');
    t.match(r.body.fields.tls, /refused the client certificate/);
    const closed = await freePort();
    r = await add({ name: 'nobody', url: `tcp://127.0.0.1:${closed}`, tls, publish_address: '127.0.0.1' });
    t.equal(r.status, 400, 'a host where nothing listens is refused');
    t.match(r.body.fields.url, /connection refused/);
    r = await add({ name: 'swarmy', url, tls, publish_address: '127.0.0.1', mode: 'swarm' });
    t.equal(r.status, 400, 'a swarm-mode host on an engine that is no swarm manager is refused at the connection test');
    t.match(JSON.stringify(r.body), /swarm/i, 'naming the swarm');
    r = await gw.api('POST', '/containers/api/hosts', member, { name: 'mine', url, tls, publish_address: '127.0.0.1' });
    t.equal(r.status, 403, 'only site admins add hosts');
    const list = await gw.api('GET', '/containers/api/hosts', admin);
    t.same(list.body.map((h: { name: string }) => h.name), ['local'], 'only the built-in host exists: nothing was half-created');
  });

  const added = await gw.api('POST', '/containers/api/hosts', admin, { name: 'remote', url, tls, publish_address: '127.0.0.1' });
  t.equal(added.status, 201, `the TLS host is added: ${JSON.stringify(added.body)}`);
  t.equal(added.body.tls.key, '<masked>', 'its key is never shown');
  t.notOk(JSON.stringify(added.body).includes('PRIVATE KEY'), 'no key text in the answer');
  t.match(added.body.tls.cert.subject, /portico-gateway/);
  const tested = await gw.api('POST', '/containers/api/hosts/remote/test', admin);
  t.equal(tested.body.ok, true, 'the test pings it');
  t.match(tested.body.version.version, /\d+\.\d+/, 'and reads its version');
  await waitFor(async () => (await gw.api('GET', '/containers/api/hosts/remote', admin)).body.status.engine === 'up', 10_000, 'remote up');

  const form = (token: string) => fetch(`${gw.base}/projects/${projectUuid}/containers/create`, { headers: { authorization: `token ${token}` } }).then((x) => x.text());
  t.match(await form(admin), /<select id="f-host" name="host"[^]*<option value="" selected>Default \(local\), or the template&#39;s host<\/option><option value="local">local \(default\)<\/option><option value="remote">remote<\/option>/, 'the create form lets a site admin pick the host (none chosen: the default or the template\x27s)');
  t.notMatch(await form(member), /name="host"/, 'and shows no picker to others');
  let r = await gw.api('POST', `/containers/api/create/${projectUuid}`, admin, { title: 'Far', ...TEST_IMAGE, container_port: 80, host: 'nowhere' });
  t.equal(r.status, 400, 'an unknown host is a 400 naming the field');
  t.match(r.body.fields?.host ?? r.body.host, /no container host/);
  r = await gw.api('POST', `/containers/api/create/${projectUuid}`, member, { title: 'Far', ...TEST_IMAGE, container_port: 80, host: 'remote' });
  t.equal(r.status, 403, 'only site admins choose a host');
  const far = await gw.api('POST', `/containers/api/create/${projectUuid}`, admin, { title: 'Far', ...TEST_IMAGE, container_port: 80, host: 'remote' });
  t.equal(far.status, 201);
  t.equal(far.body.host_id, added.body.id, 'the container records its host');
  const near = await gw.api('POST', `/containers/api/create/${projectUuid}`, member, { title: 'Near', ...TEST_IMAGE, container_port: 80 });
  t.equal(near.body.host_id, null, 'the default is the built-in host');
  const tpl = await gw.api('POST', '/containers/api/templates/create/site', admin, { title: 'On remote', ...TEST_IMAGE, container_port: 80, host: 'remote' });
  t.equal(tpl.body.host_id, added.body.id, 'a template names its host');
  const fromTpl = await gw.api('POST', `/containers/api/create/${projectUuid}`, member, { title: 'From template', ...TEST_IMAGE, container_port: 80, containertemplatesite: tpl.body.sodar_uuid });
  t.equal(fromTpl.status, 201);
  t.equal(fromTpl.body.host_id, added.body.id, "a container made from it runs on the template's host, whoever makes it");
  const farId = far.body.sodar_uuid;
  const nearId = near.body.sodar_uuid;
  const open = (uuid: string) => fetch(`${gw.base}/containers/proxy/${uuid}/`, { headers: { authorization: `token ${admin}` } });

  let res = await open(farId);
  t.equal(res.status, 200, 'the remote app opens through the proxy, started on demand');
  await res.text();
  const onRemote = pd.docker(`ps --filter label=portico.container=${farId} --format '{{.State}} {{.Ports}}'`).trim();
  t.match(onRemote, /^running 127\.0\.0\.1:\d+->80\/tcp/, 'it runs on the remote engine, published on the host\'s publish address');
  t.equal(execFileSync('docker', ['ps', '-aq', '--filter', `label=portico.container=${farId}`], { encoding: 'utf8' }).trim(), '', 'and not on the local one');
  const removeUsed = await gw.api('DELETE', '/containers/api/hosts/remote', admin);
  t.equal(removeUsed.status, 409, 'a host in use cannot be removed');

  r = await gw.api('POST', `/containers/api/stop/${farId}`, admin);
  t.ok(r.status < 300, `stop: ${r.status}`);
  await waitFor(async () => (await gw.api('GET', `/containers/api/detail/${farId}`, admin)).body.state === 'exited', 15_000, 'remote stopped');
  t.match(pd.docker(`ps -a --filter label=portico.container=${farId} --format '{{.State}}'`).trim(), /exited/, 'the engine shows it stopped');
  // A stop by a person holds it stopped for all but a page load (docs/persistence.md): start it as the API does.
  res = await open(farId);
  t.equal(res.status, 503, 'held stopped, as on the local host');
  await res.text();
  r = await gw.api('POST', `/containers/api/start/${farId}`, admin);
  t.ok(r.status < 300, `start: ${r.status}`);
  res = await open(farId);
  t.equal(res.status, 200, 'and it opens again once started');
  await res.text();
  res = await open(nearId);
  t.equal(res.status, 200, 'the local app opens too');
  await res.text();

  // The outage: requests to the local app keep flowing while the remote engine stops.
  let flowing = true;
  const results: Array<{ status: number; ms: number }> = [];
  const loop = (async () => {
    const end = Date.now() + 30_000;
    while (flowing && Date.now() < end && results.length < 5000) {
      const t0 = performance.now();
      const x = await open(nearId).then(async (a) => { await a.arrayBuffer(); return a.status; }, () => 0);
      results.push({ status: x, ms: performance.now() - t0 });
    }
  })();
  const before = results.length;
  await pd.stop();
  const down = await waitFor(async () => {
    const h = (await gw.api('GET', '/containers/api/hosts/remote', admin)).body;
    return h.status.engine === 'down' ? h : null;
  }, 15_000, 'remote down');
  t.ok(down.status.reason, `the host says why: ${down.status.reason}`);
  const detail = await waitFor(async () => {
    const d = (await gw.api('GET', `/containers/api/detail/${farId}`, admin)).body;
    return /container host remote is unreachable/.test(d.state_reason ?? '') ? d : null;
  }, 10_000, 'remote container marked unreachable');
  t.pass(`the remote container shows: ${detail.state_reason}`);
  const t0 = performance.now();
  r = await gw.api('POST', `/containers/api/start/${farId}`, admin);
  t.equal(r.status, 503, 'an action on it fails at once');
  t.equal(r.body.code, 'E_ENGINE_UNAVAILABLE');
  t.match(r.body.error ?? r.body.detail, /container host remote is unreachable/);
  t.ok(performance.now() - t0 < 2000, 'without waiting on the dead host');
  const health = await fetch(`${gw.base}/healthz`);
  const hb = await health.json() as { status: string; hosts: Array<{ name: string; engine: string }> };
  t.equal(health.status, 200, '/healthz stays 200: the built-in host and the store are fine');
  t.same(hb.hosts.map((h) => [h.name, h.engine]), [['local', 'up'], ['remote', 'down']], 'and reports each host');
  const metrics = await (await fetch(`${gw.base}/metrics`, { headers: { authorization: `token ${admin}` } })).text();
  t.match(metrics, /portico_host_up\{host="remote"\} 0\n/, 'the metric says the remote host is down');
  t.match(metrics, /portico_host_up\{host="local"\} 1\n/, 'and the local one up');
  const page = await fetch(`${gw.base}/siteadmin/hosts`, { headers: { authorization: `token ${admin}` } });
  t.equal(page.status, 200, 'the hosts page answers during the outage');
  t.match(await page.text(), /unreachable|down/);
  const during = results.length - before;
  await new Promise((r) => setTimeout(r, 1000));

  await pd.start();
  await waitFor(async () => (await gw.api('GET', '/containers/api/hosts/remote', admin)).body.status.engine === 'up', 20_000, 'remote up again');
  flowing = false;
  await loop;
  const failed = results.filter((x) => x.status !== 200);
  t.same(failed, [], 'every request to the local app during the outage succeeded');
  t.ok(during >= 20, `requests kept flowing while the remote engine stopped (${during} in that time, ${results.length} in all)`);
  const slowest = Math.max(...results.map((x) => x.ms));
  t.ok(slowest < 2000, `none waited on the dead host (slowest ${Math.round(slowest)} ms)`);
  t.comment(`local requests during the outage: ${results.length}, slowest ${Math.round(slowest)} ms`);

  const back = await waitFor(async () => {
    const d = (await gw.api('GET', `/containers/api/detail/${farId}`, admin)).body;
    return !/unreachable/.test(d.state_reason ?? '') ? d : null;
  }, 10_000, 'remote container reachable again');
  t.pass(`the remote container is reachable again (${back.state})`);
  res = await open(farId);
  t.equal(res.status, 200, 'and opens through the proxy again');
  await res.text();

  // Its own event stream: a container killed on that engine from outside shows at once.
  const killedAt = Date.now();
  pd.docker(`kill ${pd.docker(`ps -q --filter label=portico.container=${farId}`).trim()}`);
  await waitFor(async () => (await gw.api('GET', `/containers/api/detail/${farId}`, admin)).body.state === 'exited', 5000, 'the kill seen');
  t.ok(Date.now() - killedAt < 3000, `a kill on the remote engine shows in ${Date.now() - killedAt} ms`);
  r = await gw.api('DELETE', `/containers/api/delete/${farId}`, admin);
  t.equal(r.status, 204, 'it is deleted on its host');
  t.equal(pd.docker(`ps -aq --filter label=portico.container=${farId}`).trim(), '', 'nothing left on the remote engine');
  r = await gw.api('DELETE', '/containers/api/hosts/remote', admin);
  t.equal(r.status, 409, 'refused while a template and a container name it');
  t.match(r.body.error, /1 container\(s\) and 1 template\(s\)/);
  t.equal((await gw.api('PATCH', `/containers/api/templates/update/${tpl.body.sodar_uuid}`, admin, { host: null })).body.host_id, null, "a template's host is cleared");
  t.equal((await gw.api('DELETE', `/containers/api/delete/${fromTpl.body.sodar_uuid}`, admin)).status, 204);
  r = await gw.api('DELETE', '/containers/api/hosts/remote', admin);
  t.equal(r.status, 204, 'an unused host is removed');
  r = await gw.api('GET', '/containers/api/hosts/remote', admin);
  t.equal(r.status, 404);
  t.equal(r.body.code, 'E_HOST_NOT_FOUND');

  await t.test('the CLI: add, list, test, remove; a running gateway follows', async (t) => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { stdout: (x: string) => out.push(x), stderr: (x: string) => err.push(x), readStdin: async () => '', stdinIsTty: true };
    const cli = (...args: string[]) => { out.length = 0; err.length = 0; return runCli(args, gw.core.store, io, undefined, { config: gw.config }); };
    // The add from another process, as deployed: the running gateway hears of it only by reading the table again.
    const child = spawnSync(process.execPath, [cliPath, 'host', 'add', 'viasock', '--url', `unix://${pd.sock}`], {
      env: { PATH: process.env.PATH, PORTICO_DATA_DIR: gw.config.dataDir, ...ENGINE_ENV }, encoding: 'utf8',
    });
    t.equal(child.status, 0, `host add of a unix:// host from another process: ${child.stderr}`);
    t.equal(await cli('host', 'list'), 0);
    t.match(out.join(''), /\tviasock\tunix:\/\/.*\t127\.0\.0\.1\t0\n/, 'host list shows it, publishing on 127.0.0.1 by default');
    t.equal(await cli('host', 'test', 'viasock'), 0);
    t.match(out.join(''), /^viasock: Docker \d+\./, 'host test prints the engine version');
    t.equal(await cli('host', 'add', 'plain', '--url', `tcp://127.0.0.1:${port}`, '--publish-address', '127.0.0.1'), 1, 'plain tcp is refused');
    t.match(err.join(''), /needs TLS/);
    t.equal(await cli('host', 'add', 'nofile', '--url', `tcp://127.0.0.1:${port}`, '--ca', path.join(dir, 'missing.pem'), '--cert', good.cert, '--key', good.key), 1);
    t.match(err.join(''), /cannot read the CA certificate file .*missing\.pem: ENOENT/, 'an unreadable PEM file is named');
    t.equal(await cli('host', 'test', 'nosuch'), 1);
    t.match(err.join(''), /no container host named "nosuch"/);
    const seenAt = performance.now();
    await waitFor(async () => (await gw.api('GET', '/containers/api/hosts/viasock', admin)).body.status?.engine === 'up', 15_000, 'the gateway follows the host the CLI added');
    t.pass(`the running gateway follows the host the CLI added (${Math.round(performance.now() - seenAt)} ms after the CLI exited; it reads the table every 3 s)`);
    t.equal(await cli('host', 'remove', 'viasock'), 0);
    t.equal(await cli('host', 'remove', 'local'), 1, 'the built-in host stays');
    t.match(err.join(''), /cannot be removed/);
  });

  // Regression: the registry learnt of hosts only from its 3 s reading of the table, unless the
  // change went through its own add/edit/remove; the store now tells it of every change in this process.
  await t.test('a host added, changed or removed through the API is usable (or gone) at once, with no wait for the 3 s reading of the table', async (t) => {
    const t0 = performance.now();
    const add = await gw.api('POST', '/containers/api/hosts', admin, { name: 'instant', url: `unix://${pd.sock}` });
    t.equal(add.status, 201, JSON.stringify(add.body));
    const addMs = Math.round(performance.now() - t0);
    t.equal(add.body.status.engine, 'up', `up in the add's own answer (${addMs} ms)`);
    t.equal((await gw.api('GET', '/containers/api/hosts/instant', admin)).body.status.engine, 'up', 'and in the next read, with no wait');
    const c = await gw.api('POST', `/containers/api/create/${projectUuid}`, admin, { title: 'Instant', ...TEST_IMAGE, container_port: 80, host: 'instant' });
    t.equal(c.status, 201);
    const opened = await fetch(`${gw.base}/containers/proxy/${c.body.sodar_uuid}/`, { headers: { authorization: `token ${admin}` } });
    t.equal(opened.status, 200, `the app on it opens through the proxy at once (${Math.round(performance.now() - t0)} ms after the add began)`);
    await opened.text();
    t.equal((await gw.api('DELETE', `/containers/api/delete/${c.body.sodar_uuid}`, admin)).status, 204);

    // A store write this registry did not make (another service in the process) is followed at once too.
    const id = add.body.id as number;
    gw.core.store.hosts.update(id, { name: 'instant2', url: `unix://${pd.sock}`, mode: 'engine', tls: null, publishAddress: '127.0.0.1' });
    t.equal(gw.core.hosts.placement(id).name, 'instant2', 'the registry follows the changed row at once');
    const renamed = await gw.api('PATCH', '/containers/api/hosts/instant2', admin, { name: 'instant' });
    t.equal(renamed.status, 200, JSON.stringify(renamed.body));
    t.equal(renamed.body.status.engine, 'up', 'an edit answers with the host up again');
    t.equal((await gw.api('DELETE', '/containers/api/hosts/instant', admin)).status, 204);
    t.throws(() => gw.core.hosts.placement(id), { code: 'E_HOST_NOT_FOUND' }, 'a removed host is no longer followed');
  });

  await t.test('the site-admin page: list, test, a refused add', async (t) => {
    const page = await fetch(`${gw.base}/siteadmin/hosts`, { headers: { authorization: `token ${admin}` } });
    const html = await page.text();
    t.equal(page.status, 200);
    t.match(html, /data-host="local" data-engine="up"/, 'the built-in host is listed, up');
    t.notOk(html.includes('PRIVATE KEY'), 'no key on the page');
    const test = await fetch(`${gw.base}/siteadmin/hosts/local/test`, { method: 'POST', headers: { authorization: `token ${admin}`, 'hx-request': 'true' } });
    t.match(await test.text(), /answers<\/span> Docker \d+/, 'the Test button answers with the version');
    const bad = await fetch(`${gw.base}/siteadmin/hosts`, {
      method: 'POST', headers: { authorization: `token ${admin}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ name: 'x', url: `tcp://127.0.0.1:${port}`, publish_address: '127.0.0.1', check: 'on' }).toString(),
    });
    t.equal(bad.status, 400, 'the add form refuses plain tcp');
    t.match(await bad.text(), /needs TLS/);
    const post = (p: string, body: Record<string, string>) => fetch(`${gw.base}${p}`, {
      method: 'POST', redirect: 'manual', headers: { authorization: `token ${admin}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(body).toString(),
    });
    let x = await post('/siteadmin/hosts', { name: 'sock', url: `unix://${pd.sock}`, mode: 'engine', publish_address: '', check: 'on' });
    t.equal(x.status, 303, 'the add form adds a unix:// host');
    t.match(x.headers.get('location'), /done=added/);
    const id = (await gw.api('GET', '/containers/api/hosts/sock', admin)).body.id;
    const edit = await fetch(`${gw.base}/siteadmin/hosts/${id}/edit`, { headers: { authorization: `token ${admin}` } });
    t.match(await edit.text(), /value="127\.0\.0\.1"/, 'the edit form shows its publish address');
    x = await post(`/siteadmin/hosts/${id}/edit`, { name: 'sock', url: `unix://${pd.sock}`, mode: 'engine', publish_address: '0.0.0.0' });
    t.equal(x.status, 400, 'the edit form refuses a wildcard');
    x = await post(`/siteadmin/hosts/${id}/default`, {});
    t.equal(x.status, 303);
    t.equal((await gw.api('GET', '/containers/api/hosts/sock', admin)).body.default, true, 'it is the default now');
    x = await post(`/siteadmin/hosts/${id}/remove`, {});
    t.equal(x.status, 409, 'the default is not removed');
    x = await post('/siteadmin/hosts/local/default', {});
    x = await post(`/siteadmin/hosts/${id}/remove`, {});
    t.equal(x.status, 303, 'removed once it is not the default');
    const member = await fetch(`${gw.base}/siteadmin/hosts`, { headers: { authorization: `token ${(await gw.user('nobody')).token}` } });
    t.equal(member.status, 403, 'not for other users');
  });
});
