/**
 * siteadmin-volumes.ts: the containers' data volumes on the site-admin Docker tab, and removing one
 * after a confirmation page (docs/persistence.md). Site admins only; the sizes are read only when
 * asked for, because the engine walks every volume to tell them.
 */
import { NotFoundError } from '../../gateway/core/errors.ts';
import { listDataVolumes, removeDataVolume } from '../../gateway/core/containers/volumes.ts';
import type { DataVolume } from '../../gateway/core/containers/volumes.ts';
import { readForm } from '../../gateway/http/body.ts';
import { checkCsrf, requireWritable } from '../api/guard.ts';
import type { UiDeps } from './pages.ts';
import { pageData, redirect } from './pages.ts';
import { requireAdmin } from './siteadmin.ts';
import { fmtDate } from './container-view.ts';
import { hostScope, withQ } from './siteadmin-host.ts';
import type { HostScope } from './siteadmin-host.ts';

/** DataVolumeView is one row of the data-volume table. */
export interface DataVolumeView {
  name: string; status: string; size: string; created: string; dataPath: string;
  owner: { uuid: string; title: string; state: string } | null; removeHref: string;
}

function bytes(n: number | null): string {
  if (n === null) return '';
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  return `${Math.ceil(n / 1e3)} kB`;
}

/** dataVolumeView renders a data volume for the page. */
export function dataVolumeView(v: DataVolume, scope: Pick<HostScope, 'q'> = { q: '' }): DataVolumeView {
  return {
    name: v.name, status: v.status, size: bytes(v.size), created: v.createdAt ? fmtDate(v.createdAt) : '',
    dataPath: v.container?.dataPath ?? '',
    owner: v.container && { uuid: v.container.uuid, title: v.container.title, state: v.container.state },
    removeHref: withQ(scope, `/siteadmin/volumes/${encodeURIComponent(v.name)}/remove`),
  };
}

/** onHost is the page's host (`?host=`): the volume functions' deps with its engine, and which containers live there. */
function onHost(d: UiDeps, url: URL) {
  const scope = hostScope(d.svc, url, '/siteadmin/docker');
  return { scope, deps: { ...d.svc, engine: scope.engine }, owns: scope.onHost.containers };
}

async function find(d: UiDeps, url: URL, name: string): Promise<{ v: DataVolumeView; scope: HostScope }> {
  const { scope, deps, owns } = onHost(d, url);
  const v = (await listDataVolumes(deps, { sizes: true, owns })).find((x) => x.name === name);
  if (!v) throw new NotFoundError('E_NOT_FOUND', `no data volume of this Portico instance has this name${scope.host.builtin ? '' : ` on container host ${scope.host.name}`}`);
  return { v: dataVolumeView(v, scope), scope };
}

/** registerSiteAdminVolumes adds the confirmation page and the removal of a data volume. */
export function registerSiteAdminVolumes(d: UiDeps): void {
  d.on('GET', '/siteadmin/volumes/:name/remove', async (ctx) => {
    const caller = requireAdmin(d, ctx.req, ctx.res);
    const { v, scope } = await find(d, ctx.url, ctx.params.name);
    d.ui.page(ctx.req, ctx.res, 'pages/siteadmin-volume-remove', pageData(caller, `Remove volume ${v.name}`, { tab: 'docker', v, hq: scope.q, hostName: scope.host.name, hostBuiltin: scope.host.builtin }));
  });

  d.on('POST', '/siteadmin/volumes/:name/remove', async (ctx) => {
    const caller = requireAdmin(d, ctx.req, ctx.res);
    const form = await readForm(ctx.req, d.svc.config.maxJsonBody);
    checkCsrf(caller, ctx.req, form.csrf_token ?? null);
    requireWritable(d.svc, caller.user);
    const { scope, deps, owns } = onHost(d, ctx.url);
    await removeDataVolume(deps, ctx.params.name, caller.user.username, { owns });
    redirect(ctx.req, ctx.res, withQ(scope, '/siteadmin/docker#data-volumes'));
  });
}
