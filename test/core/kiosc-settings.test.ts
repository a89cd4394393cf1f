/**
 * kiosc-settings.test.ts: the settings Kiosc sites set are honoured: KIOSC_CONTAINER_DEFAULT_LOG_LINES
 * and KIOSC_CONTAINER_MAX_LOG_LINES (as fallbacks of PORTICO_LOG_LINES_*), SODAR_API_PAGE_SIZE (the
 * page size of list endpoints), KIOSC_DOCKER_MAX_ULIMIT_NOFILE_SOFT/HARD (the nofile limit of a
 * real container) and KIOSC_EMBEDDED_FILES (its parsing; its effect is in test/api/kiosc-urls.test.ts).
 * AUTH_LDAP(2)_CA_CERT_FILE is tested against slapd in test/auth/ldap-tls.test.ts.
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { loadConfig } from '../../gateway/core/config.ts';
import { startGateway, dockerInspect, TEST_IMAGE } from '../helpers/gateway.ts';
import { rawRequest } from '../helpers/raw-request.ts';

t.test('the Kiosc names are read, each with a precise message', async (t) => {
  const d = loadConfig({});
  t.equal(d.logLinesDefault, 100);
  t.equal(d.logLinesMax, 10000);
  t.equal(d.apiPageSize, 100, "SODAR's default page size");
  t.equal(d.embeddedFiles, true, 'small files are on by default, as in Kiosc');
  t.equal(d.nofile, null, 'no nofile limit unless one is set: the engine may not be able to raise it');

  const k = loadConfig({ KIOSC_CONTAINER_DEFAULT_LOG_LINES: '1000', KIOSC_CONTAINER_MAX_LOG_LINES: '5000', SODAR_API_PAGE_SIZE: '25', KIOSC_EMBEDDED_FILES: 'False' });
  t.equal(k.logLinesDefault, 1000);
  t.equal(k.logLinesMax, 5000);
  t.equal(k.apiPageSize, 25);
  t.equal(k.embeddedFiles, false, "Kiosc's False (any case)");
  const both = loadConfig({ PORTICO_LOG_LINES_DEFAULT: '20', KIOSC_CONTAINER_DEFAULT_LOG_LINES: '1000', PORTICO_API_PAGE_SIZE: '7', SODAR_API_PAGE_SIZE: '25', PORTICO_EMBEDDED_FILES: '1', KIOSC_EMBEDDED_FILES: '0' });
  t.same([both.logLinesDefault, both.apiPageSize, both.embeddedFiles], [20, 7, true], 'the PORTICO_* name wins');
  t.equal(loadConfig({ KIOSC_CONTAINER_DEFAULT_LOG_LINES: '50000', KIOSC_CONTAINER_MAX_LOG_LINES: '300' }).logLinesDefault, 300, 'the default never exceeds the maximum');

  t.same(loadConfig({ KIOSC_DOCKER_MAX_ULIMIT_NOFILE_SOFT: '98304', KIOSC_DOCKER_MAX_ULIMIT_NOFILE_HARD: '98304' }).nofile, { soft: 98304, hard: 98304 });
  t.same(loadConfig({ KIOSC_DOCKER_MAX_ULIMIT_NOFILE_SOFT: '4096' }).nofile, { soft: 4096, hard: 98304 }, "one set: the other is Kiosc's 98304");
  t.same(loadConfig({ PORTICO_ULIMIT_NOFILE_HARD: '200000' }).nofile, { soft: 98304, hard: 200000 });

  t.throws(() => loadConfig({ KIOSC_DOCKER_MAX_ULIMIT_NOFILE_SOFT: '2000', KIOSC_DOCKER_MAX_ULIMIT_NOFILE_HARD: '1000' }),
    /KIOSC_DOCKER_MAX_ULIMIT_NOFILE_SOFT \(2000\) must not be above KIOSC_DOCKER_MAX_ULIMIT_NOFILE_HARD \(1000\)/);
  t.throws(() => loadConfig({ KIOSC_DOCKER_MAX_ULIMIT_NOFILE_HARD: 'lots' }), /KIOSC_DOCKER_MAX_ULIMIT_NOFILE_HARD must be a whole number, got "lots"/);
  t.throws(() => loadConfig({ PORTICO_ULIMIT_NOFILE_SOFT: '0' }), /PORTICO_ULIMIT_NOFILE_SOFT must be between 1 and/);
  t.throws(() => loadConfig({ SODAR_API_PAGE_SIZE: '0' }), /SODAR_API_PAGE_SIZE must be between 1 and 10000, got 0/);
  t.throws(() => loadConfig({ KIOSC_CONTAINER_MAX_LOG_LINES: 'x' }), /KIOSC_CONTAINER_MAX_LOG_LINES must be a whole number/);
  t.throws(() => loadConfig({ KIOSC_EMBEDDED_FILES: 'maybe' }), /KIOSC_EMBEDDED_FILES must be a boolean/);
});

t.test("KIOSC_DOCKER_MAX_ULIMIT_NOFILE_SOFT/HARD: the app's open-files limit", async (t) => {
  // Limits below the engine's own, so any engine can grant them.
  const gw = await startGateway({ KIOSC_DOCKER_MAX_ULIMIT_NOFILE_SOFT: '1000', KIOSC_DOCKER_MAX_ULIMIT_NOFILE_HARD: '2000' });
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('owner', { project, role: 'owner' });
  const c = await gw.api('POST', `/containers/api/create/${project}`, token, { title: 'limited', ...TEST_IMAGE });
  const started = await gw.api('POST', `/containers/api/start/${c.body.sodar_uuid}`, token);
  t.equal(started.body.state, 'running', JSON.stringify(started.body).slice(0, 300));
  const id = started.body.container_id as string;
  t.same(dockerInspect(id).HostConfig.Ulimits, [{ Name: 'nofile', Soft: 1000, Hard: 2000 }], 'the engine was asked for them');
  // The kernel's own account of the limits (a shell's ulimit flags differ between shells).
  const line = execFileSync('docker', ['exec', id, 'grep', 'Max open files', '/proc/self/limits'], { encoding: 'utf8' });
  const seen = line.trim().split(/\s+/).slice(3, 5);
  t.same(seen, ['1000', '2000'], 'and the app has them');

  const plain = await startGateway();
  t.teardown(() => plain.close());
  const p2 = plain.project();
  const { token: t2 } = await plain.user('owner', { project: p2, role: 'owner' });
  const c2 = await plain.api('POST', `/containers/api/create/${p2}`, t2, { title: 'default', ...TEST_IMAGE });
  const s2 = await plain.api('POST', `/containers/api/start/${c2.body.sodar_uuid}`, t2);
  t.equal(s2.body.state, 'running');
  t.notOk(dockerInspect(s2.body.container_id).HostConfig.Ulimits?.length, "unset: the engine's own limit");
});

t.test('SODAR_API_PAGE_SIZE is the page size of the list endpoints; page_size overrides it', async (t) => {
  const gw = await startGateway({ SODAR_API_PAGE_SIZE: '2' });
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('owner', { project, role: 'owner' });
  for (const n of [1, 2, 3]) {
    t.equal((await gw.api('POST', `/containers/api/create/${project}`, token, { title: `c${n}`, ...TEST_IMAGE })).status, 201);
    t.equal((await gw.api('POST', `/containers/api/templates/create/${project}`, token, { title: `t${n}` })).status, 201);
    const up = await rawRequest(`${gw.base}/containers/api/files/upload/${project}/f${n}.txt`, { method: 'PUT', headers: { authorization: `token ${token}`, 'content-length': 1 }, body: Buffer.from('x') });
    t.equal(up.status, 201);
  }
  for (const list of [`/containers/api/${project}`, `/containers/api/templates/${project}`, `/containers/api/files/${project}`]) {
    const first = await gw.api('GET', list, token);
    t.equal(first.body.count, 3, `${list}: count is all of them`);
    t.equal(first.body.results.length, 2, `${list}: a page of SODAR_API_PAGE_SIZE`);
    t.match(first.body.next, /[?&]page=2$/);
    t.equal(first.body.previous, null);
    const second = await gw.api('GET', `${list}?page=2`, token);
    t.equal(second.body.results.length, 1, `${list}: the rest on page 2`);
    t.equal(second.body.next, null);
    t.match(second.body.previous, /[?&]page=1$/);
    t.equal((await gw.api('GET', `${list}?page_size=3`, token)).body.results.length, 3, `${list}: page_size asks for more`);
    t.equal((await gw.api('GET', `${list}?page=3`, token)).status, 404, `${list}: past the last page`);
    t.equal((await gw.api('GET', `${list}?page_size=x`, token)).status, 400, `${list}: a bad page_size is 400`);
  }
  // SODAR's project API pages only when ?page is given, with the same default size.
  gw.project('second');
  gw.project('third');
  const { token: admin } = await gw.user('root', { admin: true });
  const projects = await gw.api('GET', '/project/api/list?page=1', admin);
  t.equal(projects.status, 200);
  t.ok(projects.body.count >= 3, 'all projects counted');
  t.equal(projects.body.results.length, 2, 'the project list pages by SODAR_API_PAGE_SIZE too');
});

t.test('KIOSC_CONTAINER_DEFAULT_LOG_LINES and KIOSC_CONTAINER_MAX_LOG_LINES bound the log the API returns', async (t) => {
  const gw = await startGateway({ KIOSC_CONTAINER_DEFAULT_LOG_LINES: '3', KIOSC_CONTAINER_MAX_LOG_LINES: '5' });
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('owner', { project, role: 'owner' });
  const c = await gw.api('POST', `/containers/api/create/${project}`, token, { title: 'chatty', ...TEST_IMAGE });
  const id = gw.core.store.containers.byUuid(c.body.sodar_uuid)!.id;
  for (let i = 0; i < 10; i++) gw.core.store.logs.add(id, 'INFO', 'app', 'Docker', `line ${i}`);
  const byDefault = await gw.api('GET', `/containers/api/logs/${c.body.sodar_uuid}`, token);
  t.equal(byDefault.body.count, 3, 'KIOSC_CONTAINER_DEFAULT_LOG_LINES lines by default');
  t.equal(byDefault.body.results.at(-1).text, 'line 9', 'the last ones');
  const asked = await gw.api('GET', `/containers/api/logs/${c.body.sodar_uuid}?lines=100`, token);
  t.equal(asked.body.count, 5, 'at most KIOSC_CONTAINER_MAX_LOG_LINES');
});
