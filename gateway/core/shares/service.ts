/**
 * service.ts: session sharing (issue 16 item 4; docs/sharing.md). The owner of an instance (a
 * container row with an owner: a per-user app instance) invites another user to view it or to use
 * it, sees who is connected now, and revokes. Each invitation, change, revocation and first open
 * goes into the audit trail. Whether an instance may be shared at all is its grant's `allow_view`
 * (`allowsView`). Objects the caller may not see are reported as not found, as everywhere.
 */
import { NotFoundError, PorticoError, ValidationError, forbidden } from '../errors.ts';
import type { Audit } from '../audit.ts';
import { containerObject } from '../audit.ts';
import type { Store } from '../store/index.ts';
import type { Share, ShareMode } from '../store/shares.ts';
import type { SiteMode } from '../site-mode.ts';
import type { Container, User } from '../types.ts';
import { isUuid } from '../auth/access.ts';
import type { Connected, LiveConnections } from './live.ts';
import { parsePolicyKey } from '../apps/policy.ts';

/** SHARE_MODES are the modes an invitation may give. */
export const SHARE_MODES: readonly ShareMode[] = ['view', 'use'];

/** ShareDeps are what the service needs. */
export interface ShareDeps {
  store: Store;
  audit: Audit;
  live: LiveConnections;
  siteMode: SiteMode;
  /** mayShare overrides `allowsView` (tests). */
  mayShare?: (c: Container) => boolean;
}

/**
 * allowsView is the grant's allow_view for an app instance (Simphony-remote's "third-party
 * visibility"), read from the policy the instance was launched under; an owned container that is
 * no catalogue app's instance may always be shared.
 */
export function allowsView(c: Pick<Container, 'appId' | 'policyKey'>): boolean {
  if (c.appId === null) return true;
  return parsePolicyKey(c.policyKey ?? '')?.allowView ?? false;
}

/** Instance is a shareable container with its owner. */
export interface Instance { container: Container; ownerUserId: number }

/** ShareService invites, lists and revokes. */
export type ShareService = ReturnType<typeof createShareService>;

/** createShareService builds the service. */
export function createShareService(deps: ShareDeps) {
  const { store, audit, live, siteMode } = deps;
  const mayShare = deps.mayShare ?? allowsView;
  const notFound = () => new NotFoundError('E_CONTAINER_NOT_FOUND', 'container not found');

  /** instance finds an instance the caller owns (or any, for a site admin); everything else is not found. */
  function owned(caller: User, uuid: string): Instance {
    const c = isUuid(uuid) ? store.containers.byUuid(uuid) : null;
    const owner = c ? store.shares.ownerOf(c.id) : null;
    if (!c || owner === null || c.lastAction === 'delete') throw notFound();
    if (owner !== caller.id && !caller.isAdmin) {
      // An invited user may see the instance exists, never manage its shares.
      if (store.shares.modeOf(c.id, caller.id) !== null) throw forbidden('only the owner of this instance can manage its shares');
      throw notFound();
    }
    return { container: c, ownerUserId: owner };
  }

  function target(name: unknown): User {
    if (typeof name !== 'string' || !name.trim()) throw new ValidationError({ user: 'a user name is required' });
    const u = store.users.byUsername(name.trim());
    if (!u || !u.active) throw new PorticoError('E_USER_NOT_FOUND', 404, `no active user ${JSON.stringify(name.trim())}`);
    return u;
  }

  function writable(caller: User): void {
    if (!siteMode.allowsChangesBy(caller)) throw new PorticoError('E_READ_ONLY', 403, 'the site is in read-only mode; only administrators can change anything');
  }

  return {
    owned,
    /** invite gives `username` the `mode` on the instance (or changes it); returns the share. */
    invite(caller: User, uuid: string, username: unknown, mode: unknown): Share {
      const inst = owned(caller, uuid);
      writable(caller);
      if (mode !== 'view' && mode !== 'use') throw new ValidationError({ mode: 'mode must be "view" or "use"' });
      if (!mayShare(inst.container)) throw forbidden('the grant of this app does not allow sharing its sessions (allow_view is off)');
      const u = target(username);
      if (u.id === inst.ownerUserId) throw new ValidationError({ user: 'the owner already has this instance' });
      const before = store.shares.set(inst.container.id, u.id, mode, caller.username);
      if (before !== mode) {
        audit.record({
          actor: caller.username, action: before === null ? 'share.invite' : 'share.change',
          object: containerObject(inst.container, inst.ownerUserId), detail: before === null ? { user: u.username, mode } : { user: u.username, from: before, mode },
        });
      }
      return store.shares.ofContainer(inst.container.id).find((s) => s.userId === u.id)!;
    },
    /** revoke withdraws `username`'s share and cuts their live connections; an invited user may also leave (revoke their own). */
    revoke(caller: User, uuid: string, username: unknown): { cut: number } {
      const u = target(username);
      const c = isUuid(uuid) ? store.containers.byUuid(uuid) : null;
      const leaving = c !== null && u.id === caller.id && store.shares.modeOf(c.id, caller.id) !== null;
      const inst = leaving ? { container: c!, ownerUserId: store.shares.ownerOf(c!.id) } : owned(caller, uuid);
      if (!leaving) writable(caller);
      const mode = store.shares.modeOf(inst.container.id, u.id);
      if (mode === null) throw new PorticoError('E_NOT_FOUND', 404, `${u.username} has no share of this instance`);
      // Remove first (the access revision moves: caches forget), then close what is open.
      store.shares.remove(inst.container.id, u.id);
      const cut = live.cut(inst.container.id, u.id);
      audit.record({
        actor: caller.username, action: leaving ? 'share.leave' : 'share.revoke',
        object: containerObject(inst.container, inst.ownerUserId), detail: { user: u.username, mode, connectionsClosed: cut },
      });
      return { cut };
    },
    /** list is an instance's shares and who is connected now. */
    list(caller: User, uuid: string): { instance: Instance; shares: Share[]; connected: Connected[] } {
      const inst = owned(caller, uuid);
      return { instance: inst, shares: store.shares.ofContainer(inst.container.id), connected: live.connected(inst.container.id) };
    },
    /** sharedWith lists the instances shared with `user` ("Shared with me"). */
    sharedWith(user: User): Share[] { return store.shares.withUser(user.id); },
    /** mayShare tells whether the instance's grant allows sharing (the dialog hides its form otherwise). */
    mayShare: (c: Container) => mayShare(c),
    /** recordOpen is the audit line of a user's first open of someone else's instance in a session (live.ts). */
    recordOpen(containerId: number, userId: number, username: string): void {
      const c = store.containers.byId(containerId);
      const owner = c ? store.shares.ownerOf(c.id) : null;
      if (!c || owner === null || owner === userId) return;
      const mode = store.shares.modeOf(c.id, userId);
      audit.record({ actor: username, action: 'share.open', object: containerObject(c, owner), detail: { via: mode ?? 'admin' } });
    },
  };
}
