/**
 * admin-projects.ts: site admins list every project and create new ones, each with a first owner.
 */
import type { Services } from '../../gateway/core/services.ts';
import { ValidationError } from '../../gateway/core/errors.ts';
import type { Caller } from '../../gateway/core/auth/authenticate.ts';
import type { Ctx, Router } from '../../gateway/http/router.ts';
import { field, readPageForm, requireSiteAdmin } from './forms.ts';
import { pageData, redirect, requirePageUser } from './pages.ts';
import type { Renderer } from './render.ts';

/** registerAdminProjects adds GET/POST /admin/projects. */
export function registerAdminProjects(router: Router, svc: Services, ui: Renderer): void {
  const { store } = svc;

  function show(ctx: Ctx, caller: Caller, extra: Record<string, unknown>, status = 200): void {
    const projects = store.projects.all().filter((p) => !p.deletingAt).map((p) => ({
      ...p, owners: store.projects.members(p.id).filter((m) => m.role === 'owner').map((m) => m.username).join(', '),
    }));
    ui.page(ctx.req, ctx.res, 'pages/admin-projects', pageData(caller, 'Projects', { projects, errors: {}, form: {}, ...extra }), status);
  }

  router.on('GET', '/admin/projects', (ctx) => {
    const caller = requirePageUser(svc, ctx.req, ctx.res);
    requireSiteAdmin(caller);
    show(ctx, caller, {});
  });

  router.on('POST', '/admin/projects', async (ctx) => {
    const { caller, form } = await readPageForm(svc, ctx);
    requireSiteAdmin(caller);
    const input = { title: field(form, 'title'), description: field(form, 'description'), owner: field(form, 'owner') };
    const fields: Record<string, string> = {};
    if (!input.title || input.title.length > 255) fields.title = 'A title is required (at most 255 characters).';
    if (input.description.length > 10_000) fields.description = 'At most 10000 characters.';
    const owner = input.owner ? store.users.byUsername(input.owner) : null;
    if (!owner) fields.owner = input.owner ? `No user named "${input.owner}".` : 'Every project needs a first owner.';
    if (Object.keys(fields).length || !owner) {
      show(ctx, caller, { errors: fields, form: input }, 400);
      return;
    }
    let project;
    try {
      project = svc.projects.create(caller.user, { title: input.title, description: input.description, owner });
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      show(ctx, caller, { errors: err.fields, form: input }, 400);
      return;
    }
    redirect(ctx.req, ctx.res, `/projects/${project.uuid}/members`);
  });
}
