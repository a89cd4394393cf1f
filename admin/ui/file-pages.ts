/**
 * file-pages.ts: the Small Files pages (Kiosc 1.8): the project's files with name, size, uploader
 * and date; a multipart upload form that streams to disk (admin/api/file-upload.ts); download; and
 * delete, whose confirmation names the containers that reference the file (they get 404 afterwards).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Caller } from '../../gateway/core/auth/authenticate.ts';
import type { ProjectAccess } from '../../gateway/core/auth/access.ts';
import { can } from '../../gateway/core/auth/roles.ts';
import { PorticoError, toPorticoError } from '../../gateway/core/errors.ts';
import type { Services } from '../../gateway/core/services.ts';
import { readForm } from '../../gateway/http/body.ts';
import { checkCsrf, requireWritable } from '../api/guard.ts';
import { closeIfUnread, uploadMultipart } from '../api/file-upload.ts';
import { sendFile } from '../api/files.ts';
import type { Renderer } from './render.ts';
import { pageData, redirect, requirePageUser } from './pages.ts';
import { projectShell } from './projects.ts';
import type { Route } from './template-pages.ts';

/** formatBytes renders a size for people (1 decimal, binary units). */
export function formatBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n, i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return i === 0 ? `${n} bytes` : `${v.toFixed(1)} ${units[i]}`;
}

/** registerFilePages adds the Small Files pages. */
export function registerFilePages(on: Route, svc: Services, ui: Renderer): void {
  const { files, access } = svc;

  function list(req: IncomingMessage, res: ServerResponse, url: URL, caller: Caller, pa: ProjectAccess, flash?: { kind: string; text: string }, status = 200): void {
    const rows = files.list(pa.project.id).map((f) => ({ ...f, sizeText: formatBytes(f.size), reference: files.reference(f) }));
    let shown = flash;
    const done = url.searchParams.get('done');
    if (!shown && done === 'uploaded') {
      const f = rows.find((r) => r.uuid === url.searchParams.get('f'));
      if (f) shown = { kind: 'ok', text: `Uploaded ${f.name} (${f.sizeText}).` };
    }
    if (!shown && done === 'deleted') shown = { kind: 'ok', text: 'File deleted.' };
    ui.page(req, res, 'pages/files', pageData(caller, 'Small files', {
      ...projectShell(pa, 'files'), rows, flash: shown,
      canEdit: !pa.project.archived && can(caller.user.isAdmin, pa.role, 'file.edit'),
      maxBytes: svc.config.maxUploadBytes, maxText: formatBytes(svc.config.maxUploadBytes),
    }), status);
  }

  function fileOf(pa: ProjectAccess, uuid: string) {
    return files.get(pa.project.id, uuid);
  }

  on('GET', '/projects/:project/files', (ctx) => {
    const caller = requirePageUser(svc, ctx.req, ctx.res);
    list(ctx.req, ctx.res, ctx.url, caller, access.project(caller.user, ctx.params.project, 'file.view'));
  });

  on('POST', '/projects/:project/files', async (ctx) => {
    const caller = requirePageUser(svc, ctx.req, ctx.res);
    const pa = access.project(caller.user, ctx.params.project, 'file.edit');
    requireWritable(svc, caller.user);
    let uuid: string;
    try {
      uuid = (await uploadMultipart(svc, ctx.req, pa.project, caller)).file.uuid;
    } catch (err) {
      closeIfUnread(ctx.req, ctx.res);
      const e = toPorticoError(err);
      if (e.status >= 500 || e.code === 'E_CSRF') throw err;
      list(ctx.req, ctx.res, ctx.url, caller, pa, { kind: 'bad', text: `Upload failed: ${e.message}` }, e.status);
      return;
    }
    redirect(ctx.req, ctx.res, `/projects/${pa.project.uuid}/files?done=uploaded&f=${uuid}`);
  });

  on('GET', '/projects/:project/files/:file/download', async (ctx) => {
    const caller = requirePageUser(svc, ctx.req, ctx.res);
    const f = fileOf(access.project(caller.user, ctx.params.project, 'file.view'), ctx.params.file);
    await sendFile(svc, f, ctx.res, ctx.req.method === 'HEAD');
  });

  on('GET', '/projects/:project/files/:file/delete', (ctx) => {
    const caller = requirePageUser(svc, ctx.req, ctx.res);
    const pa = access.project(caller.user, ctx.params.project, 'file.edit');
    const f = fileOf(pa, ctx.params.file);
    ui.page(ctx.req, ctx.res, 'pages/file-delete', pageData(caller, `Delete ${f.name}`, {
      ...projectShell(pa, 'files'), f, sizeText: formatBytes(f.size), referencedBy: files.referencedBy(f),
    }));
  });

  on('POST', '/projects/:project/files/:file/delete', async (ctx) => {
    const caller = requirePageUser(svc, ctx.req, ctx.res);
    const form = await readForm(ctx.req, svc.config.maxJsonBody);
    checkCsrf(caller, ctx.req, form.csrf_token ?? null);
    const pa = access.project(caller.user, ctx.params.project, 'file.edit');
    requireWritable(svc, caller.user);
    const f = fileOf(pa, ctx.params.file);
    if (f.uuid !== (form.file ?? f.uuid)) throw new PorticoError('E_BAD_REQUEST', 400, 'file mismatch');
    await files.remove(f);
    redirect(ctx.req, ctx.res, `/projects/${pa.project.uuid}/files?done=deleted`);
  });
}
