/**
 * kiosc-file-serve.ts: Kiosc's small-file URL, /containers/file/serve/<file-uuid>/<name>, which
 * Kiosc's file picker typed into commands as http://<KIOSC_DOCKER_WEB_SERVER>:8080/containers/
 * file/serve/…; files imported from Kiosc keep their uuid, so those commands keep working. Kiosc
 * served any requester whose address it took (from X-Forwarded-For first) for one of the file's
 * project's containers. Portico serves:
 *   - a container of the file's project, known by the socket's own address on the Portico network
 *     (headers never count), as the small-file server checks it (core/files/container-source.ts);
 *   - a logged-in caller (session or token) who may view the project's files.
 * Anyone else gets the same 404 as for a missing file. As in Kiosc, the name in the URL is only
 * a label. The bytes go out as an attachment, like every download.
 */
import { NotFoundError } from '../../gateway/core/errors.ts';
import { can } from '../../gateway/core/auth/roles.ts';
import type { Services } from '../../gateway/core/services.ts';
import type { StoredFile } from '../../gateway/core/types.ts';
import { peerAddress, projectAtAddress } from '../../gateway/core/files/container-source.ts';
import type { Ctx, Router } from '../../gateway/http/router.ts';
import { sendFile } from './files.ts';

const NOT_FOUND = () => new NotFoundError('E_FILE_NOT_FOUND', 'file not found');

async function allowed(svc: Services, ctx: Ctx, f: StoredFile): Promise<boolean> {
  const caller = svc.auth.authenticate(ctx.req.headers);
  if (caller) {
    const u = caller.user;
    return can(u.isAdmin, svc.store.projects.roleOf(f.projectId, u.id), 'file.view');
  }
  const ip = peerAddress(ctx.req.socket.remoteAddress);
  return ip !== null && (await projectAtAddress(svc, ip)) === f.projectId;
}

/** registerKioscFileServe adds GET /containers/file/serve/:file/:name. */
export function registerKioscFileServe(router: Router, svc: Services): void {
  router.on('GET', '/containers/file/serve/:file/:name', async (ctx) => {
    const f = svc.files.byUuid(ctx.params.file);
    if (!f || !(await allowed(svc, ctx, f))) {
      svc.logger.debug('kiosc file url: refused', { file: ctx.params.file, from: ctx.req.socket.remoteAddress });
      throw NOT_FOUND();
    }
    await sendFile(svc, f, ctx.res, ctx.req.method === 'HEAD');
  });
}
