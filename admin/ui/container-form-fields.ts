/**
 * container-form-fields.ts: the container form's fields, grouped, with Kiosc's help texts
 * (Kiosc 1.6.2), so the template only loops over them.
 */

/** FormField describes one input of the container form. */
export interface FormField {
  name: string;
  label: string;
  help: string;
  type: 'text' | 'number' | 'textarea' | 'json' | 'checkbox';
  required?: boolean;
  placeholder?: string;
  min?: number;
  max?: number;
  step?: string;
  rows?: number;
  /** slot names an include point other modules fill (the file picker next to the command). */
  slot?: string;
}

/** FormGroup is a titled set of fields. */
export interface FormGroup { title: string; fields: FormField[] }

/** formGroups returns the fields; `maxInactivityDays` is the site's upper limit shown in the help. */
export function formGroups(maxInactivityDays: number): FormGroup[] {
  return [
    {
      title: 'Container',
      fields: [
        { name: 'title', label: 'Title', required: true, type: 'text', help: 'A unique title that helps you identify the container. Passed to the container as TITLE.' },
        { name: 'description', label: 'Description', type: 'textarea', rows: 2, help: 'What the app shows or is for. Passed to the container as DESCRIPTION.' },
      ],
    },
    {
      title: 'Image',
      fields: [
        { name: 'repository', label: 'Repository', required: true, type: 'text', placeholder: 'e.g. rocker/shiny or quay.io/jupyter/base-notebook', help: 'The repository/name of the image, without the tag. Pulled when missing, at the first start.' },
        { name: 'tag', label: 'Tag', required: true, type: 'text', placeholder: 'latest', help: 'The tag of the image.' },
        { name: 'command', label: 'Command', type: 'textarea', rows: 2, slot: 'file-picker', placeholder: 'cellxgene launch https://… -p 8050 --host 0.0.0.0', help: 'The command to execute instead of the image\'s default, split into words like a shell does. __KIOSC_URL_PREFIX__ becomes the container\'s public path.' },
      ],
    },
    {
      title: 'Web access',
      fields: [
        { name: 'container_port', label: 'Container port', required: true, type: 'number', min: 1, max: 65535, help: 'Server port within the container.' },
        { name: 'container_path', label: 'Container path', type: 'text', placeholder: 'app/', help: 'The folder structure appended to the web address of the container: the eye button opens /containers/proxy/<uuid>/<path>, and __KIOSC_URL_PREFIX__ ends with it. Requests reach the app with their path unchanged.' },
        { name: 'strip_prefix', label: 'Strip the proxy prefix', type: 'checkbox', help: 'On: the app receives paths without /containers/proxy/<uuid>. Turn off for apps that are configured with that base URL themselves (Jupyter, or apps given __KIOSC_URL_PREFIX__).' },
      ],
    },
    {
      title: 'Environment',
      fields: [
        { name: 'environment', label: 'Environment', type: 'json', rows: 6, placeholder: '{"DATASET": "pbmc3k", "LOG_LEVEL": "info"}', help: 'A JSON object, or nothing. Its top-level keys become environment variables of the app (double quotes only). __KIOSC_URL_PREFIX__ in a value becomes the public path. TITLE, DESCRIPTION and CONTAINER_PORT are added.' },
        { name: 'environment_secret_keys', label: 'Environment secret keys', type: 'text', placeholder: 'API_KEY, PASSWORD', help: 'Comma-separated keys of the environment whose values are secret. They show as <masked>; leave <masked> as it is to keep the stored value, or replace it to set a new one.' },
      ],
    },
    {
      title: 'Behaviour',
      fields: [
        { name: 'timeout', label: 'Timeout', required: true, type: 'number', min: 1, max: 3600, help: 'Time limit in seconds for any Docker action (start, stop, …) and for the app to answer after a start.' },
        { name: 'max_retries', label: 'Max retries', required: true, type: 'number', min: 0, max: 100, help: 'Maximal number of retries for an action in case of failure.' },
        { name: 'inactivity_threshold', label: 'Inactivity threshold (days)', type: 'number', min: 0, max: maxInactivityDays, step: 'any', help: `Number of days the container may run without proxy access before it is stopped (at most ${maxInactivityDays}).` },
        { name: 'heartbeat_url', label: 'Heartbeat URL', type: 'text', placeholder: '/health', help: 'After a start, Portico polls this path of the app until it answers (any HTTP status below 500 means ready; refused connections and 5xx are retried until the timeout), and only then sends visitors through. Empty: the page the app\'s link opens. Of a full URL only the path is used: the probe always goes to the container itself.' },
      ],
    },
    {
      title: 'Storage',
      fields: [
        { name: 'data_path', label: 'Data path', type: 'text', placeholder: '/home/jovyan/work', help: 'An absolute path inside the container, or nothing. Portico mounts a persistent volume of this container there: what the app writes under it survives stop, restart, reset and edits. Only a site admin can remove the volume (Site admin · Docker).' },
      ],
    },
  ];
}
