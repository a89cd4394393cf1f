/**
 * fault.ts: tells a storage fault (the data directory is full, read-only or failing) from any other
 * SQLite error, and says which in words an operator can act on. SQLite reports a write on a
 * filesystem that turned read-only under it as a plain I/O error, so an I/O error is looked at
 * again through the filesystem (access W_OK, statfs) before it is named.
 */
import fs from 'node:fs';
import path from 'node:path';

/** StoreFaultKind is what is wrong with the data directory. */
export type StoreFaultKind = 'full' | 'read-only' | 'io' | 'cannot-open';

/** StoreFault is one diagnosed storage fault: `reason` is the sentence /healthz and the logs show. */
export interface StoreFault { kind: StoreFaultKind; code: string; detail: string; reason: string; file: string }

// Primary result codes (the low byte of an extended code): https://www.sqlite.org/rescode.html
const SQLITE_READONLY = 8;
const SQLITE_IOERR = 10;
const SQLITE_FULL = 13;
const SQLITE_CANTOPEN = 14;

/** LOW_SPACE_BYTES is the free space under which the data directory counts as full. */
export const LOW_SPACE_BYTES = 64 * 1024;

const CODE_NAMES: Record<number, string> = {
  [SQLITE_READONLY]: 'SQLITE_READONLY', [SQLITE_IOERR]: 'SQLITE_IOERR', [SQLITE_FULL]: 'SQLITE_FULL', [SQLITE_CANTOPEN]: 'SQLITE_CANTOPEN',
};

/** sqliteCode is the primary result code of a node:sqlite error, or null for anything else. */
export function sqliteCode(err: unknown): number | null {
  const e = err as { code?: unknown; errcode?: unknown } | null;
  if (e?.code !== 'ERR_SQLITE_ERROR' || typeof e.errcode !== 'number') return null;
  return e.errcode & 0xff;
}

/**
 * dirProblem checks the directory itself: read-only (EROFS/EACCES) or out of space; null when neither.
 * With `write` it also creates and removes a probe file: a filesystem the kernel turned read-only
 * after an error (errors=remount-ro) still passes access(W_OK), only a write tells.
 */
export function dirProblem(dir: string, write = false): { kind: 'full' | 'read-only'; code: string; detail: string } | null {
  try {
    fs.accessSync(dir, fs.constants.W_OK);
    if (write) {
      const probe = path.join(dir, '.portico-write-probe');
      fs.writeFileSync(probe, 'x');
      fs.rmSync(probe, { force: true });
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EACCES';
    if (code === 'EROFS') return { kind: 'read-only', code, detail: 'the directory is read-only' };
    if (code === 'EACCES' || code === 'EPERM') return { kind: 'read-only', code, detail: `the directory is not writable for uid ${process.getuid?.() ?? '?'}` };
    if (code === 'ENOSPC' || code === 'EDQUOT') return { kind: 'full', code, detail: 'the directory is full' };
    return null;
  }
  try {
    const s = fs.statfsSync(dir);
    const free = s.bavail * s.bsize;
    if (free < LOW_SPACE_BYTES) return { kind: 'full', code: 'ENOSPC', detail: `the directory is full (${free} bytes free)` };
  } catch { /* no statfs here: SQLite's own answer stands */ }
  return null;
}

/** diagnose names the storage fault behind `err` for the database at `file`, or null when `err` is not one. */
export function diagnose(err: unknown, file: string): StoreFault | null {
  const code = sqliteCode(err);
  if (code === null) {
    const errno = (err as NodeJS.ErrnoException | null)?.code;
    // From fs calls on the way to the file (mkdir, chown): ENOENT comes from a mkdir on a read-only parent.
    if (errno !== 'EROFS' && errno !== 'ENOSPC' && !((errno === 'ENOENT' || errno === 'EACCES' || errno === 'EPERM') && (err as NodeJS.ErrnoException).syscall)) return null;
    if (errno === 'ENOENT' || errno === 'EACCES' || errno === 'EPERM') return dirFault(file);
    const full = errno === 'ENOSPC';
    return dirFault(file) ?? fault(full ? 'full' : 'read-only', errno, file, `the data directory is ${full ? 'full' : 'read-only'}`);
  }
  if (code !== SQLITE_FULL && code !== SQLITE_READONLY && code !== SQLITE_IOERR && code !== SQLITE_CANTOPEN) return null;
  const name = CODE_NAMES[code];
  // The directory's own state is the better name: SQLite says "I/O error" on a read-only remount.
  const dir = dirFault(file, name, code === SQLITE_IOERR || code === SQLITE_CANTOPEN);
  if (dir) return dir;
  if (code === SQLITE_FULL) return fault('full', name, file, 'the data directory is full');
  if (code === SQLITE_READONLY) return fault('read-only', name, file, 'the database is read-only');
  if (code === SQLITE_CANTOPEN) return fault('cannot-open', name, file, 'the database file cannot be opened');
  return fault('io', name, file, 'disk I/O error on the data directory');
}

/** dirFault is the fault of the directory holding `file` (read-only, full), or null; `code` is the error that led here. */
export function dirFault(file: string, code?: string, write = false): StoreFault | null {
  if (file === ':memory:' || file === '') return null;
  let dir = path.dirname(file);
  while (!fs.existsSync(dir) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  const p = dirProblem(dir, write);
  if (!p) return null;
  return fault(p.kind, code && p.code !== code ? `${code}, ${p.code}` : p.code, file, p.detail.replace('the directory', 'the data directory'));
}

function fault(kind: StoreFaultKind, code: string, file: string, detail: string): StoreFault {
  return { kind, code, file, detail, reason: `${detail} (${code}) at ${file}` };
}
