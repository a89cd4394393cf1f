/**
 * members.ts: a project's Members page (/projects/<uuid>/members). Every member sees the list;
 * owners, delegates and site admins add, remove and re-role members, and the owner (or a site
 * admin) transfers the ownership, under the rules of the project service
 * (core/projects/service.ts); any member but the owner may leave. Non-members get 404.
 */
import { PorticoError, ValidationError, conflict, toPorticoError } from '../../gateway/core/errors.ts';
import type { Services } from '../../gateway/core/services.ts';
import type { Caller } from '../../gateway/core/auth/authenticate.ts';
import { can } from '../../gateway/core/auth/roles.ts';
import { syncedFrom } from '../../gateway/core/projects/remote-guard.ts';
import { ROLES } from '../../gateway/core/types.ts';
import type { Project, Role, User } from '../../gateway/core/types.ts';
import type { Ctx, Router } from '../../gateway/http/router.ts';
import { requireWritable } from '../api/guard.ts';
import { field, readPageForm } from './forms.ts';
import { pageData, redirect, requirePageUser } from './pages.ts';
import { confirmed, sendConfirm } from './confirm.ts';
import type { ConfirmStep } from './confirm.ts';
import type { Renderer } from './render.ts';
import { projectShell } from './projects.ts';
import { inviteData } from './invitations.ts';

const NOTICES: Record<string, string> = { added: 'Member added.', changed: 'Role changed.', removed: 'Member removed.', transferred: 'Ownership transferred.' };

function parseRole(raw: string): Role {
  if (!(ROLES as readonly string[]).includes(raw)) throw new ValidationError({ role: `Choose one of ${ROLES.join(', ')}.` });
  return raw as Role;
}

/** registerMembers adds the Members page and its three actions. */
export function registerMembers(router: Router, svc: Services, ui: Renderer): void {
  const { access, store } = svc;

  function show(ctx: Ctx, caller: Caller, project: Project, extra: { error?: string | null; notice?: string | null }, status = 200): void {
    const myRole = store.projects.roleOf(project.id, caller.user.id);
    // Members of a project synced from SODAR change only there: no forms (the POSTs refuse anyway).
    const synced = syncedFrom(store, project.id);
    const manage = !synced && can(caller.user.isAdmin, myRole, 'project.members') && !project.archived;
    const asOwner = !synced && can(caller.user.isAdmin, myRole, 'project.delegate');
    // The owner role changes only by a transfer; only the owner (or a site admin) gives or takes the delegate role.
    const choices = ROLES.filter((r) => r !== 'owner' && (asOwner || r !== 'delegate'));
    const members = store.projects.members(project.id).map((m) => {
      const user = store.users.byId(m.userId) as User;
      return { ...m, uuid: user.uuid, name: user.name, source: user.source, self: user.id === caller.user.id && !synced,
        editable: manage && m.role !== 'owner' && (asOwner || m.role !== 'delegate') };
    });
    const transferTo = asOwner && !project.archived ? members.filter((m) => m.role !== 'owner') : [];
    ui.page(ctx.req, ctx.res, 'pages/members', pageData(caller, `Members · ${project.title}`, {
      ...projectShell({ project, role: myRole, user: caller.user }, 'members'),
      project, members, manage, choices, myRole, synced, readOnly: !svc.siteMode.allowsChangesBy(caller.user), transferTo,
      oldOwnerRoles: ROLES.filter((r) => r !== 'owner'),
      ...inviteData(svc, project, manage),
      error: extra.error ?? null, flash: extra.notice ? { kind: 'ok', text: extra.notice } : undefined,
    }), status);
  }

  /** act runs one change; rule violations re-render the page with their message and status. */
  async function act(ctx: Ctx, change: (caller: Caller, project: Project, form: Record<string, string>) => string,
    ask?: (caller: Caller, project: Project) => ConfirmStep | null): Promise<void> {
    const { caller, form } = await readPageForm(svc, ctx);
    const { project, role } = access.project(caller.user, ctx.params.project, 'project.view');
    const step = ask && !confirmed(form) ? ask(caller, project) : null;
    if (step) {
      sendConfirm(ui, ctx.req, ctx.res, caller, step, projectShell({ project, role, user: caller.user }, 'members'));
      return;
    }
    let notice: string;
    try {
      requireWritable(svc, caller.user);
      notice = change(caller, project, form);
    } catch (err) {
      const e = toPorticoError(err);
      if (e.status >= 500) throw err;
      show(ctx, caller, project, { error: e instanceof ValidationError ? Object.values(e.fields)[0] : e.message }, e.status);
      return;
    }
    const stillMember = caller.user.isAdmin || store.projects.roleOf(project.id, caller.user.id) !== null;
    redirect(ctx.req, ctx.res, stillMember ? `/projects/${project.uuid}/members?ok=${notice}` : '/');
  }

  function targetByUuid(uuid: string): User {
    const user = store.users.byUuid(uuid);
    if (!user) throw new PorticoError('E_USER_NOT_FOUND', 404, 'No such user.');
    return user;
  }

  router.on('GET', '/projects/:project/members', (ctx) => {
    const caller = requirePageUser(svc, ctx.req, ctx.res);
    const { project } = access.project(caller.user, ctx.params.project, 'project.view');
    show(ctx, caller, project, { notice: NOTICES[ctx.url.searchParams.get('ok') ?? ''] ?? null });
  });

  router.on('POST', '/projects/:project/members', (ctx) => act(ctx, (caller, project, form) => {
    const username = field(form, 'username');
    const role = parseRole(field(form, 'role'));
    const target = username ? store.users.byUsername(username) : null;
    if (!target) throw new ValidationError({ username: `No user named "${username}". Directory (LDAP) users appear after their first login; or invite them by e-mail below.` });
    if (store.projects.roleOf(project.id, target.id)) throw conflict(`${target.username} is already a member; change their role in the list.`);
    svc.projects.addRole(caller.user, project, target, role);
    return 'added';
  }));

  router.on('POST', '/projects/:project/members/:user/role', (ctx) => act(ctx, (caller, project, form) => {
    const target = targetByUuid(ctx.params.user);
    if (!store.projects.roleOf(project.id, target.id)) throw new PorticoError('E_USER_NOT_FOUND', 404, `${target.username} is not a member of this project.`);
    svc.projects.changeRole(caller.user, project, target, parseRole(field(form, 'role')));
    return 'changed';
  }));

  router.on('POST', '/projects/:project/members/:user/remove', (ctx) => act(ctx, (caller, project) => {
    svc.projects.removeRole(caller.user, project, targetByUuid(ctx.params.user));
    return 'removed';
  }, (caller, project) => {
    // Ask only about a removal that would happen: a refused one answers its reason at once.
    const target = targetByUuid(ctx.params.user);
    const self = target.id === caller.user.id;
    const targetRole = store.projects.roleOf(project.id, target.id);
    const allowed = targetRole !== null && targetRole !== 'owner' && !syncedFrom(store, project.id) && !project.archived
      && svc.siteMode.allowsChangesBy(caller.user)
      && (self || can(caller.user.isAdmin, store.projects.roleOf(project.id, caller.user.id), targetRole === 'delegate' ? 'project.delegate' : 'project.members'));
    if (!allowed) return null;
    return {
      title: self ? `Leave ${project.title}` : `Remove ${target.username}`,
      question: self ? `Leave the project ${project.title}?` : `Remove ${target.username} from ${project.title}?`,
      detail: self ? 'You lose access to its containers, templates and files until a member with the right adds you again.'
        : `${target.username} loses access to the project's containers, templates and files.`,
      action: `/projects/${project.uuid}/members/${target.uuid}/remove`, button: self ? 'Leave project' : 'Remove member',
      cancel: `/projects/${project.uuid}/members`,
    };
  }));

  router.on('POST', '/projects/:project/members/transfer', (ctx) => act(ctx, (caller, project, form) => {
    const target = targetByUuid(field(form, 'user'));
    svc.projects.transferOwner(caller.user, project, target, parseRole(field(form, 'old_role')));
    return 'transferred';
  }));
}
