/**
 * service.ts: every change to a project and to who belongs to it goes through here: the REST API
 * (SODAR's projectroles endpoints), the UI and the CLI. The rules follow SODAR Core's (1.0, as
 * Kiosc pins it; delete from 1.1): owners and delegates update, archive and delete a project;
 * owners and delegates manage members, but only the owner (or a site admin) gives or takes the
 * delegate role; a project has exactly one owner, who changes only by an ownership transfer; the
 * number of delegates is limited (PROJECTROLES_DELEGATE_LIMIT). Site admins may do everything. An
 * archived project refuses every change but unarchive and delete. `checkLocal` is the one place
 * that refuses local changes to a project synced from SODAR (remote-guard.ts).
 */
import type { Audit } from '../audit.ts';
import { projectObject } from '../audit.ts';
import { NotFoundError, PorticoError, ValidationError, badRequest, forbidden } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/index.ts';
import type { SiteMode } from '../site-mode.ts';
import type { Membership, Project, Role, User } from '../types.ts';
import { can } from '../auth/roles.ts';
import { assertLocallyEditable } from './remote-guard.ts';
import type { Permission } from '../auth/roles.ts';
import { requireNotArchived } from './archive.ts';
import { deleteProjectContents } from './delete.ts';
import type { DeleteDeps } from './delete.ts';

/** MAX_TITLE and MAX_TEXT bound a project's title and its description or readme. */
export const MAX_TITLE = 255;
export const MAX_TEXT = 100_000;

/** notGuest refuses a public app's visitor as a member: a guest is no person (docs/apps.md) and holds nothing but their instance. */
function notGuest(user: User): void {
  if (user.guest) throw new ValidationError({ user: "a public app's visitor cannot be a project member" });
}

/** CLI_ACTOR is who the `portico` command acts as: a site admin that belongs to no project. */
export const CLI_ACTOR: User = Object.freeze({
  id: 0, uuid: '00000000-0000-0000-0000-000000000000', username: 'portico-cli', name: 'portico command', email: '',
  isAdmin: true, source: 'local', active: true, createdAt: '1970-01-01T00:00:00.000Z', guest: false,
});

/** ProjectInput is a new project's fields; `owner` is its first owner. */
export interface ProjectInput { title: string; description?: string; readme?: string; owner: User | null }

/** ProjectPatch changes some of a project's fields. */
export interface ProjectPatch { title?: string; description?: string; readme?: string }

/** DeleteSummary is what a delete removes, for the confirmation. */
export interface DeleteSummary { containers: number; running: number; templates: number; files: number; volumes: number; members: number }

/** ProjectServiceDeps: the store, the site mode, the delimit of delegates, and (for deletes) the engine work. */
export interface ProjectServiceDeps {
  store: Store;
  siteMode: SiteMode;
  logger: Logger;
  /** delegateLimit is the most delegates a project may have (0: no limit). */
  delegateLimit: number;
  /** creators is who may create a project of their own (PORTICO_PROJECT_CREATORS; default: site admins only). */
  creators?: 'all' | 'admins';
  /** work deletes a project's containers and files; without it (a bare store), deletes are refused. */
  work?: DeleteDeps;
  /** audit records each change in the audit trail (gateway/core/audit.ts); without it, changes are only logged. */
  audit?: Audit;
}

/** AUDIT_ACTIONS names each logged change in the audit trail. */
const AUDIT_ACTIONS: Readonly<Record<string, string>> = {
  'project created': 'project.create', 'project renamed': 'project.rename', 'project updated': 'project.update',
  'project archived': 'project.archive', 'project unarchived': 'project.unarchive',
  'project delete begun': 'project.delete', 'role assigned': 'member.add', 'role changed': 'member.role',
  'member left': 'member.leave', 'role removed': 'member.remove', 'ownership transferred': 'project.transfer',
};

/** ProjectService is the one way to change projects and role assignments. */
export type ProjectService = ReturnType<typeof createProjectService>;

function text(value: string | undefined, name: string, max: number): string {
  const v = value ?? '';
  if (v.length > max) throw new ValidationError({ [name]: `at most ${max} characters` });
  return v;
}

function title(value: string | undefined): string {
  const v = (value ?? '').trim();
  if (!v) throw new ValidationError({ title: 'a title is required' });
  if (v.length > MAX_TITLE) throw new ValidationError({ title: `at most ${MAX_TITLE} characters` });
  return v;
}

/** createProjectService builds the service over the store. */
export function createProjectService(deps: ProjectServiceDeps) {
  const { store, siteMode, logger } = deps;
  // Projects whose delete runs now: a resume leaves them to the run under way.
  const deleting = new Set<number>();

  async function finish(project: Project, user: string): Promise<void> {
    deleting.add(project.id);
    try {
      await deleteProjectContents(deps.work!, project, user);
    } finally {
      deleting.delete(project.id);
    }
  }

  /** checkLocal is where every change passes first: a project being deleted is gone, and (later) a synced project refuses local changes. */
  function checkLocal(project: Project): Project {
    const fresh = store.projects.byId(project.id);
    if (!fresh || fresh.deletingAt) throw new NotFoundError('E_PROJECT_NOT_FOUND', 'project not found');
    // A project synced from a SODAR source site changes only there (docs/sodar-sync.md).
    assertLocallyEditable(store, fresh.id);
    return fresh;
  }

  function roleOf(project: Project, user: User): Role | null {
    return store.projects.roleOf(project.id, user.id);
  }

  /** allow throws unless `actor` holds `permission` in `project`; the site's read-only mode stops everyone but admins. */
  function allow(actor: User, project: Project, permission: Permission, message: string): Role | null {
    const role = roleOf(project, actor);
    if (!actor.isAdmin && !role) throw new NotFoundError('E_PROJECT_NOT_FOUND', 'project not found');
    if (!can(actor.isAdmin, role, permission)) throw forbidden(message);
    if (!siteMode.allowsChangesBy(actor)) throw new PorticoError('E_READ_ONLY', 403, 'the site is in read-only mode; only administrators can change anything');
    return role;
  }

  function uniqueTitle(value: string, exceptId = 0): void {
    if (store.projects.titleTaken(value, exceptId)) throw new ValidationError({ title: `a project titled ${JSON.stringify(value)} already exists` });
  }

  function checkDelegateRoom(project: Project, replacing: Membership | null): void {
    const limit = deps.delegateLimit;
    if (limit === 0) return;
    const others = store.projects.roleCount(project.id, 'delegate') - (replacing?.role === 'delegate' ? 1 : 0);
    if (others >= limit) throw badRequest(`Project delegate limit of ${limit} has been reached`);
  }

  function member(project: Project, target: User): Membership {
    const m = store.projects.member(project.id, target.id);
    if (!m) throw new PorticoError('E_USER_NOT_FOUND', 404, `${target.username} is not a member of this project`);
    return m;
  }

  function log(message: string, project: Project, actor: User, extra: Record<string, unknown> = {}): void {
    logger.info(message, { project: project.uuid, by: actor.username, ...extra });
    const action = AUDIT_ACTIONS[message];
    if (action) deps.audit?.record({ actor: actor.username, action, object: projectObject(project), detail: extra });
  }

  return {
    /** create makes a project with its first owner (site admins only: Portico has no categories to create projects under). */
    create(actor: User, input: ProjectInput): Project {
      if (!actor.isAdmin) throw forbidden('Only site admins create projects (Portico has no categories to create them under).');
      if (!siteMode.allowsChangesBy(actor)) throw new PorticoError('E_READ_ONLY', 403, 'the site is in read-only mode');
      const fields = { title: title(input.title), description: text(input.description, 'description', MAX_TEXT), readme: text(input.readme, 'readme', MAX_TEXT) };
      const project = store.transaction(() => {
        uniqueTitle(fields.title);
        const p = store.projects.create(fields.title, fields.description, fields.readme);
        if (input.owner) { notGuest(input.owner); store.projects.setRole(p.id, input.owner.id, 'owner'); }
        return p;
      });
      log('project created', project, actor, { owner: input.owner?.username ?? null });
      return project;
    },

    /**
     * createOwn makes a project whose owner is `actor` (the home page's "Create project"): any
     * active user when PORTICO_PROJECT_CREATORS is `all`, else site admins only.
     */
    createOwn(actor: User, input: Omit<ProjectInput, 'owner'>): Project {
      if (!actor.isAdmin && deps.creators !== 'all') throw forbidden('Only site admins create projects on this site (PORTICO_PROJECT_CREATORS=admins).');
      if (!siteMode.allowsChangesBy(actor)) throw new PorticoError('E_READ_ONLY', 403, 'the site is in read-only mode');
      // The creator rule is checked above; create's own (site admins only) is for the API and the CLI.
      return this.create({ ...actor, isAdmin: true }, { ...input, owner: actor });
    },

    /** update renames a project or changes its description or readme (owners, delegates; not while archived). */
    update(actor: User, project: Project, patch: ProjectPatch): Project {
      return store.transaction(() => {
        const p = checkLocal(project);
        allow(actor, p, 'project.update', 'Only owners and delegates of this project can change it.');
        requireNotArchived(p);
        const next = {
          title: patch.title === undefined ? p.title : title(patch.title),
          description: patch.description === undefined ? p.description : text(patch.description, 'description', MAX_TEXT),
          readme: patch.readme === undefined ? p.readme : text(patch.readme, 'readme', MAX_TEXT),
        };
        if (next.title !== p.title) uniqueTitle(next.title, p.id);
        store.projects.update(p.id, next);
        if (next.title !== p.title) log('project renamed', p, actor, { from: p.title, to: next.title });
        return { ...p, ...next };
      });
    },

    /** setArchived archives (read-only) or unarchives a project (owners, delegates, site admins). */
    setArchived(actor: User, project: Project, archived: boolean): Project {
      return store.transaction(() => {
        const p = checkLocal(project);
        allow(actor, p, 'project.update', `Only owners and delegates of this project can ${archived ? 'archive' : 'unarchive'} it.`);
        if (p.archived !== archived) {
          store.projects.setArchived(p.id, archived);
          log(archived ? 'project archived' : 'project unarchived', p, actor);
        }
        return { ...p, archived };
      });
    },

    /** summary counts what a delete removes (for the confirmation page and the CLI). */
    summary(project: Project): DeleteSummary {
      const containers = store.containers.list({ projectId: project.id, limit: 100_000, offset: 0 }).results;
      return {
        containers: containers.length,
        running: containers.filter((c) => c.state === 'running' || c.state === 'paused' || c.state === 'restarting').length,
        templates: store.templates.ofProject(project.id).length,
        files: store.files.ofProject(project.id).length,
        volumes: containers.filter((c) => c.dataPath).length,
        members: store.projects.members(project.id).length,
      };
    },

    /**
     * remove deletes a project with everything in it: its containers are stopped and removed (their
     * data volumes are kept, orphaned, for a site admin), its templates, small files and members go.
     * The intent is recorded first, so a kill part-way is finished by `resumeDeletes` at the next start.
     */
    async remove(actor: User, project: Project): Promise<void> {
      if (!deps.work) throw new PorticoError('E_ENGINE_UNAVAILABLE', 503, 'deleting a project needs the container engine');
      store.transaction(() => {
        // A delete asked for again (its first run was interrupted) continues where it stopped.
        const p = store.projects.byId(project.id);
        if (!p) throw new NotFoundError('E_PROJECT_NOT_FOUND', 'project not found');
        allow(actor, p, 'project.delete', 'Only owners and delegates of this project can delete it.');
        if (!p.deletingAt) store.projects.markDeleting(checkLocal(p).id);
      });
      log('project delete begun', project, actor);
      await finish(project, actor.username);
      log('project deleted', project, actor);
    },

    /** resumeDeletes finishes the deletes a kill or an unreachable engine interrupted; returns how many finished. */
    async resumeDeletes(): Promise<number> {
      if (!deps.work) return 0;
      let done = 0;
      for (const p of store.projects.deleting()) {
        if (deleting.has(p.id)) continue;
        try {
          await finish(p, 'portico');
          logger.info('interrupted project delete finished', { project: p.uuid });
          done++;
        } catch (err) {
          logger.warn('interrupted project delete still unfinished', { project: p.uuid, err: (err as Error).message });
        }
      }
      return done;
    },

    /** addRole gives a user who is not yet a member a role (SODAR's role assignment create). */
    addRole(actor: User, project: Project, target: User, role: Role): Membership {
      return store.transaction(() => {
        const p = checkLocal(project);
        allow(actor, p, 'project.members', 'Only owners and delegates of this project can change its members.');
        requireNotArchived(p, 'changed (members included)');
        notGuest(target);
        const existing = store.projects.member(p.id, target.id);
        if (existing) throw badRequest(`User already has the role of "project ${existing.role}" in project (UUID=${existing.uuid})`);
        if (role === 'owner') {
          // Only a project without an owner (made by the CLI without --owner) gets one this way.
          if (store.projects.ownerCount(p.id) > 0) throw badRequest('The project has an owner; use an ownership transfer to change it.');
          if (!actor.isAdmin) throw forbidden('Only site admins give a project its first owner.');
        }
        if (role === 'delegate') {
          if (!can(actor.isAdmin, roleOf(p, actor), 'project.delegate')) throw forbidden('Only the owner (or a site admin) can assign the delegate role.');
          checkDelegateRoom(p, null);
        }
        store.projects.setRole(p.id, target.id, role);
        log('role assigned', p, actor, { user: target.username, role });
        return store.projects.member(p.id, target.id)!;
      });
    },

    /** changeRole changes a member's role; the owner's changes only by a transfer. */
    changeRole(actor: User, project: Project, target: User, role: Role): Membership {
      return store.transaction(() => {
        const p = checkLocal(project);
        allow(actor, p, 'project.members', 'Only owners and delegates of this project can change its members.');
        requireNotArchived(p, 'changed (members included)');
        const current = member(p, target);
        if (current.role === role) return current;
        const extraOwner = current.role === 'owner' && store.projects.ownerCount(p.id) > 1;
        if ((current.role === 'owner' && !extraOwner) || role === 'owner') {
          throw badRequest('The owner changes only by an ownership transfer (/project/api/roles/owner-transfer, or "Transfer ownership" on the Members page).');
        }
        const owner = can(actor.isAdmin, roleOf(p, actor), 'project.delegate');
        if (current.role === 'owner' && !owner) throw forbidden('A delegate cannot remove or change an owner.');
        if ((role === 'delegate' || current.role === 'delegate') && !owner) throw forbidden('Only the owner (or a site admin) can give or take the delegate role.');
        if (role === 'delegate') checkDelegateRoom(p, current);
        store.projects.setRole(p.id, target.id, role);
        log('role changed', p, actor, { user: target.username, from: current.role, role });
        return { ...current, role };
      });
    },

    /** removeRole takes a member out of a project; anyone but the owner may leave on their own. */
    removeRole(actor: User, project: Project, target: User): void {
      store.transaction(() => {
        const p = checkLocal(project);
        const leaving = actor.id === target.id;
        const actorRole = roleOf(p, actor);
        if (!actor.isAdmin && !actorRole) throw new NotFoundError('E_PROJECT_NOT_FOUND', 'project not found');
        if (!leaving) allow(actor, p, 'project.members', 'Only owners and delegates of this project can change its members.');
        else if (!siteMode.allowsChangesBy(actor)) throw new PorticoError('E_READ_ONLY', 403, 'the site is in read-only mode');
        requireNotArchived(p, 'changed (members included)');
        const current = member(p, target);
        if (current.role === 'owner' && store.projects.ownerCount(p.id) <= 1) {
          throw badRequest(leaving
            ? 'The owner cannot leave the project. Transfer the ownership to another member first.'
            : 'The owner cannot be removed; use an ownership transfer to change the owner.');
        }
        const owner = can(actor.isAdmin, actorRole, 'project.delegate');
        if (!leaving && current.role === 'owner' && !owner) throw forbidden('A delegate cannot remove or change an owner.');
        if (!leaving && current.role === 'delegate' && !owner) throw forbidden('Only the owner (or a site admin) can take the delegate role.');
        store.projects.removeMember(p.id, target.id);
        log(leaving ? 'member left' : 'role removed', p, actor, { user: target.username, role: current.role });
      });
    },

    /** transferOwner makes member `next` the owner and gives the old owner `oldOwnerRole` (owner or site admin only). */
    transferOwner(actor: User, project: Project, next: User, oldOwnerRole: Role): { from: string; to: string } {
      return store.transaction(() => {
        const p = checkLocal(project);
        allow(actor, p, 'project.owner', 'Only the owner (or a site admin) can transfer the ownership.');
        requireNotArchived(p, 'changed (members included)');
        if (oldOwnerRole === 'owner') throw badRequest('old_owner_role must be delegate, contributor or guest: a project has one owner.');
        notGuest(next);
        const owners = store.projects.members(p.id).filter((m) => m.role === 'owner');
        const old = owners.find((m) => m.userId === actor.id) ?? owners[0];
        if (!old) throw badRequest('Existing owner role not found');
        if (old.userId === next.id) throw badRequest('Owner role already set for user');
        const target = store.projects.member(p.id, next.id);
        if (!target) throw badRequest(`User ${next.username} is not a member of the project`);
        if (oldOwnerRole === 'delegate') checkDelegateRoom(p, target);
        store.projects.setRole(p.id, next.id, 'owner');
        store.projects.setRole(p.id, old.userId, oldOwnerRole);
        log('ownership transferred', p, actor, { from: old.username, to: next.username, oldOwnerRole });
        return { from: old.username ?? '', to: next.username };
      });
    },
  };
}
