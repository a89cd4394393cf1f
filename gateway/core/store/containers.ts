/**
 * containers.ts: SQL for container records. The engine-facing fields (state, docker id, ip…)
 * are written only through `setRuntime`, the user-facing ones through `create`/`updateSettings`.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from './db.ts';
import { nowIso } from './db.ts';
import { orNull, rowMapper, type Row } from './rows.ts';
import type { Container, ContainerAction, ContainerSettings, ContainerState } from '../types.ts';

/** toContainer maps a containers row (joined with its project's uuid) to the record. */
export function toContainer(r: Row): Container {
  return {
    id: r.id as number,
    uuid: r.uuid as string,
    projectId: r.project_id as number,
    projectUuid: r.project_uuid as string,
    title: r.title as string,
    description: r.description as string,
    repository: r.repository as string,
    tag: r.tag as string,
    containerPort: r.container_port as number,
    containerPath: r.container_path as string,
    heartbeatUrl: r.heartbeat_url as string,
    timeout: r.timeout as number,
    environment: JSON.parse(r.environment as string) as Record<string, unknown>,
    environmentSecretKeys: (r.environment_secret_keys as string) ? (r.environment_secret_keys as string).split(',') : [],
    command: r.command as string,
    maxRetries: r.max_retries as number,
    inactivityThreshold: r.inactivity_threshold as number,
    stripPrefix: r.strip_prefix === 1,
    dataPath: (r.data_path as string | undefined) ?? '',
    templateSiteUuid: orNull<string>(r.template_site_uuid),
    templateProjectUuid: orNull<string>(r.template_project_uuid),
    requestedHostPort: orNull<number>(r.requested_host_port),
    state: r.state as ContainerState,
    dockerId: orNull<string>(r.docker_id),
    dockerName: orNull<string>(r.docker_name),
    imageId: orNull<string>(r.image_id),
    containerIp: orNull<string>(r.container_ip),
    hostPort: orNull<number>(r.host_port),
    lastAction: orNull<ContainerAction>(r.last_action),
    lastActionRetries: r.last_action_retries as number,
    lastActionAt: orNull<string>(r.last_action_at),
    stateReason: orNull<string>(r.state_reason),
    stoppedBy: orNull<string>(r.stopped_by),
    stoppedIdle: r.stopped_idle === 1,
    readinessFailure: orNull<string>(r.readiness_failure),
    dateLastDockerLog: orNull<string>(r.date_last_docker_log),
    dateAccessed: orNull<string>(r.date_accessed),
    dateStarted: orNull<string>(r.date_started),
    dateLastStatusUpdate: orNull<string>(r.date_last_status_update),
    unsetFields: (r.unset_fields as string | undefined) ? (r.unset_fields as string).split(',') : [],
    ownerUserId: orNull<number>(r.owner_user_id),
    appId: orNull<number>(r.app_id),
    policyKey: orNull<string>(r.policy_key),
    publicSession: orNull<string>(r.public_session),
    hostId: orNull<number>(r.host_id),
    createdAt: r.created_at as string,
    modifiedAt: r.modified_at as string,
  };
}

/** containerRows reads container records from the answers of statements that select like SELECT. */
export const containerRows = rowMapper(toContainer);

/** RuntimePatch is what the lifecycle and state sync may change on a container. */
export interface RuntimePatch {
  state?: ContainerState;
  dockerId?: string | null;
  dockerName?: string | null;
  imageId?: string | null;
  containerIp?: string | null;
  hostPort?: number | null;
  stateReason?: string | null;
  readinessFailure?: string | null;
  dateStarted?: string | null;
  dateLastDockerLog?: string | null;
}

const RUNTIME_COLUMNS: Record<keyof RuntimePatch, string> = {
  state: 'state', dockerId: 'docker_id', dockerName: 'docker_name', imageId: 'image_id', containerIp: 'container_ip',
  hostPort: 'host_port', stateReason: 'state_reason', readinessFailure: 'readiness_failure', dateStarted: 'date_started', dateLastDockerLog: 'date_last_docker_log',
};

/** ContainerFilter narrows a paginated listing. */
export interface ContainerFilter {
  projectId?: number;
  projectIds?: number[];
  state?: ContainerState;
  search?: string;
  limit: number;
  offset: number;
}

const SELECT = 'SELECT c.*, p.uuid AS project_uuid FROM containers c JOIN projects p ON p.id = c.project_id';

function settingsParams(s: ContainerSettings): Array<string | number | null> {
  return [
    s.title, s.description, s.repository, s.tag, s.containerPort, s.containerPath, s.heartbeatUrl, s.timeout,
    JSON.stringify(s.environment), s.environmentSecretKeys.join(','), s.command, s.maxRetries, s.inactivityThreshold,
    s.stripPrefix ? 1 : 0, s.templateSiteUuid, s.templateProjectUuid, s.dataPath, s.requestedHostPort,
  ];
}

/** ContainerStore is every query on container records. */
export type ContainerStore = ReturnType<typeof createContainerStore>;

/** createContainerStore prepares the container statements once (dynamic runtime patches are cached by shape). */
export function createContainerStore(db: Db) {
  const s = {
    insert: db.prepare(`INSERT INTO containers (uuid, project_id, title, description, repository, tag, container_port,
      container_path, heartbeat_url, timeout, environment, environment_secret_keys, command, max_retries,
      inactivity_threshold, strip_prefix, template_site_uuid, template_project_uuid, data_path, requested_host_port, created_at, modified_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
    update: db.prepare(`UPDATE containers SET title = ?, description = ?, repository = ?, tag = ?, container_port = ?,
      container_path = ?, heartbeat_url = ?, timeout = ?, environment = ?, environment_secret_keys = ?, command = ?,
      max_retries = ?, inactivity_threshold = ?, strip_prefix = ?, template_site_uuid = ?, template_project_uuid = ?,
      data_path = ?, requested_host_port = ?, modified_at = ? WHERE id = ?`),
    byUuid: db.prepare(`${SELECT} WHERE c.uuid = ?`),
    byId: db.prepare(`${SELECT} WHERE c.id = ?`),
    byDockerId: db.prepare(`${SELECT} WHERE c.docker_id = ?`),
    titleTaken: db.prepare('SELECT 1 FROM containers WHERE project_id = ? AND title = ? AND id != ?'),
    all: db.prepare(`${SELECT} ORDER BY c.id`),
    inStates: db.prepare(`${SELECT} WHERE c.state IN (SELECT value FROM json_each(?)) ORDER BY c.id`),
    remove: db.prepare('DELETE FROM containers WHERE id = ?'),
    setAction: db.prepare('UPDATE containers SET last_action = ?, last_action_retries = ?, last_action_at = ? WHERE id = ?'),
    setStopHold: db.prepare('UPDATE containers SET stopped_by = ?, stopped_idle = ? WHERE id = ?'),
    setAccessed: db.prepare('UPDATE containers SET date_accessed = ? WHERE id = ? AND (date_accessed IS NULL OR date_accessed < ?)'),
    hostPorts: db.prepare('SELECT host_port AS p FROM containers WHERE host_port IS NOT NULL UNION SELECT requested_host_port FROM containers WHERE requested_host_port IS NOT NULL'),
    setUnset: db.prepare('UPDATE containers SET unset_fields = ? WHERE id = ?'),
    setHost: db.prepare('UPDATE containers SET host_id = ? WHERE id = ?'),
    requestedPortHolder: db.prepare('SELECT title FROM containers WHERE requested_host_port = ? AND id != ?'),
    countByState: db.prepare('SELECT state, COUNT(*) AS n FROM containers GROUP BY state'),
  };
  const patchCache = new Map<string, ReturnType<Db['prepare']>>();
  const { one, many } = containerRows;

  function list(filter: ContainerFilter): { count: number; results: Container[] } {
    const where: string[] = [];
    const params: Array<string | number> = [];
    if (filter.projectId !== undefined) { where.push('c.project_id = ?'); params.push(filter.projectId); }
    if (filter.projectIds) { where.push('c.project_id IN (SELECT value FROM json_each(?))'); params.push(JSON.stringify(filter.projectIds)); }
    if (filter.state) { where.push('c.state = ?'); params.push(filter.state); }
    if (filter.search) {
      where.push(`(c.title LIKE ? ESCAPE '\\' OR c.repository LIKE ? ESCAPE '\\' OR p.title LIKE ? ESCAPE '\\')`);
      const like = `%${filter.search.replace(/[\\%_]/g, (m) => '\\' + m)}%`;
      params.push(like, like, like);
    }
    const clause = where.length ? ` WHERE ${where.join(' AND ')}` : '';
    const key = `list:${clause}`;
    let countStmt = patchCache.get(key + ':count');
    let pageStmt = patchCache.get(key);
    if (!countStmt || !pageStmt) {
      countStmt = db.prepare(`SELECT COUNT(*) AS n FROM containers c JOIN projects p ON p.id = c.project_id${clause}`);
      pageStmt = db.prepare(`${SELECT}${clause} ORDER BY c.created_at DESC, c.id DESC LIMIT ? OFFSET ?`);
      patchCache.set(key + ':count', countStmt);
      patchCache.set(key, pageStmt);
    }
    const count = (countStmt.get(...params) as { n: number }).n;
    return { count, results: many(pageStmt.all(...params, filter.limit, filter.offset)) };
  }

  return {
    create(projectId: number, settings: ContainerSettings): Container {
      const now = nowIso();
      const uuid = randomUUID();
      const { id } = s.insert.get(uuid, projectId, ...settingsParams(settings), now, now) as { id: number };
      return one(s.byId.get(id))!;
    },
    updateSettings(id: number, settings: ContainerSettings): void {
      s.update.run(...settingsParams(settings), nowIso(), id);
    },
    /** setUnsetFields records which of Kiosc's nullable text fields no client gave. */
    setUnsetFields(id: number, fields: string[]): void { s.setUnset.run(fields.join(','), id); },
    /** setHost records the container host a new container runs on (null: the built-in host). */
    setHost(id: number, hostId: number | null): void { s.setHost.run(hostId, id); },
    byUuid: (uuid: string): Container | null => one(s.byUuid.get(uuid)),
    byId: (id: number): Container | null => one(s.byId.get(id)),
    byDockerId: (dockerId: string): Container | null => one(s.byDockerId.get(dockerId)),
    titleTaken(projectId: number, title: string, exceptId = -1): boolean {
      return s.titleTaken.get(projectId, title, exceptId) !== undefined;
    },
    all(): Container[] { return many(s.all.all()); },
    inStates(states: ContainerState[]): Container[] {
      return many(s.inStates.all(JSON.stringify(states)));
    },
    list,
    remove(id: number): void { s.remove.run(id); },
    setRuntime(id: number, patch: RuntimePatch): void {
      const keys = (Object.keys(patch) as Array<keyof RuntimePatch>).filter((k) => patch[k] !== undefined);
      if (!keys.length) return;
      const sig = keys.join(',');
      let stmt = patchCache.get(sig);
      if (!stmt) {
        // A new state stamps date_last_status_update (SET reads the old row, so `state IS ?` compares with the state before).
        const stamp = keys.includes('state') ? ', date_last_status_update = CASE WHEN state IS ? THEN date_last_status_update ELSE ? END' : '';
        stmt = db.prepare(`UPDATE containers SET ${keys.map((k) => `${RUNTIME_COLUMNS[k]} = ?`).join(', ')}${stamp} WHERE id = ?`);
        patchCache.set(sig, stmt);
      }
      const values = keys.map((k) => patch[k] as string | number | null);
      if (keys.includes('state')) values.push(patch.state as string, nowIso());
      stmt.run(...values, id);
    },
    setLastAction(id: number, action: ContainerAction | null, retries: number): void {
      s.setAction.run(action, retries, nowIso(), id);
    },
    /** setStopHold records who holds the container stopped (a person, or the idle rule), or clears it. */
    setStopHold(id: number, by: string | null, idle: boolean): void { s.setStopHold.run(by, idle ? 1 : 0, id); },
    /** setAccessed moves date_accessed forward only (batched flushes may arrive out of order). */
    setAccessed(id: number, isoDate: string): void { s.setAccessed.run(isoDate, id, isoDate); },
    usedHostPorts(): Set<number> {
      return new Set((s.hostPorts.all() as Array<{ p: number }>).map((r) => r.p));
    },
    /** requestedPortHolder names the other container that asked for host port `port`, or null. */
    requestedPortHolder(port: number, exceptId = -1): string | null {
      return (s.requestedPortHolder.get(port, exceptId) as { title: string } | undefined)?.title ?? null;
    },
    countByState(): Record<string, number> {
      const out: Record<string, number> = {};
      for (const r of s.countByState.all() as Array<{ state: string; n: number }>) out[r.state] = r.n;
      return out;
    },
  };
}
