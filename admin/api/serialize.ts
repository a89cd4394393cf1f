/**
 * serialize.ts: the JSON shapes of a container. Kiosc's shape (for Kiosc's media type) is Kiosc's
 * ContainerSerializer field for field; Portico's shape (application/json) adds Portico's fields.
 * Dates are written as Django REST framework writes them, in the configured time zone. Secret
 * environment values are masked for every reader, always.
 */
import type { Container } from '../../gateway/core/types.ts';
import type { KioscIdMap } from '../../gateway/core/store/kiosc-id-map.ts';
import { maskEnvironment } from '../../gateway/core/containers/validate.ts';
import { proxyPrefix } from '../../gateway/core/containers/spec.ts';
import { drfDate } from './drf-date.ts';

/** SerializeOptions are what a shape depends on besides the container. */
export interface SerializeOptions {
  timeZone: string;
  /** kioscIds turns an imported template's UUID back into its Kiosc integer id (Kiosc's shape only). */
  kioscIds?: KioscIdMap;
  /** kioscNulls shows never-given text fields as null, as Kiosc does (Kiosc's shape only). */
  kioscNulls?: boolean;
}

/** serializeKiosc renders a container exactly as Kiosc's API does (its 25 fields, in its order). */
export function serializeKiosc(c: Container, opts: SerializeOptions): Record<string, unknown> {
  const site = c.templateSiteUuid;
  const proj = c.templateProjectUuid;
  // Kiosc stores null for a text field no client gave (its UI form stores ''); Portico's shape shows ''.
  const nullable = <T>(field: string, value: T): T | null => (opts.kioscNulls && c.unsetFields.includes(field) ? null : value);
  return {
    sodar_uuid: c.uuid,
    date_created: drfDate(c.createdAt, opts.timeZone),
    date_modified: drfDate(c.modifiedAt, opts.timeZone),
    project: c.projectUuid,
    date_last_status_update: drfDate(c.dateLastStatusUpdate, opts.timeZone),
    repository: c.repository,
    tag: c.tag,
    image_id: c.imageId,
    container_id: c.dockerId,
    container_ip: c.containerIp,
    container_port: c.containerPort,
    container_path: c.containerPath,
    heartbeat_url: nullable('heartbeat_url', c.heartbeatUrl),
    host_port: c.requestedHostPort ?? c.hostPort,
    timeout: c.timeout,
    state: c.state,
    environment: nullable('environment', maskEnvironment(c.environment, c.environmentSecretKeys)),
    environment_secret_keys: nullable('environment_secret_keys', c.environmentSecretKeys.join(',')),
    command: nullable('command', c.command),
    // Kiosc clients name templates by integer id: an imported template shows its Kiosc id, one made in Portico its UUID.
    containertemplatesite: site === null ? null : opts.kioscIds?.kioscIdFor('template_site', site) ?? site,
    containertemplateproject: proj === null ? null : opts.kioscIds?.kioscIdFor('template_project', proj) ?? proj,
    title: c.title,
    description: nullable('description', c.description),
    inactivity_threshold: c.inactivityThreshold,
    max_retries: c.maxRetries,
  };
}

/** serializeContainer renders a container for Portico's REST API: Kiosc's fields (templates as UUIDs) plus Portico's. */
export function serializeContainer(c: Container, opts: SerializeOptions): Record<string, unknown> {
  return {
    ...serializeKiosc(c, { timeZone: opts.timeZone }),
    strip_prefix: c.stripPrefix,
    data_path: c.dataPath,
    last_action: c.lastAction,
    last_action_retries: c.lastActionRetries,
    state_reason: c.stateReason,
    // Portico's addition: why a running app did not answer within its timeout (null once it runs anew).
    readiness_failure: c.state === 'running' ? c.readinessFailure : null,
    date_accessed: drfDate(c.dateAccessed, opts.timeZone),
    date_last_docker_log: drfDate(c.dateLastDockerLog, opts.timeZone),
    date_started: drfDate(c.dateStarted, opts.timeZone),
    proxy_url: proxyPrefix(c.uuid),
    host_id: c.hostId,
  };
}
