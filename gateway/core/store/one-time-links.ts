/**
 * one-time-links.ts: SQL for the two kinds of one-time links (migration 14): invitations to a
 * project and password reset links. Rows hold only a hash of the link's token; `take` marks a row
 * used in the same statement that finds it, so a link works exactly once.
 */
import type { Db } from './db.ts';
import type { Role } from '../types.ts';

/** Invitation is one invitation to a project, by e-mail address or user name. */
export interface Invitation {
  id: number; projectId: number; invitee: string; role: Role; containerUuid: string | null;
  createdBy: number | null; createdAt: string; expiresAt: string; usedAt: string | null; usedBy: number | null;
}

/** ResetLink is one password reset link of a local user. */
export interface ResetLink { userId: number; createdBy: number | null; createdAt: string; expiresAt: string; usedAt: string | null }

interface InvitationRow {
  id: number; project_id: number; invitee: string; role: Role; container_uuid: string | null;
  created_by: number | null; created_at: string; expires_at: string; used_at: string | null; used_by: number | null;
}

function toInvitation(r: InvitationRow): Invitation {
  return { id: r.id, projectId: r.project_id, invitee: r.invitee, role: r.role, containerUuid: r.container_uuid,
    createdBy: r.created_by, createdAt: r.created_at, expiresAt: r.expires_at, usedAt: r.used_at, usedBy: r.used_by };
}

/** OneTimeLinkStore reads and writes invitations and reset links. */
export type OneTimeLinkStore = ReturnType<typeof createOneTimeLinkStore>;

/** createOneTimeLinkStore prepares the statements once. */
export function createOneTimeLinkStore(db: Db) {
  const s = {
    invite: db.prepare(`INSERT INTO invitations (token_hash, project_id, invitee, role, container_uuid, created_by, created_at, expires_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`),
    invitation: db.prepare('SELECT * FROM invitations WHERE token_hash = ?'),
    takeInvitation: db.prepare('UPDATE invitations SET used_at = ?, used_by = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ? RETURNING *'),
    pending: db.prepare('SELECT * FROM invitations WHERE project_id = ? AND used_at IS NULL AND expires_at > ? ORDER BY created_at DESC'),
    revoke: db.prepare('DELETE FROM invitations WHERE id = ? AND project_id = ? AND used_at IS NULL'),
    reset: db.prepare('INSERT INTO password_resets (token_hash, user_id, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?)'),
    resetLink: db.prepare('SELECT * FROM password_resets WHERE token_hash = ?'),
    takeReset: db.prepare('UPDATE password_resets SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ? RETURNING *'),
    // A new reset link replaces the user's earlier unused ones: only the newest can be used.
    dropResets: db.prepare('DELETE FROM password_resets WHERE user_id = ? AND used_at IS NULL'),
  };
  const toReset = (r: { user_id: number; created_by: number | null; created_at: string; expires_at: string; used_at: string | null }): ResetLink =>
    ({ userId: r.user_id, createdBy: r.created_by, createdAt: r.created_at, expiresAt: r.expires_at, usedAt: r.used_at });
  return {
    invite(hash: string, i: { projectId: number; invitee: string; role: Role; containerUuid: string | null; createdBy: number; expiresAt: string }): Invitation {
      return toInvitation(s.invite.get(hash, i.projectId, i.invitee, i.role, i.containerUuid, i.createdBy, new Date().toISOString(), i.expiresAt) as unknown as InvitationRow);
    },
    invitation(hash: string): Invitation | null {
      const r = s.invitation.get(hash) as unknown as InvitationRow | undefined;
      return r ? toInvitation(r) : null;
    },
    /** takeInvitation marks a usable invitation used by `userId` and returns it (null: unknown, used or expired). */
    takeInvitation(hash: string, userId: number): Invitation | null {
      const now = new Date().toISOString();
      const r = s.takeInvitation.get(now, userId, hash, now) as unknown as InvitationRow | undefined;
      return r ? toInvitation(r) : null;
    },
    pending(projectId: number): Invitation[] {
      return (s.pending.all(projectId, new Date().toISOString()) as unknown as InvitationRow[]).map(toInvitation);
    },
    revoke(projectId: number, id: number): boolean { return Number(s.revoke.run(id, projectId).changes) > 0; },
    reset(hash: string, userId: number, createdBy: number, expiresAt: string): void {
      s.dropResets.run(userId);
      s.reset.run(hash, userId, createdBy, new Date().toISOString(), expiresAt);
    },
    resetLink(hash: string): ResetLink | null {
      const r = s.resetLink.get(hash) as Parameters<typeof toReset>[0] | undefined;
      return r ? toReset(r) : null;
    },
    /** takeReset marks a usable reset link used and returns it (null: unknown, used or expired). */
    takeReset(hash: string): ResetLink | null {
      const now = new Date().toISOString();
      const r = s.takeReset.get(now, hash, now) as Parameters<typeof toReset>[0] | undefined;
      return r ? toReset(r) : null;
    },
  };
}
