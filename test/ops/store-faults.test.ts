/**
 * store-faults.test.ts: Portico on a data directory that cannot save, for real: a tmpfs mounted with
 * a tiny size and filled up with a filler file, an ext4 image on a loop device whose filesystem goes
 * read-only under the running gateway (the kernel's own error path, errors=remount-ro), and a tmpfs
 * remounted read-only before start-up. Running apps stay reachable, /healthz says what is wrong,
 * writes answer a clear 503, nothing is dropped without a log line, and health comes back by itself.
 */
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { ENGINE_ENV, startGateway, waitFor, TEST_IMAGE, TEST_NETWORK } from '../helpers/gateway.ts';
import type { TestGateway } from '../helpers/gateway.ts';
import { call, createContainer, startContainer } from '../proxy/helpers.ts';
import { login } from '../helpers/session.ts';
import { createLogger } from '../../gateway/core/log.ts';
import { createStore } from '../../gateway/core/store/index.ts';
import { openDb, tx } from '../../gateway/core/store/db.ts';
import { StoreUnavailableError } from '../../gateway/core/errors.ts';
import { hashSecret, newSecret } from '../../gateway/core/auth/tokens.ts';
import { MAX_HELD_LINES } from '../../gateway/core/containers/log-follower.ts';

const MAIN = path.resolve(import.meta.dirname, '../../gateway/main.ts');

/** tmpfs mounts a tmpfs of `size` on a new directory; `cleanup` unmounts and removes it. */
function tmpfs(size: string): { dir: string; cleanup(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-tmpfs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  return {
    dir,
    cleanup() {
      try { execFileSync('umount', [dir]); } catch { execFileSync('umount', ['-l', dir]); }
      fs.rmdirSync(dir);
    },
  };
}

/** fill writes a filler file into `dir` until the filesystem says ENOSPC; returns its path. */
function fill(dir: string): string {
  const file = path.join(dir, 'filler');
  const fd = fs.openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (let i = 0; i < 100_000; i++) fs.writeSync(fd, chunk);
    throw new Error('the filesystem never filled up');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    fs.closeSync(fd);
  }
  return file;
}

/** capture is a JSON logger that keeps every line (info and above). */
function capture(): { logger: ReturnType<typeof createLogger>; lines: Array<Record<string, any>> } {
  const lines: Array<Record<string, any>> = [];
  return { lines, logger: createLogger({ format: 'json', level: 'info', write: (l) => lines.push(JSON.parse(l)) }) };
}

const has = (lines: Array<Record<string, any>>, re: RegExp) => lines.some((l) => re.test(l.msg));
const find = (lines: Array<Record<string, any>>, re: RegExp) => lines.find((l) => re.test(l.msg));

t.test('regression: a transaction on a full disk fails with SQLITE_FULL, not "cannot rollback - no transaction is active"', async (t) => {
  const fsys = tmpfs('4m');
  const raw = openDb(path.join(fsys.dir, 'raw.db'));
  const store = createStore(path.join(fsys.dir, 'guarded.db'), { probeMs: 100 });
  t.teardown(() => { raw.close(); store.close(); fsys.cleanup(); });
  raw.exec('CREATE TABLE rows (x TEXT)');
  const insert = raw.prepare('INSERT INTO rows VALUES (?)');
  const filler = fill(fsys.dir);

  let caught: any = null;
  try {
    tx(raw, () => { for (let i = 0; i < 200; i++) insert.run('x'.repeat(4000)); });
  } catch (err) { caught = err; }
  t.ok(caught, 'the write failed');
  t.equal(caught.errcode & 0xff, 13, `the error is SQLite's own SQLITE_FULL (${caught.errcode}: ${caught.message})`);
  t.notMatch(caught.message, /cannot rollback/, 'not masked by a second ROLLBACK');
  t.equal(raw.isTransaction, false, 'no transaction left open');

  let typed: any = null;
  try {
    store.transaction(() => { for (let i = 0; i < 200; i++) store.projects.create('p' + i + 'x'.repeat(2000)); });
  } catch (err) { typed = err; }
  t.ok(typed instanceof StoreUnavailableError, 'the store answers a typed error');
  t.equal(typed.code, 'E_STORE_UNAVAILABLE');
  t.equal(typed.status, 503);
  t.match(typed.message, /data directory is full/, typed.message);
  const status = store.health.status();
  t.match(status, { ok: false, kind: 'full' }, 'health is degraded');
  t.equal(store.projects.all().length, 0, 'nothing half-written');

  fs.rmSync(filler);
  await waitFor(() => store.health.ok(), 5000, 'health back after the probe');
  t.ok(store.projects.create('after'), 'writes work again');
});

type Test = Pick<typeof t, 'equal' | 'same' | 'match' | 'ok' | 'notOk' | 'notMatch' | 'pass' | 'throws'>;
type App = Awaited<ReturnType<typeof runningApp>>;

/** runningApp makes a running app container, an unused token and a session whose idle refresh is due. */
async function runningApp(t: Test, gw: TestGateway) {
  const project = gw.project();
  const { user, token } = await gw.user('owner', { project, role: 'owner' });
  const { token: admin } = await gw.user('root', { admin: true });
  const uuid = await createContainer(gw, token, project);
  await startContainer(gw, token, uuid);
  const stopped = await createContainer(gw, token, project);
  const path = `/containers/proxy/${uuid}/`;
  t.equal((await call(gw, path, { headers: { authorization: `token ${token}` } })).status, 200, 'the app answers before the fault');
  // A second token never used: its first use writes last_used_at, which comes due during the fault.
  const fresh = newSecret(32);
  gw.core.store.users.createToken(user.id, 'fresh', hashSecret(fresh), fresh.slice(0, 6), null);
  const session = await login(gw, token);
  t.equal((await fetch(`${gw.base}/login`)).status, 200, 'the login page renders before the fault (its key is made once)');
  gw.core.store.db.prepare('UPDATE sessions SET last_seen_at = ?').run(new Date(Date.now() - 120_000).toISOString());
  const accessed = () => (gw.core.store.db.prepare('SELECT date_accessed AS d FROM containers WHERE uuid = ?').get(uuid) as { d: string | null }).d;
  await waitFor(() => accessed(), 5000, 'the first access time written');
  return { project, token, admin, fresh, uuid, stopped, path, session, accessed };
}

/** duringFault checks what must hold while the store cannot save; returns when the proxied calls were made. */
async function duringFault(t: Test, gw: TestGateway, app: App, lines: Array<Record<string, any>>, kind: string, reason: RegExp): Promise<number> {
  const before = app.accessed();
  const since = Date.now();
  const statuses: number[] = [];
  for (let i = 0; i < 20; i++) statuses.push((await call(gw, app.path, { headers: { authorization: `token ${i % 2 ? app.fresh : app.token}` } })).status);
  t.same([...new Set(statuses)], [200], 'proxied GETs to the running app keep answering 200 (token last-used write due)');

  const health = await gw.api('GET', '/healthz', null);
  t.equal(health.status, 503, '/healthz answers 503');
  t.match(health.body, { status: 'degraded', engine: 'up', store: 'down', storeError: { kind, reason } }, `and says why: ${health.body.storeError?.reason}`);
  t.match(health.body.storeError.reason, gw.config.dbPath, 'naming the database file');
  const metrics = await fetch(`${gw.base}/metrics`, { headers: { authorization: `token ${app.admin}` } });
  t.match(await metrics.text(), /^portico_store_writable 0$/m, 'the metric says the store cannot save');

  const created = await gw.api('POST', `/containers/api/create/${app.project}`, app.token, { title: 'during the fault', ...TEST_IMAGE });
  t.equal(created.status, 503, 'an action that must write answers 503');
  t.equal(created.body.code, 'E_STORE_UNAVAILABLE');
  t.match(created.body.error, reason, `with the reason: ${created.body.error}`);

  const upload = await fetch(`${gw.base}/containers/api/files/upload/${app.project}/data.bin`, {
    method: 'PUT', headers: { authorization: `token ${app.token}`, 'content-type': 'application/octet-stream' }, body: Buffer.alloc(256 * 1024, 7),
  });
  const uploaded = await upload.json() as { code: string; error: string };
  t.equal(upload.status, 503, 'a file upload answers 503');
  t.match(uploaded, { code: 'E_STORE_UNAVAILABLE', error: reason }, `with the reason: ${uploaded.error}`);

  const start = await call(gw, `/containers/proxy/${app.stopped}/`, { headers: { authorization: `token ${app.token}` } });
  t.equal(start.status, 503, 'a stopped app is not started on demand (its start must be recorded)');
  t.match(start.json(), { code: /^E_(START_FAILED|STORE_UNAVAILABLE)$/, error: reason }, `with the reason: ${start.text}`);

  const page = await app.session.get(`/projects/${app.project}/containers`);
  t.equal(page.status, 200, 'a UI page that only reads renders (session refresh due)');
  t.equal((await fetch(`${gw.base}/login`)).status, 200, 'the login page renders (its key is read, not written)');
  const form = await app.session.post(`/projects/${app.project}/containers/create`, { title: 'ui during the fault', repository: 'nginx', tag: 'latest', container_port: '80', timeout: '60', max_retries: '5' });
  t.equal(form.status, 503, 'a UI form that must write answers 503');
  t.match(form.text, reason, 'an HTML page with the reason');

  await waitFor(() => has(lines, /could not write access times; keeping them/), 5000, 'the access-time log line');
  t.equal(app.accessed(), before, 'the access time is not in the store yet');
  t.ok(has(lines, /^store writes failing/), 'a log line says the store cannot save');
  t.ok(find(lines, /^not saved: \d+ (API token last-used times|session last-seen times)/), 'a log line counts the last-used times not saved');
  await waitFor(() => has(lines, /app log lines not saved yet; holding them/), 10_000, 'the held app log lines');
  return since;
}

t.test('a full data directory: the proxy keeps serving, /healthz says so, writes get 503, all of it comes back', async (t) => {
  const fsys = tmpfs('8m');
  const { logger, lines } = capture();
  const gw = await startGateway({ PORTICO_DATA_DIR: fsys.dir, PORTICO_ACCESS_FLUSH_MS: '100', PORTICO_LOG_LEVEL: 'info' }, { logger });
  t.teardown(async () => { await gw.close(); fsys.cleanup(); });
  const app = await runningApp(t, gw);
  const filler = fill(fsys.dir);
  const since = await duringFault(t, gw, app, lines, 'full', /data directory is full/);
  // The app exits while its new state cannot be saved: after recovery the store must say so.
  const dockerId = gw.core.store.containers.byUuid(app.uuid)!.dockerId!;
  execFileSync('docker', ['kill', dockerId], { stdio: 'ignore' });
  await waitFor(() => has(lines, /state sync failed/), 10_000, 'the state write failing');
  t.equal(gw.core.store.containers.byUuid(app.uuid)!.state, 'running', 'the stored state is stale during the fault');

  fs.rmSync(filler);
  const healthy = await waitFor(async () => { const h = await gw.api('GET', '/healthz', null); return h.status === 200 ? h : null; }, 10_000, 'healthz green');
  t.same(healthy!.body, { status: 'ok', engine: 'up', store: 'up' }, '/healthz is ok again once space is freed');
  await waitFor(() => (app.accessed() ?? '') >= new Date(since).toISOString(), 5000, 'the buffered access time written');
  t.pass('the access time from the outage reached the store');
  t.ok(has(lines, /^store writable again/), 'a log line says the store saves again');
  t.ok(has(lines, /wrote buffered access times/), 'and that the buffered access times were written');
  await waitFor(() => has(lines, /wrote held app log lines/), 10_000, 'held app log lines written');
  const c = gw.core.store.containers.byUuid(app.uuid)!;
  const docker = gw.core.store.logs.tail(c.id, 500).filter((l) => l.process === 'Docker' && l.date >= new Date(since - 1000).toISOString());
  t.ok(docker.length > 0, `app log lines printed during the outage are in the store (${docker.length})`);
  const created = await gw.api('POST', `/containers/api/create/${app.project}`, app.token, { title: 'after the fault', ...TEST_IMAGE });
  t.equal(created.status, 201, 'writes work again');
  await waitFor(() => gw.core.store.containers.byUuid(app.uuid)!.state !== 'running', 10_000, 'the state resynced');
  t.pass(`the exit seen during the fault is in the store after recovery (${gw.core.store.containers.byUuid(app.uuid)!.state})`);
});

/** loopExt4 makes an ext4 filesystem in an image on a free loop device, mounted errors=remount-ro. */
function loopExt4(sizeMb: number): { dir: string; goReadOnly(): void; cleanup(): void } {
  const image = path.join(os.tmpdir(), `portico-ext4-${randomBytes(4).toString('hex')}.img`);
  fs.writeFileSync(image, '');
  fs.truncateSync(image, sizeMb * 1024 * 1024);
  execFileSync('mkfs.ext4', ['-q', '-F', image]);
  const loop = execFileSync('losetup', ['-f', '--show', image], { encoding: 'utf8' }).trim();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-ext4-'));
  execFileSync('mount', ['-o', 'errors=remount-ro', loop, dir]);
  return {
    dir,
    // The kernel's test hook runs ext4's error path, which turns the mounted filesystem read-only.
    goReadOnly() { fs.writeFileSync(`/sys/fs/ext4/${path.basename(loop)}/trigger_fs_error`, 'portico store-faults test'); },
    cleanup() {
      try { execFileSync('umount', [dir]); } catch { execFileSync('umount', ['-l', dir]); }
      execFileSync('losetup', ['-d', loop]);
      fs.rmdirSync(dir);
      fs.rmSync(image, { force: true });
    },
  };
}

t.test('a data directory that turns read-only under the running gateway: the proxy keeps serving, /healthz says read-only, writes get 503', async (t) => {
  const ext4 = loopExt4(32);
  const { logger, lines } = capture();
  const gw = await startGateway({ PORTICO_DATA_DIR: ext4.dir, PORTICO_ACCESS_FLUSH_MS: '100', PORTICO_LOG_LEVEL: 'info' }, { logger });
  t.teardown(async () => { await gw.close(); ext4.cleanup(); });
  const app = await runningApp(t, gw);
  ext4.goReadOnly();
  t.throws(() => fs.writeFileSync(path.join(ext4.dir, 'probe'), 'x'), { code: 'EROFS' }, 'the filesystem is read-only now');
  await duringFault(t, gw, app, lines, 'read-only', /data directory is read-only/);
  // An emergency read-only filesystem stays so until it is unmounted: health stays red, and says why.
  await new Promise((r) => setTimeout(r, 2500));
  const still = await gw.api('GET', '/healthz', null);
  t.equal(still.status, 503, 'still degraded while the filesystem is read-only');
});

/** startMain runs `node gateway/main.ts` on `dataDir` with a clean environment and returns its exit code and stderr. */
async function startMain(dataDir: string): Promise<{ code: number | null; stderr: string }> {
  const proc = spawn(process.execPath, [MAIN], {
    env: { ...ENGINE_ENV, PATH: process.env.PATH, PORTICO_DATA_DIR: dataDir, PORTICO_PORT: '0', PORTICO_INSTANCE: `t-${randomBytes(4).toString('hex')}`, PORTICO_DOCKER_NETWORK: TEST_NETWORK },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr!.on('data', (c: Buffer) => { stderr += c.toString('utf8'); });
  const timer = setTimeout(() => proc.kill('SIGKILL'), 30_000);
  const code = await new Promise<number | null>((resolve) => proc.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, stderr };
}

t.test('start-up on a read-only or full data directory: one clear line, a non-zero exit, no stack', async (t) => {
  const fsys = tmpfs('4m');
  t.teardown(() => { try { execFileSync('mount', ['-o', 'remount,rw', fsys.dir]); } catch { /* unmounted below anyway */ } fsys.cleanup(); });
  const file = path.join(fsys.dir, 'portico.db');
  createStore(file).close();

  execFileSync('mount', ['-o', 'remount,ro', fsys.dir]);
  const ro = await startMain(fsys.dir);
  t.equal(ro.code, 1, 'exit code 1 on an existing database in a read-only directory');
  t.match(ro.stderr, new RegExp(`^portico: cannot open the database at ${file}: the data directory is read-only \\([A-Z_, ]*EROFS\\)\\n$`), `one line: ${ro.stderr.trim()}`);
  t.notMatch(ro.stderr, /Unknown error|\n\s+at /, 'no "Unknown error", no stack');

  const empty = await startMain(path.join(fsys.dir, 'fresh'));
  t.equal(empty.code, 1, 'exit code 1 when the data directory cannot even be made');
  t.match(empty.stderr, /^portico: cannot open the database at .*fresh\/portico\.db: the data directory is read-only \(EROFS\)\n$/, `one line: ${empty.stderr.trim()}`);

  execFileSync('mount', ['-o', 'remount,rw', fsys.dir]);
  fill(fsys.dir);
  const full = await startMain(fsys.dir);
  t.equal(full.code, 1, 'exit code 1 on a full data directory');
  t.match(full.stderr, /^portico: (cannot open the database at \S+|cannot start): the data directory is full[^\n]*\n$/, `one line: ${full.stderr.trim()}`);
  t.notMatch(full.stderr, /\n\s+at /, 'no stack');

  const junk = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-junk-'));
  t.teardown(() => fs.rmSync(junk, { recursive: true, force: true }));
  fs.writeFileSync(path.join(junk, 'portico.db'), 'this is not a database '.repeat(20));
  const notDb = await startMain(junk);
  t.equal(notDb.code, 1, 'exit code 1 on a file that is not a database');
  t.match(notDb.stderr, /^portico: cannot open the database at \S+: file is not a database \(SQLite code 26\)\n$/, `one line: ${notDb.stderr.trim()}`);
});

t.test('app output past the held bound while the disk is full: the oldest lines go, with a log line that counts them', async (t) => {
  const fsys = tmpfs('8m');
  const { logger, lines } = capture();
  const gw = await startGateway({ PORTICO_DATA_DIR: fsys.dir, PORTICO_LOG_LEVEL: 'info', PORTICO_LOG_RETENTION_LINES: '30000' }, { logger });
  t.teardown(async () => { await gw.close(); fsys.cleanup(); });
  const project = gw.project();
  const { token } = await gw.user('owner', { project, role: 'owner' });
  // httpd without -f goes to the background, so the app is ready at once; the burst comes 4 s later.
  const uuid = await createContainer(gw, token, project, { command: `sh -c 'httpd -p 80 -h /www; sleep 4; seq 1 ${MAX_HELD_LINES + 5000}; sleep 3600'` });
  await startContainer(gw, token, uuid);
  const filler = fill(fsys.dir);
  const dropped = await waitFor(() => find(lines, new RegExp(`^not saved: \\d+ app log lines of container ${uuid} \\(the oldest held\\)$`)), 20_000, 'the dropped-lines log line');
  t.pass(`${dropped!.msg} (reason: ${dropped!.reason})`);
  await waitFor(() => { const n = lines.filter((l) => l.msg === 'app log lines not saved yet; holding them and retrying').length; return n > 0; }, 5000, 'the held line');

  fs.rmSync(filler);
  const back = await waitFor(() => find(lines, /^store writable again/), 10_000, 'recovery');
  const total = Number(new RegExp(`(\\d+) app log lines of container ${uuid} \\(the oldest held\\)`).exec(back!.notSaved ?? '')?.[1] ?? 0);
  t.ok(total > 0, `the recovery line counts the dropped lines: ${back!.notSaved}`);
  await waitFor(() => has(lines, /wrote held app log lines/), 10_000, 'held lines written');
  const c = gw.core.store.containers.byUuid(uuid)!;
  const stored = () => new Set(gw.core.store.logs.tail(c.id, MAX_HELD_LINES + 5000).filter((l) => l.process === 'Docker').map((l) => l.text));
  await waitFor(() => stored().has(String(MAX_HELD_LINES + 5000)), 15_000, 'the newest line stored');
  const texts = stored();
  t.pass('the newest line is kept');
  t.notOk(texts.has('1'), 'the oldest line was the one dropped');
  t.ok(texts.size >= MAX_HELD_LINES, `the held lines were written (${texts.size})`);
  t.equal(texts.size + total, MAX_HELD_LINES + 5000, 'every line the app printed is either stored or counted in a log line');
});
