/**
 * one-time-links.ts: invitations to a project and password reset links (docs/invitations.md). Each is
 * a random token that the owner (or a site admin) copies and hands over; only its SHA-256 is
 * stored, it works once and until it expires. An invitation is worth what its inviter may do when
 * it is accepted: a delegate who lost the role cannot add members through an old link.
 */
import { PorticoError, ValidationError, conflict, forbidden } from '../errors.ts';
import type { Store } from '../store/index.ts';
import type { Invitation } from '../store/one-time-links.ts';
import type { ProjectService } from '../projects/service.ts';
import type { SiteMode } from '../site-mode.ts';
import type { Logger } from '../log.ts';
import type { Container, Project, Role, User } from '../types.ts';
import { can } from '../auth/roles.ts';
import { hashSecret, newSecret } from '../auth/tokens.ts';
import { hashPassword } from '../auth/passwords.ts';
import { MIN_PASSWORD_LENGTH } from '../auth/login.ts';
import { syncedFrom, syncedProjectError } from '../projects/remote-guard.ts';

/** INVITATION_DAYS is how long an invitation link works. */
export const INVITATION_DAYS = 7;
/** RESET_HOURS is how long a password reset link works. */
export const RESET_HOURS = 24;
/** USERNAME_RE is the shape of a local user name (the admin page and the CLI accept the same). */
export const USERNAME_RE = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,149}$/;
const EMAIL_RE = /^[^\s@]+@[^\s@]+$/;
const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;

/** OpenInvitation is what the invitation page shows: the invitation, its project and the app it leads to. */
export interface OpenInvitation { invitation: Invitation; project: Project; container: Container | null; inviter: User | null }

function gone(message: string): PorticoError { return new PorticoError('E_LINK_GONE', 410, message); }
function unknownLink(): PorticoError { return new PorticoError('E_LINK_NOT_FOUND', 404, 'This link is not valid: check that it was copied whole, or ask for a new one.'); }

function checkPassword(password: string, repeat: string): void {
  const fields: Record<string, string> = {};
  if (password.length < MIN_PASSWORD_LENGTH) fields.password = `Use at least ${MIN_PASSWORD_LENGTH} characters.`;
  else if (Buffer.byteLength(password) > 1024) fields.password = 'Use at most 1024 bytes.';
  else if (password !== repeat) fields.repeat = 'The two passwords differ.';
  if (Object.keys(fields).length) throw new ValidationError(fields);
}

/** OneTimeLinks is the service behind invitations and reset links. */
export type OneTimeLinks = ReturnType<typeof createOneTimeLinks>;

/** createOneTimeLinks builds the service over the store and the project service. */
export function createOneTimeLinks(deps: { store: Store; projects: ProjectService; siteMode: SiteMode; logger: Logger }) {
  const { store, projects, siteMode, logger } = deps;

  function lookUp(token: string): { hash: string; invitation: Invitation } {
    if (!TOKEN_RE.test(token)) throw unknownLink();
    const hash = hashSecret(token);
    const invitation = store.links.invitation(hash);
    if (!invitation) throw unknownLink();
    if (invitation.usedAt) throw gone('This invitation has been used already. Log in to open the project, or ask its owner for a new invitation.');
    if (invitation.expiresAt <= new Date().toISOString()) throw gone('This invitation has expired. Ask the project\'s owner for a new one.');
    return { hash, invitation };
  }

  return {
    /**
     * invite makes an invitation for `invitee` (an e-mail address or a user name) with `role`,
     * landing in `container` when given; returns the token, which is shown once.
     */
    invite(actor: User, project: Project, input: { invitee: string; role: Role; container: Container | null }): { token: string; invitation: Invitation } {
      const invitee = input.invitee.trim();
      const source = syncedFrom(store, project.id);
      if (source !== null) throw syncedProjectError(source);
      const actorRole = store.projects.roleOf(project.id, actor.id);
      if (!can(actor.isAdmin, actorRole, 'project.members')) throw forbidden('Only owners and delegates of this project can invite.');
      if (!siteMode.allowsChangesBy(actor)) throw new PorticoError('E_READ_ONLY', 403, 'the site is in read-only mode');
      if (project.archived) throw new PorticoError('E_PROJECT_ARCHIVED', 403, 'This project is archived: unarchive it to invite anyone.');
      if (!invitee || invitee.length > 254 || !(EMAIL_RE.test(invitee) || USERNAME_RE.test(invitee))) {
        throw new ValidationError({ invitee: "An e-mail address, or a user name (letters, digits, '.', '_', '@' and '-')." });
      }
      if (input.role === 'owner') throw new ValidationError({ role: 'The owner changes only by an ownership transfer.' });
      if (input.role === 'delegate' && !can(actor.isAdmin, actorRole, 'project.delegate')) throw forbidden('Only the owner (or a site admin) can invite a delegate.');
      const existing = store.users.byUsername(invitee);
      if (existing && store.projects.roleOf(project.id, existing.id)) throw conflict(`${existing.username} is already a member of this project.`);
      if (input.container && input.container.projectId !== project.id) throw new ValidationError({ container: 'That container is not in this project.' });
      const token = newSecret(32);
      const expiresAt = new Date(Date.now() + INVITATION_DAYS * 86_400_000).toISOString();
      const invitation = store.links.invite(hashSecret(token), { projectId: project.id, invitee, role: input.role, containerUuid: input.container?.uuid ?? null, createdBy: actor.id, expiresAt });
      logger.info('invitation created', { project: project.uuid, by: actor.username, invitee, role: input.role });
      return { token, invitation };
    },

    /** open returns a usable invitation for its page (404 unknown, 410 used or expired). */
    open(token: string): OpenInvitation {
      const { invitation } = lookUp(token);
      const project = store.projects.byId(invitation.projectId);
      if (!project || project.deletingAt) throw unknownLink();
      const c = invitation.containerUuid ? store.containers.byUuid(invitation.containerUuid) : null;
      const container = c && c.projectId === project.id ? c : null;
      return { invitation, project, container, inviter: invitation.createdBy !== null ? store.users.byId(invitation.createdBy) : null };
    },

    /**
     * accept uses the invitation for `user`: they become a member with the invited role (a member
     * already keeps their role). The inviter's rights are checked now, as if they added the member.
     */
    accept(token: string, user: User): OpenInvitation {
      const opened = this.open(token);
      const { hash, invitation } = lookUp(token);
      const named = store.users.byUsername(invitation.invitee);
      // An invitation by user name to an existing account is that account's alone.
      if (named && named.id !== user.id) throw forbidden(`This invitation is for the user ${named.username}. Log out and log in as ${named.username}, or ask for an invitation of your own.`);
      store.transaction(() => {
        if (!store.links.takeInvitation(hash, user.id)) throw gone('This invitation has been used already.');
        if (store.projects.roleOf(opened.project.id, user.id)) return;
        const inviter = opened.inviter;
        if (!inviter || !inviter.active) throw forbidden('The person who sent this invitation can no longer add members. Ask the project\'s owner for a new one.');
        projects.addRole(inviter, opened.project, user, invitation.role);
      });
      logger.info('invitation accepted', { project: opened.project.uuid, user: user.username, role: invitation.role });
      return opened;
    },

    /** signUp creates the local account an invitation's link offers (user name and password), then accepts for it. */
    async signUp(token: string, input: { username: string; password: string; repeat: string }): Promise<{ user: User; opened: OpenInvitation }> {
      const { invitation } = lookUp(token);
      const username = input.username.trim();
      if (!USERNAME_RE.test(username)) throw new ValidationError({ username: "Letters, digits, '.', '_', '@' and '-' (at most 150)." });
      // An invitation by user name fixes the name; one by e-mail lets the invitee choose.
      if (!EMAIL_RE.test(invitation.invitee) && username.toLowerCase() !== invitation.invitee.toLowerCase()) {
        throw new ValidationError({ username: `This invitation is for the user name ${invitation.invitee}.` });
      }
      if (store.users.byUsername(username)) throw conflict(`A user named ${username} exists already: log in instead.`);
      checkPassword(input.password, input.repeat);
      if (siteMode.readOnly()) throw new PorticoError('E_READ_ONLY', 403, 'the site is in read-only mode');
      const passwordHash = await hashPassword(input.password);
      const email = EMAIL_RE.test(invitation.invitee) ? invitation.invitee : '';
      const user = store.transaction(() => {
        if (store.users.byUsername(username)) throw conflict(`A user named ${username} exists already: log in instead.`);
        return store.users.create({ username, email, passwordHash });
      });
      logger.info('user created from an invitation', { user: user.username });
      try {
        return { user, opened: this.accept(token, user) };
      } catch (err) {
        // The account stays (its owner set a password), without the membership that failed.
        logger.warn('invitation not accepted after sign-up', { user: user.username, err: (err as Error).message });
        throw err;
      }
    },

    pending(project: Project): Invitation[] { return store.links.pending(project.id); },

    revoke(actor: User, project: Project, id: number): boolean {
      if (!can(actor.isAdmin, store.projects.roleOf(project.id, actor.id), 'project.members')) throw forbidden('Only owners and delegates of this project can revoke invitations.');
      return store.links.revoke(project.id, id);
    },

    /** issueReset makes a password reset link for a local user (site admins only); returns its token. */
    issueReset(actor: User, target: User): string {
      if (!actor.isAdmin) throw forbidden('Only site administrators issue password reset links.');
      if (target.source !== 'local') throw new PorticoError('E_BAD_REQUEST', 400, `${target.username} signs in through ${target.source === 'oidc' ? 'single sign-on (OIDC)' : 'the directory (LDAP)'}: there is no Portico password to reset.`);
      const token = newSecret(32);
      store.links.reset(hashSecret(token), target.id, actor.id, new Date(Date.now() + RESET_HOURS * 3_600_000).toISOString());
      logger.info('password reset link issued', { user: target.username, by: actor.username });
      return token;
    },

    /** resetTarget returns the user a usable reset link is for (404 unknown, 410 used or expired). */
    resetTarget(token: string): User {
      if (!TOKEN_RE.test(token)) throw unknownLink();
      const link = store.links.resetLink(hashSecret(token));
      if (!link) throw unknownLink();
      if (link.usedAt) throw gone('This reset link has been used already. Ask a site administrator for a new one.');
      if (link.expiresAt <= new Date().toISOString()) throw gone('This reset link has expired. Ask a site administrator for a new one.');
      const user = store.users.byId(link.userId);
      if (!user || !user.active) throw unknownLink();
      return user;
    },

    /** reset sets the password through a reset link, once; the caller ends the user's sessions. */
    async reset(token: string, password: string, repeat: string): Promise<User> {
      const user = this.resetTarget(token);
      checkPassword(password, repeat);
      const hash = await hashPassword(password);
      store.transaction(() => {
        if (!store.links.takeReset(hashSecret(token))) throw gone('This reset link has been used already.');
        store.users.setPasswordHash(user.id, hash);
      });
      logger.info('password reset', { user: user.username });
      return user;
    },
  };
}
