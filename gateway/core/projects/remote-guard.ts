/**
 * remote-guard.ts: the one rule for projects a SODAR source site owns (docs/sodar-sync.md): their
 * title, description and members change only through the sync, on every surface. Containers,
 * templates and files inside them stay locally editable, as in Kiosc (sodar-core refuses only
 * project and member changes on remote projects).
 */
import { PorticoError } from '../errors.ts';
import type { Store } from '../store/index.ts';

/** syncedFrom returns the SODAR source site's address when the project is synced from one, else null. */
export function syncedFrom(store: Pick<Store, 'sodar'>, projectId: number): string | null {
  return store.sodar.syncedProject(projectId)?.sourceUrl ?? null;
}

/** syncedProjectError is the refusal of a local change to a synced project (409 E_SYNCED_PROJECT). */
export function syncedProjectError(sourceUrl: string): PorticoError {
  return new PorticoError('E_SYNCED_PROJECT', 409, `This project is synced from SODAR ${sourceUrl}; change it there.`, { source: sourceUrl });
}

/** assertLocallyEditable throws syncedProjectError when the project's title, description or members belong to a SODAR source. */
export function assertLocallyEditable(store: Pick<Store, 'sodar'>, projectId: number): void {
  const source = syncedFrom(store, projectId);
  if (source !== null) throw syncedProjectError(source);
}
