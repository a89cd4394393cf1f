/**
 * kiosc-import.ts: brings a Kiosc database into Portico's store in ONE SQLite transaction, so a
 * failure leaves nothing half-imported. Each Kiosc row is remembered by kind and integer id with
 * the fingerprint of what it was mapped to: a row that has not changed since the last run is not
 * written again (a second run reports "0 created, 0 updated, N unchanged"). A dry run performs the
 * same work and rolls it back, so its counts are exact and it writes nothing. New file bytes are
 * written before the commit and removed on rollback; changed bytes are renamed in after it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { PorticoError } from '../errors.ts';
import type { Store } from '../store/index.ts';
import { createKioscStore } from '../store/kiosc.ts';
import type { KioscMapKind } from '../store/kiosc.ts';
import { fingerprint, mapSnapshot } from './kiosc-map.ts';
import type { KioscPlan, MappedFile } from './kiosc-map.ts';
import type { KioscSource } from './kiosc-source.ts';

/** Counts are one kind's (or the total's) outcome. */
export interface Counts { created: number; updated: number; unchanged: number }

/** ImportSummary is what an import did (or, for a dry run, would do). */
export interface ImportSummary {
  dryRun: boolean;
  kinds: Record<string, Counts>;
  total: Counts;
  /** changes are one line per created or updated record (log lines are only counted). */
  changes: string[];
  skipped: string[];
  warnings: string[];
}

class DryRunRollback extends Error {}

/** importKiosc reads `source`, maps it (refusing on any unmappable row) and applies it to `store`. */
export async function importKiosc(deps: { store: Store; filesDir: string; source: KioscSource; dryRun: boolean }): Promise<ImportSummary> {
  const plan = mapSnapshot(await deps.source.snapshot());
  return applyPlan(deps.store, deps.filesDir, plan, deps.dryRun);
}

/** formatSummary renders the summary for people; its last line is the totals. */
export function formatSummary(s: ImportSummary): string {
  const lines = s.changes.map((c) => `${s.dryRun ? 'would ' : ''}${c}`);
  for (const [kind, c] of Object.entries(s.kinds)) lines.push(`${kind}: ${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged`);
  for (const w of s.skipped) lines.push(`skipped: ${w}`);
  for (const w of s.warnings) lines.push(`warning: ${w}`);
  lines.push(`${s.dryRun ? 'dry run, nothing written: ' : ''}${s.total.created} created, ${s.total.updated} updated, ${s.total.unchanged} unchanged`);
  return lines.join('\n') + '\n';
}

/** applyPlan writes `plan` in one transaction (rolled back when `dryRun`). */
export function applyPlan(store: Store, filesDir: string, plan: KioscPlan, dryRun: boolean): ImportSummary {
  const kiosc = createKioscStore(store.db);
  const summary: ImportSummary = {
    dryRun, kinds: {}, total: { created: 0, updated: 0, unchanged: 0 }, changes: [], skipped: plan.skipped, warnings: plan.warnings,
  };
  const written: string[] = [];
  const renames: Array<{ tmp: string; final: string }> = [];
  const count = (kind: string, outcome: keyof Counts, line: string | null) => {
    (summary.kinds[kind] ??= { created: 0, updated: 0, unchanged: 0 })[outcome]++;
    summary.total[outcome]++;
    if (line && outcome !== 'unchanged') summary.changes.push(`${outcome === 'created' ? 'create' : 'update'} ${line}`);
  };

  /** step creates, updates or leaves one record, and remembers what the Kiosc row became. */
  function step(kind: KioscMapKind, kioscId: number, label: string | null, record: unknown, ops: {
    find(prevUuid: string | null): { id: number; uuid: string } | null;
    create(): string;
    update(id: number): void;
    intact?(id: number): boolean;
  }): string {
    const fp = fingerprint(record);
    const prev = kiosc.mapped(kind, kioscId);
    const found = ops.find(prev?.uuid ?? null);
    if (prev && found && prev.fingerprint === fp && (!ops.intact || ops.intact(found.id))) {
      count(kind, 'unchanged', null);
      return found.uuid;
    }
    let uuid: string;
    try {
      if (found) { ops.update(found.id); uuid = found.uuid; count(kind, 'updated', label); }
      else { uuid = ops.create(); count(kind, 'created', label); }
    } catch (err) {
      // Say which Kiosc row could not be written (a title a record made in Portico already holds, say).
      throw new Error(`${found ? 'updating' : 'creating'} ${label ?? kind} (Kiosc ${kind} id=${kioscId}): ${(err as Error).message}`);
    }
    kiosc.remember(kind, kioscId, uuid, fp);
    return uuid;
  }

  const projectId = (uuid: string) => store.projects.byUuid(uuid)?.id ?? -1;
  const userIds = new Map<string, number>();
  const filePath = (f: { projectUuid: string; uuid: string }) => path.join(filesDir, f.projectUuid, f.uuid);
  const writeBytes = (file: string, bytes: Buffer) => {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.writeFileSync(file, bytes, { mode: 0o600 });
  };

  const work = () => {
    for (const u of plan.users) {
      const { kioscId: _k, ...record } = u;
      const uuid = step('user', u.kioscId, `user ${u.username} (${u.source})`, record, {
        find: (prev) => (prev ? store.users.byUuid(prev) : null) ?? store.users.byUuid(u.uuid) ?? store.users.byUsername(u.username),
        create: () => { kiosc.insertUser(u); return u.uuid; },
        update: (id) => {
          const existing = store.users.byId(id)!;
          // A Portico account of the same name that Kiosc did not create keeps its own password and admin flag.
          const linked = existing.uuid !== u.uuid;
          const hash = store.users.passwordHash(existing.username)?.hash ?? null;
          kiosc.updateUser(id, {
            ...u, passwordHash: linked ? hash ?? u.passwordHash : u.passwordHash, isAdmin: linked ? existing.isAdmin || u.isAdmin : u.isAdmin,
            source: linked ? existing.source : u.source,
          });
        },
      });
      userIds.set(u.uuid, store.users.byUuid(uuid)?.id ?? -1);
    }
    for (const p of plan.projects) {
      const { kioscId: _k, ...record } = p;
      step('project', p.kioscId, `project ${JSON.stringify(p.title)}`, record, {
        find: (prev) => store.projects.byUuid(prev ?? p.uuid),
        create: () => { kiosc.insertProject(p.uuid, p.title, p.description, new Date().toISOString()); return p.uuid; },
        update: (id) => { const cur = store.projects.byId(id)!; store.projects.update(id, { title: p.title, description: p.description, readme: cur.readme }); },
      });
    }
    for (const m of plan.members) {
      const pid = projectId(m.projectUuid);
      const uid = userIds.get(m.userUuid) ?? -1;
      step('membership', m.kioscId, m.label, { projectUuid: m.projectUuid, userUuid: m.userUuid, role: m.role }, {
        find: () => (store.projects.roleOf(pid, uid) === m.role ? { id: 0, uuid: m.projectUuid } : store.projects.roleOf(pid, uid) ? { id: 1, uuid: m.projectUuid } : null),
        create: () => { store.projects.setRole(pid, uid, m.role); return m.projectUuid; },
        update: () => store.projects.setRole(pid, uid, m.role),
        intact: (id) => id === 0,
      });
    }
    for (const t of plan.templates) {
      const { kioscId: _k, ...record } = t;
      const pid = t.projectUuid ? projectId(t.projectUuid) : null;
      step(t.kind, t.kioscId, `${t.kind === 'template_site' ? 'site' : 'project'} template ${JSON.stringify(t.title)}`, record, {
        find: (prev) => store.templates.byUuid(prev ?? t.uuid),
        create: () => { kiosc.insertTemplate(t.uuid, pid, t.title, JSON.stringify(t.settings), t.createdAt, t.modifiedAt); return t.uuid; },
        update: (id) => store.templates.update(id, t.title, t.settings),
      });
    }
    const containerIds = new Map<string, number>();
    for (const c of plan.containers) {
      const { kioscId: _k, ...record } = c;
      const uuid = step('container', c.kioscId, `container ${JSON.stringify(c.settings.title)} (${c.runtime.state}${c.runtime.dockerId ? `, Docker ${c.runtime.dockerId.slice(0, 12)}` : ''})`, record, {
        find: (prev) => store.containers.byUuid(prev ?? c.uuid),
        create: () => {
          const id = kiosc.insertContainer(c.uuid, projectId(c.projectUuid), c.settings, c.createdAt, c.modifiedAt);
          store.containers.setRuntime(id, c.runtime);
          return c.uuid;
        },
        update: (id) => {
          store.containers.updateSettings(id, c.settings);
          // Once Portico has acted on the container (recreated it, say), its engine object is Portico's, not Kiosc's.
          if (store.containers.byId(id)?.lastAction === null) store.containers.setRuntime(id, c.runtime);
        },
      });
      containerIds.set(c.uuid, store.containers.byUuid(uuid)?.id ?? -1);
    }
    for (const l of plan.logs) {
      const cid = containerIds.get(l.containerUuid) ?? -1;
      // Log lines never change in Kiosc: one that was imported once is never written again.
      step('log', l.kioscId, null, null, {
        find: (prev) => (prev ? { id: 0, uuid: prev } : null),
        create: () => { store.logs.add(cid, l.level, l.user, l.process, l.text, l.date); return l.containerUuid; },
        update: () => {},
      });
    }
    for (const f of plan.files) {
      const { kioscId: _k, bytes: _b, ...record } = f;
      const pid = projectId(f.projectUuid);
      step('file', f.kioscId, `file ${JSON.stringify(f.name)} (${f.bytes.length} bytes)`, record, {
        find: (prev) => store.files.byUuid(prev ?? f.uuid),
        intact: (id) => bytesIntact(store.files.byUuid(f.uuid)?.id === id ? filePath(f) : '', f),
        create: () => {
          store.files.create(pid, { uuid: f.uuid, name: f.name, size: f.bytes.length, sha256: f.sha256, contentType: f.contentType, uploadedBy: f.uploadedBy });
          if (!dryRun) { written.push(filePath(f)); writeBytes(filePath(f), f.bytes); }
          return f.uuid;
        },
        update: (id) => {
          kiosc.updateFile(id, { name: f.name, size: f.bytes.length, sha256: f.sha256, contentType: f.contentType, uploadedBy: f.uploadedBy });
          if (!dryRun) {
            const tmp = `${filePath(f)}.kiosc-${randomBytes(6).toString('hex')}`;
            renames.push({ tmp, final: filePath(f) });
            writeBytes(tmp, f.bytes);
          }
        },
      });
    }
    for (const t of plan.tokens) {
      const uid = userIds.get(t.userUuid) ?? -1;
      const existing = kiosc.knoxToken(t.digest);
      const line = `API token ${t.prefix}… of ${t.username}`;
      if (!existing) { kiosc.insertKnoxToken(uid, t.name, t.digest, t.prefix, t.createdAt, t.expiresAt); count('token', 'created', line); }
      else if (existing.userId !== uid || existing.name !== t.name || existing.expiresAt !== t.expiresAt) {
        kiosc.updateKnoxToken(existing.id, uid, t.name, t.expiresAt);
        count('token', 'updated', line);
      } else count('token', 'unchanged', null);
    }
    if (dryRun) throw new DryRunRollback();
  };

  try {
    store.transaction(work);
  } catch (err) {
    for (const f of [...written, ...renames.map((r) => r.tmp)]) fs.rmSync(f, { force: true });
    if (err instanceof DryRunRollback) return summary;
    if (err instanceof PorticoError) throw err;
    throw new PorticoError('E_IMPORT_FAILED', 422, `the import was rolled back, nothing was imported: ${(err as Error).message}`);
  }
  for (const r of renames) fs.renameSync(r.tmp, r.final);
  return summary;
}

function bytesIntact(file: string, f: MappedFile): boolean {
  try { return file !== '' && fs.statSync(file).size === f.bytes.length; } catch { return false; }
}
