/**
 * routes.ts: uuid → where and how to forward, cached. A route is built from the container record
 * once and then served from memory; a `state` event on the Bus drops it (so a restart, a new IP
 * or a stop is seen at once) and a short TTL picks up settings changes. Each upstream origin gets
 * one pool of keep-alive sockets (raw-upstream.ts), shared by every route that points at it.
 */
import { LRUCache } from 'lru-cache';
import type { Services } from '../core/services.ts';
import type { Container, ContainerState, Role, User } from '../core/types.ts';
import type { ShareMode } from '../core/store/shares.ts';
import { linkPath } from './path.ts';
import { containerRole } from '../core/apps/access.ts';
import { RawPool } from './raw-upstream.ts';
import type { PoolLimits } from './raw-upstream.ts';
import type { Scope } from './response-headers.ts';

/** ROUTE_TTL_MS is how long a route (and its membership answers) is trusted without a state event. */
export const ROUTE_TTL_MS = 5_000;

/** Route is everything the hot path needs about one container. */
export interface Route extends Scope {
  readonly id: number;
  readonly uuid: string;
  readonly projectId: number;
  /** ownerUserId, appId and publicSession mark a per-user app instance (its roles: core/apps/access.ts). */
  readonly ownerUserId: number | null;
  readonly appId: number | null;
  readonly publicSession: string | null;
  readonly title: string;
  readonly state: ContainerState;
  /** stoppedBy and stoppedIdle say who holds the container stopped (start-policy.ts). */
  readonly stoppedBy: string | null;
  /** deleting is set while a delete is accepted but not finished: nothing may start the container. */
  readonly deleting: boolean;
  readonly stoppedIdle: boolean;
  /** containerPath is what follows the prefix in the app's link ('' or 'a/b': linkPath); it never changes upstream paths. */
  readonly containerPath: string;
  readonly heartbeatUrl: string;
  readonly timeoutMs: number;
  /** startedAt in ms (0 when unknown). */
  readonly startedAt: number;
  /** origin is http://host:port of the app while running, else null. */
  readonly origin: string | null;
  readonly pool: RawPool | null;
  /** readyKey identifies one run of the container: readiness is confirmed per run. */
  readonly readyKey: string;
  /** ready: running and known to answer (or running longer than its timeout, so not "merely starting"). */
  ready: boolean;
  /** members caches per-user roles (null: not a member) for this route's lifetime, as of access revision `membersRevision`. */
  readonly members: Map<number, Role | null>;
  membersRevision: number;
  /** ownerId is the owner of a per-user instance (null: a project container); shares caches invited users' modes like `members`. */
  readonly ownerId: number | null;
  readonly shares: Map<number, ShareMode | null>;
  /** atRoot and atPrefix are the rewrites on the app's own origin: at its root, and under /containers/proxy/<uuid>/ there. */
  readonly atRoot: Scope;
  readonly atPrefix: Scope;
}

/** Routes finds routes and remembers which runs have answered. */
export type Routes = ReturnType<typeof createRoutes>;

/** createRoutes builds the route cache over the services and follows the Bus. */
export function createRoutes(svc: Pick<Services, 'store' | 'containers' | 'bus'>, opts: { ttlMs?: number; limits?: Partial<PoolLimits> } = {}) {
  const cache = new LRUCache<string, Route>({ max: 10_000, ttl: opts.ttlMs ?? ROUTE_TTL_MS, ttlResolution: 100 });
  const confirmed = new Map<number, string>();
  const pools = new Map<string, RawPool>();

  function poolFor(origin: string, host: string, port: number): RawPool {
    let p = pools.get(origin);
    if (!p) {
      p = new RawPool(host, port, opts.limits);
      pools.set(origin, p);
    }
    return p;
  }

  function build(c: Container): Route {
    const up = c.state === 'running' ? svc.containers.upstream(c) : null;
    const origin = up ? `http://${up.host.includes(':') ? `[${up.host}]` : up.host}:${up.port}` : null;
    const startedAt = c.dateStarted ? Date.parse(c.dateStarted) : 0;
    const readyKey = `${c.dockerId ?? ''}@${c.dateStarted ?? ''}`;
    const timeoutMs = c.timeout * 1000;
    const ready = origin !== null && (confirmed.get(c.id) === readyKey || (startedAt > 0 && Date.now() - startedAt > timeoutMs));
    const upstreamOrigins = origin ? (up!.port === 80 ? [origin, origin.slice(0, origin.lastIndexOf(':'))] : [origin]) : [];
    const prefix = `/containers/proxy/${c.uuid}`;
    const containerPath = linkPath(c.containerPath);
    return {
      id: c.id, uuid: c.uuid, projectId: c.projectId, ownerUserId: c.ownerUserId, appId: c.appId, publicSession: c.publicSession, title: c.title, state: c.state, stoppedBy: c.stoppedBy, stoppedIdle: c.stoppedIdle, deleting: c.lastAction === 'delete',
      prefix, stripPrefix: c.stripPrefix, containerPath,
      atRoot: { prefix: '', stripPrefix: c.stripPrefix, upstreamOrigins, hostOnly: true },
      atPrefix: { prefix, stripPrefix: c.stripPrefix, upstreamOrigins, hostOnly: true },
      upstreamOrigins, heartbeatUrl: c.heartbeatUrl, timeoutMs, startedAt,
      origin, pool: origin ? poolFor(origin, up!.host, up!.port) : null, readyKey, ready, members: new Map(), membersRevision: svc.store.accessRevision.value,
      ownerId: c.ownerUserId, shares: new Map(),
    };
  }

  function drop(uuid: string): void {
    cache.delete(uuid);
  }

  const onState = (e: { containerId: number; uuid: string; state: ContainerState }) => {
    const old = cache.peek(e.uuid);
    drop(e.uuid);
    if (e.state !== 'running') confirmed.delete(e.containerId);
    // A stopped app's pool holds only dead sockets; a new run gets a new IP (and pool) anyway.
    if (old?.origin && e.state !== 'running' && e.state !== 'paused') {
      const p = pools.get(old.origin);
      pools.delete(old.origin);
      void p?.close();
    }
  };
  svc.bus.on('state', onState);

  function roleOf(r: Route, user: User): Role | null {
    const rev = svc.store.accessRevision.value;
    if (r.membersRevision !== rev) { r.members.clear(); r.shares.clear(); r.membersRevision = rev; } // a membership or share was withdrawn
    let role = r.members.get(user.id);
    if (role === undefined) {
      role = containerRole(svc.store, r, user.id);
      r.members.set(user.id, role);
    }
    return role;
  }

  /** shareOf is `user`'s share of an instance route (null: none), cached like roles; call roleOf first (it clears both on a withdrawal). */
  function shareOf(r: Route, user: User): ShareMode | null {
    if (r.ownerId === null) return null;
    let mode = r.shares.get(user.id);
    if (mode === undefined) {
      mode = svc.store.shares.modeOf(r.id, user.id);
      r.shares.set(user.id, mode);
    }
    return mode;
  }

  /** viaShare is how `user` gets in: null when as admin, member or owner, else their share mode (or null: not at all). */
  function viaShare(r: Route, user: User): ShareMode | null {
    if (user.isAdmin || roleOf(r, user) !== null || r.ownerId === user.id) return null;
    return shareOf(r, user);
  }

  return {
    /** get returns the route for `uuid` (from cache, else the store), or null when no such container exists. */
    get(id: string): Route | null {
      let r = cache.get(id);
      if (r === undefined) {
        const c = svc.store.containers.byUuid(id);
        if (!c) return null;
        r = build(c);
        cache.set(id, r);
      }
      return r;
    },
    /** allows tells whether `user` may use the route's proxy: site admins and members of any role. */
    allows(r: Route, user: User): boolean {
      return user.isAdmin || roleOf(r, user) !== null || (r.ownerId !== null && (r.ownerId === user.id || shareOf(r, user) !== null));
    },
    /**
     * mayAct tells whether `user` (whom `allows` admitted) may send `method`: a user invited to view
     * an instance sends only safe methods (RFC 9110 §9.2.1: GET, HEAD, OPTIONS) and WebSocket
     * handshakes (a GET); everyone else sends anything (docs/sharing.md).
     */
    mayAct(r: Route, user: User, method: string | undefined): boolean {
      if (r.ownerId === null) return true;
      return viaShare(r, user) !== 'view' || method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
    },
    /** viewerRole is what X-Portico-Role says of `user` (who `allows` admitted): 'admin' for a site admin, else the project role; an instance's owner is 'owner', an invited user 'contributor' (use) or 'guest' (view). */
    viewerRole(r: Route, user: User): string {
      if (user.isAdmin) return 'admin';
      const role = roleOf(r, user);
      if (role !== null || r.ownerId === null) return role ?? 'guest';
      return r.ownerId === user.id ? 'owner' : shareOf(r, user) === 'use' ? 'contributor' : 'guest';
    },
    /** isReady tells whether requests may go straight to the app; a run older than its timeout is no longer "starting". */
    isReady(r: Route): boolean {
      if (r.ready) return true;
      if (r.origin !== null && r.startedAt > 0 && Date.now() - r.startedAt > r.timeoutMs) r.ready = true;
      return r.ready;
    },
    /** markReady records that this run of the container answers, so later requests go straight through. */
    markReady(r: Route): void {
      confirmed.set(r.id, r.readyKey);
      r.ready = true;
      const cached = cache.peek(r.uuid);
      if (cached && cached.readyKey === r.readyKey) cached.ready = true;
    },
    /** refresh drops the cached route of `uuid` so the next lookup reads the store. */
    refresh: drop,
    /** close stops following the Bus and closes every upstream pool. */
    async close(): Promise<void> {
      svc.bus.off('state', onState);
      cache.clear();
      const all = [...pools.values()];
      pools.clear();
      await Promise.all(all.map((p) => p.close()));
    },
  };
}
