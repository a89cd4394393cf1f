/**
 * oidc.ts: OpenID Connect login (Kiosc's ENABLE_OIDC): pending sign-ins and the users they make.
 *
 * A sign-in's state, nonce and PKCE verifier stay in this process (never in the browser), keyed
 * by the state and bound to the browser that started it by a random cookie value whose hash is
 * kept with them. A state is used once: it is removed before its code is exchanged, so a replayed
 * callback never reaches the token endpoint. Pending sign-ins expire after 10 minutes and are
 * bounded in number (the oldest go first); a restart forgets them (the person clicks again).
 *
 * Users: the provider's (issuer, subject) names the user. The first sign-in creates the user from
 * the user name claim (no password; password login is refused for it); later sign-ins find the
 * same user by (issuer, subject) and refresh name and e-mail. A user name that already belongs
 * to another account (local, LDAP, or another subject) is refused, never taken over. With
 * PORTICO_OIDC_ADMIN_GROUP the groups claim decides site admin on every sign-in, both ways.
 */
import { timingSafeEqual } from 'node:crypto';
import type { OidcConfig } from '../config.ts';
import { PorticoError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/index.ts';
import type { User } from '../types.ts';
import type { AuthorizationRequest, OidcProvider, ProviderStatus } from './oidc-client.ts';
import { oidcRefused } from './oidc-client.ts';
import { hashSecret, newSecret } from './tokens.ts';

/** OIDC_COOKIE binds a pending sign-in to the browser that started it. */
export const OIDC_COOKIE = 'portico_oidc';
/** OIDC_PENDING_MS is how long a started sign-in may take at the provider. */
export const OIDC_PENDING_MS = 10 * 60_000;
const MAX_PENDING = 10_000;
const BINDING_RE = /^[A-Za-z0-9_-]{22,64}$/;
const USERNAME_RE = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,149}$/;

interface Pending { request: AuthorizationRequest; redirectUri: string; next: string; bindingHash: string; expiresAt: number }

/** OidcLogin starts sign-ins and turns callbacks into users. */
export interface OidcLogin {
  readonly label: string;
  status(): ProviderStatus;
  /** warm starts discovery in the background when it has not succeeded yet (the login page calls it). */
  warm(): void;
  /** begin returns the provider URL to send the browser to, and the binding cookie value (reused when the browser brought a valid one). */
  begin(input: { redirectUri: string; next: string; binding: string | null }): Promise<{ url: string; binding: string }>;
  /** complete checks the callback against the pending sign-in and returns the signed-in user and where to go. */
  complete(input: { callbackUrl: URL; binding: string | null }): Promise<{ user: User; next: string }>;
}

function expired(reason: string): PorticoError {
  return new PorticoError('E_OIDC_FAILED', 400, 'This sign-in link expired, was already used, or was started in another browser. Please start again.', { reason });
}

function text(v: unknown): string {
  return typeof v === 'string' ? v.trim().slice(0, 200) : '';
}

/** groupsOf reads the groups claim: an array of strings, or one string. */
function groupsOf(claims: Record<string, unknown>, claim: string): string[] {
  const v = claims[claim];
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.filter((g): g is string => typeof g === 'string') : [];
}

/** createOidcLogin builds OIDC login over the provider and the store. */
export function createOidcLogin(deps: { config: OidcConfig; provider: OidcProvider; store: Store; logger: Logger; now?: () => number }): OidcLogin {
  const { config, provider, store, logger } = deps;
  const now = deps.now ?? Date.now;
  const pending = new Map<string, Pending>();

  function sweep(): void {
    const t = now();
    for (const [state, p] of pending) {
      if (p.expiresAt > t && pending.size < MAX_PENDING) break;
      pending.delete(state);
    }
  }

  function usernameFrom(claims: Record<string, unknown>): string {
    const keys = config.usernameClaim ? [config.usernameClaim] : ['username', 'preferred_username'];
    const key = keys.find((k) => text(claims[k]));
    if (!key) throw oidcRefused(`The provider sent no user name (the ${keys.join(' or ')} claim). Ask the site administrator to check SOCIAL_AUTH_OIDC_USERNAME_KEY.`, 403);
    const name = text(claims[key]);
    if (!USERNAME_RE.test(name)) throw oidcRefused(`The user name from the provider is not usable here: letters, digits, '.', '_', '@' and '-' (at most 150).`, 403);
    return name;
  }

  function provision(issuer: string, subject: string, claims: Record<string, unknown>): User {
    const name = text(claims.name) || [text(claims.given_name), text(claims.family_name)].filter(Boolean).join(' ');
    const email = text(claims.email);
    const admin = config.adminGroup === null ? null : groupsOf(claims, config.groupsClaim).includes(config.adminGroup);
    let user = store.users.byOidcIdentity(issuer, subject);
    if (!user) {
      const username = usernameFrom(claims);
      if (store.users.byUsername(username)) {
        logger.warn('OIDC login refused: the name belongs to another account', { user: username });
        throw new PorticoError('E_CONFLICT', 409, `The user name ${username} belongs to another Portico account. Ask a site administrator.`);
      }
      try {
        user = store.users.createOidc({ username, name, email, isAdmin: admin === true, issuer, subject });
        logger.info('created user from OIDC', { user: username, admin: user.isAdmin });
        return user;
      } catch (err) {
        // A parallel first sign-in of the same person created it; anything else is a real failure.
        user = store.users.byOidcIdentity(issuer, subject);
        if (!user) throw err;
      }
    }
    if (!user.active) throw new PorticoError('E_FORBIDDEN', 403, 'This account is deactivated. Ask a site administrator.');
    if ((name && name !== user.name) || (email && email !== user.email)) store.users.update(user.id, name || user.name, email || user.email);
    if (admin !== null && admin !== user.isAdmin) {
      store.users.setAdmin(user.id, admin);
      logger.info(admin ? 'OIDC group made a site admin' : 'OIDC group no longer makes a site admin', { user: user.username });
    }
    return store.users.byId(user.id)!;
  }

  return {
    label: config.label,
    status: () => provider.status(),
    warm() { if (provider.status().state !== 'ready') provider.warm(); },
    async begin({ redirectUri, next, binding }) {
      const value = binding && BINDING_RE.test(binding) ? binding : newSecret(24);
      const request = await provider.authorize(redirectUri);
      sweep();
      pending.set(request.state, { request, redirectUri, next, bindingHash: hashSecret(value), expiresAt: now() + OIDC_PENDING_MS });
      return { url: request.url, binding: value };
    },
    async complete({ callbackUrl, binding }) {
      const state = callbackUrl.searchParams.get('state') ?? '';
      const entry = pending.get(state);
      // One use only, whatever happens next.
      if (entry) pending.delete(state);
      if (!entry) throw expired('unknown or used state');
      if (entry.expiresAt <= now()) throw expired('expired state');
      const want = Buffer.from(entry.bindingHash);
      const got = Buffer.from(binding && BINDING_RE.test(binding) ? hashSecret(binding) : '');
      if (want.length !== got.length || !timingSafeEqual(want, got)) throw expired('state of another browser');
      const identity = await provider.finish(callbackUrl, entry.request, entry.redirectUri);
      return { user: provision(identity.issuer, identity.subject, identity.claims), next: entry.next };
    },
  };
}
