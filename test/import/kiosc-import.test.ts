/**
 * kiosc-import.test.ts: `portico import-kiosc` end to end. A private PostgreSQL cluster is loaded
 * with Kiosc v0.5's schema (test/fixtures/kiosc-schema.sql) and realistic rows, including a running
 * Docker container Kiosc started (no Portico labels) and a Knox token; the CLI imports it, and the
 * gateway then serves the data, the token and the container through the API and the proxy.
 * A second run changes nothing, a dry run writes nothing, and a bad row or a failure mid-apply
 * leaves Portico's database exactly as it was.
 */
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { startPostgres } from '../helpers/postgres.ts';
import { ENGINE_ENV, TEST_IMAGE, TEST_NETWORK, dockerInspect, startGateway, waitFor } from '../helpers/gateway.ts';
import { createStore } from '../../gateway/core/store/index.ts';
import { CONTAINER_STATES } from '../../gateway/core/types.ts';
import { pruneZombies } from '../../gateway/core/containers/zombies.ts';
import { silentLogger } from '../../gateway/core/log.ts';

const cli = new URL('../../gateway/cli.ts', import.meta.url).pathname;
const schema = fs.readFileSync(new URL('../fixtures/kiosc-schema.sql', import.meta.url), 'utf8');

/** BOB_HASH is Django's pbkdf2_sha256 hash of 'bob-kiosc-pass' (made with Python's hashlib, not Portico's code). */
const BOB_HASH = 'pbkdf2_sha256$600000$q8ZL2eFc1XRmNnTo0vPsYh$j5TTrL53RDHQKe6WW8VEUR5sjZK0qp9yjAIu6kMjYL4=';
const SITE_TEMPLATE_ID = 7;
const PROJECT_TEMPLATE_ID = 3;

/** dump is every row of every table of the SQLite file, for before/after comparisons. */
function dump(dbFile: string): string {
  const db = new DatabaseSync(dbFile, { readOnly: true });
  try {
    const tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as Array<{ name: string }>).map((r) => r.name);
    return JSON.stringify(Object.fromEntries(tables.map((name) => [name, db.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).all()])));
  } finally {
    db.close();
  }
}

/** listFiles lists every file under `dir` with its size. */
function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .map((p) => path.join(dir, p)).filter((p) => fs.statSync(p).isFile()).map((p) => `${path.relative(dir, p)}:${fs.statSync(p).size}`).sort();
}

t.test('import-kiosc: a Kiosc v0.5 database in PostgreSQL, end to end', async (t) => {
  const pgc = await startPostgres('kiosc');
  t.teardown(() => pgc.stop());
  const kiosc = new pg.Client({ connectionString: pgc.url('kiosc') });
  await kiosc.connect();
  t.teardown(() => kiosc.end());
  await kiosc.query(schema);

  // The container Kiosc runs: started on the shared network Portico uses, without Portico's labels.
  const tag = randomBytes(4).toString('hex');
  const dockerId = execFileSync('docker', ['run', '-d', '--name', `kiosc-adopt-${tag}`, '--network', TEST_NETWORK,
    '--label', `kiosc-import-test=${tag}`, `${TEST_IMAGE.repository}:${TEST_IMAGE.tag}`], { encoding: 'utf8' }).trim();
  t.teardown(() => { spawnSync('docker', ['rm', '-f', dockerId], { stdio: 'ignore' }); });
  const ip = dockerInspect(dockerId).NetworkSettings.Networks[TEST_NETWORK].IPAddress as string;
  // And a container that is not Kiosc's: a wrong id in a Kiosc row must not hand it to Portico.
  const foreignId = execFileSync('docker', ['run', '-d', '--name', `kiosc-foreign-${tag}`, '--network', TEST_NETWORK,
    '--label', `kiosc-import-test=${tag}`, `${TEST_IMAGE.repository}:${TEST_IMAGE.tag}`], { encoding: 'utf8' }).trim();
  t.teardown(() => { spawnSync('docker', ['rm', '-f', foreignId], { stdio: 'ignore' }); });

  const q = (sql: string, params: unknown[] = []) => kiosc.query(sql, params);
  const now = new Date('2025-03-04T10:00:00Z');
  const ids: Record<string, number> = {};
  const insert = async (table: string, row: Record<string, unknown>): Promise<number> => {
    const keys = Object.keys(row);
    const r = await q(`INSERT INTO ${table} (${keys.join(', ')}) VALUES (${keys.map((_k, i) => `$${i + 1}`).join(', ')}) RETURNING id`, Object.values(row));
    return r.rows[0].id as number;
  };
  const user = (username: string, password: string, extra: Record<string, unknown> = {}) => insert('users_user', {
    password, is_superuser: false, username, first_name: '', last_name: '', email: `${username.split('@')[0]}@example.org`,
    is_staff: false, is_active: true, date_joined: now, name: '', sodar_uuid: randomUUID(), ...extra,
  });
  ids.alice = await user('alice@EXAMPLE', '!unusable-ldap-password', { name: 'Alice Liddell' });
  ids.bob = await user('bob', BOB_HASH, { first_name: 'Bob', last_name: 'Builder' });
  const uuids = Object.fromEntries((await q('SELECT username, sodar_uuid::text AS u FROM users_user')).rows.map((r) => [r.username, r.u]));

  const project = (title: string, type: string, parent: number | null) => insert('projectroles_project', {
    title, type, parent_id: parent, description: `${title} description`, full_title: title, sodar_uuid: randomUUID(),
  });
  ids.category = await project('Genomics', 'CATEGORY', null);
  ids.rna = await project('RNA-seq', 'PROJECT', ids.category);
  ids.imaging = await project('Imaging', 'PROJECT', null);
  const puuid = Object.fromEntries((await q('SELECT id, sodar_uuid::text AS u FROM projectroles_project')).rows.map((r) => [r.id, r.u]));
  for (const [i, name] of ['project owner', 'project delegate', 'project contributor', 'project guest', 'project finder'].entries()) {
    ids[name] = await insert('projectroles_role', { name, scope: 'PROJECT', rank: (i + 1) * 10 });
  }
  const assign = (p: number, u: number, role: string) => insert('projectroles_roleassignment', { project_id: p, user_id: u, role_id: ids[role], sodar_uuid: randomUUID() });
  await assign(ids.category, ids.alice, 'project owner');
  await assign(ids.rna, ids.alice, 'project owner');
  await assign(ids.rna, ids.bob, 'project contributor');
  await assign(ids.imaging, ids.bob, 'project owner');
  await assign(ids.imaging, ids.alice, 'project guest');

  const template = { date_created: now, date_modified: now, repository: TEST_IMAGE.repository, tag: TEST_IMAGE.tag, container_port: 80,
    container_path: '', heartbeat_url: '', timeout: 60, environment: JSON.stringify({ THEME: 'dark' }), command: null, max_retries: 5, inactivity_threshold: 7 };
  await q(`INSERT INTO containertemplates_containertemplatesite (id, title, description, sodar_uuid, date_created, date_modified, repository, tag,
    container_port, container_path, heartbeat_url, timeout, environment, command, max_retries, inactivity_threshold)
    VALUES ($1, 'Shiny base', 'site-wide', $2, $3, $3, $4, $5, 80, '', '', 60, $6, NULL, 5, 7)`,
  [SITE_TEMPLATE_ID, randomUUID(), now, template.repository, template.tag, template.environment]);
  await q(`INSERT INTO containertemplates_containertemplateproject (id, title, description, sodar_uuid, date_created, date_modified, repository, tag,
    container_port, container_path, heartbeat_url, timeout, environment, command, max_retries, inactivity_threshold, project_id, containertemplatesite_id)
    VALUES ($1, 'Imaging viewer', NULL, $2, $3, $3, $4, $5, 8080, 'viewer', NULL, 90, NULL, 'serve --port 8080', 2, 3, $6, $7)`,
  [PROJECT_TEMPLATE_ID, randomUUID(), now, 'example/viewer', '2.1', ids.imaging, SITE_TEMPLATE_ID]);
  const tuuid = Object.fromEntries((await q(`SELECT 'site' AS k, sodar_uuid::text AS u FROM containertemplates_containertemplatesite
    UNION ALL SELECT 'project', sodar_uuid::text FROM containertemplates_containertemplateproject`)).rows.map((r) => [r.k, r.u]));

  // One container in each of Kiosc's states; the running one is the real Docker container above.
  const container = (title: string, state: string, extra: Record<string, unknown> = {}) => insert('containers_container', {
    date_created: now, date_modified: now, date_last_status_update: now, repository: TEST_IMAGE.repository, tag: TEST_IMAGE.tag,
    sodar_uuid: randomUUID(), project_id: ids.imaging, container_port: 80, container_path: '', heartbeat_url: null, host_port: null,
    timeout: 60, state, environment: JSON.stringify({}), environment_secret_keys: null, command: null, max_retries: 5, title,
    description: null, inactivity_threshold: 7, ...extra,
  });
  for (const state of CONTAINER_STATES) {
    if (state !== 'running') await container(`App ${state}`, state);
  }
  ids.running = await container('Expression browser', 'running', {
    project_id: ids.rna, container_id: dockerId, container_ip: ip, image_id: dockerInspect(dockerId).Image, host_port: 40123,
    environment: JSON.stringify({ GREETING: 'hello', API_KEY: 's3cret' }), environment_secret_keys: 'API_KEY', command: 'httpd -f -p 80 -h /www',
    description: 'Shiny app for the RNA-seq results', containertemplatesite_id: SITE_TEMPLATE_ID, heartbeat_url: '/index.html', timeout: 30, max_retries: 3,
  });
  const runningUuid = (await q('SELECT sodar_uuid::text AS u FROM containers_container WHERE id = $1', [ids.running])).rows[0].u as string;
  ids.foreign = await container('Wrong id', 'running', { container_id: foreignId, image_id: 'sha256:' + '0'.repeat(64) });
  const foreignUuid = (await q('SELECT sodar_uuid::text AS u FROM containers_container WHERE id = $1', [ids.foreign])).rows[0].u as string;
  for (const [i, [level, process, text]] of [['info', 'object', 'Container created'], ['info', 'action', 'Action start'], ['warning', 'docker', 'GET / 200']].entries()) {
    await insert('containers_containerlogentry', {
      date_created: new Date(now.getTime() + i * 1000), date_docker_log: process === 'docker' ? new Date(now.getTime() + 5000) : null,
      level, text, container_id: ids.running, user_id: process === 'docker' ? null : ids.alice, process,
    });
  }

  // A small file kept in the database by django-db-file-storage (base64), and a Knox token of bob's.
  const bytes = Buffer.concat([Buffer.from('gene,count\nTP53,17\n'), Buffer.from([0, 1, 2, 254, 255])]);
  const storedName = 'filesfolders.FileData/bytes/file_name/content_type/counts.csv';
  await insert('filesfolders_filedata', { bytes: bytes.toString('base64'), file_name: storedName, content_type: 'text/csv' });
  await insert('filesfolders_file', { name: 'counts.csv', file: storedName, project_id: ids.imaging, owner_id: ids.bob, secret: randomBytes(8).toString('hex'),
    public_url: false, date_modified: now, description: '', sodar_uuid: randomUUID() });
  const fileUuid = (await q('SELECT sodar_uuid::text AS u FROM filesfolders_file')).rows[0].u as string;
  const knox = randomBytes(32).toString('hex');
  const digest = (tok: string) => createHash('sha512').update(tok, 'utf8').digest('hex');
  await q(`INSERT INTO tokens_sodarauthtoken (digest, token_key, created, user_id, expiry, sodar_label) VALUES ($1, $2, $3, $4, NULL, 'analysis scripts')`,
    [digest(knox), knox.slice(0, 15), now, ids.bob]);
  // A token from before knox 5 (Kiosc up to v0.4): the digest of the hex-decoded bytes.
  const knox4 = randomBytes(32).toString('hex');
  await q(`INSERT INTO tokens_sodarauthtoken (digest, token_key, created, user_id, expiry, sodar_label) VALUES ($1, $2, $3, $4, NULL, 'old')`,
    [createHash('sha512').update(Buffer.from(knox4, 'hex')).digest('hex'), knox4.slice(0, 8), now, ids.bob]);
  const expired = randomBytes(32).toString('hex');
  await q(`INSERT INTO tokens_sodarauthtoken (digest, token_key, created, user_id, expiry, sodar_label) VALUES ($1, $2, $3, $4, $5, '')`,
    [digest(expired), expired.slice(0, 15), now, ids.alice, new Date(Date.now() - 3600_000)]);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-kiosc-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const dbFile = path.join(dir, 'portico.db');
  const filesDir = path.join(dir, 'files');
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, 'import-kiosc', ...args], {
    env: { ...ENGINE_ENV, PATH: process.env.PATH, PORTICO_DATA_DIR: dir }, encoding: 'utf8', timeout: 60_000,
  });
  const url = pgc.url('kiosc');
  const totals = (out: string) => out.trim().split('\n').at(-1);

  await t.test('bad arguments and a database that is not Kiosc are clear errors', async (t) => {
    const none = run();
    t.equal(none.status, 2);
    t.match(none.stderr, /import-kiosc needs --database/);
    const notPg = run('--database', 'mysql://kiosc:hunter2@db/kiosc');
    t.equal(notPg.status, 1);
    t.match(notPg.stderr, /must be a postgres:\/\/ URL/);
    t.notMatch(notPg.stderr, /hunter2/, 'the password is not printed');
    const empty = run('--database', pgc.url('postgres'));
    t.equal(empty.status, 1);
    t.match(empty.stderr, /not a Kiosc v0.5 database: missing table\(s\) users_user/);
    const closed = run('--database', 'postgres://kiosc@127.0.0.1:1/kiosc');
    t.equal(closed.status, 1);
    t.match(closed.stderr, /cannot connect to the Kiosc database/);
  });

  await t.test('the first run imports everything and says what it did', async (t) => {
    const r = run('--database', url);
    t.equal(r.status, 0, r.stderr);
    t.match(r.stdout, /create user alice@EXAMPLE \(ldap\)/);
    t.match(r.stdout, /create container "Expression browser" \(running, Docker [0-9a-f]{12}\)/);
    t.match(r.stdout, /skipped: 1 category/);
    // 2 users, 2 projects, 4 memberships, 2 templates, 12 containers, 3 log lines, 1 file, 3 tokens
    t.equal(totals(r.stdout), '29 created, 0 updated, 0 unchanged');

    const s = createStore(dbFile);
    t.teardown(() => s.close());
    const alice = s.users.byUsername('alice@EXAMPLE')!;
    t.equal(alice.uuid, uuids['alice@EXAMPLE'], 'Kiosc UUIDs are kept');
    t.equal(alice.source, 'ldap');
    t.equal(alice.name, 'Alice Liddell');
    t.equal(s.users.passwordHash('bob')!.hash, BOB_HASH, "bob's Django hash is kept");
    t.equal(s.users.byUsername('bob')!.name, 'Bob Builder');
    const byState = Object.fromEntries(s.containers.all().map((c) => [c.state, c]));
    t.same(Object.keys(byState).sort(), [...CONTAINER_STATES].sort(), 'a container of every state');
    const c = s.containers.byUuid(runningUuid)!;
    t.equal(c.dockerId, dockerId, 'the Docker id is recorded for adoption');
    t.equal(c.projectUuid, puuid[ids.rna]);
    t.same(c.environment, { GREETING: 'hello', API_KEY: 's3cret' });
    t.same(c.environmentSecretKeys, ['API_KEY']);
    t.equal(c.command, 'httpd -f -p 80 -h /www');
    t.equal(c.heartbeatUrl, '/index.html');
    t.equal(c.timeout, 30);
    t.equal(c.maxRetries, 3);
    t.equal(c.hostPort, 40123);
    t.equal(c.templateSiteUuid, tuuid.site);
    t.equal(c.createdAt, now.toISOString());
    t.same(s.logs.tail(c.id, 10).map((l) => [l.level, l.process, l.user, l.text]), [
      ['INFO', 'Object', 'alice@EXAMPLE', 'Container created'], ['INFO', 'Action', 'alice@EXAMPLE', 'Action start'], ['WARNING', 'Docker', 'anonymous', 'GET / 200'],
    ], 'the log, with levels, processes and users');
    t.equal(s.projects.byUuid(puuid[ids.category]), null, 'the category is not a project');
  });

  await t.test('the gateway serves the imported data to the Knox token, and proxies the adopted container', async (t) => {
    const gw = await startGateway({ PORTICO_DATA_DIR: dir });
    t.teardown(() => gw.close());
    const rna = puuid[ids.rna];
    const imaging = puuid[ids.imaging];

    const list = await gw.api('GET', `/containers/api/${imaging}`, knox);
    t.equal(list.status, 200, 'the Knox token authenticates bob');
    t.equal(list.body.count, 11);
    const detail = (await waitFor(async () => {
      const r = await gw.api('GET', `/containers/api/detail/${runningUuid}`, knox);
      return r.body.state === 'running' && r.body.container_ip ? r : null;
    }, 10_000, 'the adopted container to be running'))!;
    t.equal(detail.body.container_id, dockerId, 'adopted by its Docker id');
    t.equal(detail.body.environment.API_KEY, '<masked>');
    t.equal(detail.body.containertemplatesite, tuuid.site);

    const proxied = await fetch(`${gw.base}/containers/proxy/${runningUuid}/`, { headers: { authorization: `token ${knox}` } });
    t.equal(proxied.status, 200);
    t.match(await proxied.text(), /portico test app/, 'the proxied GET reaches the container Kiosc started');
    t.equal(dockerInspect(dockerId).State.Running, true, 'still the same engine container');

    const wrong = await gw.api('GET', `/containers/api/detail/${foreignUuid}`, knox);
    t.equal(wrong.body.container_id, null, 'regression: a Kiosc row naming a container of another image is not adopted');
    const log = await gw.api('GET', `/containers/api/logs/${foreignUuid}`, knox);
    t.match(JSON.stringify(log.body), /Not adopting Docker container kiosc-foreign-/);
    await gw.api('POST', `/containers/api/start/${foreignUuid}`, knox);
    t.equal(dockerInspect(foreignId).State.Running, true, 'and acting on the record leaves that container alone');
    t.equal(dockerInspect(foreignId).Config.Labels['portico.instance'], undefined);

    const site = await gw.api('GET', '/containers/api/templates/site', knox);
    t.same(site.body.results.map((x: { sodar_uuid: string; title: string }) => [x.sodar_uuid, x.title]), [[tuuid.site, 'Shiny base']]);
    const projTemplates = await gw.api('GET', `/containers/api/templates/${imaging}`, knox);
    t.equal(projTemplates.body.results[0].sodar_uuid, tuuid.project);
    t.equal(projTemplates.body.results[0].container_port, 8080);

    const made = await gw.api('POST', `/containers/api/create/${rna}`, knox, {
      title: 'From an old client', repository: TEST_IMAGE.repository, tag: TEST_IMAGE.tag, containertemplatesite: SITE_TEMPLATE_ID,
    });
    t.equal(made.status, 201, JSON.stringify(made.body));
    t.equal(made.body.containertemplatesite, tuuid.site, "Kiosc's integer template id resolves");
    const unknown = await gw.api('POST', `/containers/api/create/${rna}`, knox, { title: 'x', repository: 'a', tag: 'b', containertemplateproject: 999 });
    t.equal(unknown.status, 400);
    t.match(unknown.body.fields, { containertemplateproject: /Kiosc id 999/ });
    await gw.api('DELETE', `/containers/api/delete/${made.body.sodar_uuid}`, knox);

    const files = await gw.api('GET', `/containers/api/files/${imaging}`, knox);
    t.same(files.body.results.map((f: { sodar_uuid: string; name: string }) => [f.sodar_uuid, f.name]), [[fileUuid, 'counts.csv']]);
    const dl = await fetch(`${gw.base}/containers/api/files/download/${fileUuid}`, { headers: { authorization: `token ${knox}` } });
    t.equal(dl.status, 200);
    t.same(Buffer.from(await dl.arrayBuffer()), bytes, 'the bytes are the same');

    // Portico's prune job removes only containers with its own labels: the adopted one stays.
    t.same(await pruneZombies({ config: gw.config, store: gw.core.store, engine: gw.core.engine, logger: silentLogger }), []);
    t.equal(dockerInspect(dockerId).State.Running, true, 'the prune job leaves the adopted container alone');
    // Its next recreate gives it Portico's labels (a start after a stop recreates a container whose spec label differs).
    t.equal((await gw.api('POST', `/containers/api/stop/${runningUuid}`, knox)).status, 200);
    const started = await gw.api('POST', `/containers/api/start/${runningUuid}`, knox);
    t.equal(started.status, 200, JSON.stringify(started.body));
    t.equal(started.body.state, 'running');
    t.not(started.body.container_id, dockerId, 'recreated');
    t.equal(dockerInspect(started.body.container_id).Config.Labels['portico.container'], runningUuid, "now with Portico's labels");
    t.not(spawnSync('docker', ['inspect', dockerId], { stdio: 'ignore' }).status, 0, 'the container Kiosc made is gone');
    const again = await fetch(`${gw.base}/containers/proxy/${runningUuid}/`, { headers: { authorization: `token ${knox}` } });
    t.match(await again.text(), /portico test app/, 'and the link still works');

    t.equal((await gw.api('GET', `/containers/api/${rna}`, knox4)).status, 200, 'a knox 4 token works too');
    t.equal((await gw.api('GET', `/containers/api/${rna}`, expired)).status, 401, "an expired Knox token stays expired");
    t.equal((await gw.api('GET', `/containers/api/${rna}`, knox.slice(0, -2) + '00')).status, 401, 'a wrong token is refused');
    const bob = await gw.core.login.login('bob', 'bob-kiosc-pass', '127.0.0.1');
    t.equal(bob.uuid, uuids.bob, 'bob logs in with his Kiosc password');
    await t.rejects(gw.core.login.login('bob', 'wrong-password', '127.0.0.1'));
  });

  await t.test('a second run changes nothing', async (t) => {
    const before = dump(dbFile);
    const beforeFiles = listFiles(filesDir);
    const r = run('--database', url);
    t.equal(r.status, 0, r.stderr);
    t.equal(totals(r.stdout), '0 created, 0 updated, 29 unchanged');
    t.equal(dump(dbFile), before, 'every table is as it was');
    t.same(listFiles(filesDir), beforeFiles);
  });

  await t.test('a dry run says what it would do and writes nothing', async (t) => {
    await user('carol', '!');
    await q(`UPDATE containers_container SET description = 'now with a description' WHERE title = 'App exited'`);
    await q(`UPDATE filesfolders_filedata SET bytes = $1`, [Buffer.from('gene,count\nTP53,18\n').toString('base64')]);
    const before = dump(dbFile);
    const beforeFiles = listFiles(filesDir);
    const r = run('--database', url, '--dry-run');
    t.equal(r.status, 0, r.stderr);
    t.match(r.stdout, /would create user carol/);
    t.match(r.stdout, /would update container "App exited"/);
    t.match(r.stdout, /would update file "counts.csv"/);
    t.equal(totals(r.stdout), 'dry run, nothing written: 1 created, 2 updated, 27 unchanged');
    t.equal(dump(dbFile), before, 'the database is unchanged');
    t.same(listFiles(filesDir), beforeFiles, 'no file written');

    const real = run('--database', url);
    t.equal(totals(real.stdout), '1 created, 2 updated, 27 unchanged', 'the real run does what the dry run said');
    const s = createStore(dbFile);
    t.teardown(() => s.close());
    t.equal(fs.readFileSync(path.join(filesDir, puuid[ids.imaging], fileUuid), 'utf8'), 'gene,count\nTP53,18\n', 'changed bytes are renamed in');
    t.equal(s.files.byUuid(fileUuid)!.size, 19);
  });

  await t.test('regression: user names that differ only in case are refused, not merged', async (t) => {
    const twin = await user('BOB', '!');
    const before = dump(dbFile);
    const r = run('--database', url);
    t.equal(r.status, 1);
    t.match(r.stderr, `users_user id=${twin} ("BOB"): differs from users_user id=${ids.bob} only in case`);
    t.equal(dump(dbFile), before);
    await q('DELETE FROM users_user WHERE id = $1', [twin]);
  });

  await t.test('regression: an unknown role name is a clear error and imports nothing', async (t) => {
    const dave = await user('dave', '!');
    const role = await insert('projectroles_role', { name: 'project overlord', scope: 'PROJECT', rank: 99 });
    const bad = await insert('projectroles_roleassignment', { project_id: ids.imaging, user_id: dave, role_id: role, sodar_uuid: randomUUID() });
    const before = dump(dbFile);
    const r = run('--database', url);
    t.equal(r.status, 1);
    t.match(r.stderr, `projectroles_roleassignment id=${bad}: unknown role "project overlord"`);
    t.match(r.stderr, /nothing was imported/);
    t.equal(dump(dbFile), before, 'dave was not imported either');
    await q('DELETE FROM projectroles_roleassignment WHERE id = $1', [bad]);
  });

  await t.test('regression: a failure in the middle of applying rolls everything back, file bytes included', async (t) => {
    // A container made in Portico holds the title a new Kiosc container wants, so the insert fails late.
    const s = createStore(dbFile);
    const imagingId = s.projects.byUuid(puuid[ids.imaging])!.id;
    const base = s.containers.byUuid(runningUuid)!;
    s.containers.create(imagingId, { ...base, title: 'Clash', templateSiteUuid: null });
    s.close();
    await container('Clash', 'exited');
    const storedName2 = 'filesfolders.FileData/bytes/file_name/content_type/notes.txt';
    await insert('filesfolders_filedata', { bytes: Buffer.from('notes').toString('base64'), file_name: storedName2, content_type: 'text/plain' });
    await insert('filesfolders_file', { name: 'notes.txt', file: storedName2, project_id: ids.imaging, owner_id: ids.bob, secret: randomBytes(8).toString('hex'),
      public_url: false, date_modified: now, description: '', sodar_uuid: randomUUID() });
    const before = dump(dbFile);
    const beforeFiles = listFiles(filesDir);
    const r = run('--database', url);
    t.equal(r.status, 1);
    t.match(r.stderr, /rolled back, nothing was imported: creating container "Clash" \(exited\) \(Kiosc container id=\d+\): UNIQUE constraint failed/);
    t.equal(dump(dbFile), before, 'dave (created earlier in the same transaction) is gone again');
    t.same(listFiles(filesDir), beforeFiles, "the new file's bytes were removed");
  });

  t.equal(fs.existsSync(path.join(dir, 'portico.db')), true);
});
