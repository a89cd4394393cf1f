/**
 * kiosc-source.ts: reads a Kiosc v0.5.x PostgreSQL database (the tables its Django migrations
 * create) through one narrow interface. Everything is read in one read-only REPEATABLE READ
 * transaction, so the import sees one consistent snapshot even while Kiosc still runs.
 * Only this module knows `pg`.
 */
import pg from 'pg';
import { PorticoError } from '../errors.ts';

/** KioscUserRow is one row of users_user (SODARUser over Django's AbstractUser). */
export interface KioscUserRow {
  id: number; sodar_uuid: string; username: string; password: string; name: string | null;
  first_name: string; last_name: string; email: string; is_superuser: boolean; is_active: boolean; date_joined: Date;
}
/** KioscProjectRow is one row of projectroles_project. */
export interface KioscProjectRow { id: number; sodar_uuid: string; title: string; type: string; description: string | null; parent_id: number | null }
/** KioscAssignmentRow is one projectroles_roleassignment with its role's name. */
export interface KioscAssignmentRow { id: number; sodar_uuid: string; project_id: number; user_id: number; role_name: string }
/** KioscContainerRow is one row of containers_container. */
export interface KioscContainerRow {
  id: number; sodar_uuid: string; project_id: number; title: string; description: string | null;
  repository: string; tag: string; image_id: string | null; container_id: string | null; container_ip: string | null;
  container_port: number; container_path: string; heartbeat_url: string | null; host_port: number | null; timeout: number;
  state: string; environment: unknown; environment_secret_keys: string | null; command: string | null; max_retries: number;
  inactivity_threshold: number; containertemplatesite_id: number | null; containertemplateproject_id: number | null;
  date_created: Date; date_modified: Date;
}
/** KioscLogRow is one row of containers_containerlogentry, with the user's name. */
export interface KioscLogRow {
  id: number; container_id: number; date_created: Date; date_docker_log: Date | null; level: string; text: string;
  process: string; username: string | null;
}
/** KioscTemplateRow is one row of containertemplates_containertemplatesite or …project (project_id null for site). */
export interface KioscTemplateRow {
  id: number; sodar_uuid: string; project_id: number | null; title: string; description: string | null;
  repository: string | null; tag: string | null; container_port: number | null; container_path: string;
  heartbeat_url: string | null; timeout: number | null; environment: unknown; command: string | null;
  max_retries: number | null; inactivity_threshold: number | null; date_created: Date; date_modified: Date;
}
/** KioscFileRow is one filesfolders_file with its bytes from filesfolders_filedata (django-db-file-storage, base64). */
export interface KioscFileRow {
  id: number; sodar_uuid: string; project_id: number; name: string; folder_id: number | null; owner_username: string | null;
  content_type: string | null; bytes_b64: string | null; date_modified: Date;
}
/** KioscTokenRow is one Knox token (tokens_sodarauthtoken in SODAR Core 1.x, knox_authtoken before). */
export interface KioscTokenRow { digest: string; token_key: string; user_id: number; created: Date; expiry: Date | null; label: string }

/** KioscSnapshot is every row the importer reads. */
export interface KioscSnapshot {
  users: KioscUserRow[]; projects: KioscProjectRow[]; assignments: KioscAssignmentRow[];
  containers: KioscContainerRow[]; logs: KioscLogRow[]; siteTemplates: KioscTemplateRow[]; projectTemplates: KioscTemplateRow[];
  files: KioscFileRow[]; tokens: KioscTokenRow[];
}

/** KioscSource is the importer's view of a Kiosc database. */
export interface KioscSource {
  snapshot(): Promise<KioscSnapshot>;
  close(): Promise<void>;
}

const TEMPLATE_COLUMNS = `t.id, t.sodar_uuid::text AS sodar_uuid, t.title, t.description, t.repository, t.tag, t.container_port,
  t.container_path, t.heartbeat_url, t.timeout, t.environment, t.command, t.max_retries, t.inactivity_threshold,
  t.date_created, t.date_modified`;

const QUERIES = {
  users: `SELECT id, sodar_uuid::text AS sodar_uuid, username, password, name, first_name, last_name, email, is_superuser,
    is_active, date_joined FROM users_user ORDER BY id`,
  projects: `SELECT id, sodar_uuid::text AS sodar_uuid, title, type, description, parent_id FROM projectroles_project ORDER BY id`,
  assignments: `SELECT a.id, a.sodar_uuid::text AS sodar_uuid, a.project_id, a.user_id, r.name AS role_name
    FROM projectroles_roleassignment a JOIN projectroles_role r ON r.id = a.role_id ORDER BY a.id`,
  containers: `SELECT id, sodar_uuid::text AS sodar_uuid, project_id, title, description, repository, tag, image_id, container_id,
    container_ip, container_port, container_path, heartbeat_url, host_port, timeout, state, environment, environment_secret_keys,
    command, max_retries, inactivity_threshold, containertemplatesite_id, containertemplateproject_id, date_created, date_modified
    FROM containers_container ORDER BY id`,
  logs: `SELECT l.id, l.container_id, l.date_created, l.date_docker_log, l.level, l.text, l.process, u.username
    FROM containers_containerlogentry l LEFT JOIN users_user u ON u.id = l.user_id ORDER BY l.id`,
  siteTemplates: `SELECT ${TEMPLATE_COLUMNS}, NULL::integer AS project_id FROM containertemplates_containertemplatesite t ORDER BY t.id`,
  projectTemplates: `SELECT ${TEMPLATE_COLUMNS}, t.project_id FROM containertemplates_containertemplateproject t ORDER BY t.id`,
  files: `SELECT f.id, f.sodar_uuid::text AS sodar_uuid, f.project_id, f.name, f.folder_id, u.username AS owner_username,
    d.content_type, d.bytes AS bytes_b64, f.date_modified
    FROM filesfolders_file f LEFT JOIN filesfolders_filedata d ON d.file_name = f.file
    LEFT JOIN users_user u ON u.id = f.owner_id ORDER BY f.id`,
};

function where(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}`;
  } catch {
    return 'the server';
  }
}

/** openKioscSource connects to `url` (postgres://user[:password]@host:port/db); a bad URL or refused connection is an E_IMPORT_FAILED. */
export async function openKioscSource(url: string): Promise<KioscSource> {
  if (!/^postgres(?:ql)?:\/\//.test(url)) {
    throw new PorticoError('E_IMPORT_FAILED', 400, `--database must be a postgres:// URL, got ${JSON.stringify(url.replace(/:[^:@/]*@/, ':***@'))}`);
  }
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
  } catch (err) {
    // pg reports a server that talks anything but PostgreSQL's protocol only as its connect timeout.
    const message = (err as Error).message;
    const why = /timeout/i.test(message) ? `no PostgreSQL answer from ${where(url)} within 10 s (is it a PostgreSQL server?)` : message;
    throw new PorticoError('E_IMPORT_FAILED', 502, `cannot connect to the Kiosc database: ${why}`);
  }
  const tableExists = async (name: string) =>
    (await client.query('SELECT to_regclass($1) IS NOT NULL AS ok', [name])).rows[0].ok as boolean;

  async function snapshot(): Promise<KioscSnapshot> {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      const missing: string[] = [];
      for (const t of ['users_user', 'projectroles_project', 'projectroles_role', 'projectroles_roleassignment', 'containers_container',
        'containers_containerlogentry', 'containertemplates_containertemplatesite', 'containertemplates_containertemplateproject']) {
        if (!(await tableExists(t))) missing.push(t);
      }
      if (missing.length) throw new PorticoError('E_IMPORT_FAILED', 422, `not a Kiosc v0.5 database: missing table(s) ${missing.join(', ')}`);
      const out: Partial<KioscSnapshot> = {};
      for (const [key, sql] of Object.entries(QUERIES) as Array<[keyof typeof QUERIES, string]>) {
        if (key === 'files' && !(await tableExists('filesfolders_file'))) { out.files = []; continue; }
        (out as Record<string, unknown>)[key] = (await client.query(sql)).rows;
      }
      // SODAR Core 1.x swaps Knox's model for its own (KNOX_TOKEN_MODEL = tokens.SODARAuthToken).
      const tokenTable = (await tableExists('tokens_sodarauthtoken')) ? 'tokens_sodarauthtoken' : (await tableExists('knox_authtoken')) ? 'knox_authtoken' : null;
      const label = tokenTable === 'tokens_sodarauthtoken' ? 'sodar_label' : `''`;
      out.tokens = tokenTable
        ? (await client.query(`SELECT digest, token_key, user_id, created, expiry, ${label} AS label FROM ${tokenTable} ORDER BY created, digest`)).rows
        : [];
      return out as KioscSnapshot;
    } catch (err) {
      if (err instanceof PorticoError) throw err;
      throw new PorticoError('E_IMPORT_FAILED', 422, `cannot read the Kiosc database: ${(err as Error).message}`);
    } finally {
      await client.query('ROLLBACK').catch(() => {});
    }
  }

  return { snapshot, close: () => client.end() };
}
