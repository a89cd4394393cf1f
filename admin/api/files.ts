/**
 * files.ts: the small-file REST API, on the container API's scheme:
 *   GET    /containers/api/files/<project>                 list
 *   PUT    /containers/api/files/upload/<project>/<name>   upload the raw body as <name>
 *   POST   /containers/api/files/upload/<project>          upload a multipart/form-data file part
 *   GET    /containers/api/files/detail/<file>             record, reference and referencing containers
 *   GET    /containers/api/files/download/<file>           the bytes (always as an attachment)
 *   DELETE /containers/api/files/delete/<file>             delete (containers referencing it then get 404)
 */
import type { ServerResponse } from 'node:http';
import { NotFoundError, forbidden } from '../../gateway/core/errors.ts';
import type { Permission } from '../../gateway/core/auth/roles.ts';
import { can, isWrite } from '../../gateway/core/auth/roles.ts';
import { requireNotArchived } from '../../gateway/core/projects/archive.ts';
import type { Services } from '../../gateway/core/services.ts';
import type { StoredFile, User } from '../../gateway/core/types.ts';
import { sendJson } from '../../gateway/http/respond.ts';
import type { Ctx, Router } from '../../gateway/http/router.ts';
import { withBasicAuth } from './basic-auth.ts';
import { requireCaller, requireWritable } from './guard.ts';
import { serializeFile } from './serialize-templates.ts';
import { pageOf } from './paging.ts';
import { closeIfUnread, uploadMultipart, uploadRaw } from './file-upload.ts';

/** fileFor returns a file the user may act on: 404 when missing or not a member, 403 when the role is too weak. */
export function fileFor(svc: Services, user: User, uuid: string, permission: Permission): StoredFile {
  const f = svc.files.byUuid(uuid);
  const role = f ? svc.store.projects.roleOf(f.projectId, user.id) : null;
  if (!f || (!user.isAdmin && !role)) throw new NotFoundError('E_FILE_NOT_FOUND', 'file not found');
  if (!can(user.isAdmin, role, permission)) throw forbidden(`your role (${role}) does not allow this`);
  if (isWrite(permission)) {
    const project = svc.store.projects.byId(f.projectId);
    if (project) requireNotArchived(project);
  }
  return f;
}

/** contentDisposition names a download safely (RFC 6266 with an RFC 5987 UTF-8 name). */
export function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name).replace(/['()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())}`;
}

/** sendFile streams a stored file as an attachment (never inline: uploads must not run as pages of the gateway). */
export async function sendFile(svc: Services, f: StoredFile, res: ServerResponse, head: boolean): Promise<void> {
  const open = await svc.files.open(f);
  if (!open) throw new NotFoundError('E_FILE_NOT_FOUND', 'file not found');
  res.writeHead(200, {
    'content-type': 'application/octet-stream',
    'content-length': open.size,
    'content-disposition': contentDisposition(f.name),
    'x-content-type-options': 'nosniff',
    'cache-control': 'private, no-store',
  });
  if (head) { open.stream.destroy(); res.end(); return; }
  open.stream.on('error', () => res.destroy());
  open.stream.pipe(res);
}

/** registerFileApi adds the small-file API routes to `router`. */
export function registerFileApi(router: Router, svc: Services): void {
  const api = withBasicAuth(router, svc);
  const { access, files } = svc;

  api.on('GET', '/containers/api/files/:project', (ctx) => {
    const caller = requireCaller(svc, ctx.req);
    const { project } = access.project(caller.user, ctx.params.project, 'file.view');
    const list = files.list(project.id);
    sendJson(ctx.res, 200, pageOf(ctx, svc.config, list.map(serializeFile)));
  });

  async function upload(ctx: Ctx, raw: boolean): Promise<void> {
    try {
      const caller = requireCaller(svc, ctx.req);
      const { project } = access.project(caller.user, ctx.params.project, 'file.edit');
      requireWritable(svc, caller.user);
      const file = raw ? await uploadRaw(svc, ctx.req, project, caller, ctx.params.name) : (await uploadMultipart(svc, ctx.req, project, caller)).file;
      sendJson(ctx.res, 201, serializeFile(file));
    } catch (err) {
      closeIfUnread(ctx.req, ctx.res);
      throw err;
    }
  }
  api.on('PUT', '/containers/api/files/upload/:project/:name', (ctx) => upload(ctx, true));
  api.on('POST', '/containers/api/files/upload/:project', (ctx) => upload(ctx, false));

  api.on('GET', '/containers/api/files/detail/:file', (ctx) => {
    const caller = requireCaller(svc, ctx.req);
    const f = fileFor(svc, caller.user, ctx.params.file, 'file.view');
    sendJson(ctx.res, 200, { ...serializeFile(f), referenced_by: files.referencedBy(f).map((c) => ({ sodar_uuid: c.uuid, title: c.title })) });
  });

  api.on('GET', '/containers/api/files/download/:file', async (ctx) => {
    const caller = requireCaller(svc, ctx.req);
    const f = fileFor(svc, caller.user, ctx.params.file, 'file.view');
    await sendFile(svc, f, ctx.res, ctx.req.method === 'HEAD');
  });

  api.on('DELETE', '/containers/api/files/delete/:file', async (ctx) => {
    const caller = requireCaller(svc, ctx.req);
    const f = fileFor(svc, caller.user, ctx.params.file, 'file.edit');
    requireWritable(svc, caller.user);
    await files.remove(f);
    ctx.res.writeHead(204).end();
  });
}
