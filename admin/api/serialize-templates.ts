/**
 * serialize-templates.ts: the JSON shapes of templates and small files, on the container API's
 * scheme (snake_case, Kiosc's field names, `sodar_uuid`).
 */
import type { ContainerTemplate, StoredFile } from '../../gateway/core/types.ts';
import { fileReference } from '../../gateway/core/files/references.ts';

/** serializeTemplate renders a template for the REST API (secret keys are listed; their values are never stored). */
export function serializeTemplate(t: ContainerTemplate): Record<string, unknown> {
  const s = t.settings;
  return {
    sodar_uuid: t.uuid,
    scope: t.projectId === null ? 'site' : 'project',
    project: t.projectUuid,
    date_created: t.createdAt,
    date_modified: t.modifiedAt,
    title: t.title,
    description: s.description,
    repository: s.repository,
    tag: s.tag,
    container_port: s.containerPort,
    container_path: s.containerPath,
    heartbeat_url: s.heartbeatUrl,
    timeout: s.timeout,
    environment: s.environment,
    environment_secret_keys: s.environmentSecretKeys.join(','),
    command: s.command,
    max_retries: s.maxRetries,
    inactivity_threshold: s.inactivityThreshold,
    strip_prefix: s.stripPrefix,
    data_path: s.dataPath,
    host_id: t.hostId,
  };
}

/** serializeFile renders a small file's record, with the reference to put in a container's command. */
export function serializeFile(f: StoredFile): Record<string, unknown> {
  return {
    sodar_uuid: f.uuid,
    project: f.projectUuid,
    name: f.name,
    size: f.size,
    sha256: f.sha256,
    content_type: f.contentType,
    uploaded_by: f.uploadedBy,
    date_created: f.createdAt,
    reference: fileReference(f.uuid),
  };
}
