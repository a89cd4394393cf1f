/**
 * grants.ts: who may launch which app under which policy (Simphony-remote's `app grant`). A grant
 * goes to one user or to every member of one project; each (app, policy) a user holds is one
 * choice, so the same app under two policies is two choices. Site admins may launch every enabled
 * app under the default policy as well.
 */
import type { Config } from '../config.ts';
import { NotFoundError, PorticoError, ValidationError } from '../errors.ts';
import type { Store } from '../store/index.ts';
import type { User } from '../types.ts';
import { DEFAULT_POLICY, policyKey, readPolicy } from './policy.ts';
import type { App, AppGrant, Choice } from './types.ts';

/** Grantee names who a grant is for: a user name or a project UUID (or title). */
export type Grantee = { user: string } | { project: string };

/** Grants is the grant operations. */
export type Grants = ReturnType<typeof createGrants>;

/** createGrants builds the grant operations over the store. */
export function createGrants(deps: { store: Store; config: Config }) {
  const { store, config } = deps;

  function resolve(to: Grantee): { userId: number } | { projectId: number } {
    if ('user' in to) {
      const u = store.users.byUsername(to.user);
      if (!u) throw new PorticoError('E_USER_NOT_FOUND', 404, `no user ${JSON.stringify(to.user.slice(0, 100))}`);
      return { userId: u.id };
    }
    const p = store.projects.byUuid(to.project) ?? store.projects.all().find((x) => x.title === to.project) ?? null;
    if (!p || p.kind !== 'project' || p.deletingAt) throw new NotFoundError('E_PROJECT_NOT_FOUND', `no project ${JSON.stringify(to.project.slice(0, 100))}`);
    return { projectId: p.id };
  }

  return {
    /** grant gives `app` to a user or project under the policy `input` describes; an identical grant is returned as it is. */
    grant(app: App, to: Grantee, input: Record<string, unknown>, by: string): { grant: AppGrant; created: boolean } {
      const target = resolve(to);
      const policy = readPolicy(input, config.apps.volumes);
      const key = policyKey(policy);
      const userId = 'userId' in target ? target.userId : null;
      const projectId = 'projectId' in target ? target.projectId : null;
      const existing = store.apps.findGrant(app.id, userId, projectId, key);
      if (existing) return { grant: existing, created: false };
      return { grant: store.apps.grant(app.id, target, policy, key, by), created: true };
    },

    /** revoke removes one grant (by UUID); instances made under it stay until deleted, but cannot start (limits.ts checkStillGranted). */
    revoke(uuid: string): AppGrant {
      const g = store.apps.grantByUuid(uuid);
      if (!g) throw new NotFoundError('E_NOT_FOUND', `no grant ${JSON.stringify(uuid.slice(0, 100))}`);
      store.apps.removeGrant(g.id);
      return g;
    },

    /** revokeMatching removes the grants of `app` to `to` (only those with `input`'s policy when one is given). */
    revokeMatching(app: App, to: Grantee, input: Record<string, unknown> | null): AppGrant[] {
      const target = resolve(to);
      const key = input ? policyKey(readPolicy(input, [])) : null;
      const gone = store.apps.grantsOfApp(app.id).filter((g) =>
        ('userId' in target ? g.userId === target.userId : g.projectId === target.projectId) && (key === null || g.policyKey === key));
      for (const g of gone) store.apps.removeGrant(g.id);
      return gone;
    },

    /** choicesFor lists what `user` may launch: one entry per enabled (app, policy). */
    choicesFor(user: User): Choice[] {
      const out = new Map<string, Choice>();
      const grants = store.apps.grantsForUser(user.id);
      // Many grants (or a site admin): one read of the catalogue beats a read per grant.
      const all = user.isAdmin || grants.length > 20 ? new Map(store.apps.all().map((a) => [a.id, a])) : null;
      const apps = new Map<number, App | null>();
      const appOf = (id: number): App | null => {
        if (all) return all.get(id) ?? null;
        if (!apps.has(id)) apps.set(id, store.apps.byId(id));
        return apps.get(id)!;
      };
      for (const g of grants) {
        const app = appOf(g.appId);
        if (!app || !app.enabled) continue;
        out.set(`${app.id}|${g.policyKey}`, { app, policy: g.policy, policyKey: g.policyKey });
      }
      if (user.isAdmin) {
        const key = policyKey(DEFAULT_POLICY);
        for (const app of all!.values()) {
          if (app.enabled && !out.has(`${app.id}|${key}`)) out.set(`${app.id}|${key}`, { app, policy: DEFAULT_POLICY, policyKey: key });
        }
      }
      const byTitle = new Intl.Collator('en', { sensitivity: 'base', numeric: true });
      return [...out.values()].sort((a, b) => byTitle.compare(a.app.title, b.app.title) || (a.policyKey < b.policyKey ? -1 : a.policyKey > b.policyKey ? 1 : 0));
    },

    /** choice finds one of `user`'s choices of `app` (the only one when `key` is not given; 404 when none). */
    choice(user: User, app: App, key?: string | null): Choice {
      const mine = this.choicesFor(user).filter((c) => c.app.id === app.id);
      const found = key ? mine.find((c) => c.policyKey === key) : mine[0];
      if (!found) throw new NotFoundError('E_APP_NOT_FOUND', `no app ${JSON.stringify(app.slug)} is granted to you${key ? ' under that policy' : ''}`);
      if (!key && mine.length > 1) throw new ValidationError({ policy: `${app.slug} is granted to you under ${mine.length} policies: name one (policy_key)` });
      return found;
    },
  };
}
