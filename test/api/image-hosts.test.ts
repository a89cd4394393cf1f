/**
 * image-hosts.test.ts: image hosts against a real registry (Debian's docker-registry on 127.0.0.1,
 * htpasswd basic auth, TLS from a CA made in the test). A locally built image is pushed to it and
 * pulled back through Portico — with no image host (the registry's 401, explained), with wrong
 * credentials (refused, nothing saved when checked first), and with the right ones (the pull API,
 * and a container started on demand). Passwords never show in answers, logs or the database file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import t from 'tap';
import { createLogger } from '../../gateway/core/log.ts';
import { engineContainers, startGateway, TEST_IMAGE, waitFor } from '../helpers/gateway.ts';
import { freePort } from '../helpers/slapd.ts';
import { pushImage, removeLocalImage, startRegistry } from '../helpers/registry.ts';

const USER = { username: 'robot', password: `right-${randomBytes(6).toString('hex')}` };
const WRONG = `wrong-${randomBytes(6).toString('hex')}`;

async function pull(base: string, token: string, body: unknown): Promise<{ status: number; lines: any[]; body: any }> {
  const res = await fetch(`${base}/containers/api/images/pull`, { method: 'POST', headers: { authorization: `token ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  if ((res.headers.get('content-type') ?? '').includes('ndjson')) return { status: res.status, lines: text.split('\n').filter(Boolean).map((l) => JSON.parse(l)), body: null };
  return { status: res.status, lines: [], body: JSON.parse(text) };
}

const localImage = (ref: string) => {
  try { execFileSync('docker', ['image', 'inspect', ref], { stdio: 'ignore' }); return true; } catch { return false; }
};

t.test('a private registry with TLS and basic auth: pulls through Portico without, with wrong and with the right credentials', async (t) => {
  const reg = await startRegistry([USER]);
  t.teardown(() => reg.stop());
  const tag = `reg-${randomBytes(4).toString('hex')}`;
  const repo = `${reg.address}/portico-test/httpd`;
  const ref = `${repo}:${tag}`;
  pushImage(reg, `${TEST_IMAGE.repository}:${TEST_IMAGE.tag}`, ref, USER);
  t.teardown(() => removeLocalImage(ref));
  t.notOk(localImage(ref), 'the pushed tag is gone locally: a pull must fetch it from the registry');

  // The engine trusts 127.0.0.0/8 registries without a CA (Docker's default insecure range): the push
  // above worked with a certificate it cannot verify. A real site's registry needs certs.d instead.
  const insecure = JSON.parse(execFileSync('docker', ['info', '--format', '{{json .RegistryConfig.InsecureRegistryCIDRs}}'], { encoding: 'utf8' })) as string[];
  t.ok(insecure.includes('127.0.0.0/8'), `the engine's insecure registry ranges include 127.0.0.0/8 (${insecure.join(', ')})`);

  const logged: string[] = [];
  const gw = await startGateway({}, { logger: createLogger({ format: 'json', level: 'debug', write: (l) => logged.push(l) }) });
  t.teardown(() => gw.close());
  const { token: admin } = await gw.user('registry-admin', { admin: true });
  const project = gw.project();
  const { token: owner } = await gw.user('registry-owner', { project, role: 'owner' });

  // No image host: the registry's own 401, explained; not "server error".
  const anon = await pull(gw.base, admin, { image: ref });
  t.equal(anon.status, 502, 'a pull the registry refuses: 502');
  t.equal(anon.body.code, 'E_IMAGE_PULL_FAILED');
  // The engine retries an insecure registry (127.0.0.0/8) over plain HTTP after HTTPS refused it,
  // and reports only the retry; a registry the engine trusts through certs.d gives its 401 itself.
  t.match(anon.body.error, /the registry refused (access|the pull over HTTPS) \(.*a private image needs an image host with its credentials\)/, `explained: ${anon.body.error}`);
  t.match(anon.body.error, /no basic auth credentials|unauthorized|authentication required|HTTP request to an HTTPS server/i, 'the engine\'s own words are kept');
  t.notMatch(anon.body.error, /server error/);

  // Bad input: each a 400 naming the field, nothing stored.
  const bad = async (body: unknown, field: string, what: string) => {
    const r = await gw.api('POST', '/containers/api/image-hosts', admin, body);
    t.equal(r.status, 400, `${what}: 400`);
    if (field) t.ok(r.body.fields?.[field], `${what}: names ${field} (${r.body.error})`);
  };
  await bad({ name: 'x', address: 'http://reg.example.org' }, 'address', 'a plain-HTTP address');
  await bad({ name: 'x', address: 'reg.example.org/path' }, 'address', 'an address with a path');
  await bad({ name: 'x', address: reg.address, username: 'robot' }, 'password', 'a username without a password');
  await bad({ name: 'x', address: reg.address, password: 'p' }, 'username', 'a password without a username');
  await bad({ name: 'x', address: reg.address, ca_cert: 'not a pem' }, 'caCert', 'a CA that is no certificate');
  await bad({ name: '', address: reg.address }, 'name', 'no name');
  await bad({ name: 'x', address: reg.address, secret: 1 }, '', 'an unknown field');
  t.equal((await gw.api('POST', '/containers/api/image-hosts', owner, { name: 'x', address: reg.address })).status, 403, 'a project owner may not add image hosts');
  t.equal((await gw.api('GET', '/containers/api/image-hosts', owner)).status, 403, 'nor list them');

  // Wrong credentials, checked first: a clear 400 from the registry's answer, and nothing half-created.
  const checked = await gw.api('POST', '/containers/api/image-hosts', admin,
    { name: 'private', address: `https://${reg.address}/`, username: USER.username, password: WRONG, ca_cert: reg.caCert, check: true });
  t.equal(checked.status, 400, 'wrong credentials with check: 400');
  t.match(checked.body.fields?.password, /^unauthorized: the registry refused the credentials/, `the check's reason: ${checked.body.fields?.password}`);
  t.same((await gw.api('GET', '/containers/api/image-hosts', admin)).body, [], 'nothing was saved');

  // Saved without the check (and without the CA), the test button tells what is wrong, one thing at a time.
  const made = await gw.api('POST', '/containers/api/image-hosts', admin, { name: 'private', address: `https://${reg.address}/`, username: USER.username, password: WRONG });
  t.equal(made.status, 201, 'added');
  t.equal(made.body.address, reg.address, 'the address is kept as host:port');
  t.equal(made.body.has_password, true);
  t.equal(made.body.is_default, true, 'the first host is the default');
  t.notOk('password' in made.body, 'the password is never sent back');
  const test1 = await gw.api('POST', '/containers/api/image-hosts/private/test', admin);
  t.equal(test1.body.outcome, 'bad certificate', `without the CA the check cannot trust the registry (${test1.body.detail})`);
  t.equal((await gw.api('PATCH', '/containers/api/image-hosts/private', admin, { ca_cert: reg.caCert })).status, 200, 'the CA added, the password kept');
  const test2 = await gw.api('POST', '/containers/api/image-hosts/private/test', admin);
  t.equal(test2.body.outcome, 'unauthorized', `wrong password: unauthorized (${test2.body.detail})`);

  const wrong = await pull(gw.base, admin, { image: ref });
  t.equal(wrong.status, 502, 'a pull with wrong credentials: 502');
  t.match(wrong.body.error, /the registry refused access .*\(sent the credentials of image host private\)$/, `the reason names the host: ${wrong.body.error}`);
  t.notOk(localImage(ref), 'nothing was pulled');

  // A container on that image fails with the reason as its state reason; no engine container is made.
  const c = (await gw.api('POST', `/containers/api/create/${project}`, owner, { title: 'private app', repository: repo, tag, container_port: 80 })).body;
  t.ok(c.sodar_uuid, 'a container on the private image');
  const started = await gw.api('POST', `/containers/api/start/${c.sodar_uuid}`, owner);
  t.equal(started.status, 502, `start with wrong credentials: 502 (${started.body.error ?? started.body.detail})`);
  const failed = gw.core.store.containers.byUuid(c.sodar_uuid)!;
  t.equal(failed.state, 'failed', 'the container is failed');
  t.match(failed.stateReason, /the registry refused access .*image host private/, `its state reason: ${failed.stateReason}`);
  t.same(engineContainers(gw.instance), [], 'no engine container was created');

  // The right password: the check says ok, and the pull works.
  t.equal((await gw.api('PATCH', '/containers/api/image-hosts/private', admin, { password: USER.password, check: true })).status, 200, 'the right password, checked');
  const test3 = await gw.api('POST', '/containers/api/image-hosts/private/test', admin);
  t.same([test3.body.outcome, test3.body.detail], ['ok', 'the registry accepted the credentials'], 'the check says ok');
  const good = await pull(gw.base, admin, { image: `portico-test/httpd:${tag}`, registry: 'private' });
  t.equal(good.status, 200, 'pulled, the host named and its address put before the image');
  t.same(good.lines.at(-1), { status: 'done', image: ref });
  t.ok(localImage(ref), 'the image is on the engine');
  removeLocalImage(ref);

  // The container now starts, pulling on its own with the host's credentials.
  const again = await gw.api('POST', `/containers/api/start/${c.sodar_uuid}`, owner);
  t.equal(again.body.state, 'running', `the container pulls and runs (${again.body.error ?? ''})`);
  const log = await gw.api('GET', `/containers/api/logs/${c.sodar_uuid}`, owner);
  t.match(JSON.stringify(log.body), /with the credentials of image host private/, 'its log says whose credentials were used');

  // The password is nowhere to be read: not in answers, logs, or the database file.
  const listed = JSON.stringify((await gw.api('GET', '/containers/api/image-hosts', admin)).body);
  for (const secret of [USER.password, WRONG]) {
    t.notOk(listed.includes(secret), 'not in the list');
    t.notOk(logged.join('\n').includes(secret), 'not in the log');
    const files = fs.readdirSync(gw.config.dataDir).filter((f) => f.startsWith('portico.db'));
    t.notOk(files.some((f) => fs.readFileSync(path.join(gw.config.dataDir, f)).includes(secret)), `not in ${files.join(', ')}`);
  }
  await gw.api('POST', `/containers/api/delete/${c.sodar_uuid}`, owner);
});

t.test('the check tells an unreachable registry, and Docker Hub references match a docker.io host only', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const { token: admin } = await gw.user('registry-admin', { admin: true });
  const port = await freePort();
  t.equal((await gw.api('POST', '/containers/api/image-hosts', admin, { name: 'nowhere', address: `127.0.0.1:${port}` })).status, 201);
  const r = await gw.api('POST', '/containers/api/image-hosts/nowhere/test', admin);
  t.equal(r.body.outcome, 'unreachable', `a closed port: unreachable (${r.body.detail})`);
  t.match(r.body.detail, /ECONNREFUSED/);
  const refused = await gw.api('POST', '/containers/api/image-hosts', admin, { name: 'nowhere2', address: `127.0.0.1:${port + 1 === 65536 ? port - 1 : port + 1}`, check: true });
  t.equal(refused.status, 400, 'checked first, an unreachable registry is not saved');
  t.ok(refused.body.fields.address, refused.body.error);
  t.equal((await gw.api('POST', '/containers/api/image-hosts', admin, { name: 'hub', address: 'https://index.docker.io/v1/', username: 'u', password: 'hub-token-1' })).status, 201);
  const hosts = gw.core.imageHosts;
  t.equal(hosts.authFor('nginx:1')?.host, 'hub', 'a bare name is a Docker Hub image');
  t.equal(hosts.authFor('org/app:1')?.auth.serveraddress, 'https://index.docker.io/v1/', 'so is org/app');
  t.equal(hosts.authFor(`127.0.0.1:${port}/app:1`), null, 'a host without credentials sends none');
  t.equal(hosts.authFor('ghcr.io/org/app:1'), null, 'no host for ghcr.io: none');
  t.equal((await gw.api('POST', '/containers/api/image-hosts/hub/default', admin)).body.is_default, true, 'a new default');
  t.same((await gw.api('GET', '/containers/api/image-hosts', admin)).body.map((h: any) => [h.name, h.is_default]), [['hub', true], ['nowhere', false]], 'one default, listed first');
  t.equal((await gw.api('PATCH', '/containers/api/image-hosts/hub', admin, { username: '' })).body.has_password, false, 'an emptied username clears the credentials');
  t.equal((await gw.api('DELETE', '/containers/api/image-hosts/hub', admin)).body.removed, true);
  t.equal((await gw.api('GET', '/containers/api/image-hosts/hub', admin)).status, 404, 'gone');
  t.equal((await gw.api('POST', '/containers/api/images/pull', admin, { image: 'ghcr.io/org/app:1', registry: 'nowhere' })).status, 400, 'an image of another registry than the named host: 400');
});
