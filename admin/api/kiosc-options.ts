/**
 * kiosc-options.ts: OPTIONS answers for the container API, shaped as Django REST framework's
 * metadata (name, description, renders, parses, and for writes the fields with their type,
 * whether required or read-only, label, help text and limits), with Kiosc's labels and help texts.
 */
import { CONTAINER_STATES } from '../../gateway/core/types.ts';
import { FIELD_PARSERS } from '../../gateway/http/body.ts';
import { KIOSC_MEDIA_TYPE } from './kiosc-media.ts';

type FieldInfo = Record<string, unknown>;

const str = (label: string, help: string, max?: number, required = false): FieldInfo => ({ type: 'string', required, read_only: false, label, help_text: help, ...(max ? { max_length: max } : {}) });
const int = (label: string, help: string, min: number, max: number): FieldInfo => ({ type: 'integer', required: false, read_only: false, label, help_text: help, min_value: min, max_value: max });
const ro = (type: string, label: string, help: string): FieldInfo => ({ type, required: false, read_only: true, label, help_text: help });

/** CONTAINER_FIELDS describes Kiosc's serializer fields (in its order) as Portico checks them. */
export const CONTAINER_FIELDS: Readonly<Record<string, FieldInfo>> = {
  sodar_uuid: ro('string', 'Sodar uuid', 'Container SODAR UUID'),
  date_created: ro('datetime', 'Date created', 'DateTime of container creation'),
  date_modified: ro('datetime', 'Date modified', 'DateTime of last container modification'),
  project: ro('field', 'Project', 'Project in which this container belongs'),
  date_last_status_update: ro('datetime', 'Date last status update', 'DateTime of last status update (set by Portico when the state changes)'),
  repository: str('Repository', 'The repository/name of the image.', 255, true),
  tag: str('Tag', 'The tag of the image.', 128, true),
  image_id: ro('string', 'Image id', 'Image ID'),
  container_id: ro('string', 'Container id', 'Container ID'),
  container_ip: ro('string', 'Container ip', 'Container IP'),
  container_port: int('Container port', 'Server port within the container', 1, 65535),
  container_path: str('Container path', 'Path segment of the container URL', 1024),
  heartbeat_url: str('Heartbeat url', 'Optional heartbeat URL to check if server in Docker container is alive', 2048),
  host_port: int('Host port', 'Port of the container on the host (used when PORTICO_PUBLISH_PORTS is on)', 1, 65535),
  timeout: int('Timeout', 'Interval in seconds for any Docker action to be performed.', 1, 3600),
  state: { ...ro('choice', 'State', 'The state of the container.'), choices: CONTAINER_STATES.map((s) => ({ value: s, display_name: s })) },
  environment: { type: 'field', required: false, read_only: false, label: 'Environment', help_text: 'The environment variables to use (a JSON object; a JSON string in forms)' },
  environment_secret_keys: str('Environment secret keys', 'Comma-separated list of keys in the environment that are set but not read (use for tokens/keys).', 512),
  command: str('Command', 'The command to execute', 8192),
  containertemplatesite: { type: 'field', required: false, read_only: false, label: 'Containertemplatesite', help_text: 'Link to site-wide container template (Kiosc integer id or UUID)' },
  containertemplateproject: { type: 'field', required: false, read_only: false, label: 'Containertemplateproject', help_text: 'Link to project-wide container template (Kiosc integer id or UUID)' },
  title: str('Title', 'Title of the container.', 255, true),
  description: str('Description', 'Description of the container.', 4096),
  inactivity_threshold: { type: 'integer', required: false, read_only: false, label: 'Inactivity threshold', help_text: 'Number of days the container is allowed to run without proxy access.', min_value: 0 },
  max_retries: int('Max retries', 'Maximal number of retries for an action in case of failure', 0, 100),
};

/** optionsBody is the metadata of one view; `writes` are the methods whose fields it lists (those the caller may use). */
export function optionsBody(name: string, writes: Array<'POST' | 'PUT' | 'PATCH'>): Record<string, unknown> {
  const body: Record<string, unknown> = { name, description: '', renders: [KIOSC_MEDIA_TYPE, 'application/json'], parses: [...FIELD_PARSERS] };
  if (writes.length) {
    const fields = (method: string) => method === 'POST' ? CONTAINER_FIELDS
      : Object.fromEntries(Object.entries(CONTAINER_FIELDS).map(([k, v]) => [k, { ...v, required: false }]));
    body.actions = Object.fromEntries(writes.map((m) => [m, fields(m)]));
  }
  return body;
}
