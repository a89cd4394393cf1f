/**
 * db.ts: opens the SQLite database (node:sqlite), sets WAL and busy_timeout, and runs the
 * numbered migrations tracked by PRAGMA user_version. Each migration runs in one transaction,
 * so a crash mid-migration leaves the previous version intact.
 */
import { DatabaseSync } from 'node:sqlite';
import fs from 'node:fs';
import path from 'node:path';
import { MIGRATIONS } from './migrations.ts';
import { StoreUnavailableError } from '../errors.ts';
import { diagnose, sqliteCode } from './fault.ts';

const SQLITE_ERROR = 1;

/** Db is the handle the store modules share. */
export type Db = DatabaseSync;

/**
 * openDb opens (creating if needed) the database at `file` (':memory:' for tests) and migrates it.
 * A data directory that is read-only or full throws a StoreUnavailableError whose message is the
 * one line start-up prints ("cannot open the database at …: the data directory is read-only (EROFS)").
 */
export function openDb(file: string): Db {
  let db: Db | null = null;
  try {
    if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
    db = new DatabaseSync(file);
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA busy_timeout = 5000');
    db.exec('PRAGMA foreign_keys = ON');
    db.exec('PRAGMA synchronous = NORMAL');
    migrate(db);
    return db;
  } catch (err) {
    if (db?.isOpen) db.close();
    const f = diagnose(err, file);
    if (f) throw new StoreUnavailableError(`cannot open the database at ${file}: ${f.detail} (${f.code})`, { kind: f.kind, sqlite: f.code }, err);
    // Any other SQLite refusal (not a database, locked, …) is still one line at start-up, in SQLite's
    // own words; a plain SQL error (a broken migration: a bug) keeps its stack.
    const code = sqliteCode(err);
    if (code === null || code === SQLITE_ERROR) throw err;
    const words = (err as Error).message || (err as { errstr?: string }).errstr || 'unknown SQLite error';
    throw new StoreUnavailableError(`cannot open the database at ${file}: ${words} (SQLite code ${(err as { errcode: number }).errcode})`, { kind: 'cannot-open', sqlite: String(code) }, err);
  }
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
      rollback(db);
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
    rollback(db);
    throw err;
  }
}

/**
 * rollback ends a failed transaction without hiding why it failed: on SQLITE_FULL, SQLITE_IOERR and
 * the like SQLite has already rolled back, and a second ROLLBACK would throw "cannot rollback - no
 * transaction is active" in place of the real error.
 */
function rollback(db: Db): void {
  if (!db.isTransaction) return;
  try {
    db.exec('ROLLBACK');
  } catch {
    // The caller rethrows the error that made the transaction fail; that one names the cause.
  }
}

/** nowIso is the store's timestamp format (ISO 8601, UTC, milliseconds). */
export function nowIso(): string {
  return new Date().toISOString();
}
