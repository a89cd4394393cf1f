/**
 * kiosc.ts (test helper): what the replays of Kiosc's API tests share: Kiosc's media type and
 * version in every request (as SODAR's test base sends them), Kiosc's factory values, and the
 * record read back under Kiosc's field names (what Kiosc's tests get from `model_to_dict`).
 */
import type { TestGateway } from './gateway.ts';

/** KIOSC_ACCEPT is the Accept header of Kiosc's API tests (media type and default version). */
export const KIOSC_ACCEPT = 'application/vnd.bihealth.kiosc-server.containers+json; version=1.0';

/** KIOSC_FIELDS is Kiosc's ContainerSerializer field list, in its order. */
export const KIOSC_FIELDS = [
  'sodar_uuid', 'date_created', 'date_modified', 'project', 'date_last_status_update', 'repository', 'tag', 'image_id',
  'container_id', 'container_ip', 'container_port', 'container_path', 'heartbeat_url', 'host_port', 'timeout', 'state',
  'environment', 'environment_secret_keys', 'command', 'containertemplatesite', 'containertemplateproject', 'title',
  'description', 'inactivity_threshold', 'max_retries',
];

/** kioscCall calls the gateway as Kiosc's tests do (token auth, Kiosc's Accept header). */
export function kioscCall(gw: TestGateway, method: string, path: string, token: string | null, body?: unknown, headers: Record<string, string> = {}) {
  return gw.api(method, path, token, body, { accept: KIOSC_ACCEPT, ...headers });
}

/**
 * drfDatetime is Kiosc's `get_drf_datetime` (Python's isoformat of the local time in the zone),
 * written here independently of the gateway's formatter: microseconds only when non-zero.
 */
export function drfDatetime(iso: string | null, timeZone = 'Europe/Berlin'): string | null {
  if (iso === null) return null;
  const d = new Date(iso);
  const p = Object.fromEntries(new Intl.DateTimeFormat('sv-SE', {
    timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'longOffset',
  }).formatToParts(d).map((x) => [x.type, x.value]));
  const offset = p.timeZoneName === 'GMT' ? '+00:00' : p.timeZoneName.replace('GMT', '').replace('−', '-');
  const ms = d.getUTCMilliseconds();
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}${ms ? '.' + String(ms * 1000).padStart(6, '0') : ''}${offset}`;
}

let factorySeq = 0;

/** containerFactory creates a container with Kiosc's ContainerFactory values (its image fails fast: no registry on 127.0.0.1:9). */
export function containerFactory(gw: TestGateway, project: string, extra: Record<string, unknown> = {}) {
  const n = factorySeq++;
  const p = gw.core.store.projects.byUuid(project)!;
  return gw.core.containers.create(p.id, {
    title: `Container ${n}`, description: 'Some description', repository: `127.0.0.1:9/repository${n}`, tag: 'latest',
    container_port: 80, container_path: '', heartbeat_url: '', host_port: 8000 + n, timeout: 60, environment: {},
    environment_secret_keys: '', command: '', max_retries: 5, inactivity_threshold: 7, ...extra,
  }, 'factory');
}

/** modelToDict reads a container's record under Kiosc's field names (templates by their Kiosc ids where imported). */
export function modelToDict(gw: TestGateway, uuid: string, fields: readonly string[] = KIOSC_FIELDS): Record<string, unknown> {
  const c = gw.core.store.containers.byUuid(uuid)!;
  const ids = gw.core.store.kioscIds;
  const all: Record<string, unknown> = {
    sodar_uuid: c.uuid, date_created: drfDatetime(c.createdAt), date_modified: drfDatetime(c.modifiedAt), project: c.projectUuid,
    date_last_status_update: drfDatetime(c.dateLastStatusUpdate), repository: c.repository, tag: c.tag, image_id: c.imageId,
    container_id: c.dockerId, container_ip: c.containerIp, container_port: c.containerPort, container_path: c.containerPath,
    heartbeat_url: c.heartbeatUrl, host_port: c.requestedHostPort ?? c.hostPort, timeout: c.timeout, state: c.state,
    environment: c.environment, environment_secret_keys: c.environmentSecretKeys.join(','), command: c.command,
    containertemplatesite: c.templateSiteUuid && (ids.kioscIdFor('template_site', c.templateSiteUuid) ?? c.templateSiteUuid),
    containertemplateproject: c.templateProjectUuid && (ids.kioscIdFor('template_project', c.templateProjectUuid) ?? c.templateProjectUuid),
    title: c.title, description: c.description, inactivity_threshold: c.inactivityThreshold, max_retries: c.maxRetries,
  };
  // Kiosc's database holds null for a nullable text field no client gave.
  for (const f of c.unsetFields) all[f] = null;
  return Object.fromEntries(fields.map((f) => [f, all[f]]));
}
