/**
 * apps-pages.ts: the app pages for every user (docs/apps.md): the tiles and "My apps" (/apps), opening
 * an app (POST, then on to its link, where the proxy starts it on demand), stopping and deleting one's
 * instances, and a public app's link (/apps/public/<slug>), which needs no login: the visitor gets a
 * guest session and their own short-lived instance, named by a signed cookie.
 */
import { NotFoundError } from '../../gateway/core/errors.ts';
import { readCookie } from '../../gateway/core/auth/authenticate.ts';
import { isInstance } from '../../gateway/core/apps/access.ts';
import { PUBLIC_COOKIE, signPublic, verifyPublic } from '../../gateway/core/apps/public-cookie.ts';
import type { User } from '../../gateway/core/types.ts';
import { isSecureRequest, sessionCookie } from '../api/session.ts';
import { visibleApp } from '../api/apps.ts';
import { readPageForm } from './forms.ts';
import type { UiDeps } from './pages.ts';
import { pageData, redirect, requirePageUser } from './pages.ts';
import { TILES_PER_PAGE, myApps, tilesFor } from './apps-view.ts';
import { pageParam, pager } from './pager.ts';

const NOTICES: Record<string, string> = { stop: 'Instance stopped.', delete: 'Instance deleted.' };

/** registerAppPages adds the app pages every user sees. */
export function registerAppPages(d: UiDeps): void {
  const { svc, ui } = d;

  d.on('GET', '/apps', (ctx) => {
    const caller = requirePageUser(svc, ctx.req, ctx.res);
    const done = ctx.url.searchParams.get('done') ?? '';
    const q = (ctx.url.searchParams.get('q') ?? '').slice(0, 200);
    const page = pageParam(ctx.url);
    const { tiles, count } = tilesFor(svc, caller.user, { q, offset: (page - 1) * TILES_PER_PAGE, limit: TILES_PER_PAGE });
    ui.page(ctx.req, ctx.res, 'pages/apps', pageData(caller, 'Apps', {
      tiles, tileCount: count, tilePager: pager(ctx.url, page, TILES_PER_PAGE, count), q,
      mine: myApps(svc, caller.user), notice: Object.hasOwn(NOTICES, done) ? NOTICES[done] : null,
    }));
  });

  d.on('GET', '/apps/mine', (ctx) => {
    const caller = requirePageUser(svc, ctx.req, ctx.res);
    const done = ctx.url.searchParams.get('done') ?? '';
    ui.page(ctx.req, ctx.res, 'pages/apps-mine', pageData(caller, 'My apps', { mine: myApps(svc, caller.user), notice: Object.hasOwn(NOTICES, done) ? NOTICES[done] : null }));
  });

  d.on('POST', '/apps/:app/open', async (ctx) => {
    const { caller, form } = await readPageForm(svc, ctx);
    const app = visibleApp(svc, caller.user, ctx.params.app);
    const choice = svc.apps.grants.choice(caller.user, app, form.policy_key || null);
    let env: Record<string, string> | undefined;
    if (choice.policy.allowEnv) {
      env = {};
      for (const [k, v] of Object.entries(form)) if (k.startsWith('env.')) env[k.slice(4)] = v;
      const current = svc.store.apps.instanceOf(caller.user.id, app.id, choice.policyKey);
      // Unchanged values are no change: a running instance opens as it is.
      const now = current?.environment ?? app.settings.env;
      if (Object.entries(env).every(([k, v]) => now[k] === v)) env = undefined;
    }
    const opened = svc.apps.instances.open(caller.user, choice, env);
    redirect(ctx.req, ctx.res, opened.link);
  });

  d.on('POST', '/apps/instances/:instance/:action', async (ctx) => {
    const { caller } = await readPageForm(svc, ctx);
    const action = ctx.params.action;
    if (action !== 'stop' && action !== 'delete') throw new NotFoundError('E_NOT_FOUND', 'no such action');
    const { container } = svc.access.container(caller.user, ctx.params.instance, action === 'stop' ? 'container.stop' : 'container.delete');
    if (!isInstance(container)) throw new NotFoundError('E_CONTAINER_NOT_FOUND', 'no such instance');
    await svc.containers.perform(container.id, action, caller.user.username);
    redirect(ctx.req, ctx.res, `/apps/mine?done=${action}`);
  });

  d.on('GET', '/apps/public/:slug', (ctx) => {
    const app = svc.store.apps.bySlug(ctx.params.slug);
    if (!app || !app.public || !app.enabled) throw new NotFoundError('E_APP_NOT_FOUND', 'no such public app');
    // The visitor's own guest session counts here (and only here, among the pages).
    const caller = svc.auth.authenticate(ctx.req.headers, { guests: true });
    let guest: User | null = caller?.user ?? null;
    const cookies: string[] = [];
    const secure = isSecureRequest(svc, ctx.req);
    if (!guest) {
      const uuid = verifyPublic(svc.store, readCookie(ctx.req.headers.cookie, PUBLIC_COOKIE));
      const known = uuid ? svc.store.users.byUuid(uuid) : null;
      guest = known && known.guest && known.active ? known : null;
    }
    const opened = svc.apps.instances.openPublic(app, guest);
    if (!caller) {
      // The visitor signs in as their guest: the proxy, its app-origin hand-over and the owner rule then work as for anyone.
      const session = svc.sessions.create(opened.guest.id);
      const maxAge = Math.round(svc.config.apps.publicIdleMinutes * 60) + 3600;
      cookies.push(sessionCookie(session.id, secure, maxAge));
      cookies.push(`${PUBLIC_COOKIE}=${signPublic(svc.store, opened.guest.uuid)}; Path=/apps/public/; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${secure ? '; Secure' : ''}`);
      ctx.res.setHeader('set-cookie', cookies);
    }
    redirect(ctx.req, ctx.res, opened.link);
  });
}
