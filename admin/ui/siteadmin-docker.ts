/**
 * siteadmin-docker.ts: the site-admin tabs about the engine (Kiosc 1.9.2, 1.9.3): containers Portico
 * does not manage (Portico's own greyed out), Docker networks, volumes and images, and pulling an
 * image by name and tag with live progress. Site admins only.
 */
import os from 'node:os';
import type { ContainerInfo } from '../../gateway/core/engine/engine.ts';
import { NotFoundError, toPorticoError } from '../../gateway/core/errors.ts';
import { LABELS } from '../../gateway/core/containers/spec.ts';
import { isValidRepository, isValidTag } from '../../gateway/core/containers/validate.ts';
import { readForm } from '../../gateway/http/body.ts';
import { checkCsrf } from '../api/guard.ts';
import type { UiDeps } from './pages.ts';
import { pageData, redirect } from './pages.ts';
import { requireAdmin } from './siteadmin.ts';
import { fmtDate } from './container-view.ts';
import type { Pull } from './image-pulls.ts';
import { openSse } from './sse.ts';
import { listDataVolumes } from '../../gateway/core/containers/volumes.ts';
import { dataVolumeView } from './siteadmin-volumes.ts';
import { imageUsage } from '../../gateway/core/containers/images.ts';
import { imageRow } from './siteadmin-images.ts';

/** UnmanagedView is one engine container that no Portico record of this instance owns. */
export interface UnmanagedView { id: string; fullId: string; name: string; image: string; fullImage: string; state: string; note: string; grey: boolean }

/** classifyUnmanaged picks the engine containers this instance does not manage and says why each is there. */
export function classifyUnmanaged(infos: ContainerInfo[], known: (uuid: string) => boolean, instance: string, gateway: { shared: boolean; names: string[] }): UnmanagedView[] {
  const out: UnmanagedView[] = [];
  for (const i of infos) {
    const mine = i.labels[LABELS.instance] === instance;
    const uuid = i.labels[LABELS.container];
    if (mine && uuid && known(uuid)) continue;
    let note = '';
    let grey = false;
    if (gateway.shared && gateway.names.some((n) => n && (i.name === n || i.id.startsWith(n)))) { note = 'this gateway'; grey = true; }
    else if (mine) note = 'orphan: labelled for this instance, but no container record owns it';
    else if (i.labels[LABELS.managed] === 'true') { note = `another Portico instance (${i.labels[LABELS.instance] ?? 'unknown'})`; grey = true; }
    // Untagged images show as their digest: shortened like docker ps does, the full one in the tooltip.
    const image = i.image.startsWith('sha256:') ? i.image.slice(7, 19) : i.image;
    out.push({ id: i.id.slice(0, 12), fullId: i.id, name: i.name, image, fullImage: i.image, state: i.state, note, grey });
  }
  return out.sort((a, b) => Number(a.grey) - Number(b.grey) || a.name.localeCompare(b.name));
}

/** pullView adds what the pull partial shows. */
function pullView(p: Pull) {
  return { ...p, started: fmtDate(p.startedAt, true), percentText: p.percent === null ? '' : `${p.percent} %` };
}

/** registerSiteAdminDocker adds the engine tabs, the image pull and its live progress. */
export function registerSiteAdminDocker(d: UiDeps): void {
  const { svc } = d;

  d.on('GET', '/siteadmin/engine', async (ctx) => {
    const caller = requireAdmin(d, ctx.req, ctx.res);
    let rows: UnmanagedView[] = [];
    let engineError = '';
    try {
      const infos = await svc.engine.list({ all: true });
      const shared = svc.config.networkMode === 'docker-shared';
      rows = classifyUnmanaged(infos, (uuid) => svc.store.containers.byUuid(uuid) !== null, svc.config.instance,
        { shared, names: [svc.config.gatewayName ?? '', os.hostname()] });
    } catch (err) {
      engineError = toPorticoError(err).message;
    }
    d.ui.page(ctx.req, ctx.res, 'pages/siteadmin-engine', pageData(caller, 'Site admin · Not in Portico', { tab: 'engine', rows, engineError }));
  });

  d.on('GET', '/siteadmin/docker', async (ctx) => {
    const caller = requireAdmin(d, ctx.req, ctx.res);
    const settle = <T>(p: Promise<T>) => p.then((v) => ({ v, err: '' }), (e) => ({ v: null, err: toPorticoError(e).message }));
    const sizes = new URL(ctx.req.url ?? '/', 'http://x').searchParams.get('sizes') === '1';
    const [nets, vols, imgs, data] = await Promise.all([settle(svc.engine.listNetworks()), settle(svc.engine.listVolumes()), settle(imageUsage(svc)),
      settle(listDataVolumes(svc, { sizes }))]);
    d.ui.page(ctx.req, ctx.res, 'pages/siteadmin-docker', pageData(caller, 'Site admin · Docker', {
      tab: 'docker',
      networks: (nets.v ?? []).sort((a, b) => a.name.localeCompare(b.name)).map((n) => ({ ...n, shortId: n.id.slice(0, 12) })),
      volumes: (vols.v ?? []).sort((a, b) => a.name.localeCompare(b.name)),
      dataVolumes: (data.v ?? []).map(dataVolumeView), sizes,
      images: (imgs.v ?? []).sort((a, b) => b.image.createdAt.localeCompare(a.image.createdAt)).map(imageRow),
      engineError: nets.err || vols.err || imgs.err,
      pullForm: { values: { repository: '', tag: 'latest' }, errors: {} },
      pulls: d.pulls.recent().map(pullView),
    }));
  });

  d.on('POST', '/siteadmin/images/pull', async (ctx) => {
    const caller = requireAdmin(d, ctx.req, ctx.res);
    const form = await readForm(ctx.req, svc.config.maxJsonBody);
    checkCsrf(caller, ctx.req, form.csrf_token ?? null);
    const repository = (form.repository ?? '').trim();
    const tag = (form.tag ?? '').trim() || 'latest';
    const errors: Record<string, string> = {};
    if (!isValidRepository(repository)) errors.repository = 'must be an image name such as "nginx", "ghcr.io/org/app" or "registry:5000/app" (lower case, no tag)';
    if (!isValidTag(tag)) errors.tag = 'must be a tag: letters, digits, "_", "." and "-", at most 128 characters';
    const htmx = ctx.req.headers['hx-request'] === 'true';
    if (Object.keys(errors).length) {
      const pullForm = { values: { repository, tag }, errors };
      if (htmx) d.ui.fragment(ctx.res, 'partials/pull-form', { pullForm, csrf: caller.session?.csrf ?? '' }, 400);
      else d.ui.page(ctx.req, ctx.res, 'pages/siteadmin-pull', pageData(caller, 'Pull an image', { tab: 'docker', pullForm, pull: null }), 400);
      return;
    }
    const { pull, joined } = d.pulls.start(`${repository}:${tag}`, caller.user.username);
    if (!htmx) redirect(ctx.req, ctx.res, `/siteadmin/pulls/${pull.id}`);
    d.ui.fragment(ctx.res, 'partials/pull-started', {
      pullForm: { values: { repository: '', tag: 'latest' }, errors: {} }, csrf: caller.session?.csrf ?? '', pull: pullView(pull), joined,
      flash: { kind: 'info', text: joined ? `${pull.ref} is already being pulled.` : `Pulling ${pull.ref} …` },
    });
  });

  d.on('GET', '/siteadmin/pulls/:id', (ctx) => {
    const caller = requireAdmin(d, ctx.req, ctx.res);
    const pull = d.pulls.get(ctx.params.id);
    if (!pull) throw new NotFoundError('E_NOT_FOUND', 'no such pull (finished pulls are kept for 15 minutes)');
    d.ui.page(ctx.req, ctx.res, 'pages/siteadmin-pull', pageData(caller, `Pull ${pull.ref}`, {
      tab: 'docker', pull: pullView(pull), pullForm: { values: { repository: '', tag: 'latest' }, errors: {} },
    }));
  });

  d.on('GET', '/siteadmin/pulls/:id/events', (ctx) => {
    const caller = svc.auth.authenticate(ctx.req.headers);
    if (!caller?.user.isAdmin) throw new NotFoundError();
    const pull = d.pulls.get(ctx.params.id);
    if (!pull) throw new NotFoundError('E_NOT_FOUND', 'no such pull');
    const sse = openSse(ctx.req, ctx.res);
    const finish = (p: Pull) => {
      sse.send('fragments', { [`pull-${p.id}`]: d.ui.render('partials/pull-item', pullView(p)) });
      sse.send('end', {});
      sse.close();
    };
    if (pull.state !== 'running') { finish(pull); return; }
    sse.onClose(d.pulls.follow(pull.id, (p) => {
      if (p.state === 'running') sse.send('progress', { key: p.id, percent: p.percent, status: p.status });
      else finish(p);
    }));
  });
}
