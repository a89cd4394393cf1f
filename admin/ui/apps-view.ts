/**
 * apps-view.ts: what the app pages show, as plain data for the templates (which hold no logic):
 * the caller's tiles (one per app and policy, with their instance's state and link) and "My apps".
 */
import { allowsView } from '../../gateway/core/shares/service.ts';
import type { Services } from '../../gateway/core/services.ts';
import type { User } from '../../gateway/core/types.ts';
import { publicPrefix } from '../../gateway/core/containers/spec.ts';
import { describePolicy, parsePolicyKey } from '../../gateway/core/apps/policy.ts';

/** TileView is one app tile. */
export interface TileView {
  uuid: string; slug: string; title: string; description: string; iconUrl: string | null;
  policyKey: string; policy: string; showPolicy: boolean; allowEnv: boolean; env: Array<{ name: string; value: string }>;
  instance: { uuid: string; state: string; running: boolean; link: string } | null;
  publicUrl: string | null;
}

/** InstanceView is one row of "My apps". */
export interface InstanceView { uuid: string; appTitle: string; appUuid: string; iconUrl: string | null; state: string; running: boolean; link: string; policy: string; public: boolean; shareable: boolean }

const LIVE = new Set(['running', 'paused', 'restarting', 'pulling', 'created']);

/** TILES_PER_PAGE is how many tiles /apps shows at once; HOME_TILES how many the home page shows. */
export const TILES_PER_PAGE = 60;
export const HOME_TILES = 12;

/**
 * tilesFor lists one page of `user`'s tiles (matching `q` in title or description) and how many
 * match: one query for the choices' apps, one for the user's instances, views only for the page.
 */
export function tilesFor(svc: Services, user: User, opts: { q?: string; offset?: number; limit?: number } = {}): { tiles: TileView[]; count: number } {
  const all = svc.apps.grants.choicesFor(user);
  const q = (opts.q ?? '').trim().toLowerCase();
  const matching = q ? all.filter((ch) => ch.app.title.toLowerCase().includes(q) || ch.app.description.toLowerCase().includes(q)) : all;
  const offset = opts.offset ?? 0;
  const choices = matching.slice(offset, offset + (opts.limit ?? TILES_PER_PAGE));
  const instances = new Map(svc.store.apps.instancesOfUser(user.id).map((r) => [`${r.container.appId}|${r.container.policyKey}`, r.container]));
  const perApp = new Map<number, number>();
  for (const ch of all) perApp.set(ch.app.id, (perApp.get(ch.app.id) ?? 0) + 1);
  const tiles = choices.map((ch) => {
    const c = instances.get(`${ch.app.id}|${ch.policyKey}`) ?? null;
    return {
      uuid: ch.app.uuid, slug: ch.app.slug, title: ch.app.title, description: ch.app.description,
      iconUrl: ch.app.iconType ? `/api/apps/${ch.app.uuid}/icon` : null,
      policyKey: ch.policyKey, policy: describePolicy(ch.policy), showPolicy: (perApp.get(ch.app.id) ?? 0) > 1,
      allowEnv: ch.policy.allowEnv && Object.keys(ch.app.settings.env).length > 0,
      env: Object.entries(c?.environment ? pickEnv(ch.app.settings.env, c.environment) : ch.app.settings.env).map(([name, value]) => ({ name, value })),
      instance: c ? { uuid: c.uuid, state: c.state, running: LIVE.has(c.state), link: publicPrefix(c) } : null,
      publicUrl: ch.app.public ? `/apps/public/${ch.app.slug}` : null,
    };
  });
  return { tiles, count: matching.length };
}

function pickEnv(declared: Record<string, string>, current: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(declared)) out[k] = typeof current[k] === 'string' ? current[k] as string : declared[k];
  return out;
}

/** myApps lists `user`'s instances for "My apps". */
export function myApps(svc: Services, user: User): InstanceView[] {
  return svc.store.apps.instancesOfUser(user.id).map((r) => ({
    uuid: r.container.uuid, appTitle: r.appTitle, appUuid: r.appUuid, iconUrl: r.hasIcon ? `/api/apps/${r.appUuid}/icon` : null,
    state: r.container.state, running: LIVE.has(r.container.state), link: publicPrefix(r.container),
    policy: describePolicy(parsePolicyKey(r.container.policyKey ?? '') ?? { allowHome: false, allowView: false, allowEnv: false, volume: null }), public: r.container.publicSession !== null,
    // Session sharing (docs/sharing.md): the grant's allow_view opens the share dialog.
    shareable: r.container.publicSession === null && allowsView(r.container),
  }));
}
