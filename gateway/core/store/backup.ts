/**
 * backup.ts: a consistent copy of the live database with SQLite's online backup API, safe while
 * the gateway keeps writing (WAL: the copy reads one snapshot and blocks no writer). The copy is
 * written next to the target, checked, and renamed into place, so a failed run never leaves a
 * half-written file under the target's name.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { DatabaseSync, backup } from 'node:sqlite';
import type { Db } from './db.ts';
import { PorticoError } from '../errors.ts';

/** BackupResult describes a finished backup. */
export interface BackupResult { file: string; pages: number; bytes: number; schemaVersion: number }

// All pages in one step: one read snapshot, so concurrent writers never make the copy restart.
const ALL_PAGES = 2_147_483_647;

/** backupDatabase copies `db` to `target` and verifies the copy. */
export async function backupDatabase(db: Db, target: string): Promise<BackupResult> {
  const file = path.resolve(target);
  const location = db.location();
  const src = location ? path.resolve(location) : null;
  if (src && (file === src || file.startsWith(src + '-'))) {
    throw new PorticoError('E_BAD_REQUEST', 400, `refusing to back up the database onto itself (${file})`);
  }
  if (fs.existsSync(file) && !fs.statSync(file).isFile()) throw new PorticoError('E_BAD_REQUEST', 400, `${file} exists and is not a file`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const pages = await backup(db, tmp, { rate: ALL_PAGES });
    const copy = new DatabaseSync(tmp);
    let schemaVersion: number;
    try {
      const check = copy.prepare('PRAGMA integrity_check').get() as { integrity_check: string };
      if (check.integrity_check !== 'ok') throw new PorticoError('E_INTERNAL', 500, `backup failed its integrity check: ${check.integrity_check}`);
      schemaVersion = (copy.prepare('PRAGMA user_version').get() as { user_version: number }).user_version;
      // A self-contained file: no -wal beside it is needed to read it.
      copy.exec('PRAGMA journal_mode = DELETE');
    } finally {
      copy.close();
    }
    fs.renameSync(tmp, file);
    return { file, pages, bytes: fs.statSync(file).size, schemaVersion };
  } finally {
    for (const f of [tmp, `${tmp}-wal`, `${tmp}-shm`, `${tmp}-journal`]) fs.rmSync(f, { force: true });
  }
}
