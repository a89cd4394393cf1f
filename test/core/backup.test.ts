/**
 * backup.test.ts: `portico backup FILE` copies the live database with SQLite's online backup while
 * another connection keeps writing, and the copy restores into a working store.
 */
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { DatabaseSync } from 'node:sqlite';
import { createStore } from '../../gateway/core/store/index.ts';
import { backupDatabase } from '../../gateway/core/store/backup.ts';

const CLI = new URL('../../gateway/cli.ts', import.meta.url).pathname;

function cli(args: string[], dataDir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', PORTICO_DATA_DIR: dataDir }, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

t.test('backup while the gateway writes, then restore', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-backup-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const dataDir = path.join(dir, 'data');
  const store = createStore(path.join(dataDir, 'portico.db'));
  t.teardown(() => store.close());
  for (let i = 0; i < 200; i++) store.users.create({ username: `seed${i}`, passwordHash: 'x'.repeat(200), isAdmin: false });

  // The "gateway" keeps writing (one user every 2 ms, bounded) while the CLI, another process, backs up.
  let written = 0;
  const writer = setInterval(() => {
    if (written < 2000) store.users.create({ username: `live${written++}`, passwordHash: 'y'.repeat(200), isAdmin: false });
  }, 2);
  const target = path.join(dir, 'out', 'portico-backup.db');
  const res = await cli(['backup', target], dataDir);
  clearInterval(writer);
  t.equal(res.code, 0, `backup exits 0 (${res.stderr.trim()})`);
  t.match(res.stderr, /backed up \d+ pages .* to .*portico-backup\.db/, 'says what it wrote');
  t.ok(written > 0, `the writer wrote during the backup (${written} rows)`);
  t.same(fs.readdirSync(path.dirname(target)), ['portico-backup.db'], 'only the backup file: no temporary or -wal file left');

  const copy = new DatabaseSync(target, { readOnly: true });
  t.equal((copy.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check, 'ok', 'the copy passes integrity_check');
  t.equal((copy.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode, 'delete', 'self-contained (not WAL)');
  const n = (copy.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n;
  copy.close();
  t.ok(n >= 200 && n <= 200 + written, `the copy holds a consistent snapshot (${n} users)`);

  // Restore: the backup becomes the database of a fresh data directory.
  const restored = path.join(dir, 'restored');
  fs.mkdirSync(restored);
  fs.copyFileSync(target, path.join(restored, 'portico.db'));
  const again = createStore(path.join(restored, 'portico.db'));
  t.ok(again.users.byUsername('seed199'), 'restored store has the seeded users');
  t.equal(again.users.count(), n, 'and exactly the snapshot');
  again.close();
});

t.test('backup refuses bad targets and leaves nothing behind', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-backup-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const dbPath = path.join(dir, 'portico.db');
  const store = createStore(dbPath);
  t.teardown(() => store.close());
  await t.rejects(backupDatabase(store.db, dbPath), { code: 'E_BAD_REQUEST' }, 'not onto the database itself');
  await t.rejects(backupDatabase(store.db, dbPath + '-wal'), { code: 'E_BAD_REQUEST' }, 'not onto its WAL');
  await t.rejects(backupDatabase(store.db, dir), { code: 'E_BAD_REQUEST' }, 'not onto a directory');
  t.same(fs.readdirSync(dir).filter((f) => !f.startsWith('portico.db')), [], 'no stray files');
  const usage = await cli(['backup'], dir);
  t.equal(usage.code, 2, 'missing FILE is a usage error');
  t.match(usage.stderr, /backup needs exactly one FILE/);
});
