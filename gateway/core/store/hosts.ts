/**
 * hosts.ts: SQL for container hosts (the engines Portico drives). The client key is kept here and
 * nowhere else: readers that show a host get `HostRecord` without it (see hosts/serialize.ts).
 */
import type { Db } from './db.ts';
import { nowIso } from './db.ts';
import { orNull, rowMapper, type Row } from './rows.ts';

/** HostMode is how Portico drives a host: one engine, or a Docker Swarm manager. */
export type HostMode = 'engine' | 'swarm';

/** HostTls are the PEM texts that reach an engine over TCP with mutual TLS. */
export interface HostTls { ca: string; cert: string; key: string }

/** HostRecord is one stored container host. */
export interface HostRecord {
  id: number;
  name: string;
  url: string;
  mode: HostMode;
  tls: HostTls | null;
  /** publishAddress is the host's address the gateway reaches published ports on (null: the engine's own network, the built-in host). */
  publishAddress: string | null;
  builtin: boolean;
  isDefault: boolean;
  createdAt: string;
  modifiedAt: string;
}

/** HostInput is what an add or an edit stores. */
export interface HostInput { name: string; url: string; mode: HostMode; tls: HostTls | null; publishAddress: string | null }

const hostRows = rowMapper((r: Row): HostRecord => {
  const tls = r.tls_ca && r.tls_cert && r.tls_key ? { ca: r.tls_ca as string, cert: r.tls_cert as string, key: r.tls_key as string } : null;
  return {
    id: r.id as number, name: r.name as string, url: r.url as string, mode: r.mode as HostMode, tls,
    publishAddress: orNull<string>(r.publish_address), builtin: r.builtin === 1, isDefault: r.is_default === 1,
    createdAt: r.created_at as string, modifiedAt: r.modified_at as string,
  };
});

/** HostStore reads and writes container hosts. */
export type HostStore = ReturnType<typeof createHostStore>;

/** createHostStore prepares the host statements once. */
export function createHostStore(db: Db) {
  const s = {
    all: db.prepare('SELECT * FROM hosts ORDER BY builtin DESC, name'),
    byId: db.prepare('SELECT * FROM hosts WHERE id = ?'),
    byName: db.prepare('SELECT * FROM hosts WHERE name = ?'),
    builtin: db.prepare('SELECT * FROM hosts WHERE builtin = 1'),
    insert: db.prepare(`INSERT INTO hosts (name, url, mode, tls_ca, tls_cert, tls_key, publish_address, builtin, is_default, created_at, modified_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)`),
    update: db.prepare('UPDATE hosts SET name = ?, url = ?, mode = ?, tls_ca = ?, tls_cert = ?, tls_key = ?, publish_address = ?, modified_at = ? WHERE id = ?'),
    setBuiltinUrl: db.prepare('UPDATE hosts SET url = ?, modified_at = ? WHERE builtin = 1'),
    clearDefault: db.prepare('UPDATE hosts SET is_default = 0 WHERE is_default = 1'),
    setDefault: db.prepare('UPDATE hosts SET is_default = 1 WHERE id = ?'),
    remove: db.prepare('DELETE FROM hosts WHERE id = ? AND builtin = 0'),
    users: db.prepare(`SELECT (SELECT COUNT(*) FROM containers WHERE host_id = ?) AS containers,
      (SELECT COUNT(*) FROM templates WHERE host_id = ?) AS templates`),
  };
  const { one, many } = hostRows;
  // In-process followers (hosts/registry.ts) hear of a change at once; another process's change
  // (the CLI's) reaches them only when they read the table again.
  const listeners = new Set<(id: number) => void>();
  const changed = (id: number) => { for (const fn of listeners) fn(id); };
  return {
    /** onChange calls `fn` with the id of each host this process adds, changes or removes; returns the unsubscribe function. */
    onChange(fn: (id: number) => void): () => void {
      listeners.add(fn);
      return () => { listeners.delete(fn); };
    },
    all: (): HostRecord[] => many(s.all.all()),
    byId: (id: number): HostRecord | null => one(s.byId.get(id)),
    byName: (name: string): HostRecord | null => one(s.byName.get(name)),
    /**
     * ensureBuiltin makes the row of DOCKER_HOST's engine (named `name`) exist with `url`, and makes
     * it the default when no host is; returns it.
     */
    ensureBuiltin(name: string, url: string): HostRecord {
      const now = nowIso();
      const have = one(s.builtin.get());
      if (!have) {
        // A host an admin added under the same name keeps it; the built-in one gets a suffix.
        const free = one(s.byName.get(name)) ? `${name}-docker-host` : name;
        s.insert.run(free, url, 'engine', null, null, null, null, 1, now, now);
      } else if (have.url !== url) {
        s.setBuiltinUrl.run(url, now);
      }
      const host = one(s.builtin.get())!;
      if (!(s.all.all() as Row[]).some((r) => r.is_default === 1)) s.setDefault.run(host.id);
      return one(s.builtin.get())!;
    },
    create(input: HostInput): HostRecord {
      const now = nowIso();
      const id = Number(s.insert.run(input.name, input.url, input.mode, input.tls?.ca ?? null, input.tls?.cert ?? null, input.tls?.key ?? null,
        input.publishAddress, 0, now, now).lastInsertRowid);
      changed(id);
      return one(s.byId.get(id))!;
    },
    update(id: number, input: HostInput): HostRecord {
      s.update.run(input.name, input.url, input.mode, input.tls?.ca ?? null, input.tls?.cert ?? null, input.tls?.key ?? null,
        input.publishAddress, nowIso(), id);
      changed(id);
      return one(s.byId.get(id))!;
    },
    setDefault(id: number): void { s.clearDefault.run(); s.setDefault.run(id); },
    remove(id: number): boolean {
      const gone = Number(s.remove.run(id).changes) > 0;
      if (gone) changed(id);
      return gone;
    },
    /** users counts the containers and templates that name the host. */
    users(id: number): { containers: number; templates: number } {
      return s.users.get(id, id) as { containers: number; templates: number };
    },
  };
}
