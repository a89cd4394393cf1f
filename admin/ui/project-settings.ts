/**
 * project-settings.ts: a project's Settings page (/projects/<uuid>/settings) for its owners,
 * delegates and site admins: rename, description, archive or unarchive, and delete after a
 * confirmation that says what goes and asks for the project's title. Every change goes through
 * the project service (core/projects/service.ts); other members get 403, non-members 404.
 */
import { ValidationError, forbidden, toPorticoError } from '../../gateway/core/errors.ts';
import { can } from '../../gateway/core/auth/roles.ts';
import type { ProjectAccess } from '../../gateway/core/auth/access.ts';
import type { Caller } from '../../gateway/core/auth/authenticate.ts';
import type { Ctx } from '../../gateway/http/router.ts';
import { field, readPageForm } from './forms.ts';
import type { UiDeps } from './pages.ts';
import { pageData, redirect, requirePageUser } from './pages.ts';
import { projectShell } from './projects.ts';

const NOTICES: Record<string, string> = { saved: 'Settings saved.', archived: 'Project archived: it is read-only now.', unarchived: 'Project unarchived.' };

/** registerProjectSettings adds the Settings page, its three actions and the delete confirmation. */
export function registerProjectSettings(d: UiDeps): void {
  const { svc, ui } = d;

  function manager(caller: Caller, uuid: string): ProjectAccess {
    const pa = svc.access.project(caller.user, uuid, 'project.view');
    if (!can(caller.user.isAdmin, pa.role, 'project.update')) throw forbidden('Only owners and delegates of this project (and site admins) can change its settings.');
    return pa;
  }

  function show(ctx: Ctx, caller: Caller, pa: ProjectAccess, extra: { error?: string; notice?: string | null; form?: Record<string, string> }, status = 200): void {
    ui.page(ctx.req, ctx.res, 'pages/project-settings', pageData(caller, `Settings · ${pa.project.title}`, {
      ...projectShell(pa, 'settings'), form: extra.form ?? { title: pa.project.title, description: pa.project.description },
      error: extra.error ?? null, flash: extra.notice ? { kind: 'ok', text: extra.notice } : undefined, readOnly: !svc.siteMode.allowsChangesBy(caller.user),
    }), status);
  }

  /** act runs one change; a refused change shows the page again with its message and status. */
  async function act(ctx: Ctx, change: (caller: Caller, pa: ProjectAccess, form: Record<string, string>) => string): Promise<void> {
    const { caller, form } = await readPageForm(svc, ctx);
    const pa = manager(caller, ctx.params.project);
    let notice: string;
    try {
      notice = change(caller, pa, form);
    } catch (err) {
      const e = toPorticoError(err);
      if (e.status >= 500) throw err;
      const message = e instanceof ValidationError ? Object.entries(e.fields).map(([k, v]) => `${k}: ${v}`).join('; ') : e.message;
      show(ctx, caller, { ...pa, project: svc.store.projects.byId(pa.project.id) ?? pa.project }, { error: message, form: { title: form.title ?? '', description: form.description ?? '' } }, e.status);
      return;
    }
    redirect(ctx.req, ctx.res, `/projects/${pa.project.uuid}/settings?ok=${notice}`);
  }

  d.on('GET', '/projects/:project/settings', (ctx) => {
    const caller = requirePageUser(svc, ctx.req, ctx.res);
    show(ctx, caller, manager(caller, ctx.params.project), { notice: NOTICES[ctx.url.searchParams.get('ok') ?? ''] ?? null });
  });

  d.on('POST', '/projects/:project/settings', (ctx) => act(ctx, (caller, pa, form) => {
    svc.projects.update(caller.user, pa.project, { title: field(form, 'title'), description: (form.description ?? '').replace(/\r\n/g, '\n') });
    return 'saved';
  }));

  d.on('POST', '/projects/:project/archive', (ctx) => act(ctx, (caller, pa) => { svc.projects.setArchived(caller.user, pa.project, true); return 'archived'; }));
  d.on('POST', '/projects/:project/unarchive', (ctx) => act(ctx, (caller, pa) => { svc.projects.setArchived(caller.user, pa.project, false); return 'unarchived'; }));

  d.on('GET', '/projects/:project/delete', (ctx) => {
    const caller = requirePageUser(svc, ctx.req, ctx.res);
    const pa = svc.access.project(caller.user, ctx.params.project, 'project.view');
    if (!can(caller.user.isAdmin, pa.role, 'project.delete')) throw forbidden('Only owners and delegates of this project (and site admins) can delete it.');
    ui.page(ctx.req, ctx.res, 'pages/project-delete', pageData(caller, `Delete ${pa.project.title}`, {
      ...projectShell(pa, 'settings'), summary: svc.projects.summary(pa.project), error: null,
    }));
  });

  d.on('POST', '/projects/:project/delete', async (ctx) => {
    const { caller, form } = await readPageForm(svc, ctx);
    const pa = svc.access.project(caller.user, ctx.params.project, 'project.view');
    if (!can(caller.user.isAdmin, pa.role, 'project.delete')) throw forbidden('Only owners and delegates of this project (and site admins) can delete it.');
    if ((form.confirm_title ?? '').trim() !== pa.project.title) {
      ui.page(ctx.req, ctx.res, 'pages/project-delete', pageData(caller, `Delete ${pa.project.title}`, {
        ...projectShell(pa, 'settings'), summary: svc.projects.summary(pa.project),
        error: 'Type the project\'s title exactly to confirm the delete.',
      }), 400);
      return;
    }
    // An engine failure part-way answers with a message saying the delete is recorded and finishes later.
    await svc.projects.remove(caller.user, pa.project);
    redirect(ctx.req, ctx.res, '/?deleted=1');
  });
}
