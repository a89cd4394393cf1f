/**
 * apps.ts (store): SQL for the app platform (migration 11; docs/apps.md): catalogue apps, grants
 * with their policies, the hidden project of kind 'apps' and the per-user instance queries over
 * the containers table (an instance is a container row with an owner, an app and a policy).
 */
import { randomUUID } from 'node:crypto';
import type { Db } from './db.ts';
import { nowIso } from './db.ts';
import { containerRows, toContainer } from './containers.ts';
import { orNull, rowMapper, type Row } from './rows.ts';
import type { Container, Project } from '../types.ts';
import type { App, AppGrant, AppOverrides, AppSettings, Policy } from '../apps/types.ts';

const DEFAULTS: AppSettings = { port: 80, path: '', stripPrefix: true, readinessPath: '', type: 'webapp', env: {} };

function toApp(r: Row): App {
  const labelSettings = { ...DEFAULTS, ...(JSON.parse(r.settings as string) as Partial<AppSettings>) };
  const overrides = JSON.parse(r.overrides as string) as AppOverrides;
  const { title, description, ...rest } = overrides;
  return {
    id: r.id as number,
    uuid: r.uuid as string,
    slug: r.slug as string,
    image: r.image as string,
    source: r.source as App['source'],
    title: title ?? (r.title as string),
    description: description ?? (r.description as string),
    iconType: orNull<string>(r.icon_type),
    settings: { ...labelSettings, ...rest, env: rest.env ?? labelSettings.env },
    labelSettings,
    labelTitle: r.title as string,
    labelDescription: r.description as string,
    overrides,
    labelProblems: JSON.parse(r.label_problems as string) as string[],
    public: r.public === 1,
    enabled: r.enabled === 1,
    imageId: orNull<string>(r.image_id),
    scannedAt: orNull<string>(r.scanned_at),
    createdAt: r.created_at as string,
    modifiedAt: r.modified_at as string,
  };
}

function toGrant(r: Row): AppGrant {
  const volume = r.volume_source ? { source: r.volume_source as string, target: r.volume_target as string, mode: r.volume_mode as 'ro' | 'rw' } : null;
  return {
    id: r.id as number,
    uuid: r.uuid as string,
    appId: r.app_id as number,
    userId: orNull<number>(r.user_id),
    projectId: orNull<number>(r.project_id),
    username: orNull<string>(r.username),
    projectTitle: orNull<string>(r.project_title),
    policy: { allowHome: r.allow_home === 1, allowView: r.allow_view === 1, allowEnv: r.allow_env === 1, volume },
    policyKey: r.policy_key as string,
    createdBy: r.created_by as string,
    createdAt: r.created_at as string,
  };
}

/** AppFields are what a scan or a site admin writes on an app (everything but identity and flags). */
export interface AppFields {
  image: string;
  title: string;
  description: string;
  settings: AppSettings;
  labelProblems: string[];
  icon: { bytes: Buffer; type: string } | null;
  imageId: string | null;
}

/** InstanceRow is an instance with its app's title, slug and icon presence, for lists. */
export interface InstanceRow { container: Container; appUuid: string; appSlug: string; appTitle: string; hasIcon: boolean }

/** AppStore is every query of the app platform. */
export type AppStore = ReturnType<typeof createAppStore>;

const appRows = rowMapper(toApp);
const grantRows = rowMapper(toGrant);
const instanceRows = rowMapper(toInstanceRow);

const APP_COLS = 'id, uuid, slug, image, source, title, description, icon_type, settings, overrides, label_problems, public, enabled, image_id, scanned_at, created_at, modified_at';
const GRANT_SELECT = `SELECT g.*, u.username AS username, p.title AS project_title FROM app_grants g
  LEFT JOIN users u ON u.id = g.user_id LEFT JOIN projects p ON p.id = g.project_id`;
const INSTANCE_SELECT = `SELECT c.*, p.uuid AS project_uuid, a.uuid AS app_uuid, a.slug AS app_slug,
  COALESCE(json_extract(a.overrides, '$.title'), a.title) AS app_title, a.icon_type IS NOT NULL AS has_icon
  FROM containers c JOIN projects p ON p.id = c.project_id JOIN apps a ON a.id = c.app_id`;

/** createAppStore prepares the app platform's statements once. */
export function createAppStore(db: Db) {
  const s = {
    insert: db.prepare(`INSERT INTO apps (uuid, slug, image, source, title, description, icon, icon_type, settings, label_problems, image_id, scanned_at, created_at, modified_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
    updateScan: db.prepare(`UPDATE apps SET image = ?, title = ?, description = ?, icon = ?, icon_type = ?, settings = ?, label_problems = ?,
      image_id = ?, scanned_at = ?, modified_at = ? WHERE id = ?`),
    setOverrides: db.prepare('UPDATE apps SET overrides = ?, modified_at = ? WHERE id = ?'),
    setFlags: db.prepare('UPDATE apps SET public = ?, enabled = ?, modified_at = ? WHERE id = ?'),
    byId: db.prepare(`SELECT ${APP_COLS} FROM apps WHERE id = ?`),
    byUuid: db.prepare(`SELECT ${APP_COLS} FROM apps WHERE uuid = ?`),
    bySlug: db.prepare(`SELECT ${APP_COLS} FROM apps WHERE slug = ?`),
    byImage: db.prepare(`SELECT ${APP_COLS} FROM apps WHERE image = ? ORDER BY id LIMIT 1`),
    slugTaken: db.prepare('SELECT 1 FROM apps WHERE slug = ?'),
    all: db.prepare(`SELECT ${APP_COLS} FROM apps ORDER BY COALESCE(json_extract(overrides, '$.title'), title) COLLATE NOCASE, id`),
    count: db.prepare('SELECT COUNT(*) AS n FROM apps'),
    icon: db.prepare('SELECT icon, icon_type FROM apps WHERE id = ?'),
    remove: db.prepare('DELETE FROM apps WHERE id = ?'),
    grantInsert: db.prepare(`INSERT INTO app_grants (uuid, app_id, user_id, project_id, allow_home, allow_view, allow_env, volume_source, volume_target, volume_mode, policy_key, created_by, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
    grantById: db.prepare(`${GRANT_SELECT} WHERE g.id = ?`),
    grantByUuid: db.prepare(`${GRANT_SELECT} WHERE g.uuid = ?`),
    grantsOfApp: db.prepare(`${GRANT_SELECT} WHERE g.app_id = ? ORDER BY g.id`),
    grantFind: db.prepare(`${GRANT_SELECT} WHERE g.app_id = ? AND g.user_id IS ? AND g.project_id IS ? AND g.policy_key = ?`),
    grantRemove: db.prepare('DELETE FROM app_grants WHERE id = ?'),
    // A user's grants: their own and those of every project they are a member of (not one being deleted).
    grantsForUser: db.prepare(`${GRANT_SELECT} WHERE g.user_id = ? OR g.project_id IN
      (SELECT m.project_id FROM memberships m JOIN projects q ON q.id = m.project_id WHERE m.user_id = ? AND q.deleting_at IS NULL) ORDER BY g.id`),
    holdsGrant: db.prepare(`SELECT 1 FROM app_grants g WHERE g.app_id = ? AND g.policy_key = ? AND (g.user_id = ? OR g.project_id IN
      (SELECT m.project_id FROM memberships m JOIN projects q ON q.id = m.project_id WHERE m.user_id = ? AND q.deleting_at IS NULL)) LIMIT 1`),
    appsProject: db.prepare("SELECT * FROM projects WHERE kind = 'apps' ORDER BY id LIMIT 1"),
    insertAppsProject: db.prepare("INSERT INTO projects (uuid, title, description, readme, kind, created_at) VALUES (?, ?, ?, '', 'apps', ?)"),
    setInstance: db.prepare('UPDATE containers SET owner_user_id = ?, app_id = ?, policy_key = ?, public_session = ? WHERE id = ?'),
    instanceOf: db.prepare(`${INSTANCE_SELECT} WHERE c.owner_user_id = ? AND c.app_id = ? AND c.policy_key = ?`),
    instancesOfUser: db.prepare(`${INSTANCE_SELECT} WHERE c.owner_user_id = ? ORDER BY app_title COLLATE NOCASE, c.id`),
    allInstances: db.prepare(`${INSTANCE_SELECT} ORDER BY c.created_at DESC, c.id DESC LIMIT ? OFFSET ?`),
    instanceCount: db.prepare('SELECT COUNT(*) AS n FROM containers WHERE app_id IS NOT NULL'),
    instancesOfApp: db.prepare(`${INSTANCE_SELECT} WHERE c.app_id = ? ORDER BY c.id`),
    // "Running" for the caps: what holds engine resources now or is on its way to (a start under way).
    runningOfUser: db.prepare(`SELECT COUNT(*) AS n FROM containers WHERE owner_user_id = ? AND app_id IS NOT NULL AND id != ?
      AND state IN ('running', 'paused', 'restarting', 'pulling', 'created')`),
    runningAll: db.prepare(`SELECT COUNT(*) AS n FROM containers WHERE app_id IS NOT NULL AND id != ?
      AND state IN ('running', 'paused', 'restarting', 'pulling', 'created')`),
    runningPublic: db.prepare(`SELECT COUNT(*) AS n FROM containers WHERE app_id IS NOT NULL AND public_session IS NOT NULL AND id != ?
      AND state IN ('running', 'paused', 'restarting', 'pulling', 'created')`),
    removeGuest: db.prepare('DELETE FROM users WHERE id = ? AND is_guest = 1 AND is_admin = 0'),
    publicInstances: db.prepare(`${INSTANCE_SELECT} WHERE c.public_session IS NOT NULL ORDER BY c.id`),
  };

  return {
    create(slug: string, source: App['source'], f: AppFields): App {
      const now = nowIso();
      const { id } = s.insert.get(randomUUID(), slug, f.image, source, f.title, f.description, f.icon?.bytes ?? null, f.icon?.type ?? null,
        JSON.stringify(f.settings), JSON.stringify(f.labelProblems), f.imageId, source === 'labels' ? now : null, now, now) as { id: number };
      return toApp(s.byId.get(id) as Row);
    },
    /** updateScan writes what a scan of the image's labels found. */
    updateScan(id: number, f: AppFields): void {
      const now = nowIso();
      s.updateScan.run(f.image, f.title, f.description, f.icon?.bytes ?? null, f.icon?.type ?? null, JSON.stringify(f.settings),
        JSON.stringify(f.labelProblems), f.imageId, now, now, id);
    },
    setOverrides(id: number, o: AppOverrides): void { s.setOverrides.run(JSON.stringify(o), nowIso(), id); },
    setFlags(id: number, flags: { public: boolean; enabled: boolean }): void { s.setFlags.run(flags.public ? 1 : 0, flags.enabled ? 1 : 0, nowIso(), id); },
    byId: (id: number): App | null => appRows.one(s.byId.get(id)),
    byUuid: (uuid: string): App | null => appRows.one(s.byUuid.get(uuid)),
    bySlug: (slug: string): App | null => appRows.one(s.bySlug.get(slug)),
    byImage: (image: string): App | null => appRows.one(s.byImage.get(image)),
    slugTaken(slug: string): boolean { return s.slugTaken.get(slug) !== undefined; },
    all(): App[] { return appRows.many(s.all.all()); },
    count(): number { return (s.count.get() as { n: number }).n; },
    icon(id: number): { bytes: Buffer; type: string } | null {
      const r = s.icon.get(id) as { icon: Uint8Array | null; icon_type: string | null } | undefined;
      return r?.icon && r.icon_type ? { bytes: Buffer.from(r.icon), type: r.icon_type } : null;
    },
    remove(id: number): void { s.remove.run(id); },

    grant(appId: number, to: { userId: number } | { projectId: number }, policy: Policy, key: string, by: string): AppGrant {
      const userId = 'userId' in to ? to.userId : null;
      const projectId = 'projectId' in to ? to.projectId : null;
      const { id } = s.grantInsert.get(randomUUID(), appId, userId, projectId, policy.allowHome ? 1 : 0, policy.allowView ? 1 : 0, policy.allowEnv ? 1 : 0,
        policy.volume?.source ?? null, policy.volume?.target ?? null, policy.volume?.mode ?? null, key, by, nowIso()) as { id: number };
      return toGrant(s.grantById.get(id) as Row);
    },
    findGrant(appId: number, userId: number | null, projectId: number | null, key: string): AppGrant | null {
      return grantRows.one(s.grantFind.get(appId, userId, projectId, key));
    },
    grantByUuid: (uuid: string): AppGrant | null => grantRows.one(s.grantByUuid.get(uuid)),
    grantsOfApp: (appId: number): AppGrant[] => grantRows.many(s.grantsOfApp.all(appId)),
    grantsForUser: (userId: number): AppGrant[] => grantRows.many(s.grantsForUser.all(userId, userId)),
    removeGrant(id: number): void { s.grantRemove.run(id); },
    /** holdsGrant tells whether `userId` holds `appId` under policy `key` (their own grant or a project's). */
    holdsGrant(userId: number, appId: number, key: string): boolean { return s.holdsGrant.get(appId, key, userId, userId) !== undefined; },

    /** appsProject is the one hidden project of kind 'apps' that holds every instance (made on first use). */
    appsProject(): Project {
      let r = s.appsProject.get() as Row | undefined;
      if (!r) {
        s.insertAppsProject.run(randomUUID(), 'Apps', 'Per-user app instances (docs/apps.md)', nowIso());
        r = s.appsProject.get() as Row;
      }
      return {
        id: r.id as number, uuid: r.uuid as string, title: r.title as string, description: r.description as string, readme: '',
        archived: false, deletingAt: null, kind: 'apps', createdAt: r.created_at as string,
      };
    },
    setInstance(containerId: number, i: { ownerUserId: number | null; appId: number; policyKey: string; publicSession: string | null }): void {
      s.setInstance.run(i.ownerUserId, i.appId, i.policyKey, i.publicSession, containerId);
    },
    instanceOf(userId: number, appId: number, key: string): Container | null {
      return containerRows.one(s.instanceOf.get(userId, appId, key));
    },
    instancesOfUser: (userId: number): InstanceRow[] => instanceRows.many(s.instancesOfUser.all(userId)),
    instancesOfApp: (appId: number): InstanceRow[] => instanceRows.many(s.instancesOfApp.all(appId)),
    allInstances: (limit: number, offset: number): InstanceRow[] => instanceRows.many(s.allInstances.all(limit, offset)),
    instanceCount(): number { return (s.instanceCount.get() as { n: number }).n; },
    /** removeGuest deletes a public app's guest user (its sessions go with it); nobody else matches. */
    removeGuest(userId: number): void { s.removeGuest.run(userId); },
    publicInstances: (): InstanceRow[] => instanceRows.many(s.publicInstances.all()),
    /** running counts the instances holding resources (running, paused, starting), leaving out `exceptId`. */
    running(scope: { userId: number } | 'site' | 'public', exceptId = -1): number {
      const row = scope === 'site' ? s.runningAll.get(exceptId) : scope === 'public' ? s.runningPublic.get(exceptId) : s.runningOfUser.get(scope.userId, exceptId);
      return (row as { n: number }).n;
    },
  };
}

function toInstanceRow(r: Row): InstanceRow {
  return { container: toContainer(r), appUuid: r.app_uuid as string, appSlug: r.app_slug as string, appTitle: r.app_title as string, hasIcon: r.has_icon === 1 };
}
