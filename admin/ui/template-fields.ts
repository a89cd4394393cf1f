/**
 * template-fields.ts: the fields of the template form (a container's, Kiosc 1.7.2), and the mapping
 * between stored settings and form values. Only the title is required.
 */
import type { ContainerTemplate, TemplateSettings } from '../../gateway/core/types.ts';

/** TemplateField describes one input of the template form. */
export interface TemplateField {
  name: string;
  label: string;
  help: string;
  type: 'text' | 'number' | 'textarea' | 'json' | 'checkbox';
  required?: boolean;
  rows?: number;
  min?: number;
  max?: number;
  placeholder?: string;
}

/** TemplateGroup is one fieldset of the template form, like the container form's groups. */
export interface TemplateGroup { title: string; fields: readonly TemplateField[] }

/** TEMPLATE_FIELDS are the template form's inputs, named as the REST API names them. */
export const TEMPLATE_FIELDS: readonly TemplateField[] = [
  { name: 'title', label: 'Title', type: 'text', required: true, placeholder: 'e.g. Shiny app (R 4.4)', help: 'Title of the container template, unique in its scope.' },
  { name: 'description', label: 'Description', type: 'textarea', rows: 2, placeholder: 'e.g. An R Shiny app on port 3838', help: 'What containers made from this template are for.' },
  { name: 'repository', label: 'Repository', type: 'text', placeholder: 'e.g. rocker/shiny', help: 'The repository/name of the image, without the tag (may be left empty).' },
  { name: 'tag', label: 'Tag', type: 'text', placeholder: 'e.g. 4.4.1', help: 'The tag of the image.' },
  { name: 'container_port', label: 'Container port', type: 'number', min: 1, max: 65535, placeholder: '3838', help: 'Server port within the container.' },
  { name: 'container_path', label: 'Container path', type: 'text', placeholder: 'e.g. app/', help: 'The folder structure appended to the web address of the container.' },
  { name: 'strip_prefix', label: 'Strip the proxy prefix', type: 'checkbox', help: 'Off for apps configured with their base URL (__KIOSC_URL_PREFIX__).' },
  { name: 'data_path', label: 'Data path', type: 'text', placeholder: 'e.g. /home/jovyan/work', help: 'An absolute path inside the container where each container made from this template gets its own persistent volume, or nothing.' },
  { name: 'command', label: 'Command', type: 'textarea', rows: 2, placeholder: 'e.g. streamlit run app.py --server.baseUrlPath __KIOSC_URL_PREFIX__', help: 'The command to execute, split into words like a shell does.' },
  { name: 'environment', label: 'Environment', type: 'json', rows: 5, placeholder: '{"LOG_LEVEL": "info"}', help: 'A JSON object, or nothing. Its keys become environment variables.' },
  { name: 'environment_secret_keys', label: 'Environment secret keys', type: 'text', placeholder: 'e.g. API_KEY, PASSWORD', help: 'Comma-separated keys whose values are secret. A template never stores their values: they stay empty, to be filled in each container.' },
  { name: 'timeout', label: 'Timeout', type: 'number', help: 'Time limit in seconds for any Docker action.' },
  { name: 'max_retries', label: 'Max retries', type: 'number', help: 'Maximal number of retries for an action in case of failure.' },
  { name: 'inactivity_threshold', label: 'Inactivity threshold (days)', type: 'number', help: 'Days a container may run without proxy access before it is stopped.' },
  { name: 'heartbeat_url', label: 'Heartbeat URL', type: 'text', placeholder: '/health', help: 'After a start, Portico polls this path of the app until it answers (any HTTP status below 500 means ready; refused connections and 5xx are retried until the timeout), and only then sends visitors through. Empty: the page the app\'s link opens. Of a full URL only the path is used: the probe always goes to the container itself.' },
];

const GROUPS: Array<[string, string[]]> = [
  ['General', ['title', 'description']],
  ['Image', ['repository', 'tag', 'command']],
  ['Web access', ['container_port', 'container_path', 'strip_prefix']],
  ['Environment', ['environment', 'environment_secret_keys']],
  ['Behaviour', ['timeout', 'max_retries', 'inactivity_threshold', 'heartbeat_url']],
  ['Storage', ['data_path']],
];

/** TEMPLATE_GROUPS are the template form's fieldsets, in the container form's order; every field is in one. */
export const TEMPLATE_GROUPS: readonly TemplateGroup[] = GROUPS.map(([title, names]) => ({
  title, fields: names.map((n) => TEMPLATE_FIELDS.find((f) => f.name === n) as TemplateField),
}));

/** settingsValues renders settings (and a title) as form values. */
export function settingsValues(title: string, s: TemplateSettings): Record<string, string> {
  return {
    title, description: s.description, repository: s.repository, tag: s.tag, container_port: String(s.containerPort),
    container_path: s.containerPath, strip_prefix: s.stripPrefix ? 'true' : 'false', data_path: s.dataPath,
    environment: Object.keys(s.environment).length ? JSON.stringify(s.environment, null, 2) : '',
    environment_secret_keys: s.environmentSecretKeys.join(', '), command: s.command, timeout: String(s.timeout),
    heartbeat_url: s.heartbeatUrl, max_retries: String(s.maxRetries), inactivity_threshold: String(s.inactivityThreshold),
  };
}

/** templateValues renders a stored template as form values. */
export function templateValues(t: ContainerTemplate): Record<string, string> {
  return settingsValues(t.title, t.settings);
}

/** templateInput picks the template fields of a submitted form (unknown names are ignored). */
export function templateInput(form: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of TEMPLATE_FIELDS) if (f.name in form) out[f.name] = form[f.name];
  return out;
}
