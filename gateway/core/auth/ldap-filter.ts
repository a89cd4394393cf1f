/**
 * ldap-filter.ts: pure helpers for LDAP logins: escaping a value for a search filter (RFC 4515),
 * filling Kiosc's `%(user)s` filter template, and splitting `name@DOMAIN` login names.
 */

/**
 * escapeFilterValue escapes a value for use inside an LDAP filter per RFC 4515 section 3:
 * `*`, `(`, `)`, `\` and NUL become `\2a`, `\28`, `\29`, `\5c` and `\00`
 * (https://www.rfc-editor.org/rfc/rfc4515#section-3). Other UTF-8 text may stay as it is.
 */
export function escapeFilterValue(value: string): string {
  return value.replace(/[*()\\\0]/g, (c) => '\\' + c.charCodeAt(0).toString(16).padStart(2, '0'));
}

/** userFilter fills every `%(user)s` in Kiosc's AUTH_LDAP_USER_FILTER with the escaped user name. */
export function userFilter(template: string, username: string): string {
  const escaped = escapeFilterValue(username);
  return template.split('%(user)s').join(escaped);
}

/**
 * splitLoginName splits `name@DOMAIN` when DOMAIN is one of the configured LDAP username domains
 * (compared case-insensitively); any other name is returned whole with no domain.
 */
export function splitLoginName(login: string, domains: readonly string[]): { name: string; domain: string | null } {
  const at = login.lastIndexOf('@');
  if (at > 0) {
    const suffix = login.slice(at + 1).toLowerCase();
    const domain = domains.find((d) => d && d.toLowerCase() === suffix);
    if (domain) return { name: login.slice(0, at), domain };
  }
  return { name: login, domain: null };
}

/** ldapUsername is the Portico user name of a directory account: `name@DOMAIN` (as SODAR and Kiosc store them), or the bare name when the server has no domain. */
export function ldapUsername(name: string, usernameDomain: string): string {
  const bare = name.toLowerCase();
  return usernameDomain ? `${bare}@${usernameDomain.toUpperCase()}` : bare;
}
