/**
 * settings.ts: SQL for the key/value `settings` table (site-wide switches and generated keys).
 * Values are read from the database on every call, so a change made by the CLI in another
 * process is seen at once by the gateway.
 */
import type { Db } from './db.ts';

/** SettingsStore reads and writes site settings. */
export type SettingsStore = ReturnType<typeof createSettingsStore>;

/** createSettingsStore prepares the settings statements once. */
export function createSettingsStore(db: Db) {
  const s = {
    get: db.prepare('SELECT value FROM settings WHERE key = ?'),
    set: db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
    insertIfMissing: db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING'),
  };
  return {
    get(key: string): string | null {
      return (s.get.get(key) as { value: string } | undefined)?.value ?? null;
    },
    set(key: string, value: string): void { s.set.run(key, value); },
    /** getOrCreate returns the stored value, storing `make()` first when there is none (first writer wins). */
    getOrCreate(key: string, make: () => string): string {
      // Read first: a page that needs an existing key must not need a write (a full disk still serves it).
      const have = s.get.get(key) as { value: string } | undefined;
      if (have) return have.value;
      s.insertIfMissing.run(key, make());
      return (s.get.get(key) as { value: string }).value;
    },
  };
}
