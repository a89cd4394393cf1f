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
export function dataVolumeView(v: DataVolume): DataVolumeView {
  return {
    name: v.name, status: v.status, size: bytes(v.size), created: v.createdAt ? fmtDate(v.createdAt) : '',
    dataPath: v.container?.dataPath ?? '',
    owner: v.container && { uuid: v.container.uuid, title: v.container.title, state: v.container.state },
    removeHref: `/siteadmin/volumes/${encodeURIComponent(v.name)}/remove`,
  };
}

async function find(d: UiDeps, name: string): Promise<DataVolume> {
  const v = (await listDataVolumes(d.svc, { sizes: true })).find((x) => x.name === name);
  if (!v) throw new NotFoundError('E_NOT_FOUND', 'no data volume of this Portico instance has this name');
  return v;
}

/** registerSiteAdminVolumes adds the confirmation page and the removal of a data volume. */
export function registerSiteAdminVolumes(d: UiDeps): void {
  d.on('GET', '/siteadmin/volumes/:name/remove', async (ctx) => {
    const caller = requireAdmin(d, ctx.req, ctx.res);
    const v = dataVolumeView(await find(d, ctx.params.name));
    d.ui.page(ctx.req, ctx.res, 'pages/siteadmin-volume-remove', pageData(caller, `Remove volume ${v.name}`, { tab: 'docker', v }));
  });

  d.on('POST', '/siteadmin/volumes/:name/remove', async (ctx) => {
    const caller = requireAdmin(d, ctx.req, ctx.res);
    const form = await readForm(ctx.req, d.svc.config.maxJsonBody);
    checkCsrf(caller, ctx.req, form.csrf_token ?? null);
    requireWritable(d.svc, caller.user);
    await removeDataVolume(d.svc, ctx.params.name, caller.user.username);
    redirect(ctx.req, ctx.res, '/siteadmin/docker#data-volumes');
  });
}
