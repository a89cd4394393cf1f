/**
 * serialize.ts: the Kiosc-compatible JSON shape of a container (Kiosc's ContainerSerializer fields,
 * plus Portico's additions). Secret environment values are masked for every reader, always.
 */
import type { Container } from '../../gateway/core/types.ts';
import { maskEnvironment } from '../../gateway/core/containers/validate.ts';
import { proxyPrefix } from '../../gateway/core/containers/spec.ts';

/** serializeContainer renders a container for the REST API. */
export function serializeContainer(c: Container): Record<string, unknown> {
  return {
    sodar_uuid: c.uuid,
    date_created: c.createdAt,
    date_modified: c.modifiedAt,
    project: c.projectUuid,
    repository: c.repository,
    tag: c.tag,
    image_id: c.imageId,
    container_id: c.dockerId,
    container_ip: c.containerIp,
    container_port: c.containerPort,
    container_path: c.containerPath,
    heartbeat_url: c.heartbeatUrl,
    host_port: c.hostPort,
    timeout: c.timeout,
    state: c.state,
    environment: maskEnvironment(c.environment, c.environmentSecretKeys),
    environment_secret_keys: c.environmentSecretKeys.join(','),
    command: c.command,
    containertemplatesite: c.templateSiteUuid,
    containertemplateproject: c.templateProjectUuid,
    title: c.title,
    description: c.description,
    inactivity_threshold: c.inactivityThreshold,
    max_retries: c.maxRetries,
    strip_prefix: c.stripPrefix,
    data_path: c.dataPath,
    last_action: c.lastAction,
    last_action_retries: c.lastActionRetries,
    state_reason: c.stateReason,
    // Portico's addition: why a running app did not answer within its timeout (null once it runs anew).
    readiness_failure: c.state === 'running' ? c.readinessFailure : null,
    date_accessed: c.dateAccessed,
    date_last_docker_log: c.dateLastDockerLog,
    date_started: c.dateStarted,
    proxy_url: proxyPrefix(c.uuid),
  };
}
