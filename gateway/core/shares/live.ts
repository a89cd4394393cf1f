/**
 * live.ts: who is connected to an instance now, per (container, user), in memory. The proxy
 * registers each client connection that carries a user's HTTP request to an instance (once per
 * socket, not per request) and each WebSocket it pipes; the owner's page reads the counts, and a
 * revocation cuts that user's sockets at once. A user's "session" on an instance begins with their
 * first connection and ends SESSION_GAP_MS after their last one closed: `onOpen` fires once per
 * session (the audit trail's "opened", not a line per request).
 */
import type { Duplex } from 'node:stream';

/** SESSION_GAP_MS is how long after a user's last connection closed a new one still belongs to the same session. */
export const SESSION_GAP_MS = 10 * 60_000;

/** Connected is one user's live connections to one instance. */
export interface Connected {
  userId: number;
  username: string;
  /** http counts open client connections that carried this user's requests; ws the open WebSockets. */
  http: number;
  ws: number;
  /** since is when this session began (ISO 8601); lastSeen when a connection last opened or closed. */
  since: string;
  lastSeen: string;
}

interface Entry { userId: number; username: string; sockets: Set<Duplex>; ws: Set<Duplex>; since: number; lastSeen: number }

const MARK = Symbol('portico.live');

/** LiveConnections tracks instance connections per (container, user). */
export class LiveConnections {
  private readonly byContainer = new Map<number, Map<number, Entry>>();
  private readonly timer: NodeJS.Timeout;
  /** onOpen is called when a user's session on an instance begins (set by the composition root). */
  onOpen: (containerId: number, userId: number, username: string) => void = () => {};

  private readonly gapMs: number;

  constructor(gapMs = SESSION_GAP_MS) {
    this.gapMs = gapMs;
    this.timer = setInterval(() => this.sweep(Date.now()), Math.min(60_000, gapMs)).unref();
  }

  private entry(containerId: number, userId: number, username: string): Entry {
    let users = this.byContainer.get(containerId);
    if (!users) { users = new Map(); this.byContainer.set(containerId, users); }
    let e = users.get(userId);
    const now = Date.now();
    if (!e) {
      e = { userId, username, sockets: new Set(), ws: new Set(), since: now, lastSeen: now };
      users.set(userId, e);
      this.onOpen(containerId, userId, username);
    }
    return e;
  }

  /**
   * http registers `socket` as carrying `userId`'s requests to container `containerId`. A socket
   * belongs to the last (container, user) it carried: one that goes on to another user's requests
   * moves, so a cut never closes a connection under someone else's request.
   */
  http(containerId: number, userId: number, username: string, socket: Duplex): void {
    const held = (socket as { [MARK]?: Entry })[MARK];
    if (held !== undefined && held.userId === userId && this.byContainer.get(containerId)?.get(userId) === held) return;
    const e = this.entry(containerId, userId, username);
    if (held === undefined) {
      socket.once('close', () => {
        const at = (socket as { [MARK]?: Entry })[MARK];
        if (at) { at.sockets.delete(socket); at.lastSeen = Date.now(); }
      });
    } else held.sockets.delete(socket);
    (socket as { [MARK]?: Entry })[MARK] = e;
    e.sockets.add(socket);
    e.lastSeen = Date.now();
  }

  /** ws registers an open WebSocket's client socket; it leaves the count when it closes. */
  ws(containerId: number, userId: number, username: string, socket: Duplex): void {
    const e = this.entry(containerId, userId, username);
    e.ws.add(socket);
    e.lastSeen = Date.now();
    socket.once('close', () => { e.ws.delete(socket); e.lastSeen = Date.now(); });
  }

  /** connected lists who holds connections to `containerId` now (or held one within the session gap, with zero counts). */
  connected(containerId: number): Connected[] {
    const users = this.byContainer.get(containerId);
    if (!users) return [];
    return [...users.values()].map((e) => ({
      userId: e.userId, username: e.username, http: e.sockets.size, ws: e.ws.size,
      since: new Date(e.since).toISOString(), lastSeen: new Date(e.lastSeen).toISOString(),
    })).sort((a, b) => a.username.localeCompare(b.username));
  }

  /** cut destroys `userId`'s connections to `containerId` (HTTP and WebSocket) and ends the session; returns how many closed. */
  cut(containerId: number, userId: number): number {
    const users = this.byContainer.get(containerId);
    const e = users?.get(userId);
    if (!e) return 0;
    users!.delete(userId);
    const all = [...e.sockets, ...e.ws];
    for (const s of all) s.destroy();
    return all.length;
  }

  /** each calls `fn` for every (container, user) with open connections (the proxy's recheck after a withdrawal). */
  each(fn: (containerId: number, userId: number) => void): void {
    for (const [cid, users] of this.byContainer) for (const [uid, e] of users) if (e.sockets.size || e.ws.size) fn(cid, uid);
  }

  /** sweep ends the sessions whose last connection closed more than the gap ago. */
  sweep(now: number): void {
    for (const [cid, users] of this.byContainer) {
      for (const [uid, e] of users) if (!e.sockets.size && !e.ws.size && now - e.lastSeen > this.gapMs) users.delete(uid);
      if (!users.size) this.byContainer.delete(cid);
    }
  }

  /** close stops the sweep timer. */
  close(): void { clearInterval(this.timer); }
}
