/**
 * src-names.ts (apps): the SRC Container API's view of per-user instances (docs/src-api.md). An
 * SRC app is named `IMAGE--USER`: IMAGE is the catalogue app's slug, USER its owner's user name.
 * Names are checked as the SRC document says (letters, digits, '-' and '_'; a user name has no
 * double dash and does not start with one), widened by '.', '@' and '+' so that Portico's own user
 * names (LDAP, OIDC e-mail addresses) can be named too. A user acts on their own apps; a site admin
 * on everyone's.
 */
import { NotFoundError, PorticoError, badRequest } from '../errors.ts';
import type { Store } from '../store/index.ts';
import type { Container, User } from '../types.ts';
import { DEFAULT_POLICY, policyKey } from './policy.ts';

const IMAGE_PART = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,149}$/;
const USER_PART = /^[A-Za-z0-9_.@+][A-Za-z0-9_.@+-]{0,149}$/;

/** SrcApp is one instance as the SRC API names it. */
export interface SrcApp { name: string; image: string; user: string; container: Container }

/** imagePartProblem says what is wrong with an SRC image name, or null. */
export function imagePartProblem(image: string): string | null {
  return IMAGE_PART.test(image) ? null : `invalid image name ${JSON.stringify(image.slice(0, 160))}: letters, digits, '-', '_' and '.' (the app's name in get-images)`;
}

/** userPartProblem says what is wrong with an SRC user name, or null. */
export function userPartProblem(user: string): string | null {
  if (!USER_PART.test(user)) return `invalid user name ${JSON.stringify(user.slice(0, 160))}: letters, digits, '-', '_' (also '.', '@', '+'), not starting with '-'`;
  if (user.includes('--')) return `invalid user name ${JSON.stringify(user.slice(0, 160))}: a double dash separates the image from the user, so a user name cannot hold one`;
  return null;
}

/** parseSrcName splits `IMAGE--USER` at its last double dash (a user name holds none); 400 when malformed. */
export function parseSrcName(name: string): { image: string; user: string } {
  const at = name.lastIndexOf('--');
  if (at <= 0) throw badRequest(`invalid app name ${JSON.stringify(name.slice(0, 300))}: expected IMAGE--USER (e.g. httpd--alice)`);
  const image = name.slice(0, at);
  const user = name.slice(at + 2);
  const bad = imagePartProblem(image) ?? userPartProblem(user);
  if (bad) throw badRequest(bad);
  return { image, user };
}

/** SrcApps is the SRC view of the instances. */
export type SrcApps = ReturnType<typeof createSrcApps>;

/** createSrcApps builds the SRC view over the store. */
export function createSrcApps(store: Store) {
  const defaultKey = policyKey(DEFAULT_POLICY);

  /**
   * all lists the instances `caller` may act on, one per SRC name: the same app granted to a user
   * under two policies is two instances but one name, which names the default policy's (else the oldest).
   */
  function all(caller: User): SrcApp[] {
    const rows = caller.isAdmin ? store.apps.allInstances(1_000_000, 0) : store.apps.instancesOfUser(caller.id);
    const users = new Map<number, string>();
    const byName = new Map<string, SrcApp>();
    for (const r of rows) {
      const c = r.container;
      if (c.lastAction === 'delete' || c.state === 'deleted' || c.publicSession !== null || c.ownerUserId === null) continue;
      let user = users.get(c.ownerUserId);
      if (user === undefined) { user = store.users.byId(c.ownerUserId)?.username ?? ''; users.set(c.ownerUserId, user); }
      if (!user) continue;
      const name = `${r.appSlug}--${user}`;
      const had = byName.get(name);
      const better = !had || (had.container.policyKey !== defaultKey && (c.policyKey === defaultKey || c.id < had.container.id));
      if (better) byName.set(name, { name, image: r.appSlug, user, container: c });
    }
    return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  return {
    all,
    /**
     * find resolves `name` for `caller`: 400 when malformed, 403 when a non-admin names another
     * user's app (decided from the name alone, so nothing about others' apps leaks), 404 when absent.
     */
    find(caller: User, name: string): SrcApp {
      const { user } = parseSrcName(name);
      if (!caller.isAdmin && user !== caller.username) {
        throw new PorticoError('E_FORBIDDEN', 403, `you act only on your own apps (IMAGE--${caller.username}); ${JSON.stringify(name)} is another user's`);
      }
      const found = all(caller).find((a) => a.name === name);
      if (!found) throw new NotFoundError('E_CONTAINER_NOT_FOUND', `no app ${JSON.stringify(name)} (get-app-names lists them; create-app makes one)`);
      return found;
    },
  };
}
