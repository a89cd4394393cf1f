/**
 * kiosc-map.ts: turns Kiosc rows into Portico records, with no I/O. Every row that cannot be
 * mapped becomes one precise message (table, id, field, value); the import refuses to start while
 * any remain, so nothing is half-imported. Kiosc's sodar_uuid values become Portico's UUIDs.
 */
import { createHash } from 'node:crypto';
import { PorticoError } from '../errors.ts';
import { CONTAINER_STATES } from '../types.ts';
import type { ContainerSettings, ContainerState, LogLevel, LogProcess, Role, TemplateSettings } from '../types.ts';
import type { KioscContainerRow, KioscSnapshot, KioscTemplateRow } from './kiosc-source.ts';

/** MappedUser is a Portico user made from users_user. */
export interface MappedUser {
  kioscId: number; uuid: string; username: string; name: string; email: string; passwordHash: string | null;
  isAdmin: boolean; source: 'local' | 'ldap'; active: boolean; createdAt: string;
}
/** MappedProject is a Portico project made from a PROJECT row of projectroles_project. */
export interface MappedProject { kioscId: number; uuid: string; title: string; description: string }
/** MappedMember is one role assignment. */
export interface MappedMember { kioscId: number; projectUuid: string; userUuid: string; role: Role; label: string }
/** MappedRuntime is what Kiosc knew about a container's engine object (the Docker id is how it is adopted). */
export interface MappedRuntime { state: ContainerState; dockerId: string | null; imageId: string | null; containerIp: string | null; hostPort: number | null }
/** MappedContainer is a Portico container made from containers_container. */
export interface MappedContainer {
  kioscId: number; uuid: string; projectUuid: string; settings: ContainerSettings; runtime: MappedRuntime; createdAt: string; modifiedAt: string;
}
/** MappedLog is one container log line. */
export interface MappedLog { kioscId: number; containerUuid: string; date: string; level: LogLevel; user: string; process: LogProcess; text: string }
/** MappedTemplate is a site (projectUuid null) or project template. */
export interface MappedTemplate {
  kind: 'template_site' | 'template_project'; kioscId: number; uuid: string; projectUuid: string | null; title: string;
  settings: TemplateSettings; createdAt: string; modifiedAt: string;
}
/** MappedFile is a small file with its bytes. */
export interface MappedFile { kioscId: number; uuid: string; projectUuid: string; name: string; bytes: Buffer; sha256: string; contentType: string; uploadedBy: string }
/** MappedToken is a Knox token, kept by its digest. */
export interface MappedToken { digest: string; userUuid: string; username: string; name: string; prefix: string; createdAt: string; expiresAt: string | null }

/** KioscPlan is everything the importer will bring over, in dependency order. */
export interface KioscPlan {
  users: MappedUser[]; projects: MappedProject[]; members: MappedMember[]; templates: MappedTemplate[];
  containers: MappedContainer[]; logs: MappedLog[]; files: MappedFile[]; tokens: MappedToken[];
  /** skipped are Kiosc rows with no Portico counterpart, said once per kind. */
  skipped: string[];
  /** warnings carry over but lose something (e.g. a password hash Portico cannot verify). */
  warnings: string[];
}

/** KIOSC_ROLES maps SODAR Core's role names to Portico's roles. */
export const KIOSC_ROLES: Readonly<Record<string, Role>> = {
  'project owner': 'owner', 'project delegate': 'delegate', 'project contributor': 'contributor', 'project guest': 'guest',
};

const LEVELS: Readonly<Record<string, LogLevel>> = { debug: 'DEBUG', info: 'INFO', warning: 'WARNING', error: 'ERROR' };
const PROCESSES: Readonly<Record<string, LogProcess>> = { object: 'Object', action: 'Action', task: 'Task', docker: 'Docker', proxy: 'Proxy' };
const USERNAME_RE = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,149}$/;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** fingerprint is the stable hash of a mapped record (what a second run compares). */
export function fingerprint(record: unknown): string {
  return createHash('sha256').update(JSON.stringify(record, (_k, v) => (Buffer.isBuffer(v) ? undefined : v))).digest('hex');
}

const iso = (d: Date | null): string | null => (d ? new Date(d).toISOString() : null);

/** mapSnapshot maps every row or throws one E_IMPORT_FAILED listing each row it cannot map. */
export function mapSnapshot(snap: KioscSnapshot): KioscPlan {
  const errors: string[] = [];
  const bad = (where: string, msg: string) => { errors.push(`${where}: ${msg}`); };
  const plan: KioscPlan = { users: [], projects: [], members: [], templates: [], containers: [], logs: [], files: [], tokens: [], skipped: [], warnings: [] };

  const userById = new Map<number, MappedUser>();
  const userByName = new Map<string, number>();
  const unverifiable: string[] = [];
  for (const u of snap.users) {
    const where = `users_user id=${u.id} (${JSON.stringify(u.username)})`;
    if (!USERNAME_RE.test(u.username)) { bad(where, 'username must be letters, digits, ".", "_", "@", "-" (at most 150)'); continue; }
    if (!UUID_RE.test(u.sodar_uuid)) { bad(where, `sodar_uuid ${JSON.stringify(u.sodar_uuid)} is not a UUID`); continue; }
    // Portico's user names are case-insensitive; Django's are not.
    const twin = userByName.get(u.username.toLowerCase());
    if (twin !== undefined) { bad(where, `differs from users_user id=${twin} only in case (Portico's user names ignore case)`); continue; }
    userByName.set(u.username.toLowerCase(), u.id);
    const usable = !!u.password && !u.password.startsWith('!');
    // SODAR names directory accounts user@DOMAIN and gives them an unusable password.
    const source = u.username.includes('@') && !usable ? 'ldap' : 'local';
    let passwordHash: string | null = null;
    if (source === 'local' && usable) {
      if (/^(?:pbkdf2_sha256|argon2)\$/.test(u.password)) passwordHash = u.password;
      else unverifiable.push(u.username);
    }
    const name = (u.name ?? '').trim() || `${u.first_name ?? ''} ${u.last_name ?? ''}`.trim();
    const m: MappedUser = {
      kioscId: u.id, uuid: u.sodar_uuid, username: u.username, name, email: u.email ?? '', passwordHash,
      isAdmin: u.is_superuser, source, active: u.is_active, createdAt: iso(u.date_joined) ?? new Date(0).toISOString(),
    };
    userById.set(u.id, m);
    plan.users.push(m);
  }
  if (unverifiable.length) plan.warnings.push(`password hash format not supported (log in by setting a new password): ${unverifiable.join(', ')}`);

  const projectById = new Map<number, MappedProject>();
  const categories = new Set<number>();
  for (const p of snap.projects) {
    const where = `projectroles_project id=${p.id} (${JSON.stringify(p.title)})`;
    if (p.type === 'CATEGORY') { categories.add(p.id); continue; }
    if (p.type !== 'PROJECT') { bad(where, `type ${JSON.stringify(p.type)} is neither PROJECT nor CATEGORY`); continue; }
    if (!UUID_RE.test(p.sodar_uuid)) { bad(where, `sodar_uuid ${JSON.stringify(p.sodar_uuid)} is not a UUID`); continue; }
    const title = p.title.trim();
    if (!title || title.length > 255) { bad(where, 'title must be 1 to 255 characters'); continue; }
    const m: MappedProject = { kioscId: p.id, uuid: p.sodar_uuid, title, description: p.description ?? '' };
    projectById.set(p.id, m);
    plan.projects.push(m);
  }
  if (categories.size) plan.skipped.push(`${categories.size} categor${categories.size === 1 ? 'y' : 'ies'} (Portico has flat projects; their projects are imported)`);

  let categoryRoles = 0;
  for (const a of snap.assignments) {
    const where = `projectroles_roleassignment id=${a.id}`;
    if (categories.has(a.project_id)) { categoryRoles++; continue; }
    const project = projectById.get(a.project_id);
    const user = userById.get(a.user_id);
    const role = KIOSC_ROLES[a.role_name];
    if (!role) { bad(where, `unknown role ${JSON.stringify(a.role_name)} (known: ${Object.keys(KIOSC_ROLES).join(', ')})`); continue; }
    if (!project || !user) { bad(where, `refers to ${!project ? `project id=${a.project_id}` : `user id=${a.user_id}`}, which is not imported`); continue; }
    plan.members.push({ kioscId: a.id, projectUuid: project.uuid, userUuid: user.uuid, role, label: `${user.username} ${role} of ${project.title}` });
  }
  if (categoryRoles) plan.skipped.push(`${categoryRoles} role assignment(s) on categories`);

  const siteTemplates = new Map<number, MappedTemplate>();
  const projectTemplates = new Map<number, MappedTemplate>();
  for (const [rows, kind, into] of [[snap.siteTemplates, 'template_site', siteTemplates], [snap.projectTemplates, 'template_project', projectTemplates]] as const) {
    for (const t of rows) {
      const where = `containertemplates_containertemplate${kind === 'template_site' ? 'site' : 'project'} id=${t.id} (${JSON.stringify(t.title)})`;
      const project = t.project_id === null ? null : projectById.get(t.project_id);
      if (t.project_id !== null && !project) { bad(where, `refers to project id=${t.project_id}, which is not imported`); continue; }
      const env = environmentOf(t.environment);
      if (typeof env === 'string') { bad(where, env); continue; }
      const m: MappedTemplate = {
        kind, kioscId: t.id, uuid: t.sodar_uuid, projectUuid: project?.uuid ?? null, title: t.title.trim(),
        settings: templateSettings(t, env), createdAt: iso(t.date_created)!, modifiedAt: iso(t.date_modified)!,
      };
      into.set(t.id, m);
      plan.templates.push(m);
    }
  }

  const containerById = new Map<number, MappedContainer>();
  for (const c of snap.containers) {
    const where = `containers_container id=${c.id} (${JSON.stringify(c.title)})`;
    const project = projectById.get(c.project_id);
    if (!project) { bad(where, `refers to project id=${c.project_id}, which is not imported`); continue; }
    const problem = containerProblem(c);
    if (problem) { bad(where, problem); continue; }
    const env = environmentOf(c.environment);
    if (typeof env === 'string') { bad(where, env); continue; }
    const site = c.containertemplatesite_id === null ? null : siteTemplates.get(c.containertemplatesite_id);
    const proj = c.containertemplateproject_id === null ? null : projectTemplates.get(c.containertemplateproject_id);
    if (site === undefined || proj === undefined) { bad(where, 'refers to a container template that is not imported'); continue; }
    const m: MappedContainer = {
      kioscId: c.id, uuid: c.sodar_uuid, projectUuid: project.uuid,
      settings: {
        title: c.title.trim(), description: c.description ?? '', repository: c.repository.trim(), tag: c.tag.trim() || 'latest',
        containerPort: c.container_port, containerPath: c.container_path ?? '', heartbeatUrl: c.heartbeat_url ?? '',
        timeout: c.timeout, environment: env, environmentSecretKeys: secretKeys(c.environment_secret_keys), command: (c.command ?? '').trim(),
        maxRetries: c.max_retries, inactivityThreshold: c.inactivity_threshold, stripPrefix: true, dataPath: '',
        templateSiteUuid: site?.uuid ?? null, templateProjectUuid: proj?.uuid ?? null,
      },
      runtime: {
        state: c.state as ContainerState, dockerId: c.container_id || null, imageId: c.image_id || null,
        containerIp: c.container_ip || null, hostPort: c.host_port ?? null,
      },
      createdAt: iso(c.date_created)!, modifiedAt: iso(c.date_modified)!,
    };
    containerById.set(c.id, m);
    plan.containers.push(m);
  }

  for (const l of snap.logs) {
    const where = `containers_containerlogentry id=${l.id}`;
    const container = containerById.get(l.container_id);
    if (!container) { bad(where, `refers to container id=${l.container_id}, which is not imported`); continue; }
    const level = LEVELS[l.level?.toLowerCase()];
    const process = PROCESSES[l.process?.toLowerCase()];
    if (!level) { bad(where, `unknown level ${JSON.stringify(l.level)}`); continue; }
    if (!process) { bad(where, `unknown process ${JSON.stringify(l.process)}`); continue; }
    plan.logs.push({
      kioscId: l.id, containerUuid: container.uuid, date: iso(l.date_docker_log ?? l.date_created)!, level,
      user: l.username ?? 'anonymous', process, text: l.text,
    });
  }

  const fileNames = new Map<string, number>();
  for (const f of snap.files) {
    const where = `filesfolders_file id=${f.id} (${JSON.stringify(f.name)})`;
    const project = projectById.get(f.project_id);
    if (!project) { bad(where, `refers to project id=${f.project_id}, which is not imported`); continue; }
    if (f.bytes_b64 === null) { bad(where, 'has no bytes in filesfolders_filedata (only database-stored files can be imported)'); continue; }
    const name = f.name.normalize('NFC');
    if (!name || name.includes('/') || name.includes('\\') || Buffer.byteLength(name) > 255) { bad(where, 'name is not a valid Portico file name'); continue; }
    const key = `${project.uuid}/${name}`;
    const other = fileNames.get(key);
    if (other !== undefined) { bad(where, `same name as filesfolders_file id=${other} in another folder of the project (Portico's files are flat)`); continue; }
    fileNames.set(key, f.id);
    const bytes = Buffer.from(f.bytes_b64, 'base64');
    plan.files.push({
      kioscId: f.id, uuid: f.sodar_uuid, projectUuid: project.uuid, name, bytes, sha256: createHash('sha256').update(bytes).digest('hex'),
      contentType: f.content_type || 'application/octet-stream', uploadedBy: f.owner_username ?? 'kiosc-import',
    });
  }

  for (const t of snap.tokens) {
    const where = `Knox token ${t.token_key}…`;
    const user = userById.get(t.user_id);
    if (!user) { bad(where, `belongs to user id=${t.user_id}, which is not imported`); continue; }
    if (!/^[0-9a-f]{128}$/.test(t.digest)) { bad(where, 'digest is not a SHA-512 hex digest'); continue; }
    plan.tokens.push({
      digest: t.digest, userUuid: user.uuid, username: user.username, name: t.label ? `Kiosc: ${t.label}` : 'Kiosc token',
      prefix: t.token_key.slice(0, 8), createdAt: iso(t.created)!, expiresAt: iso(t.expiry),
    });
  }

  if (errors.length) {
    const shown = errors.slice(0, 50);
    const more = errors.length > shown.length ? `\n  … and ${errors.length - shown.length} more` : '';
    throw new PorticoError('E_IMPORT_FAILED', 422, `cannot map ${errors.length} Kiosc row(s); nothing was imported:\n  ${shown.join('\n  ')}${more}`, { errors });
  }
  return plan;
}

function containerProblem(c: KioscContainerRow): string | null {
  if (!UUID_RE.test(c.sodar_uuid)) return `sodar_uuid ${JSON.stringify(c.sodar_uuid)} is not a UUID`;
  if (!c.title.trim()) return 'title is empty';
  if (!c.repository.trim()) return 'repository is empty';
  if (!(CONTAINER_STATES as readonly string[]).includes(c.state)) return `unknown state ${JSON.stringify(c.state)}`;
  if (!Number.isInteger(c.container_port) || c.container_port < 1 || c.container_port > 65535) return `container_port ${c.container_port} is not a port`;
  if (!(c.timeout >= 1)) return `timeout ${c.timeout} must be at least 1 second`;
  return null;
}

/** environmentOf reads Kiosc's environment (a JSON object; early versions kept [{name, value}]); a string is the problem. */
function environmentOf(raw: unknown): Record<string, unknown> | string {
  if (raw === null || raw === undefined || raw === '') return {};
  if (Array.isArray(raw)) {
    const out: Record<string, unknown> = {};
    for (const e of raw) {
      if (!e || typeof e !== 'object' || typeof (e as { name?: unknown }).name !== 'string') return 'environment list entries need a "name"';
      out[(e as { name: string }).name] = (e as { value?: unknown }).value ?? '';
    }
    return out;
  }
  if (typeof raw === 'object') return raw as Record<string, unknown>;
  return `environment must be a JSON object, got ${JSON.stringify(raw).slice(0, 60)}`;
}

function secretKeys(raw: string | null): string[] {
  return (raw ?? '').split(',').map((k) => k.trim()).filter(Boolean);
}

function templateSettings(t: KioscTemplateRow, env: Record<string, unknown>): TemplateSettings {
  return {
    description: t.description ?? '', repository: (t.repository ?? '').trim(), tag: (t.tag ?? '').trim(),
    containerPort: t.container_port ?? 80, containerPath: t.container_path ?? '', heartbeatUrl: t.heartbeat_url ?? '',
    timeout: t.timeout ?? 60, environment: env, environmentSecretKeys: [], command: (t.command ?? '').trim(),
    maxRetries: t.max_retries ?? 5, inactivityThreshold: t.inactivity_threshold ?? 7, stripPrefix: true, dataPath: '',
  };
}
