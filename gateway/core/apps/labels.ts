/**
 * labels.ts: an image's labels → catalogue fields. Three namespaces are read: Simphony-remote's
 * `eu.simphony-project.docker.*` (ui_name, icon_128, description, type, env.*), OCI's
 * `org.opencontainers.image.title`/`description`, and Portico's `portico.app.*` (port, path,
 * strip_prefix, readiness). Every value is checked; a bad one is reported in `problems` and left
 * out, never fatal. Label values are only ever data: nothing here becomes an engine option.
 */
import { decodeIcon } from './icon.ts';
import type { Icon } from './icon.ts';
import type { AppSettings } from './types.ts';

/** SIMPHONY is Simphony-remote's label namespace. */
export const SIMPHONY = 'eu.simphony-project.docker.';
/** OCI is the OCI image annotation namespace. */
export const OCI = 'org.opencontainers.image.';
/** PORTICO_APP is Portico's own app label namespace. */
export const PORTICO_APP = 'portico.app.';

/** DEFAULT_SETTINGS are what an image without portico.app.* labels gets. */
export const DEFAULT_SETTINGS: AppSettings = Object.freeze({ port: 80, path: '', stripPrefix: true, readinessPath: '', type: 'webapp', env: Object.freeze({}) as Record<string, string> });

/** LabelResult is what the labels say about an app, plus each problem found. */
export interface LabelResult {
  title: string | null;
  description: string;
  icon: Icon | null;
  settings: AppSettings;
  problems: string[];
  /** isApp: the image carries at least one app label (Simphony-remote's or portico.app.*). */
  isApp: boolean;
}

const MAX_TEXT = 2000;
const PATH_RE = /^[A-Za-z0-9._~!$&'()*+,;=:@%\/-]*$/;
/** ENV_RE: the variable a label's env.<name> stands for (x11-width → X11_WIDTH). */
const ENV_NAME_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;
const TYPES = new Set(['webapp', 'vncapp']);

/** envVarName converts Simphony-remote's env.<name> to the variable: upper case, dashes to underscores. */
export function envVarName(name: string): string {
  return name.toUpperCase().replace(/-/g, '_');
}

function text(value: string, key: string, problems: string[], max = MAX_TEXT): string | null {
  // Control characters other than newline and tab are refused: they are nobody's text.
  if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(value)) { problems.push(`${key}: control characters are not allowed`); return null; }
  if (value.length > max) { problems.push(`${key}: longer than ${max} characters`); return null; }
  return value.trim();
}

/** parseLabels reads an image's labels into catalogue fields; it never throws. */
export function parseLabels(labels: Record<string, string>): LabelResult {
  const problems: string[] = [];
  const settings: AppSettings = { ...DEFAULT_SETTINGS, env: {} };
  let title: string | null = null;
  let description = '';
  let icon: Icon | null = null;
  let isApp = false;
  const get = (k: string) => (Object.hasOwn(labels, k) ? labels[k] : undefined);

  const oTitle = get(OCI + 'title');
  if (oTitle !== undefined) title = text(oTitle, OCI + 'title', problems, 200) || null;
  const oDesc = get(OCI + 'description');
  if (oDesc !== undefined) description = text(oDesc, OCI + 'description', problems) ?? '';
  // Simphony-remote's own labels win over OCI's where both are set.
  const uiName = get(SIMPHONY + 'ui_name');
  if (uiName !== undefined) { isApp = true; title = text(uiName, SIMPHONY + 'ui_name', problems, 200) || title; }
  const sDesc = get(SIMPHONY + 'description');
  if (sDesc !== undefined) { isApp = true; description = text(sDesc, SIMPHONY + 'description', problems) ?? description; }
  const type = get(SIMPHONY + 'type');
  if (type !== undefined) {
    isApp = true;
    if (TYPES.has(type.trim())) settings.type = type.trim();
    else problems.push(`${SIMPHONY}type: must be webapp or vncapp, got ${JSON.stringify(type.slice(0, 40))}`);
  }
  const iconRaw = get(SIMPHONY + 'icon_128');
  if (iconRaw !== undefined) {
    isApp = true;
    const r = decodeIcon(iconRaw);
    if ('problem' in r) problems.push(`${SIMPHONY}icon_128: ${r.problem}`);
    else icon = r;
  }
  for (const key of Object.keys(labels).sort()) {
    if (!key.startsWith(SIMPHONY + 'env.')) continue;
    isApp = true;
    const name = key.slice((SIMPHONY + 'env.').length);
    if (!ENV_NAME_RE.test(name)) { problems.push(`${key}: the name must be lower-case letters, digits and dashes`); continue; }
    const value = text(labels[key], key, problems, 1000);
    if (value === null) continue;
    // Simphony-remote leaves the value empty; a value, when given, is the default.
    settings.env[envVarName(name)] = value;
  }

  const port = get(PORTICO_APP + 'port');
  if (port !== undefined) {
    isApp = true;
    const n = /^\d{1,5}$/.test(port.trim()) ? Number(port.trim()) : NaN;
    if (n >= 1 && n <= 65535) settings.port = n;
    else problems.push(`${PORTICO_APP}port: must be a port number from 1 to 65535, got ${JSON.stringify(port.slice(0, 40))}`);
  }
  const p = get(PORTICO_APP + 'path');
  if (p !== undefined) {
    isApp = true;
    const v = p.trim().replace(/^\/+/, '');
    if (PATH_RE.test(v) && v.length <= 500 && !v.split('/').includes('..')) settings.path = v;
    else problems.push(`${PORTICO_APP}path: must be a URL path (no spaces, no ..), got ${JSON.stringify(p.slice(0, 60))}`);
  }
  const strip = get(PORTICO_APP + 'strip_prefix');
  if (strip !== undefined) {
    isApp = true;
    const v = strip.trim().toLowerCase();
    if (v === 'true' || v === '1' || v === 'yes') settings.stripPrefix = true;
    else if (v === 'false' || v === '0' || v === 'no') settings.stripPrefix = false;
    else problems.push(`${PORTICO_APP}strip_prefix: must be true or false, got ${JSON.stringify(strip.slice(0, 40))}`);
  }
  const ready = get(PORTICO_APP + 'readiness');
  if (ready !== undefined) {
    isApp = true;
    const v = ready.trim();
    if (v === '' || (v.startsWith('/') && PATH_RE.test(v) && v.length <= 500)) settings.readinessPath = v;
    else problems.push(`${PORTICO_APP}readiness: must be a path starting with /, got ${JSON.stringify(ready.slice(0, 60))}`);
  }
  for (const key of Object.keys(labels)) {
    if (key.startsWith(PORTICO_APP) && !['port', 'path', 'strip_prefix', 'readiness'].includes(key.slice(PORTICO_APP.length))) {
      problems.push(`${key}: unknown label (known: port, path, strip_prefix, readiness)`);
    }
  }
  return { title, description, icon, settings, problems, isApp };
}
