/**
 * siteadmin-hosts.ts: the site-admin "Container hosts" tab (docs/container-hosts.md): the hosts with
 * their live status (from memory: a dead host never holds the page), add, edit, test (ping and
 * version, bounded), make default, remove (refused while containers or templates use one).
 */
import { PorticoError, ValidationError } from '../../gateway/core/errors.ts';
import { readForm } from '../../gateway/http/body.ts';
import type { Caller } from '../../gateway/core/auth/authenticate.ts';
import type { HostRecord } from '../../gateway/core/store/hosts.ts';
import { MASKED } from '../../gateway/core/hosts/validate.ts';
import { checkCsrf, requireWritable } from '../api/guard.ts';
import { showHost } from '../api/hosts.ts';
import type { Flash, UiDeps } from './pages.ts';
import { pageData, redirect } from './pages.ts';
import { requireAdmin } from './siteadmin.ts';
import type { Ctx } from '../../gateway/http/router.ts';

const DONE: Record<string, string> = {
  added: 'Container host added.', saved: 'Container host saved.', removed: 'Container host removed.', default: 'Default container host changed.',
};

type Form = Record<string, string>;

/** HOST_FIELDS are the form's inputs (partials/form-field.eta). */
const HOST_FIELDS = [
  { name: 'name', label: 'Name', type: 'text', required: true, help: 'How containers and people name this host (letters, digits, dot, dash, underscore).' },
  { name: 'url', label: 'URL', type: 'text', required: true, placeholder: 'tcp://10.0.0.5:2376', help: 'unix:///path/to/docker.sock, or tcp://host:port with TLS (required for tcp://).' },
  { name: 'mode', label: 'Mode', type: 'text', help: 'engine (one Docker engine) or swarm (a Swarm manager; not in this build yet).' },
  { name: 'publish_address', label: 'Publish address', type: 'text', placeholder: '10.0.0.5', help: "The host's IP address the gateway can reach: apps there publish their port on it (never a wildcard)." },
  { name: 'tls_ca', label: 'CA certificate (PEM)', type: 'textarea', rows: 4, help: "The CA that signed the engine's certificate." },
  { name: 'tls_cert', label: 'Client certificate (PEM)', type: 'textarea', rows: 4, help: 'The certificate the gateway presents, issued by a CA the engine trusts (--tlscacert).' },
  { name: 'tls_key', label: 'Client key (PEM)', type: 'textarea', rows: 4, help: 'Stored like a secret and never shown again; leave empty when editing to keep the stored key.' },
];

/** fieldErrors maps the validator's field names (tls.ca, tls) onto the form's. */
function fieldErrors(fields: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) out[k === 'tls' ? 'tls_ca' : k.replace('.', '_')] = v;
  return out;
}

/** hostInput turns the form into the API's shape (empty TLS fields: none given, so an edit keeps them). */
function hostInput(f: Form, edit: boolean): Record<string, unknown> {
  const tls: Record<string, string> = {};
  for (const k of ['ca', 'cert', 'key'] as const) if (f[`tls_${k}`]?.trim()) tls[k] = f[`tls_${k}`].trim() + '\n';
  const out: Record<string, unknown> = { name: f.name?.trim(), url: f.url?.trim(), mode: f.mode || 'engine' };
  if (Object.keys(tls).length) out.tls = tls;
  if (f.publish_address?.trim() || !edit) out.publish_address = f.publish_address?.trim() || undefined;
  return out;
}

function formValues(h: HostRecord | null, f: Form | null): Form {
  if (f) return { ...f, tls_key: '' };
  return { name: h?.name ?? '', url: h?.url ?? '', mode: h?.mode ?? 'engine', publish_address: h?.publishAddress ?? '', tls_ca: h?.tls?.ca ?? '', tls_cert: h?.tls?.cert ?? '', tls_key: '' };
}

/** registerSiteAdminHosts adds the container-host pages. */
export function registerSiteAdminHosts(d: UiDeps): void {
  const { svc } = d;

  function list(ctx: Ctx, caller: Caller, extra: { errors?: Record<string, string>; values?: Form; flash?: Flash; test?: Record<string, unknown> } = {}, status = 200) {
    const done = ctx.url.searchParams.get('done');
    const flash = extra.flash ?? (done && Object.hasOwn(DONE, done) ? { kind: 'ok' as const, text: DONE[done] } : undefined);
    const hosts = svc.hosts.all().map((h) => showHost(svc, h));
    d.ui.page(ctx.req, ctx.res, 'pages/siteadmin-hosts', pageData(caller, 'Container hosts', {
      tab: 'hosts', hosts, fields: HOST_FIELDS, flash, errors: extra.errors ?? {}, values: extra.values ?? formValues(null, null), test: extra.test ?? null,
    }), status);
  }

  async function writeForm(ctx: Ctx): Promise<{ caller: Caller; form: Form }> {
    const caller = requireAdmin(d, ctx.req, ctx.res);
    const form = await readForm(ctx.req, svc.config.maxJsonBody);
    checkCsrf(caller, ctx.req, form.csrf_token ?? null);
    requireWritable(svc, caller.user);
    return { caller, form };
  }

  d.on('GET', '/siteadmin/hosts', (ctx) => list(ctx, requireAdmin(d, ctx.req, ctx.res)));

  d.on('POST', '/siteadmin/hosts', async (ctx) => {
    const { caller, form } = await writeForm(ctx);
    try {
      await svc.hosts.add(hostInput(form, false), { check: form.check === 'on' });
    } catch (err) {
      if (!(err instanceof PorticoError) || err.status >= 500) throw err;
      const errors = err instanceof ValidationError ? fieldErrors(err.fields) : { mode: err.message };
      return list(ctx, caller, { errors, values: formValues(null, form) }, 400);
    }
    redirect(ctx.req, ctx.res, '/siteadmin/hosts?done=added');
  });

  d.on('GET', '/siteadmin/hosts/:host/edit', (ctx) => {
    const caller = requireAdmin(d, ctx.req, ctx.res);
    const h = svc.hosts.resolve(ctx.params.host);
    d.ui.page(ctx.req, ctx.res, 'pages/siteadmin-host-edit', pageData(caller, `Edit container host ${h.name}`, {
      tab: 'hosts', fields: HOST_FIELDS, h: showHost(svc, h), errors: {}, values: formValues(h, null), masked: MASKED,
    }));
  });

  d.on('POST', '/siteadmin/hosts/:host/edit', async (ctx) => {
    const { caller, form } = await writeForm(ctx);
    const h = svc.hosts.resolve(ctx.params.host);
    try {
      await svc.hosts.edit(h.id, hostInput(form, true), { check: form.check === 'on' });
    } catch (err) {
      if (!(err instanceof PorticoError) || err.status >= 500) throw err;
      const errors = err instanceof ValidationError ? fieldErrors(err.fields) : { mode: err.message };
      d.ui.page(ctx.req, ctx.res, 'pages/siteadmin-host-edit', pageData(caller, `Edit container host ${h.name}`, {
        tab: 'hosts', fields: HOST_FIELDS, h: showHost(svc, h), errors, values: formValues(h, form), masked: MASKED,
      }), 400);
      return;
    }
    redirect(ctx.req, ctx.res, '/siteadmin/hosts?done=saved');
  });

  d.on('POST', '/siteadmin/hosts/:host/test', async (ctx) => {
    const { caller } = await writeForm(ctx);
    const h = svc.hosts.resolve(ctx.params.host);
    const r = await svc.hosts.test(h.id);
    const test = { id: h.id, name: h.name, ok: r.ok, ms: r.ms, reason: r.reason, version: r.version };
    if (d.ui.isFragmentRequest(ctx.req)) return d.ui.fragment(ctx.res, 'partials/host-test', test);
    list(ctx, caller, { test });
  });

  d.on('POST', '/siteadmin/hosts/:host/default', async (ctx) => {
    await writeForm(ctx);
    svc.hosts.setDefault(svc.hosts.resolve(ctx.params.host).id);
    redirect(ctx.req, ctx.res, '/siteadmin/hosts?done=default');
  });

  d.on('POST', '/siteadmin/hosts/:host/remove', async (ctx) => {
    const { caller } = await writeForm(ctx);
    const h = svc.hosts.resolve(ctx.params.host);
    try {
      await svc.hosts.remove(h.id);
    } catch (err) {
      if (!(err instanceof PorticoError) || err.status !== 409) throw err;
      return list(ctx, caller, { flash: { kind: 'bad', text: err.message } }, 409);
    }
    redirect(ctx.req, ctx.res, '/siteadmin/hosts?done=removed');
  });
}
