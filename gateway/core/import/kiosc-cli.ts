/**
 * kiosc-cli.ts: the `portico import-kiosc` verb: opens the Kiosc database, imports, and returns
 * the summary text. The connection is closed whatever happens.
 */
import type { Store } from '../store/index.ts';
import { formatSummary, importKiosc } from './kiosc-import.ts';
import { openKioscSource } from './kiosc-source.ts';

/** runImportKiosc imports from the PostgreSQL URL `database` and returns the printable summary. */
export async function runImportKiosc(opts: { store: Store; filesDir: string; database: string; dryRun: boolean }): Promise<string> {
  const source = await openKioscSource(opts.database);
  try {
    return formatSummary(await importKiosc({ store: opts.store, filesDir: opts.filesDir, source, dryRun: opts.dryRun }));
  } finally {
    await source.close().catch(() => {});
  }
}
