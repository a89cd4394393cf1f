/**
 * ldap-client.ts: the one module that knows ldapts. For each login it opens a fresh connection,
 * binds as the service account, searches the user with the escaped filter, binds as the user
 * found, and disconnects. Connection and configuration problems become E_LDAP_UNAVAILABLE
 * (so the next server is tried); only the user's own bind decides "wrong password".
 */
import { Client, InvalidCredentialsError, ResultCodeError, SizeLimitExceededError } from 'ldapts';
import type { LdapServerConfig } from '../config.ts';
import { PorticoError } from '../errors.ts';
import type { LdapServer, LdapVerdict } from './ldap.ts';
import { userFilter } from './ldap-filter.ts';

/** LdapTimeouts bound every connection (milliseconds). */
export interface LdapTimeouts { connectMs: number; operationMs: number }

const ATTRIBUTES = ['cn', 'displayName', 'givenName', 'sn', 'mail'];

function first(v: unknown): string {
  const x = Array.isArray(v) ? v[0] : v;
  return x === undefined || x === null ? '' : String(x);
}

function unavailable(config: LdapServerConfig, why: string): PorticoError {
  return new PorticoError('E_LDAP_UNAVAILABLE', 503, `LDAP server ${config.uri}: ${why}`);
}

/** connectLdapServer makes the LdapServer for one configured server. */
export function connectLdapServer(config: LdapServerConfig, timeouts: LdapTimeouts = { connectMs: 5000, operationMs: 10_000 }): LdapServer {
  return {
    async verify(username, password): Promise<LdapVerdict> {
      if (!password) return { ok: false, reason: 'wrong-password' };
      // The CA file (AUTH_LDAP_CA_CERT_FILE) is trusted instead of the system's CAs, as python-ldap's
      // OPT_X_TLS_CACERTFILE is; the server's name is still checked. ldapts opens TLS at once when
      // given TLS options, so for StartTLS on ldap:// they go to startTLS instead.
      const tls = config.caCert ? { ca: config.caCert } : undefined;
      const client = new Client({
        url: config.uri, connectTimeout: timeouts.connectMs, timeout: timeouts.operationMs, strictDN: false,
        tlsOptions: config.uri.startsWith('ldaps:') ? tls : undefined,
      });
      try {
        try {
          if (config.startTls) await client.startTLS(tls ? { ...tls } : {});
          if (config.bindDn) await client.bind(config.bindDn, config.bindPassword);
        } catch (err) {
          throw unavailable(config, err instanceof InvalidCredentialsError ? 'the service account (BIND_DN) was refused' : (err as Error).message);
        }
        let entries: Array<Record<string, unknown> & { dn: string }>;
        try {
          const found = await client.search(config.userSearchBase, {
            scope: 'sub', filter: userFilter(config.userFilter, username), attributes: ATTRIBUTES, sizeLimit: 2,
          });
          entries = found.searchEntries;
        } catch (err) {
          if (err instanceof SizeLimitExceededError) return { ok: false, reason: 'no-such-user' };
          throw unavailable(config, `search failed: ${(err as Error).message}`);
        }
        // Zero or several matches: no single account to bind as.
        if (entries.length !== 1) return { ok: false, reason: 'no-such-user' };
        const entry = entries[0];
        try {
          await client.bind(entry.dn, password);
        } catch (err) {
          if (err instanceof ResultCodeError) return { ok: false, reason: 'wrong-password' };
          throw unavailable(config, (err as Error).message);
        }
        const given = first(entry.givenName) ? `${first(entry.givenName)} ${first(entry.sn)}`.trim() : '';
        return { ok: true, account: { dn: entry.dn, name: first(entry.displayName) || given || first(entry.cn), email: first(entry.mail) } };
      } catch (err) {
        if (err instanceof PorticoError) throw err;
        throw unavailable(config, (err as Error).message || String(err));
      } finally {
        await client.unbind().catch(() => {});
      }
    },
  };
}
