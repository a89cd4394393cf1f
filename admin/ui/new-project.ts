/**
 * new-project.ts: "Create project" (/new-project): the caller becomes the new project's owner
 * (PORTICO_PROJECT_CREATORS says who may) and lands on its containers, with the next step named.
 */
import { ValidationError, toPorticoError } from '../../gateway/core/errors.ts';
import type { Caller } from '../../gateway/core/auth/authenticate.ts';
import { forbidden } from '../../gateway/core/errors.ts';
import type { Ctx } from '../../gateway/http/router.ts';
import { field, readPageForm } from './forms.ts';
import { pageData, redirect, requirePageUser } from './pages.ts';
import type { UiDeps } from './pages.ts';
import { mayCreateProject } from './home.ts';

/** registerNewProject adds GET and POST /new-project. */
export function registerNewProject(d: UiDeps): void {
  const { svc, ui } = d;

  function show(ctx: Ctx, caller: Caller, form: { title: string; description: string }, errors: Record<string, string> = {}, error: string | null = null, status = 200): void {
    ui.page(ctx.req, ctx.res, 'pages/new-project', pageData(caller, 'Create project', { form, errors, error }), status);
  }

  function check(caller: Caller): void {
    if (!mayCreateProject(svc, caller)) {
      throw forbidden(svc.siteMode.allowsChangesBy(caller.user)
        ? 'Only site administrators create projects on this site. Ask one to create a project for you, or to add you to one.'
        : 'The site is in read-only mode: no projects can be created now.');
    }
  }

  d.on('GET', '/new-project', (ctx) => {
    const caller = requirePageUser(svc, ctx.req, ctx.res);
    check(caller);
    show(ctx, caller, { title: '', description: '' });
  });

  d.on('POST', '/new-project', async (ctx) => {
    const { caller, form } = await readPageForm(svc, ctx);
    check(caller);
    const input = { title: field(form, 'title'), description: (form.description ?? '').replace(/\r\n/g, '\n').trim() };
    let uuid: string;
    try {
      uuid = svc.projects.createOwn(caller.user, input).uuid;
    } catch (err) {
      const e = toPorticoError(err);
      if (e.status >= 500) throw err;
      show(ctx, caller, input, e instanceof ValidationError ? e.fields : {}, e instanceof ValidationError ? null : e.message, e.status);
      return;
    }
    redirect(ctx.req, ctx.res, `/projects/${uuid}/containers?done=project-created`);
  });
}
