/**
 * container-pickers.ts: what the templates and small-files modules add to the container form:
 * - the template picker: choose a template and click Get; the form's fields come back pre-filled
 *   from it (everything typed is overwritten, as in Kiosc), with the template's UUID in the hidden
 *   origin field so the container remembers where it came from;
 * - the file picker: choose a file and click Insert; its reference goes in at the cursor of the
 *   command (or of the environment, if that was the last field focused). static/portico-files.js
 *   does the insertion; the Small Files page shows each reference to copy by hand.
 * The pickers are the partials container-form-template-picker.eta and container-form-file-picker.eta.
 */
import type { Services } from '../../gateway/core/services.ts';
import type { ContainerSettings, Project, User } from '../../gateway/core/types.ts';
import { can } from '../../gateway/core/auth/roles.ts';
import type { Renderer } from './render.ts';
import { requirePageUser } from './pages.ts';
import type { Route } from './template-pages.ts';
import { templateLabel } from './template-pages.ts';
import { settingsValues } from './template-fields.ts';
import { formGroups } from './container-form-fields.ts';

/** PickerData is what the two picker partials render. */
export interface PickerData {
  prefillUrl: string;
  createUrl: string;
  templateOptions: Array<{ uuid: string; label: string }>;
  files: Array<{ name: string; reference: string }>;
}

/** pickerData lists the templates `user` can see (site-wide first) and the project's files. */
export function pickerData(svc: Services, user: User, project: Project): PickerData {
  const role = svc.store.projects.roleOf(project.id, user.id);
  return {
    prefillUrl: `/projects/${project.uuid}/containers/prefill`,
    createUrl: `/projects/${project.uuid}/containers/create`,
    templateOptions: svc.templates.visible(user).map((t) => ({ uuid: t.uuid, label: templateLabel(t) })),
    files: svc.config.embeddedFiles && can(user.isAdmin, role, 'file.view') ? svc.files.list(project.id).map((f) => ({ name: f.name, reference: svc.files.reference(f) })) : [],
  };
}

/** containerValues renders container settings as the container form's values, origin fields included. */
export function containerValues(s: ContainerSettings): Record<string, string> {
  return {
    ...settingsValues(s.title, s),
    containertemplatesite: s.templateSiteUuid ?? '',
    containertemplateproject: s.templateProjectUuid ?? '',
  };
}

/** registerContainerPrefill adds GET /projects/<uuid>/containers/prefill?template=<uuid> (the form's fields, pre-filled). */
export function registerContainerPrefill(on: Route, svc: Services, ui: Renderer): void {
  on('GET', '/projects/:project/containers/prefill', (ctx) => {
    const caller = requirePageUser(svc, ctx.req, ctx.res);
    const pa = svc.access.project(caller.user, ctx.params.project, 'container.create');
    // Only a template the caller can see (404 otherwise, like the template pages).
    const t = svc.templates.view(caller.user, ctx.url.searchParams.get('template') ?? '');
    const values = containerValues(svc.templates.containerInput(t, pa.project.id));
    ui.fragment(ctx.res, 'partials/container-form-fields', {
      groups: formGroups(svc.config.maxInactivityDays), form: { values, errors: {} },
      pickers: pickerData(svc, caller.user, pa.project), prefilledFrom: templateLabel(t),
    });
  });
}
