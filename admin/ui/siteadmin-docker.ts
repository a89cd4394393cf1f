/**
 * siteadmin-docker.ts: the site-admin tabs about the engine (Kiosc 1.9.2, 1.9.3): containers Portico
 * does not manage (Portico's own greyed out), Docker networks, volumes and images, pulling an
 * image by name and tag with live progress, and the engine's nodes (a swarm's). Each shows one
 * container host, `?host=` (siteadmin-host.ts). Site admins only.
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
import { listNodes } from '../api/nodes.ts';
import { imageUsage } from '../../gateway/core/containers/images.ts';
import { imageRow } from './siteadmin-images.ts';
import { hostScope, withQ } from './siteadmin-host.ts';
import type { HostScope } from './siteadmin-host.ts';

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

function mb(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

/** pullForm is the pull form's data: values, errors, and the image hosts to pick from (the default picked first). */
function pullForm(d: UiDeps, values: { repository?: string; tag?: string; registry?: string } = {}, errors: Record<string, string> = {}) {
  const hosts = d.svc.imageHosts.list();
  const registry = values.registry ?? hosts.find((h) => h.isDefault)?.name ?? '';
  return {
    values: { repository: values.repository ?? '', tag: values.tag ?? 'latest', registry }, errors,
    hosts: hosts.map((h) => ({ name: h.name, address: h.address, selected: h.name === registry })),
  };
}

/** pullView adds what the pull partial shows. */
function pullView(p: Pull) {
  return { ...p, started: fmtDate(p.startedAt, true), percentText: p.percent === null ? '' : `${p.percent} %` };
}

/** registerSiteAdminDocker adds the engine tabs, the image pull and its live progress. */
export function registerSiteAdminDocker(d: UiDeps): void {
  const { svc } = d;

  /** hostData is what every host-scoped page shows about its host (the tabs and the select carry it on). */
  const hostData = (scope: HostScope) => ({ hq: scope.q, hostPick: scope.pick, hostName: scope.host.name, hostBuiltin: scope.host.builtin });

  d.on('GET', '/siteadmin/engine', async (ctx) => {
    const caller = requireAdmin(d, ctx.req, ctx.res);
    const scope = hostScope(svc, ctx.url);
    let rows: UnmanagedView[] = [];
    let engineError = '';
    try {
      const infos = await scope.engine.list({ all: true });
      // This gateway's own container is on the built-in host's engine only.
      const shared = scope.host.builtin && svc.config.networkMode === 'docker-shared';
      // A record of another host does not own an engine container here: that one is an orphan.
      const known = (uuid: string) => { const c = svc.store.containers.byUuid(uuid); return c !== null && scope.onHost.containers(c); };
      rows = classifyUnmanaged(infos, known, svc.config.instance, { shared, names: [svc.config.gatewayName ?? '', os.hostname()] });
    } catch (err) {
      engineError = toPorticoError(err).message;
    }
    d.ui.page(ctx.req, ctx.res, 'pages/siteadmin-engine', pageData(caller, 'Site admin · Not in Portico', { tab: 'engine', rows, engineError, ...hostData(scope) }));
  });

  d.on('GET', '/siteadmin/nodes', async (ctx) => {
    const caller = requireAdmin(d, ctx.req, ctx.res);
    const scope = hostScope(svc, ctx.url);
    let nodes: Array<Record<string, unknown>> = [];
    let engineError = '';
    try {
      nodes = (await listNodes({ engine: scope.engine })).map((n) => ({ ...n, shortId: n.id.slice(0, 12), memory: mb(n.memoryBytes), labelText: Object.entries(n.labels).map(([k, v]) => `${k}=${v}`).join(', ') }));
    } catch (err) {
      engineError = toPorticoError(err).message;
    }
    const mode = scope.host.builtin ? svc.config.docker.mode : scope.host.mode;
    d.ui.page(ctx.req, ctx.res, 'pages/siteadmin-nodes', pageData(caller, 'Site admin · Nodes', { tab: 'nodes', mode, nodes, engineError, ...hostData(scope) }));
  });

  d.on('GET', '/siteadmin/docker', async (ctx) => {
    const caller = requireAdmin(d, ctx.req, ctx.res);
    const scope = hostScope(svc, ctx.url);
    const settle = <T>(p: Promise<T>) => p.then((v) => ({ v, err: '' }), (e) => ({ v: null, err: toPorticoError(e).message }));
    const sizes = ctx.url.searchParams.get('sizes') === '1';
    const on = { ...svc, engine: scope.engine };
    const [nets, vols, imgs, data] = await Promise.all([settle(scope.engine.listNetworks()), settle(scope.engine.listVolumes()),
      settle(imageUsage({ ...on, onHost: scope.onHost })), settle(listDataVolumes(on, { sizes, owns: scope.onHost.containers }))]);
    d.ui.page(ctx.req, ctx.res, 'pages/siteadmin-docker', pageData(caller, 'Site admin · Docker', {
      tab: 'docker', ...hostData(scope),
      networks: (nets.v ?? []).sort((a, b) => a.name.localeCompare(b.name)).map((n) => ({ ...n, shortId: n.id.slice(0, 12) })),
      volumes: (vols.v ?? []).sort((a, b) => a.name.localeCompare(b.name)),
      dataVolumes: (data.v ?? []).map((v) => dataVolumeView(v, scope)), sizes, sizesHref: withQ(scope, '/siteadmin/docker?sizes=1#data-volumes'),
      images: (imgs.v ?? []).sort((a, b) => b.image.createdAt.localeCompare(a.image.createdAt)).map((u) => imageRow(u, scope)),
      engineError: nets.err || vols.err || imgs.err,
      pullForm: pullForm(d),
      pulls: d.pulls.recent().map(pullView),
    }));
  });

  d.on('POST', '/siteadmin/images/pull', async (ctx) => {
    const caller = requireAdmin(d, ctx.req, ctx.res);
    const form = await readForm(ctx.req, svc.config.maxJsonBody);
    checkCsrf(caller, ctx.req, form.csrf_token ?? null);
    const scope = hostScope(svc, ctx.url, '/siteadmin/docker');
    const repository = (form.repository ?? '').trim();
    const tag = (form.tag ?? '').trim() || 'latest';
    const registry = (form.registry ?? '').trim();
    const errors: Record<string, string> = {};
    let qualified = repository;
    if (registry && isValidRepository(repository)) {
      try { qualified = svc.imageHosts.qualify(repository, registry); } catch (err) { errors.registry = toPorticoError(err).message.replace(/^registry: /, ''); }
    }
    if (!isValidRepository(repository)) errors.repository = 'must be an image name such as "nginx", "ghcr.io/org/app" or "registry:5000/app" (lower case, no tag)';
    if (!isValidTag(tag)) errors.tag = 'must be a tag: letters, digits, "_", "." and "-", at most 128 characters';
    const htmx = ctx.req.headers['hx-request'] === 'true';
    if (Object.keys(errors).length) {
      const pf = pullForm(d, { repository, tag, registry }, errors);
      if (htmx) d.ui.fragment(ctx.res, 'partials/pull-form', { pullForm: pf, csrf: caller.session?.csrf ?? '', hq: scope.q }, 400);
      else d.ui.page(ctx.req, ctx.res, 'pages/siteadmin-pull', pageData(caller, 'Pull an image', { tab: 'docker', pullForm: pf, pull: null, ...hostData(scope) }), 400);
      return;
    }
    const to = scope.host.builtin ? undefined : { engine: scope.engine, host: scope.host.name };
    const { pull, joined } = d.pulls.start(`${qualified}:${tag}`, caller.user.username, to);
    svc.logger.info('image pull started', { image: pull.ref, host: scope.host.name, by: caller.user.username, joined });
    if (!htmx) redirect(ctx.req, ctx.res, withQ(scope, `/siteadmin/pulls/${pull.id}`));
    const on = pull.host ? ` on ${pull.host}` : '';
    d.ui.fragment(ctx.res, 'partials/pull-started', {
      pullForm: pullForm(d), csrf: caller.session?.csrf ?? '', pull: pullView(pull), joined, hq: scope.q,
      flash: { kind: 'info', text: joined ? `${pull.ref} is already being pulled${on}.` : `Pulling ${pull.ref}${on} …` },
    });
  });

  d.on('GET', '/siteadmin/pulls/:id', (ctx) => {
    const caller = requireAdmin(d, ctx.req, ctx.res);
    const pull = d.pulls.get(ctx.params.id);
    if (!pull) throw new NotFoundError('E_NOT_FOUND', 'no such pull (finished pulls are kept for 15 minutes)');
    // The pull's own host, whatever the link said.
    let scope: HostScope;
    try { scope = hostScope(svc, new URL(pull.host ? `/?host=${encodeURIComponent(pull.host)}` : '/', 'http://x'), '/siteadmin/docker'); } catch { scope = hostScope(svc, new URL('/', 'http://x'), '/siteadmin/docker'); }
    d.ui.page(ctx.req, ctx.res, 'pages/siteadmin-pull', pageData(caller, `Pull ${pull.ref}`, {
      tab: 'docker', pull: pullView(pull), pullForm: pullForm(d), ...hostData(scope),
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
