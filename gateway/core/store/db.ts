/**
 * db.ts: opens the SQLite database (node:sqlite), sets WAL and busy_timeout, and runs the
 * numbered migrations tracked by PRAGMA user_version. Each migration runs in one transaction,
 * so a crash mid-migration leaves the previous version intact.
 */
import { DatabaseSync } from 'node:sqlite';
import fs from 'node:fs';
import path from 'node:path';
import { MIGRATIONS } from './migrations.ts';

/** Db is the handle the store modules share. */
export type Db = DatabaseSync;

/** openDb opens (creating if needed) the database at `file` (':memory:' for tests) and migrates it. */
export function openDb(file: string): Db {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new DatabaseSync(file);
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA busy_timeout = 5000');
  db.exec('PRAGMA foreign_keys = ON');
  db.exec('PRAGMA synchronous = NORMAL');
  migrate(db);
  return db;
}

/** migrate applies every migration newer than the database's user_version, each atomically. */
export function migrate(db: Db): number {
  const row = db.prepare('PRAGMA user_version').get() as { user_version: number };
  let version = row.user_version;
  for (let i = version; i < MIGRATIONS.length; i++) {
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec(MIGRATIONS[i]);
      db.exec(`PRAGMA user_version = ${i + 1}`);
      db.exec('COMMIT');
      version = i + 1;
    } catch (err) {
      db.exec('ROLLBACK');
      throw err;
    }
  }
  return version;
}

/** tx runs fn inside one IMMEDIATE transaction (all or nothing). Nested calls join the outer one. */
export function tx<T>(db: Db, fn: () => T): T {
  if (db.isTransaction) return fn();
  db.exec('BEGIN IMMEDIATE');
  try {
    const out = fn();
    db.exec('COMMIT');
    return out;
  } catch (err) {
    db.exec('ROLLBACK');
    throw err;
  }
}

/** nowIso is the store's timestamp format (ISO 8601, UTC, milliseconds). */
export function nowIso(): string {
  return new Date().toISOString();
}
