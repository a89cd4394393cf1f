/**
 * kiosc-id-map.ts: Kiosc's integer ids of imported rows (table kiosc_id_map, filled by the Kiosc
 * import). Old Kiosc clients name templates by those ids; the container API resolves them here and
 * shows them back, so a client reads what it wrote.
 */
import type { Db } from './db.ts';
import { nowIso } from './db.ts';

/** KioscIdKind is what a Kiosc integer id names (the import's names for the template kinds). */
export type KioscIdKind = 'template_site' | 'template_project';

/** KioscIdMap is the lookups of Kiosc integer ids, both ways. */
export type KioscIdMap = ReturnType<typeof createKioscIdMap>;

/** createKioscIdMap prepares the id-map statements once. */
export function createKioscIdMap(db: Db) {
  const s = {
    uuid: db.prepare('SELECT portico_uuid FROM kiosc_id_map WHERE kind = ? AND kiosc_id = ?'),
    id: db.prepare('SELECT kiosc_id FROM kiosc_id_map WHERE kind = ? AND portico_uuid = ? ORDER BY kiosc_id LIMIT 1'),
    put: db.prepare(`INSERT INTO kiosc_id_map (kind, kiosc_id, portico_uuid, fingerprint, imported_at) VALUES (?, ?, ?, '', ?)
      ON CONFLICT (kind, kiosc_id) DO UPDATE SET portico_uuid = excluded.portico_uuid`),
  };
  return {
    /** uuidFor resolves a Kiosc integer id to the Portico UUID it was imported as, or null. */
    uuidFor(kind: KioscIdKind, kioscId: number): string | null {
      return (s.uuid.get(kind, kioscId) as { portico_uuid: string } | undefined)?.portico_uuid ?? null;
    },
    /** kioscIdFor returns the Kiosc integer id of an imported row, or null for a row made in Portico. */
    kioscIdFor(kind: KioscIdKind, uuid: string): number | null {
      return (s.id.get(kind, uuid) as { kiosc_id: number } | undefined)?.kiosc_id ?? null;
    },
    /** remember records that Kiosc's `kioscId` is now `uuid` (the import does this; tests too). */
    remember(kind: KioscIdKind, kioscId: number, uuid: string): void {
      s.put.run(kind, kioscId, uuid, nowIso());
    },
  };
}
