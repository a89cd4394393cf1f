/**
 * users.ts: SQL for users and API tokens. Tokens are stored as SHA-256 hashes only.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from './db.ts';
import { nowIso, tx } from './db.ts';
import { bestEffort } from './health.ts';
import type { User } from '../types.ts';
import type { AccessRevision } from './access-revision.ts';

interface UserRow {
  id: number; uuid: string; username: string; name: string; email: string; password_hash: string | null;
  is_admin: number; source: 'local' | 'ldap'; active: number; created_at: string; is_oidc?: number; is_guest: number;
}

// A user with an OpenID Connect identity is reported as source 'oidc' (see migration 5).
const OIDC = 'EXISTS (SELECT 1 FROM oidc_identities o WHERE o.user_id = users.id) AS is_oidc';

function toUser(r: UserRow): User {
  return {
    id: r.id, uuid: r.uuid, username: r.username, name: r.name, email: r.email, isAdmin: r.is_admin === 1,
    source: r.is_oidc ? 'oidc' : r.source, active: r.active === 1, createdAt: r.created_at, guest: r.is_guest === 1,
  };
}

/** ApiTokenRecord is a stored token without its secret. */
export interface ApiTokenRecord {
  id: number; userId: number; name: string; prefix: string; createdAt: string; lastUsedAt: string | null; expiresAt: string | null;
}

/** UserStore is every query on users and tokens. */
export type UserStore = ReturnType<typeof createUserStore>;

/** createUserStore prepares the user and token statements once. */
export function createUserStore(db: Db, revision: AccessRevision) {
  const s = {
    insert: db.prepare(`INSERT INTO users (uuid, username, name, email, password_hash, is_admin, source, created_at, is_guest)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`),
    byId: db.prepare(`SELECT *, ${OIDC} FROM users WHERE id = ?`),
    // A guest is nobody's to name: lookups by name (pickers, members, shares, grants, logins) find people only.
    byName: db.prepare(`SELECT *, ${OIDC} FROM users WHERE username = ? AND is_guest = 0`),
    byUuid: db.prepare(`SELECT *, ${OIDC} FROM users WHERE uuid = ?`),
    all: db.prepare(`SELECT *, ${OIDC} FROM users WHERE is_guest = 0 ORDER BY username`),
    count: db.prepare('SELECT COUNT(*) AS n FROM users'),
    setPassword: db.prepare('UPDATE users SET password_hash = ? WHERE id = ?'),
    setAdmin: db.prepare('UPDATE users SET is_admin = ? WHERE id = ?'),
    setActive: db.prepare('UPDATE users SET active = ? WHERE id = ?'),
    update: db.prepare('UPDATE users SET name = ?, email = ? WHERE id = ?'),
    insertToken: db.prepare(`INSERT INTO api_tokens (user_id, name, token_hash, prefix, created_at, expires_at)
      VALUES (?, ?, ?, ?, ?, ?) RETURNING id`),
    tokenByHash: db.prepare(`SELECT t.id AS token_id, t.expires_at, t.last_used_at, users.*, ${OIDC} FROM api_tokens t JOIN users ON users.id = t.user_id WHERE t.token_hash = ? AND t.kind = ?`),
    tokensOf: db.prepare('SELECT * FROM api_tokens WHERE user_id = ? ORDER BY id'),
    touchToken: db.prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?'),
    deleteToken: db.prepare('DELETE FROM api_tokens WHERE id = ? AND user_id = ?'),
    identityUser: db.prepare('SELECT user_id FROM oidc_identities WHERE issuer = ? AND subject = ?'),
    insertIdentity: db.prepare('INSERT INTO oidc_identities (user_id, issuer, subject, created_at) VALUES (?, ?, ?, ?)'),
  };
  return {
    /** create adds a user; `guest` marks a public app's visitor (never an admin). */
    create(input: { username: string; name?: string; email?: string; passwordHash: string | null; isAdmin?: boolean; source?: 'local' | 'ldap'; uuid?: string; guest?: boolean }): User {
      const row = s.insert.get(input.uuid ?? randomUUID(), input.username, input.name ?? '', input.email ?? '', input.passwordHash,
        input.isAdmin && !input.guest ? 1 : 0, input.source ?? 'local', nowIso(), input.guest ? 1 : 0) as unknown as UserRow;
      return toUser(row);
    },
    byId(id: number): User | null {
      const r = s.byId.get(id) as UserRow | undefined;
      return r ? toUser(r) : null;
    },
    /** byUsername finds a person by name (never a public app's guest). */
    byUsername(username: string): User | null {
      const r = s.byName.get(username) as UserRow | undefined;
      return r ? toUser(r) : null;
    },
    byUuid(uuid: string): User | null {
      const r = s.byUuid.get(uuid) as UserRow | undefined;
      return r ? toUser(r) : null;
    },
    passwordHash(username: string): { user: User; hash: string | null } | null {
      const r = s.byName.get(username) as UserRow | undefined;
      return r ? { user: toUser(r), hash: r.password_hash } : null;
    },
    /** all lists the people (public apps' guests are no people). */
    all(): User[] {
      return (s.all.all() as unknown as UserRow[]).map(toUser);
    },
    count(): number {
      return (s.count.get() as { n: number }).n;
    },
    setPasswordHash(id: number, hash: string): void { s.setPassword.run(hash, id); },
    setAdmin(id: number, isAdmin: boolean): void { s.setAdmin.run(isAdmin ? 1 : 0, id); revision.bump(); },
    setActive(id: number, active: boolean): void { s.setActive.run(active ? 1 : 0, id); revision.bump(); },
    update(id: number, name: string, email: string): void { s.update.run(name, email, id); },
    createToken(userId: number, name: string, hash: string, prefix: string, expiresAt: string | null): number {
      return (s.insertToken.get(userId, name, hash, prefix, nowIso(), expiresAt) as { id: number }).id;
    },
    /** userByTokenHash returns the token's user when the token exists and has not expired, and marks it used (at most once a minute, so busy scripts do not write on every request). */
    userByTokenHash(hash: string, kind: 'portico' | 'knox' = 'portico'): User | null {
      const r = s.tokenByHash.get(hash, kind) as (UserRow & { token_id: number; expires_at: string | null; last_used_at: string | null }) | undefined;
      if (!r) return null;
      const now = nowIso();
      if (r.expires_at && r.expires_at <= now) return null;
      if (!r.last_used_at || Date.parse(now) - Date.parse(r.last_used_at) > 60_000) {
        bestEffort(db, 'API token last-used times', () => s.touchToken.run(now, r.token_id));
      }
      return toUser(r);
    },
    tokensOf(userId: number): ApiTokenRecord[] {
      return (s.tokensOf.all(userId) as Array<Record<string, unknown>>).map((r) => ({
        id: r.id as number, userId: r.user_id as number, name: r.name as string, prefix: r.prefix as string,
        createdAt: r.created_at as string, lastUsedAt: (r.last_used_at as string | null) ?? null, expiresAt: (r.expires_at as string | null) ?? null,
      }));
    },
    /** byOidcIdentity returns the user an OpenID provider's (issuer, subject) pair belongs to. */
    byOidcIdentity(issuer: string, subject: string): User | null {
      const id = s.identityUser.get(issuer, subject) as { user_id: number } | undefined;
      const r = id ? s.byId.get(id.user_id) as UserRow | undefined : undefined;
      return r ? toUser(r) : null;
    },
    /** createOidc creates a user without a password bound to an OpenID provider's (issuer, subject), atomically. */
    createOidc(input: { username: string; name: string; email: string; isAdmin: boolean; issuer: string; subject: string }): User {
      return tx(db, () => {
        const row = s.insert.get(randomUUID(), input.username, input.name, input.email, null, input.isAdmin ? 1 : 0, 'local', nowIso(), 0) as unknown as UserRow;
        s.insertIdentity.run(row.id, input.issuer, input.subject, nowIso());
        return { ...toUser(row), source: 'oidc' as const };
      });
    },
    deleteToken(userId: number, tokenId: number): boolean {
      const gone = Number(s.deleteToken.run(tokenId, userId).changes) > 0;
      if (gone) revision.bump();
      return gone;
    },
  };
}
