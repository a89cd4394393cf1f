/**
 * image-hosts.ts: SQL for image hosts (registries). The password column holds sealed text only
 * (gateway/core/image-hosts/secret-box.ts); rows never leave the store with it opened.
 */
import type { Db } from './db.ts';
import { nowIso, tx } from './db.ts';
import { rowMapper, type Row } from './rows.ts';

/** ImageHostRow is one stored image host. */
export interface ImageHostRow {
  id: number;
  name: string;
  address: string;
  username: string;
  passwordSealed: string;
  caCert: string;
  isDefault: boolean;
  createdAt: string;
  modifiedAt: string;
}

/** ImageHostFields are what an admin sets. */
export type ImageHostFields = Pick<ImageHostRow, 'name' | 'address' | 'username' | 'passwordSealed' | 'caCert'>;

const imageHostRows = rowMapper((r: Row): ImageHostRow => ({
  id: r.id as number,
  name: r.name as string,
  address: r.address as string,
  username: r.username as string,
  passwordSealed: r.password_sealed as string,
  caCert: r.ca_cert as string,
  isDefault: r.is_default === 1,
  createdAt: r.created_at as string,
  modifiedAt: r.modified_at as string,
}));

/** ImageHostStore is every query on image hosts. */
export type ImageHostStore = ReturnType<typeof createImageHostStore>;

/** createImageHostStore prepares the image-host statements once. */
export function createImageHostStore(db: Db) {
  const s = {
    all: db.prepare('SELECT * FROM image_hosts ORDER BY is_default DESC, name'),
    byId: db.prepare('SELECT * FROM image_hosts WHERE id = ?'),
    byName: db.prepare('SELECT * FROM image_hosts WHERE name = ?'),
    byAddress: db.prepare('SELECT * FROM image_hosts WHERE address = ?'),
    insert: db.prepare(`INSERT INTO image_hosts (name, address, username, password_sealed, ca_cert, created_at, modified_at)
      VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`),
    update: db.prepare('UPDATE image_hosts SET name = ?, address = ?, username = ?, password_sealed = ?, ca_cert = ?, modified_at = ? WHERE id = ?'),
    remove: db.prepare('DELETE FROM image_hosts WHERE id = ?'),
    clearDefault: db.prepare('UPDATE image_hosts SET is_default = 0 WHERE is_default = 1'),
    setDefault: db.prepare('UPDATE image_hosts SET is_default = 1 WHERE id = ?'),
  };
  const { one, many } = imageHostRows;
  return {
    list: (): ImageHostRow[] => many(s.all.all()),
    byId: (id: number) => one(s.byId.get(id)),
    byName: (name: string) => one(s.byName.get(name)),
    byAddress: (address: string) => one(s.byAddress.get(address)),
    create(f: ImageHostFields): ImageHostRow {
      const now = nowIso();
      const { id } = s.insert.get(f.name, f.address, f.username, f.passwordSealed, f.caCert, now, now) as { id: number };
      return one(s.byId.get(id))!;
    },
    update(id: number, f: ImageHostFields): void {
      s.update.run(f.name, f.address, f.username, f.passwordSealed, f.caCert, nowIso(), id);
    },
    remove(id: number): boolean {
      return Number(s.remove.run(id).changes) > 0;
    },
    /** setDefault makes `id` the one default host; null leaves none. */
    setDefault(id: number | null): void {
      tx(db, () => {
        s.clearDefault.run();
        if (id !== null) s.setDefault.run(id);
      });
    },
  };
}
