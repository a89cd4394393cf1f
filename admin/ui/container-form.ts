/**
 * container-form.ts: the create and update forms (Kiosc 1.6.2) with every field, help texts and
 * the service's validation messages next to each field. The environment is JSON with secret values
 * shown as `<masked>`; sending `<masked>` back keeps the stored value. All checks are the
 * container service's: this module only maps form fields to its input.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Caller } from '../../gateway/core/auth/authenticate.ts';
import { PorticoError, ValidationError, toPorticoError } from '../../gateway/core/errors.ts';
import { defaultSettings, maskEnvironment } from '../../gateway/core/containers/validate.ts';
import type { ContainerSettings, Project, Role } from '../../gateway/core/types.ts';
import { readForm } from '../../gateway/http/body.ts';
import { checkCsrf, requireWritable } from '../api/guard.ts';
import type { UiDeps } from './pages.ts';
import { chooseHost, templateHostOf } from '../../gateway/core/hosts/choose.ts';
import { hostChoice, hostName } from './host-choice.ts';
import { pageData, redirect, requirePageUser } from './pages.ts';
import { containerShell } from './projects.ts';
import { formGroups } from './container-form-fields.ts';
import { renderDetail } from './container-detail.ts';
import { containerValues, pickerData } from './container-pickers.ts';
import { templateLabel } from './template-pages.ts';

/** FORM_FIELDS are the input names, as the REST API and the service call them. */
const FORM_FIELDS = [
  'title', 'description', 'repository', 'tag', 'container_port', 'container_path', 'strip_prefix', 'data_path', 'environment',
  'environment_secret_keys', 'command', 'timeout', 'heartbeat_url', 'max_retries', 'inactivity_threshold',
  // Set by the template picker (templates module) when a template pre-filled the form.
  'containertemplatesite', 'containertemplateproject',
] as const;

/** formValues renders stored settings as form values (secret environment values masked). */
export function formValues(s: ContainerSettings): Record<string, string> {
  const env = maskEnvironment(s.environment, s.environmentSecretKeys);
  return {
    title: s.title, description: s.description, repository: s.repository, tag: s.tag,
    container_port: String(s.containerPort), container_path: s.containerPath, strip_prefix: s.stripPrefix ? 'true' : 'false', data_path: s.dataPath,
    environment: Object.keys(env).length ? JSON.stringify(env, null, 2) : '',
    environment_secret_keys: s.environmentSecretKeys.join(', '), command: s.command, timeout: String(s.timeout),
    heartbeat_url: s.heartbeatUrl, max_retries: String(s.maxRetries), inactivity_threshold: String(s.inactivityThreshold),
    containertemplatesite: s.templateSiteUuid ?? '', containertemplateproject: s.templateProjectUuid ?? '',
  };
}

/** formInput picks the known fields of a submitted form (unknown names are ignored). */
export function formInput(form: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of FORM_FIELDS) if (f in form) out[f] = form[f];
  return out;
}

/** fieldErrors turns the service's errors into messages per field, or rethrows what is not about input. */
export function fieldErrors(err: unknown): Record<string, string> {
  if (err instanceof ValidationError) return err.fields;
  if (err instanceof PorticoError && err.code === 'E_DUPLICATE_TITLE') return { title: 'is already used by another container in this project' };
  throw err;
}

interface FormPage {
  mode: 'create' | 'update';
  action: string;
  cancel: string;
  values: Record<string, string>;
  errors: Record<string, string>;
  project: Project;
  role: Role | null;
  heading: string;
  running?: boolean;
  /** prefilledFrom names the template the values came from (the template picker without JavaScript). */
  prefilledFrom?: string;
}

function renderForm(d: UiDeps, req: IncomingMessage, res: ServerResponse, caller: Caller, f: FormPage, status = 200): void {
  const groups = formGroups(d.svc.config.maxInactivityDays);
  const labels = new Map(groups.flatMap((g) => g.fields.map((x) => [x.name, x.label] as const)));
  // Site admins pick the host at creation only: a container never moves (docs/container-hosts.md).
  const hosts = f.mode === 'create' ? hostChoice(d.svc.hosts, caller.user, {
    selected: f.values.host ?? '', error: f.errors.host, none: 'Default ({default}), or the template\'s host',
    help: 'Where the container runs (site admins choose; others get the default, or the host of the template it is made from). It cannot be moved later.',
  }) : null;
  if (hosts) labels.set('host', 'Container host');
  d.ui.page(req, res, 'pages/container-form', pageData(caller, f.heading, {
    ...containerShell({ project: f.project, role: f.role, user: caller.user }, 'containers'),
    form: f,
    groups,
    pickers: pickerData(d.svc, caller.user, f.project),
    prefilledFrom: f.prefilledFrom,
    hostChoice: hosts,
    // The summary links to each bad field: the form is long, a message far down is easy to miss.
    errorList: Object.keys(f.errors).filter((k) => labels.has(k)).map((k) => ({ name: k, label: labels.get(k)!, message: f.errors[k] })),
    otherError: Object.entries(f.errors).filter(([k]) => !labels.has(k)).map(([k, v]) => `${k}: ${v}`).join('; '),
  }), status);
}

/** registerContainerForm adds the create and update form routes. */
export function registerContainerForm(d: UiDeps): void {
  const { svc } = d;

  d.on('GET', '/projects/:project/containers/create', (ctx) => {
    const caller = requirePageUser(svc, ctx.req, ctx.res);
    const pa = svc.access.project(caller.user, ctx.params.project, 'container.create');
    let values = formValues(defaultSettings({ maxInactivityDays: svc.config.maxInactivityDays }));
    // ?template= is the template picker's Get without JavaScript: the form comes back pre-filled.
    const chosen = ctx.url.searchParams.get('template');
    const template = chosen ? svc.templates.view(caller.user, chosen) : null;
    if (template) values = { ...containerValues(svc.templates.containerInput(template, pa.project.id)), host: hostName(svc.hosts, template.hostId) };
    renderForm(d, ctx.req, ctx.res, caller, {
      mode: 'create', action: `/projects/${pa.project.uuid}/containers/create`, cancel: `/projects/${pa.project.uuid}/containers`,
      values, errors: {}, project: pa.project, role: pa.role, heading: 'Create container',
      prefilledFrom: template ? templateLabel(template) : undefined,
    });
  });

  d.on('POST', '/projects/:project/containers/create', async (ctx) => {
    const caller = requirePageUser(svc, ctx.req, ctx.res);
    const form = await readForm(ctx.req, svc.config.maxJsonBody);
    checkCsrf(caller, ctx.req, form.csrf_token ?? null);
    const pa = svc.access.project(caller.user, ctx.params.project, 'container.create');
    requireWritable(svc, caller.user);
    const input = formInput(form);
    let created;
    try {
      created = svc.containers.create(pa.project.id, input, caller.user.username, { hostId: chooseHost(svc.hosts, caller.user, form.host, templateHostOf(svc.store, input)) });
    } catch (err) {
      renderForm(d, ctx.req, ctx.res, caller, {
        mode: 'create', action: `/projects/${pa.project.uuid}/containers/create`, cancel: `/projects/${pa.project.uuid}/containers`,
        values: { ...input, host: form.host ?? '' }, errors: fieldErrors(err), project: pa.project, role: pa.role, heading: 'Create container',
      }, 400);
      return;
    }
    redirect(ctx.req, ctx.res, `/containers/${created.uuid}?done=created`);
  });

  d.on('GET', '/containers/:container/update', (ctx) => {
    const caller = requirePageUser(svc, ctx.req, ctx.res);
    const { container: c, role } = svc.access.container(caller.user, ctx.params.container, 'container.update');
    const project = svc.store.projects.byId(c.projectId)!;
    renderForm(d, ctx.req, ctx.res, caller, {
      mode: 'update', action: `/containers/${c.uuid}/update`, cancel: `/containers/${c.uuid}`, values: formValues(c), errors: {},
      project, role, heading: `Update ${c.title}`, running: c.state === 'running',
    });
  });

  d.on('POST', '/containers/:container/update', async (ctx) => {
    const caller = requirePageUser(svc, ctx.req, ctx.res);
    const form = await readForm(ctx.req, svc.config.maxJsonBody);
    checkCsrf(caller, ctx.req, form.csrf_token ?? null);
    const { container: c, role } = svc.access.container(caller.user, ctx.params.container, 'container.update');
    requireWritable(svc, caller.user);
    const input = formInput(form);
    try {
      await svc.containers.update(c.id, input, caller.user.username);
    } catch (err) {
      const fresh = svc.store.containers.byId(c.id);
      if (!(err instanceof ValidationError) && (err as PorticoError).code !== 'E_DUPLICATE_TITLE' && fresh) {
        // The settings were saved; recreating the running container failed. Show where it stands.
        const e = toPorticoError(err);
        renderDetail(d, ctx.req, ctx.res, ctx.url, caller, fresh, role, { kind: 'bad', text: `Saved, but restarting ${fresh.title} failed: ${e.message}` }, e.status);
        return;
      }
      const project = svc.store.projects.byId(c.projectId)!;
      renderForm(d, ctx.req, ctx.res, caller, {
        mode: 'update', action: `/containers/${c.uuid}/update`, cancel: `/containers/${c.uuid}`, values: { ...formValues(c), ...input },
        errors: fieldErrors(err), project, role, heading: `Update ${c.title}`, running: c.state === 'running',
      }, 400);
      return;
    }
    redirect(ctx.req, ctx.res, `/containers/${c.uuid}?done=updated`);
  });
}
