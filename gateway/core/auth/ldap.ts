/**
 * ldap.ts: LDAP login policy over up to two servers (Kiosc's primary and secondary). A login
 * `name@DOMAIN` goes to the servers of that username domain; a bare `name` tries every server in
 * order. A server that cannot be reached is skipped for the next one; when none answers, the
 * login fails with E_LDAP_UNAVAILABLE (local accounts are not affected). Only ldap-client.ts
 * knows the LDAP library; this module sees the narrow LdapServer interface.
 */
import type { LdapServerConfig } from '../config.ts';
import { PorticoError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { ldapUsername, splitLoginName } from './ldap-filter.ts';

/** LdapAccount is what a directory tells about a user after a successful bind. */
export interface LdapAccount { dn: string; name: string; email: string }

/** LdapVerdict is a server's definite answer; an unreachable server throws instead. */
export type LdapVerdict = { ok: true; account: LdapAccount } | { ok: false; reason: 'no-such-user' | 'wrong-password' };

/** LdapServer checks one user's password against one directory server; it throws E_LDAP_UNAVAILABLE when the server cannot be used. */
export interface LdapServer {
  verify(username: string, password: string): Promise<LdapVerdict>;
}

/** LdapConnector makes the LdapServer for one configured server. */
export type LdapConnector = (config: LdapServerConfig) => LdapServer;

/** LdapLogin is a successful directory login: the Portico user name to use and the account details. */
export interface LdapLogin { username: string; account: LdapAccount }

/** LoginDomain is one directory as the login page names it. */
export interface LoginDomain { printable: string; domain: string }

/** LdapDirectory authenticates directory users. */
export interface LdapDirectory {
  /** domains are the configured username domains (for `name@DOMAIN` logins). */
  readonly domains: readonly string[];
  /** loginDomains are shown on the login page: each server's printable name and its username domain. */
  readonly loginDomains: readonly LoginDomain[];
  /** authenticate answers a login, null for wrong credentials; throws E_LDAP_UNAVAILABLE when no candidate server answers. */
  authenticate(login: string, password: string): Promise<LdapLogin | null>;
}

/** ldapUnavailable is the error people see when no directory server answers. */
export function ldapUnavailable(): PorticoError {
  return new PorticoError('E_LDAP_UNAVAILABLE', 503,
    'The login directory (LDAP) cannot be reached right now, so directory accounts cannot log in. Local accounts still work; try again later.');
}

/** createLdapDirectory builds the directory over the configured servers (none: returns null). */
export function createLdapDirectory(configs: readonly LdapServerConfig[], connect: LdapConnector, logger: Logger): LdapDirectory | null {
  if (!configs.length) return null;
  const servers = configs.map((config) => ({ config, server: connect(config) }));
  const domains = [...new Set(configs.map((c) => c.usernameDomain).filter(Boolean))];
  const loginDomains: LoginDomain[] = [];
  for (const c of configs) {
    const printable = c.domainPrintable || c.usernameDomain;
    if (printable && !loginDomains.some((d) => d.printable === printable)) loginDomains.push({ printable, domain: c.usernameDomain });
  }

  return {
    domains,
    loginDomains,
    async authenticate(login, password) {
      // An empty password would be an unauthenticated bind, which LDAP servers accept (RFC 4513 5.1.2).
      if (!password) return null;
      const { name, domain } = splitLoginName(login, domains);
      if (!name) return null;
      const candidates = domain ? servers.filter((s) => s.config.usernameDomain.toLowerCase() === domain.toLowerCase()) : servers;
      let reached = false;
      for (const { config, server } of candidates) {
        let verdict: LdapVerdict;
        try {
          verdict = await server.verify(name, password);
        } catch (err) {
          logger.warn('LDAP server unavailable', { server: config.uri, reason: (err as Error).message });
          continue;
        }
        reached = true;
        if (verdict.ok) return { username: ldapUsername(name, config.usernameDomain), account: verdict.account };
        // A wrong password is definite; an unknown name may belong to the next server's domain.
        if (verdict.reason === 'wrong-password') return null;
      }
      if (!reached) throw ldapUnavailable();
      return null;
    },
  };
}
