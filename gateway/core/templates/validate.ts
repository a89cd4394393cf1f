/**
 * validate.ts: turns client input into a template's title and settings. It reuses the container
 * checks (containers/validate.ts) with two differences: only the title is required (a template may
 * leave the image blank), and secret values are never stored — the keys stay, their values are empty.
 */
import { ValidationError } from '../errors.ts';
import type { ContainerSettings, TemplateSettings } from '../types.ts';
import { defaultSettings, validateSettings } from '../containers/validate.ts';
import type { ValidateOptions } from '../containers/validate.ts';

/** TemplateInput is a validated template: its title and its container settings. */
export interface TemplateInput { title: string; settings: TemplateSettings }

/** templateDefaults are a new template's settings: a new container's, with no image. */
export function templateDefaults(opts: ValidateOptions): TemplateSettings {
  return toTemplateSettings({ ...defaultSettings(opts), repository: '' });
}

/** toTemplateSettings drops a container's title and origin, and empties secret values. */
export function toTemplateSettings(s: ContainerSettings | TemplateSettings): TemplateSettings {
  const { title: _t, templateSiteUuid: _s, templateProjectUuid: _p, requestedHostPort: _h, ...rest } = s as ContainerSettings;
  const environment = { ...rest.environment };
  for (const k of rest.environmentSecretKeys) if (k in environment) environment[k] = '';
  return { ...rest, environment, environmentSecretKeys: [...rest.environmentSecretKeys] };
}

const isBlank = (v: unknown) => v === '' || v === null;

/**
 * validateTemplate merges `input` over `base` (null when creating) and checks it. A blank
 * repository is allowed; a blank tag means the default tag.
 */
export function validateTemplate(input: unknown, base: TemplateInput | null, opts: ValidateOptions): TemplateInput {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new ValidationError({ body: 'must be a JSON object' }, 'request body must be a JSON object');
  }
  const inp: Record<string, unknown> = { ...(input as Record<string, unknown>) };
  // A template has no origin of its own; these container fields mean nothing here.
  delete inp.containertemplatesite;
  delete inp.containertemplateproject;
  const blankRepository = isBlank(inp.repository);
  if (blankRepository) delete inp.repository;
  if (isBlank(inp.tag)) inp.tag = 'latest';

  const start = base ?? { title: '', settings: templateDefaults(opts) };
  const baseSettings: ContainerSettings = { ...start.settings, title: start.title, templateSiteUuid: null, templateProjectUuid: null, requestedHostPort: null };
  const fields: Record<string, string> = {};
  let out: ContainerSettings = baseSettings;
  try {
    out = validateSettings(inp, baseSettings, opts, true);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    Object.assign(fields, err.fields);
  }
  if (!base && !Object.prototype.hasOwnProperty.call(inp, 'title') && !fields.title) fields.title = 'is required';
  if (Object.keys(fields).length) throw new ValidationError(fields);
  if (blankRepository) out.repository = '';
  return { title: out.title, settings: toTemplateSettings(out) };
}
