/**
 * kiosc.ts: SQL for the Kiosc import (docs/kiosc-import.md): the id map (Kiosc's kind and integer
 * id → Portico UUID, with the fingerprint of the row last imported) and the inserts that keep
 * Kiosc's UUIDs, timestamps and Knox token digests. Updates go through the usual store modules.
 */
import type { Db } from './db.ts';
import { nowIso } from './db.ts';
import type { ContainerSettings } from '../types.ts';

/** KioscMapKind is what a Kiosc integer id names. */
export type KioscMapKind = 'user' | 'project' | 'membership' | 'template_site' | 'template_project' | 'container' | 'log' | 'file';

/** KioscStore is every query of the import and of the integer-id lookups. */
export type KioscStore = ReturnType<typeof createKioscStore>;

/** createKioscStore prepares the import's statements once. */
export function createKioscStore(db: Db) {
  const s = {
    mapGet: db.prepare('SELECT portico_uuid, fingerprint FROM kiosc_id_map WHERE kind = ? AND kiosc_id = ?'),
    mapPut: db.prepare(`INSERT INTO kiosc_id_map (kind, kiosc_id, portico_uuid, fingerprint, imported_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (kind, kiosc_id) DO UPDATE SET portico_uuid = excluded.portico_uuid, fingerprint = excluded.fingerprint, imported_at = excluded.imported_at`),
    insertUser: db.prepare(`INSERT INTO users (uuid, username, name, email, password_hash, is_admin, source, active, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
    updateUser: db.prepare('UPDATE users SET name = ?, email = ?, password_hash = ?, is_admin = ?, source = ?, active = ? WHERE id = ?'),
    insertProject: db.prepare('INSERT INTO projects (uuid, title, description, created_at) VALUES (?, ?, ?, ?) RETURNING id'),
    insertTemplate: db.prepare(`INSERT INTO templates (uuid, project_id, title, settings, created_at, modified_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`),
    insertContainer: db.prepare(`INSERT INTO containers (uuid, project_id, title, description, repository, tag, container_port,
      container_path, heartbeat_url, timeout, environment, environment_secret_keys, command, max_retries, inactivity_threshold,
      strip_prefix, template_site_uuid, template_project_uuid, data_path, created_at, modified_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
    updateFile: db.prepare('UPDATE files SET name = ?, size = ?, sha256 = ?, content_type = ?, uploaded_by = ? WHERE id = ?'),
    tokenByDigest: db.prepare(`SELECT id, user_id, name, expires_at FROM api_tokens WHERE token_hash = ? AND kind = 'knox'`),
    insertToken: db.prepare(`INSERT INTO api_tokens (user_id, name, token_hash, prefix, created_at, expires_at, kind)
      VALUES (?, ?, ?, ?, ?, ?, 'knox')`),
    updateToken: db.prepare('UPDATE api_tokens SET user_id = ?, name = ?, expires_at = ? WHERE id = ?'),
  };
  return {
    /** mapped returns the Portico UUID and fingerprint a Kiosc row was last imported as. */
    mapped(kind: KioscMapKind, kioscId: number): { uuid: string; fingerprint: string } | null {
      const r = s.mapGet.get(kind, kioscId) as { portico_uuid: string; fingerprint: string } | undefined;
      return r ? { uuid: r.portico_uuid, fingerprint: r.fingerprint } : null;
    },
    /** uuidFor resolves a Kiosc integer id (e.g. a template id an old client sends) to a Portico UUID. */
    uuidFor(kind: KioscMapKind, kioscId: number): string | null {
      return ((s.mapGet.get(kind, kioscId) as { portico_uuid: string } | undefined)?.portico_uuid) ?? null;
    },
    remember(kind: KioscMapKind, kioscId: number, uuid: string, fingerprint: string): void {
      s.mapPut.run(kind, kioscId, uuid, fingerprint, nowIso());
    },
    insertUser(u: { uuid: string; username: string; name: string; email: string; passwordHash: string | null; isAdmin: boolean; source: string; active: boolean; createdAt: string }): number {
      return (s.insertUser.get(u.uuid, u.username, u.name, u.email, u.passwordHash, u.isAdmin ? 1 : 0, u.source, u.active ? 1 : 0, u.createdAt) as { id: number }).id;
    },
    updateUser(id: number, u: { name: string; email: string; passwordHash: string | null; isAdmin: boolean; source: string; active: boolean }): void {
      s.updateUser.run(u.name, u.email, u.passwordHash, u.isAdmin ? 1 : 0, u.source, u.active ? 1 : 0, id);
    },
    insertProject(uuid: string, title: string, description: string, createdAt: string): number {
      return (s.insertProject.get(uuid, title, description, createdAt) as { id: number }).id;
    },
    insertTemplate(uuid: string, projectId: number | null, title: string, settingsJson: string, createdAt: string, modifiedAt: string): number {
      return (s.insertTemplate.get(uuid, projectId, title, settingsJson, createdAt, modifiedAt) as { id: number }).id;
    },
    insertContainer(uuid: string, projectId: number, c: ContainerSettings, createdAt: string, modifiedAt: string): number {
      return (s.insertContainer.get(uuid, projectId, c.title, c.description, c.repository, c.tag, c.containerPort, c.containerPath,
        c.heartbeatUrl, c.timeout, JSON.stringify(c.environment), c.environmentSecretKeys.join(','), c.command, c.maxRetries,
        c.inactivityThreshold, c.stripPrefix ? 1 : 0, c.templateSiteUuid, c.templateProjectUuid, c.dataPath, createdAt, modifiedAt) as { id: number }).id;
    },
    updateFile(id: number, f: { name: string; size: number; sha256: string; contentType: string; uploadedBy: string }): void {
      s.updateFile.run(f.name, f.size, f.sha256, f.contentType, f.uploadedBy, id);
    },
    knoxToken(digest: string): { id: number; userId: number; name: string; expiresAt: string | null } | null {
      const r = s.tokenByDigest.get(digest) as { id: number; user_id: number; name: string; expires_at: string | null } | undefined;
      return r ? { id: r.id, userId: r.user_id, name: r.name, expiresAt: r.expires_at } : null;
    },
    insertKnoxToken(userId: number, name: string, digest: string, prefix: string, createdAt: string, expiresAt: string | null): void {
      s.insertToken.run(userId, name, digest, prefix, createdAt, expiresAt);
    },
    updateKnoxToken(id: number, userId: number, name: string, expiresAt: string | null): void {
      s.updateToken.run(userId, name, expiresAt, id);
    },
  };
}
