/**
 * login.ts: checks a user name and password, locally or through LDAP, under the failed-login
 * throttle, and changes local passwords. A name held by a local account is checked only against
 * its local password: a directory account never takes over a local one (an LDAP user called
 * `admin` is not the site admin). Directory users are created on their first successful login.
 */
import { PorticoError, ValidationError, badRequest } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/index.ts';
import type { User } from '../types.ts';
import type { LdapDirectory, LoginDomain } from './ldap.ts';
import { splitLoginName } from './ldap-filter.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import type { Lock, LoginThrottle } from './throttle.ts';
import { lockMessage } from './throttle.ts';

/** MIN_PASSWORD_LENGTH is the shortest local password accepted. */
export const MIN_PASSWORD_LENGTH = 8;
const MAX_PASSWORD_LENGTH = 1024;
const MAX_NAME_LENGTH = 254;

/** LoginService authenticates people and changes their passwords. */
export interface LoginService {
  /** loginDomains are the LDAP domains to show on the login page. */
  readonly loginDomains: readonly LoginDomain[];
  /** login returns the user, or throws E_UNAUTHENTICATED, E_THROTTLED (429) or E_LDAP_UNAVAILABLE (503). */
  login(loginName: string, password: string, address: string): Promise<User>;
  /** changePassword checks the current password (under the throttle) and stores the new one. */
  changePassword(user: User, input: { current: string; password: string; repeat: string }, address: string): Promise<void>;
}

/** throttled is the 429 answer for a lock (with Retry-After). */
export function throttled(lock: Lock): PorticoError {
  return new PorticoError('E_THROTTLED', 429, lockMessage(lock), { retryAfter: lock.retryAfterSeconds, scope: lock.scope });
}

function badCredentials(): PorticoError {
  return new PorticoError('E_UNAUTHENTICATED', 401, 'Wrong user name or password.');
}

/** createLoginService builds the login checks over the store, the directory (null without LDAP) and the throttle. */
export function createLoginService(deps: { store: Store; ldap: LdapDirectory | null; throttle: LoginThrottle; logger: Logger }): LoginService {
  const { store, ldap, throttle, logger } = deps;
  const domains = ldap?.domains ?? [];
  let dummy: Promise<string> | null = null;

  /** spendHashTime verifies against a throwaway hash, so unknown names take as long as known ones. */
  async function spendHashTime(password: string): Promise<void> {
    dummy ??= hashPassword('portico-dummy-password');
    await verifyPassword(password, await dummy);
  }

  async function ldapUser(login: string, password: string): Promise<User | null> {
    if (!ldap) { await spendHashTime(password); return null; }
    const found = await ldap.authenticate(login, password);
    if (!found) return null;
    const existing = store.users.byUsername(found.username);
    if (existing && existing.source !== 'ldap') {
      logger.warn('LDAP login refused: the name belongs to a local account', { user: found.username });
      return null;
    }
    if (existing) {
      store.users.update(existing.id, found.account.name || existing.name, found.account.email || existing.email);
      return store.users.byId(existing.id);
    }
    try {
      const user = store.users.create({ username: found.username, name: found.account.name, email: found.account.email, passwordHash: null, source: 'ldap' });
      logger.info('created user from LDAP', { user: user.username });
      return user;
    } catch {
      return store.users.byUsername(found.username); // a parallel first login created it
    }
  }

  async function check(login: string, password: string): Promise<User | null> {
    const { domain } = splitLoginName(login, domains);
    if (!domain) {
      const local = store.users.passwordHash(login);
      if (local && local.user.source === 'local') return (await verifyPassword(password, local.hash)) ? local.user : null;
    }
    return ldapUser(login, password);
  }

  return {
    loginDomains: ldap?.loginDomains ?? [],
    async login(loginName, password, address) {
      const login = loginName.trim();
      // Empty passwords are refused before anything else (and long inputs before hashing).
      if (!login || !password) throw new PorticoError('E_UNAUTHENTICATED', 401, 'Enter your user name and password.');
      if (login.length > MAX_NAME_LENGTH) throw badRequest(`The user name is too long: at most ${MAX_NAME_LENGTH} characters.`);
      if (Buffer.byteLength(password) > MAX_PASSWORD_LENGTH) throw badRequest(`The password is too long: at most ${MAX_PASSWORD_LENGTH} bytes.`);
      const key = splitLoginName(login, domains).name.toLowerCase();
      const started = throttle.begin(key, address);
      if ('lock' in started) throw throttled(started.lock);
      let user: User | null;
      try {
        user = await check(login, password);
      } catch (err) {
        started.attempt.done('neutral');
        throw err;
      }
      if (!user) {
        started.attempt.done('failure');
        throw badCredentials();
      }
      started.attempt.done('success');
      if (!user.active) throw new PorticoError('E_FORBIDDEN', 403, 'This account is deactivated. Ask a site administrator.');
      return user;
    },

    async changePassword(user, input, address) {
      if (user.source === 'oidc') throw new PorticoError('E_BAD_REQUEST', 400, 'You sign in with single sign-on (OIDC); there is no Portico password to change.');
      if (user.source !== 'local') throw new PorticoError('E_BAD_REQUEST', 400, 'Your password is managed by the directory (LDAP); change it there.');
      const fields: Record<string, string> = {};
      if (!input.current) fields.current = 'Enter your current password.';
      if (input.password.length < MIN_PASSWORD_LENGTH) fields.password = `Use at least ${MIN_PASSWORD_LENGTH} characters.`;
      else if (Buffer.byteLength(input.password) > MAX_PASSWORD_LENGTH) fields.password = `Use at most ${MAX_PASSWORD_LENGTH} bytes.`;
      else if (input.password !== input.repeat) fields.repeat = 'The two new passwords differ.';
      if (Object.keys(fields).length) throw new ValidationError(fields);
      const started = throttle.begin(user.username.toLowerCase(), address);
      if ('lock' in started) throw throttled(started.lock);
      const stored = store.users.passwordHash(user.username);
      if (!stored || !(await verifyPassword(input.current, stored.hash))) {
        started.attempt.done('failure');
        throw new ValidationError({ current: 'The current password is wrong.' });
      }
      started.attempt.done('success');
      store.users.setPasswordHash(user.id, await hashPassword(input.password));
    },
  };
}
