/**
 * service.ts: container templates, site-wide (project null) and project-wide. Site admins edit
 * site-wide templates and everyone logged in sees them; project members see their project's
 * templates and contributors and up edit them. A template the caller may not see is not found (404).
 * Duplicate and copy never change the source; a container remembers its template only by UUID.
 */
import { NotFoundError, PorticoError, forbidden } from '../errors.ts';
import type { Config } from '../config.ts';
import type { Store } from '../store/index.ts';
import type { ContainerSettings, ContainerTemplate, User } from '../types.ts';
import { can } from '../auth/roles.ts';
import { isUuid } from '../auth/access.ts';
import { templateDefaults, validateTemplate } from './validate.ts';
import { requireNotArchived } from '../projects/archive.ts';

const MAX_TITLE = 255;

/** TemplateService is the template API the REST API and the UI share. */
export type TemplateService = ReturnType<typeof createTemplateService>;

/** createTemplateService builds the template service over the store. */
export function createTemplateService(deps: { config: Config; store: Store }) {
  const { store } = deps;
  const vopts = { maxInactivityDays: deps.config.maxInactivityDays };

  /** normalize reads stored settings over today's defaults (fields added later get their default). */
  function normalize(t: ContainerTemplate): ContainerTemplate {
    return { ...t, settings: { ...templateDefaults(vopts), ...t.settings } };
  }

  function duplicateTitle(title: string): PorticoError {
    return new PorticoError('E_DUPLICATE_TITLE', 400, `a template titled ${JSON.stringify(title)} already exists in this scope`);
  }

  /** save runs `write` in a transaction after checking the title is free in the scope. */
  function save<T>(projectId: number | null, title: string, exceptId: number, write: () => T): T {
    return store.transaction(() => {
      if (store.templates.titleTaken(projectId, title, exceptId)) throw duplicateTitle(title);
      return write();
    });
  }

  /** freeTitle returns "<title> (<suffix>)", or "(<suffix> 2)", "(<suffix> 3)"… if taken, within the title limit. */
  function freeTitle(projectId: number | null, title: string, suffix: string): string {
    for (let n = 1; n < 10_000; n++) {
      const tail = n === 1 ? ` (${suffix})` : ` (${suffix} ${n})`;
      const candidate = title.slice(0, MAX_TITLE - tail.length) + tail;
      if (!store.templates.titleTaken(projectId, candidate)) return candidate;
    }
    throw duplicateTitle(`${title} (${suffix})`);
  }

  function roleIn(user: User, projectId: number) {
    return store.projects.roleOf(projectId, user.id);
  }

  /** canView tells whether `user` may see `t` (site-wide: everyone; project-wide: members and admins). */
  function canView(user: User, t: ContainerTemplate): boolean {
    return t.projectId === null || user.isAdmin || roleIn(user, t.projectId) !== null;
  }

  /** canEdit tells whether `user` may change templates in a scope (null: site-wide, admins only). */
  function canEditScope(user: User, projectId: number | null): boolean {
    if (projectId === null) return user.isAdmin;
    return can(user.isAdmin, roleIn(user, projectId), 'template.edit');
  }

  function view(user: User, uuid: string): ContainerTemplate {
    const t = isUuid(uuid) ? store.templates.byUuid(uuid.toLowerCase()) : null;
    if (!t || !canView(user, t)) throw new NotFoundError('E_TEMPLATE_NOT_FOUND', 'template not found');
    return normalize(t);
  }

  return {
    canView,
    canEditScope,

    /** view returns the template, or 404 when it does not exist or `user` may not see it. */
    view,

    /** edit returns the template for a change: 404 as view, 403 when `user` sees it but may not edit it. */
    edit(user: User, uuid: string): ContainerTemplate {
      const t = view(user, uuid);
      if (!canEditScope(user, t.projectId)) {
        throw forbidden(t.projectId === null ? 'only site admins change site-wide templates' : 'your role does not allow changing templates');
      }
      const project = t.projectId === null ? null : store.projects.byId(t.projectId);
      if (project) requireNotArchived(project);
      return t;
    },

    /** defaults are a new template's settings. */
    defaults: () => templateDefaults(vopts),

    /** site lists the site-wide templates. */
    site(): ContainerTemplate[] { return store.templates.site().map(normalize); },

    /** ofProject lists one project's templates. */
    ofProject(projectId: number): ContainerTemplate[] { return store.templates.ofProject(projectId).map(normalize); },

    /** visible lists every template `user` can see: site-wide first, then those of the user's projects. */
    visible(user: User): ContainerTemplate[] {
      const project = user.isAdmin
        ? store.templates.allProject()
        : store.templates.ofProjects(store.projects.ofUser(user.id).map((p) => p.id));
      return [...store.templates.site(), ...project].map(normalize);
    },

    /** create validates `input` and stores a new template in a scope (null: site-wide). */
    create(projectId: number | null, input: unknown): ContainerTemplate {
      const v = validateTemplate(input, null, vopts);
      return normalize(save(projectId, v.title, -1, () => store.templates.create(projectId, v.title, v.settings)));
    },

    /** update changes a template (partial input). Containers made from it keep their settings. */
    update(t: ContainerTemplate, input: unknown): ContainerTemplate {
      const v = validateTemplate(input, { title: t.title, settings: t.settings }, vopts);
      save(t.projectId, v.title, t.id, () => store.templates.update(t.id, v.title, v.settings));
      return normalize(store.templates.byId(t.id)!);
    },

    /** remove deletes a template; containers made from it keep its UUID as a plain record of origin. */
    remove(t: ContainerTemplate): void { store.templates.remove(t.id); },

    /** duplicate copies `t` within its own scope as "<title> (Duplicate)". */
    duplicate(t: ContainerTemplate): ContainerTemplate {
      return normalize(store.transaction(() => store.templates.create(t.projectId, freeTitle(t.projectId, t.title, 'Duplicate'), t.settings)));
    },

    /** copy copies `t` (which the caller may see) into project `projectId` as "<title> (Copy)". */
    copy(t: ContainerTemplate, projectId: number): ContainerTemplate {
      return normalize(store.transaction(() => store.templates.create(projectId, freeTitle(projectId, t.title, 'Copy'), t.settings)));
    },

    /**
     * containerInput is what choosing `t` in the container form fills in (Kiosc's fields, all of
     * them, overwriting what was typed), including the template's UUID as the container's origin.
     * A template of another project than `projectId` is copied without that origin: a container may
     * only name a template of its own project, and the hidden field is one the user cannot change.
     */
    containerInput(t: ContainerTemplate, projectId: number): ContainerSettings {
      return {
        ...t.settings,
        title: t.title,
        templateSiteUuid: t.projectId === null ? t.uuid : null,
        templateProjectUuid: t.projectId !== null && t.projectId === projectId ? t.uuid : null,
      };
    },
  };
}
