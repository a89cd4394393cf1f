/**
 * shares.ts: SQL for instance shares (container_shares, migration 11). An instance is a container
 * row with owner_user_id set; its owner invites other users to view or use it. Every change of a
 * share moves the access revision, so the proxy's caches and open connections see it at once.
 */
import type { Db } from './db.ts';
import { nowIso } from './db.ts';
import type { AccessRevision } from './access-revision.ts';
import { rowMapper, type Row } from './rows.ts';

/** ShareMode is what an invited user may do: view (safe methods and WebSockets) or use (everything). */
export type ShareMode = 'view' | 'use';

/** Share is one invitation, with the names the pages show. */
export interface Share {
  containerId: number;
  containerUuid: string;
  containerTitle: string;
  userId: number;
  username: string;
  mode: ShareMode;
  createdBy: string;
  createdAt: string;
  /** ownerUsername is the instance's owner ('' when the owner's account is gone). */
  ownerUsername: string;
  state: string;
}

const shareRows = rowMapper((r: Row): Share => {
  return {
    containerId: r.container_id as number, containerUuid: r.container_uuid as string, containerTitle: r.container_title as string,
    userId: r.user_id as number, username: r.username as string, mode: r.mode as ShareMode,
    createdBy: r.created_by as string, createdAt: r.created_at as string,
    ownerUsername: (r.owner_username as string | null) ?? '', state: r.state as string,
  };
});

const SELECT = `SELECT s.container_id, c.uuid AS container_uuid, c.title AS container_title, s.user_id, u.username, s.mode,
  s.created_by, s.created_at, o.username AS owner_username, c.state
  FROM container_shares s JOIN containers c ON c.id = s.container_id JOIN users u ON u.id = s.user_id
  LEFT JOIN users o ON o.id = c.owner_user_id`;

/** ShareStore is every query on shares. */
export type ShareStore = ReturnType<typeof createShareStore>;

/** createShareStore prepares the share statements once. */
export function createShareStore(db: Db, revision: AccessRevision) {
  const s = {
    upsert: db.prepare(`INSERT INTO container_shares (container_id, user_id, mode, created_by, created_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (container_id, user_id) DO UPDATE SET mode = excluded.mode`),
    remove: db.prepare('DELETE FROM container_shares WHERE container_id = ? AND user_id = ?'),
    modeOf: db.prepare('SELECT mode FROM container_shares WHERE container_id = ? AND user_id = ?'),
    ofContainer: db.prepare(`${SELECT} WHERE s.container_id = ? ORDER BY u.username`),
    withUser: db.prepare(`${SELECT} WHERE s.user_id = ? AND c.last_action IS NOT 'delete' ORDER BY c.title`),
    ownerOf: db.prepare('SELECT owner_user_id FROM containers WHERE id = ?'),
  };
  return {
    /** set invites `userId` to container `containerId` (or changes the mode); returns the mode it had before (null: new). */
    set(containerId: number, userId: number, mode: ShareMode, createdBy: string): ShareMode | null {
      const before = this.modeOf(containerId, userId);
      s.upsert.run(containerId, userId, mode, createdBy, nowIso());
      // As setRole does: the caches forget their answers (a "no" before the invitation, "use" before a narrowing).
      if (before !== mode) revision.bump();
      return before;
    },
    /** remove withdraws a share; true when there was one. */
    remove(containerId: number, userId: number): boolean {
      const gone = Number(s.remove.run(containerId, userId).changes) > 0;
      if (gone) revision.bump();
      return gone;
    },
    /** modeOf is `userId`'s share of a container, or null. */
    modeOf(containerId: number, userId: number): ShareMode | null {
      return ((s.modeOf.get(containerId, userId) as { mode: ShareMode } | undefined)?.mode) ?? null;
    },
    /** ofContainer lists an instance's shares. */
    ofContainer(containerId: number): Share[] { return shareRows.many(s.ofContainer.all(containerId)); },
    /** withUser lists the instances shared with `userId` ("Shared with me"). */
    withUser(userId: number): Share[] { return shareRows.many(s.withUser.all(userId)); },
    /** ownerOf is the owner's user id of a container (null: a project container, or an owner since deleted). */
    ownerOf(containerId: number): number | null {
      return ((s.ownerOf.get(containerId) as { owner_user_id: number | null } | undefined)?.owner_user_id) ?? null;
    },
  };
}
