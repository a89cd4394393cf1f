/**
 * siteadmin-image-hosts.ts: the site-admin "Image hosts" tab (docs/image-hosts.md): registries with
 * optional credentials — add, edit, test (a real /v2/ request), set the default, remove. A stored
 * password is never put in a page: the form's password box is always empty.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ValidationError } from '../../gateway/core/errors.ts';
import type { ImageHost, ImageHostInput } from '../../gateway/core/image-hosts/service.ts';
import type { CheckResult } from '../../gateway/core/image-hosts/check.ts';
import { readForm } from '../../gateway/http/body.ts';
import { checkCsrf, requireWritable } from '../api/guard.ts';
import type { Caller } from '../../gateway/core/auth/authenticate.ts';
import type { UiDeps } from './pages.ts';
import { pageData, redirect } from './pages.ts';
import { requireAdmin } from './siteadmin.ts';
import { fmtDate } from './container-view.ts';

/** HostForm is the add or edit form: values as typed (never a stored password) and errors by field. */
interface HostForm { values: { name: string; address: string; username: string; caCert: string; isDefault: boolean; check: boolean }; errors: Record<string, string>; editing: string | null }

const emptyForm = (): HostForm => ({ values: { name: '', address: '', username: '', caCert: '', isDefault: false, check: true }, errors: {}, editing: null });

function hostView(h: ImageHost, result?: CheckResult | null) {
  const credentials = !h.username ? 'none' : h.credentialsUnreadable ? 'unreadable: enter the password again' : h.hasPassword ? `${h.username} (password stored)` : h.username;
  const base = `/siteadmin/image-hosts/${encodeURIComponent(h.name)}`;
  return { ...h, credentials, modified: fmtDate(h.modifiedAt), base, result: result ?? null };
}

/** registerSiteAdminImageHosts adds the image-host tab and its actions. */
export function registerSiteAdminImageHosts(d: UiDeps): void {
  const { svc } = d;

  function show(req: IncomingMessage, res: ServerResponse, caller: Caller, extra: { form?: HostForm; flash?: { kind: string; text: string }; tested?: { name: string; result: CheckResult } } = {}, status = 200): void {
    const hosts = svc.imageHosts.list().map((h) => hostView(h, extra.tested?.name === h.name ? extra.tested.result : null));
    d.ui.page(req, res, 'pages/siteadmin-image-hosts', pageData(caller, 'Site admin · Image hosts', { tab: 'image-hosts', hosts, form: extra.form ?? emptyForm(), flash: extra.flash ?? null }), status);
  }

  async function change(req: IncomingMessage, caller: Caller) {
    const form = await readForm(req, svc.config.maxJsonBody);
    checkCsrf(caller, req, form.csrf_token ?? null);
    requireWritable(svc, caller.user);
    return form;
  }

  function inputOf(form: Record<string, string>): ImageHostInput {
    return { name: form.name ?? '', address: form.address ?? '', username: form.username ?? '', password: form.password ?? '', caCert: form.ca_cert ?? '', isDefault: form.is_default === 'true' };
  }

  function formOf(form: Record<string, string>, errors: Record<string, string>, editing: string | null): HostForm {
    return { values: { name: form.name ?? '', address: form.address ?? '', username: form.username ?? '', caCert: form.ca_cert ?? '', isDefault: form.is_default === 'true', check: form.check === 'true' }, errors, editing };
  }

  d.on('GET', '/siteadmin/image-hosts', (ctx) => {
    show(ctx.req, ctx.res, requireAdmin(d, ctx.req, ctx.res));
  });

  d.on('POST', '/siteadmin/image-hosts', async (ctx) => {
    const caller = requireAdmin(d, ctx.req, ctx.res);
    const form = await change(ctx.req, caller);
    try {
      const h = await svc.imageHosts.add(inputOf(form), { check: form.check === 'true', user: caller.user.username });
      show(ctx.req, ctx.res, caller, { flash: { kind: 'ok', text: `Image host ${h.name} added.` } });
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      show(ctx.req, ctx.res, caller, { form: formOf(form, err.fields, null) }, 400);
    }
  });

  d.on('GET', '/siteadmin/image-hosts/:name/edit', (ctx) => {
    const caller = requireAdmin(d, ctx.req, ctx.res);
    const h = svc.imageHosts.get(ctx.params.name);
    const form: HostForm = { values: { name: h.name, address: h.address, username: h.username, caCert: h.caCert, isDefault: h.isDefault, check: true }, errors: {}, editing: h.name };
    d.ui.page(ctx.req, ctx.res, 'pages/siteadmin-image-host-edit', pageData(caller, `Edit image host ${h.name}`, { tab: 'image-hosts', host: hostView(h), form }));
  });

  d.on('POST', '/siteadmin/image-hosts/:name/edit', async (ctx) => {
    const caller = requireAdmin(d, ctx.req, ctx.res);
    const form = await change(ctx.req, caller);
    const h = svc.imageHosts.get(ctx.params.name);
    try {
      const input = inputOf(form);
      // The default is set with its own button; the edit form's box may only turn it on.
      if (!input.isDefault) delete input.isDefault;
      const saved = await svc.imageHosts.update(h.name, input, { check: form.check === 'true', user: caller.user.username });
      show(ctx.req, ctx.res, caller, { flash: { kind: 'ok', text: `Image host ${saved.name} saved.` } });
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      d.ui.page(ctx.req, ctx.res, 'pages/siteadmin-image-host-edit', pageData(caller, `Edit image host ${h.name}`, { tab: 'image-hosts', host: hostView(h), form: formOf(form, err.fields, h.name) }), 400);
    }
  });

  d.on('POST', '/siteadmin/image-hosts/:name/test', async (ctx) => {
    const caller = requireAdmin(d, ctx.req, ctx.res);
    const form = await readForm(ctx.req, svc.config.maxJsonBody);
    checkCsrf(caller, ctx.req, form.csrf_token ?? null);
    const h = svc.imageHosts.get(ctx.params.name);
    const result = await svc.imageHosts.test(h.name);
    show(ctx.req, ctx.res, caller, { tested: { name: h.name, result } });
  });

  d.on('POST', '/siteadmin/image-hosts/:name/default', async (ctx) => {
    const caller = requireAdmin(d, ctx.req, ctx.res);
    await change(ctx.req, caller);
    svc.imageHosts.setDefault(ctx.params.name, caller.user.username);
    redirect(ctx.req, ctx.res, '/siteadmin/image-hosts');
  });

  d.on('POST', '/siteadmin/image-hosts/:name/remove', async (ctx) => {
    const caller = requireAdmin(d, ctx.req, ctx.res);
    await change(ctx.req, caller);
    const h = svc.imageHosts.remove(ctx.params.name, caller.user.username);
    show(ctx.req, ctx.res, caller, { flash: { kind: 'ok', text: `Image host ${h.name} removed, with its credentials.` } });
  });
}
