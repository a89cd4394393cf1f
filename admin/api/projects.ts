/**
 * projects.ts: SODAR Core's projectroles REST API for projects, role assignments and users, at
 * SODAR's paths, in its media type (sodar-media.ts) and shapes (serialize-projects.ts):
 *   GET    /project/api/list                              projects the caller belongs to (admins: all)
 *   GET    /project/api/retrieve/<project>                one project with its roles
 *   POST   /project/api/create                            create (site admins; type PROJECT, parent null, owner)
 *   PUT    /project/api/update/<project>  (PATCH too)     title, description, readme; `archive` (Portico's addition)
 *   DELETE /project/api/destroy/<project>                 delete with everything in it (SODAR Core 1.1)
 *   POST   /project/api/roles/create/<project>            {role, user}
 *   PUT    /project/api/roles/update/<assignment> (PATCH) {role}
 *   DELETE /project/api/roles/destroy/<assignment>
 *   POST   /project/api/roles/owner-transfer/<project>    {new_owner, old_owner_role}
 *   GET    /project/api/users/list, /project/api/users/current
 * Every change goes through the project service (core/projects/service.ts), where the rules live.
 */
import { NotFoundError, ValidationError, badRequest, forbidden } from '../../gateway/core/errors.ts';
import { can } from '../../gateway/core/auth/roles.ts';
import type { Permission } from '../../gateway/core/auth/roles.ts';
import { isUuid } from '../../gateway/core/auth/access.ts';
import type { Caller } from '../../gateway/core/auth/authenticate.ts';
import type { Services } from '../../gateway/core/services.ts';
import type { Membership, Project, User } from '../../gateway/core/types.ts';
import type { Ctx, Router } from '../../gateway/http/router.ts';
import { requireCaller } from './guard.ts';
import { negotiate, readSodarBody, sendSodar, sendSodarError } from './sodar-media.ts';
import { parseRole, serializeAssignment, serializeProject, serializeUser, sodarRole } from './serialize-projects.ts';

const MAX_PAGE_SIZE = 1000;

type SodarHandler = (ctx: Ctx, caller: Caller, version: string) => Promise<[number, unknown]> | [number, unknown];

function str(body: Record<string, unknown>, name: string): string | undefined {
  const v = body[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new ValidationError({ [name]: 'must be a string' });
  return v;
}

function bool(body: Record<string, unknown>, name: string): boolean | undefined {
  const v = body[name];
  if (v === undefined) return undefined;
  if (v === true || v === 'true' || v === 'True') return true;
  if (v === false || v === 'false' || v === 'False') return false;
  throw new ValidationError({ [name]: 'must be true or false' });
}

/** checkShape refuses what Portico does not have: categories, parents and public guest access. */
function checkShape(body: Record<string, unknown>): void {
  const type = body.type;
  if (type !== undefined && type !== 'PROJECT') {
    throw new ValidationError({ type: type === 'CATEGORY' ? 'Portico has no categories: create projects of type PROJECT (with parent null)' : 'Type is not CATEGORY or PROJECT' });
  }
  if (body.parent !== undefined && body.parent !== null && body.parent !== '') {
    throw new ValidationError({ parent: 'Portico has no categories: parent must be null' });
  }
  if (bool(body, 'public_guest_access') === true) throw new ValidationError({ public_guest_access: 'public guest access is not supported: add members with a role instead' });
}

/** page applies SODAR's optional pagination: the whole list without ?page, else DRF's page format, `pageSize` (SODAR_API_PAGE_SIZE) a page unless page_size says otherwise. */
function page<T>(ctx: Ctx, items: T[], pageSize: number): unknown {
  const raw = ctx.url.searchParams.get('page');
  if (raw === null || raw === '') return items;
  const sizeRaw = ctx.url.searchParams.get('page_size');
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < 1) throw new NotFoundError('E_NOT_FOUND', 'Invalid page.');
  if (sizeRaw !== null && (!/^\d{1,9}$/.test(sizeRaw) || Number(sizeRaw) < 1)) throw badRequest('page_size must be a positive whole number');
  const n = Number(raw);
  const size = Math.min(sizeRaw === null ? pageSize : Number(sizeRaw), Math.max(MAX_PAGE_SIZE, pageSize));
  const results = items.slice((n - 1) * size, n * size);
  if (n > 1 && results.length === 0) throw new NotFoundError('E_NOT_FOUND', 'Invalid page.');
  const link = (to: number) => {
    const u = new URL(ctx.url.pathname + ctx.url.search, `http://${ctx.req.headers.host ?? 'localhost'}`);
    u.searchParams.set('page', String(to));
    return u.toString();
  };
  return { count: items.length, next: n * size < items.length ? link(n + 1) : null, previous: n > 1 ? link(n - 1) : null, results };
}

/** registerProjectApi adds the projectroles routes to `router`. */
export function registerProjectApi(router: Router, svc: Services): void {
  const { access, store, config, projects } = svc;

  function on(method: string | string[], path: string, handler: SodarHandler): void {
    router.on(method, path, async (ctx) => {
      try {
        const version = negotiate(ctx.req.headers.accept);
        const caller = requireCaller(svc, ctx.req);
        const [status, body] = await handler(ctx, caller, version);
        sendSodar(ctx.res, status, body, version);
      } catch (err) {
        if (!ctx.req.complete && !ctx.res.headersSent) ctx.res.setHeader('connection', 'close');
        sendSodarError(ctx.res, err, svc.logger);
      }
    });
  }

  /** projectFor finds a project the caller may see and checks `permission` (403 with SODAR's meaning, 404 for non-members). */
  function projectFor(user: User, uuid: string, permission: Permission, message: string): Project {
    const { project, role } = access.project(user, uuid, 'project.view');
    if (!can(user.isAdmin, role, permission)) throw forbidden(message);
    return project;
  }

  function assignmentFor(user: User, uuid: string): { project: Project; assignment: Membership } {
    const m = isUuid(uuid) ? store.projects.memberByUuid(uuid.toLowerCase()) : null;
    const project = m ? store.projects.byId(m.projectId) : null;
    if (!m || !project) throw new NotFoundError('E_NOT_FOUND', 'No RoleAssignment matches the given query.');
    try {
      access.project(user, project.uuid, 'project.view');
    } catch (err) {
      if (err instanceof NotFoundError) throw new NotFoundError('E_NOT_FOUND', 'No RoleAssignment matches the given query.');
      throw err;
    }
    return { project, assignment: m };
  }

  function userByUuid(raw: unknown, field: string): User {
    if (typeof raw !== 'string' || !raw) throw new ValidationError({ [field]: 'This field is required (a user UUID).' });
    const u = isUuid(raw) ? store.users.byUuid(raw.toLowerCase()) : null;
    if (!u || u.guest) throw new ValidationError({ [field]: `Object with sodar_uuid=${JSON.stringify(raw.slice(0, 40))} does not exist.` });
    return u;
  }

  on('GET', '/project/api/list', (ctx, caller) => {
    const list = caller.user.isAdmin ? store.projects.all().filter((p) => !p.deletingAt) : store.projects.ofUser(caller.user.id);
    return [200, page(ctx, list.map((p) => serializeProject(p, store)), config.apiPageSize)];
  });

  on('GET', '/project/api/retrieve/:project', (ctx, caller) => {
    const { project } = access.project(caller.user, ctx.params.project, 'project.view');
    return [200, serializeProject(project, store)];
  });

  on('POST', '/project/api/create', async (ctx, caller) => {
    if (!caller.user.isAdmin) throw forbidden('Only site admins create projects: Portico has no categories to create them under.');
    const body = await readSodarBody(ctx.req, config.maxJsonBody);
    checkShape(body);
    if (body.owner === undefined || body.owner === '') throw new ValidationError({ owner: 'The "owner" parameter must be supplied for project creation' });
    const owner = typeof body.owner === 'string' && isUuid(body.owner) ? store.users.byUuid(body.owner.toLowerCase()) : null;
    if (!owner || owner.guest) throw new ValidationError({ owner: 'Owner not found' });
    const title = str(body, 'title');
    if (title === undefined) throw new ValidationError({ title: 'This field is required.' });
    const project = projects.create(caller.user, { title, description: str(body, 'description'), readme: str(body, 'readme'), owner });
    return [201, serializeProject(project, store)];
  });

  on(['PUT', 'PATCH'], '/project/api/update/:project', async (ctx, caller) => {
    let project = projectFor(caller.user, ctx.params.project, 'project.update', 'Only owners and delegates of this project can change it.');
    const body = await readSodarBody(ctx.req, config.maxJsonBody);
    if (ctx.req.method === 'PUT') {
      const missing: Record<string, string> = {};
      for (const f of ['title', 'type']) if (body[f] === undefined) missing[f] = 'This field is required.';
      if (Object.keys(missing).length) throw new ValidationError(missing);
    }
    checkShape(body);
    if (body.owner !== undefined && body.owner !== null && body.owner !== '') {
      const owner = store.projects.members(project.id).find((m) => m.role === 'owner');
      const ownerUuid = owner ? store.users.byId(owner.userId)?.uuid : null;
      if (String(body.owner).toLowerCase() !== ownerUuid) throw new ValidationError({ owner: 'Modifying owner not allowed here, use ownership transfer API view instead' });
    }
    const archive = bool(body, 'archive');
    const patch = { title: str(body, 'title'), description: str(body, 'description'), readme: str(body, 'readme') };
    const changes = Object.values(patch).some((v) => v !== undefined);
    // Unarchive before other changes, archive after them: `{"archive": false, "title": …}` works on an archived project.
    if (archive === false && project.archived) project = projects.setArchived(caller.user, project, false);
    if (changes) {
      const same = (['title', 'description', 'readme'] as const).every((k) => patch[k] === undefined || (k === 'title' ? patch[k]!.trim() : patch[k]) === project[k]);
      // A PUT that sends the project back unchanged (GET, edit `archive`, PUT) is no change to refuse.
      if (!same || !project.archived) project = projects.update(caller.user, project, patch);
    }
    if (archive === true && !project.archived) project = projects.setArchived(caller.user, project, true);
    return [200, serializeProject(project, store)];
  });

  on('DELETE', '/project/api/destroy/:project', async (ctx, caller) => {
    // A project whose delete was interrupted is still found here, so asking again finishes it.
    const p = isUuid(ctx.params.project) ? store.projects.byUuid(ctx.params.project.toLowerCase()) : null;
    const role = p ? store.projects.roleOf(p.id, caller.user.id) : null;
    if (!p || (!caller.user.isAdmin && !role)) throw new NotFoundError('E_PROJECT_NOT_FOUND', 'project not found');
    if (!can(caller.user.isAdmin, role, 'project.delete')) throw forbidden('Only owners and delegates of this project can delete it.');
    await projects.remove(caller.user, p);
    return [204, null];
  });

  on('POST', '/project/api/roles/create/:project', async (ctx, caller) => {
    const project = projectFor(caller.user, ctx.params.project, 'project.members', 'Only owners and delegates of this project can change its members.');
    const body = await readSodarBody(ctx.req, config.maxJsonBody);
    const role = parseRole(body.role);
    const target = userByUuid(body.user, 'user');
    const m = projects.addRole(caller.user, project, target, role);
    return [201, serializeAssignment(project, m, store)];
  });

  on(['PUT', 'PATCH'], '/project/api/roles/update/:roleassignment', async (ctx, caller) => {
    const { project, assignment } = assignmentFor(caller.user, ctx.params.roleassignment);
    if (!can(caller.user.isAdmin, store.projects.roleOf(project.id, caller.user.id), 'project.members')) {
      throw forbidden('Only owners and delegates of this project can change its members.');
    }
    const body = await readSodarBody(ctx.req, config.maxJsonBody);
    const target = store.users.byId(assignment.userId)!;
    if (body.user !== undefined && userByUuid(body.user, 'user').id !== target.id) {
      throw badRequest('Updating the user is not allowed, create a new role assignment instead');
    }
    if (body.role === undefined && ctx.req.method === 'PUT') throw new ValidationError({ role: 'This field is required.' });
    const m = body.role === undefined ? assignment : projects.changeRole(caller.user, project, target, parseRole(body.role));
    return [200, serializeAssignment(project, m, store)];
  });

  on('DELETE', '/project/api/roles/destroy/:roleassignment', (ctx, caller) => {
    const { project, assignment } = assignmentFor(caller.user, ctx.params.roleassignment);
    projects.removeRole(caller.user, project, store.users.byId(assignment.userId)!);
    return [204, null];
  });

  on('POST', '/project/api/roles/owner-transfer/:project', async (ctx, caller) => {
    const project = projectFor(caller.user, ctx.params.project, 'project.owner', 'Only the owner (or a site admin) can transfer the ownership.');
    const body = await readSodarBody(ctx.req, config.maxJsonBody);
    if (typeof body.new_owner !== 'string' || !body.new_owner || body.old_owner_role === undefined) {
      throw badRequest('Fields "new_owner" and "old_owner_role" must be present');
    }
    const next = store.users.byUsername(body.new_owner);
    if (!next) throw badRequest(`User "${body.new_owner.slice(0, 150)}" not found`);
    const oldRole = parseRole(body.old_owner_role, 'old_owner_role');
    const done = projects.transferOwner(caller.user, project, next, oldRole);
    return [200, { detail: `Ownership transferred from ${done.from} to ${done.to} in project "${project.title}"`, old_owner_role: sodarRole(oldRole) }];
  });

  on('GET', '/project/api/users/list', (ctx, caller) => {
    const users = store.users.all().filter((u) => caller.user.isAdmin || u.active);
    return [200, page(ctx, users.map(serializeUser), config.apiPageSize)];
  });

  on('GET', '/project/api/users/current', (_ctx, caller) => [200, serializeUser(caller.user)]);
}
