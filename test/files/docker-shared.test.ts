/**
 * docker-shared.test.ts: in docker-shared mode a file reference becomes a URL on the gateway's
 * name (PORTICO_GATEWAY_NAME), and the file server listens on the gateway's own address on the
 * Portico network (never 0.0.0.0). Here the "gateway container" is the host's end of the test
 * network, so the container reaches it by address; the name is checked in the URL.
 */
import t from 'tap';
import { execFile, execFileSync } from 'node:child_process';
import { startGateway, dockerInspect, waitFor, TEST_IMAGE, TEST_NETWORK } from '../helpers/gateway.ts';
import { rawRequest } from '../helpers/raw-request.ts';
import { localAddressIn } from '../../gateway/file-server.ts';

t.test('localAddressIn picks the interface address inside a subnet', async (t) => {
  const ifs = {
    lo: [{ address: '127.0.0.1', family: 'IPv4' }],
    eth0: [{ address: '192.0.2.2', family: 'IPv4' }, { address: 'fe80::1', family: 'IPv6' }],
    eth1: [{ address: '172.18.0.5', family: 'IPv4' }],
  } as unknown as NodeJS.Dict<import('node:os').NetworkInterfaceInfo[]>;
  t.equal(localAddressIn('172.18.0.0/16', ifs), '172.18.0.5');
  t.equal(localAddressIn('10.0.0.0/8', ifs), null);
  t.equal(localAddressIn('not a subnet', ifs), null);
});

t.test('docker-shared: URL by gateway name, listener on the network address', async (t) => {
  // Regression (flaky): the host's end of the network only counts as an address of this machine
  // while the bridge is up, i.e. while some container is attached (libuv lists running interfaces
  // only). A real gateway container's own interface is always up; here a keeper container holds
  // the bridge up, so the test no longer depends on other tests' containers.
  try { execFileSync('docker', ['network', 'create', '--label', 'portico.test=1', TEST_NETWORK], { stdio: 'ignore' }); } catch { /* exists */ }
  const keeper = execFileSync('docker', ['run', '-d', '--rm', '--init', '--network', TEST_NETWORK, '--label', 'portico.test=keeper',
    `${TEST_IMAGE.repository}:${TEST_IMAGE.tag}`, 'sleep', '600'], { encoding: 'utf8' }).trim();
  t.teardown(() => { execFileSync('docker', ['rm', '-f', keeper], { stdio: 'ignore' }); });
  const gw = await startGateway({ PORTICO_NETWORK_MODE: 'docker-shared', PORTICO_GATEWAY_NAME: 'portico-files-gw' });
  t.teardown(() => gw.close());
  await waitFor(() => gw.core.files.endpoint(), 15_000, 'the file server to listen on the network address');
  const p = gw.project();
  const { token } = await gw.user('dora', { project: p, role: 'owner' });
  const data = Buffer.from('shared-mode data');
  const f = JSON.parse((await rawRequest(`${gw.base}/containers/api/files/upload/${p}/d.csv`, {
    method: 'PUT', headers: { authorization: `token ${token}`, 'content-length': data.length }, body: data,
  })).body);
  const c = await gw.api('POST', `/containers/api/create/${p}`, token, { title: 'shared', ...TEST_IMAGE, command: `sh -c 'echo ${f.reference}; exec httpd -f -p 80 -h /www'` });
  const started = await gw.api('POST', `/containers/api/start/${c.body.sodar_uuid}`, token);
  t.equal(started.body.state, 'running');
  const cmd: string = dockerInspect(started.body.container_id).Config.Cmd.join(' ');
  const m = /http:\/\/portico-files-gw:(\d+)(\/files\/[^\s']+\/d\.csv)/.exec(cmd);
  t.ok(m, 'the URL names the gateway');
  const ep = gw.core.files.endpoint();
  t.equal(ep?.host, 'portico-files-gw');
  // The listener is on the network's address (the host end here), reachable from the container.
  const out = await new Promise<string>((resolve) => execFile('docker', ['exec', started.body.container_id, 'wget', '-q', '-O', '-', `http://172.18.0.1:${m![1]}${m![2]}`], { encoding: 'utf8' }, (_e, so, se) => resolve(so + se)));
  t.equal(out, 'shared-mode data', 'the container fetches the file from the listener');
  const loop = await rawRequest(`http://127.0.0.1:${m![1]}${m![2]}`, { method: 'GET', headers: {}, body: Buffer.alloc(0) }).catch((e) => ({ status: 0, body: String(e.code) }));
  t.equal(loop.status, 0, `not listening on every interface (loopback: ${loop.body})`);
});
