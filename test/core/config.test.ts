/**
 * config.test.ts: the environment is checked once, with messages that name the variable.
 */
import t from 'tap';
import { loadConfig } from '../../gateway/core/config.ts';

t.test('defaults', async (t) => {
  const c = loadConfig({}, '/srv');
  t.equal(c.host, '127.0.0.1');
  t.equal(c.port, 8080);
  t.equal(c.dataDir, '/srv/data');
  t.equal(c.networkMode, 'host');
  t.equal(c.dockerNetwork, 'portico-net');
  t.equal(c.actionMinDelayMs, 1000);
  t.equal(c.maxInactivityDays, 7);
  t.equal(c.publishPorts, false);
  t.same(c.ldap, []);
  t.ok(Object.isFrozen(c), 'frozen');
});

t.test('Kiosc names are accepted as fallbacks', async (t) => {
  const c = loadConfig({ KIOSC_NETWORK_MODE: 'docker-shared', KIOSC_DOCKER_NETWORK: 'kiosc-net', KIOSC_DOCKER_ACTION_MIN_DELAY: '7', KIOSC_DOCKER_MAX_INACTIVITY: '3' });
  t.equal(c.networkMode, 'docker-shared');
  t.equal(c.dockerNetwork, 'kiosc-net');
  t.equal(c.actionMinDelayMs, 7000);
  t.equal(c.maxInactivityDays, 3);
  t.equal(loadConfig({ PORTICO_NETWORK_MODE: 'host', KIOSC_NETWORK_MODE: 'docker-shared' }).networkMode, 'host', 'PORTICO_* wins');
});

t.test('malformed and unknown values name the variable', async (t) => {
  const bad: Array<[Record<string, string>, RegExp]> = [
    [{ PORTICO_PORT: 'eighty' }, /PORTICO_PORT must be a whole number/],
    [{ PORTICO_PORT: '70000' }, /PORTICO_PORT must be between 0 and 65535/],
    [{ PORTICO_NETWORK_MODE: 'swarm' }, /PORTICO_NETWORK_MODE must be one of host, docker-shared/],
    [{ PORTICO_PUBLISH_PORTS: 'maybe' }, /PORTICO_PUBLISH_PORTS must be a boolean/],
    [{ PORTICO_DOCKER_NETWORK: 'bad name!' }, /PORTICO_DOCKER_NETWORK/],
    [{ PORTICO_PROT: '1' }, /unknown setting PORTICO_PROT/],
    [{ PORTICO_LOG_FORMAT: 'xml' }, /PORTICO_LOG_FORMAT/],
    [{ PORTICO_ACTION_MIN_DELAY: 'soon' }, /PORTICO_ACTION_MIN_DELAY must be a number/],
    [{ ENABLE_LDAP: '1' }, /AUTH_LDAP_SERVER_URI/],
    [{ ENABLE_LDAP: '1', AUTH_LDAP_SERVER_URI: 'ldap://127.0.0.1:1', AUTH_LDAP_USER_SEARCH_BASE: 'dc=x', AUTH_LDAP_USER_FILTER: '(uid=x)' }, /AUTH_LDAP_USER_FILTER must contain %\(user\)s/],
  ];
  for (const [env, msg] of bad) t.throws(() => loadConfig(env), { code: 'E_CONFIG', message: msg }, JSON.stringify(env));
});

t.test('LDAP servers with Kiosc variable names', async (t) => {
  const c = loadConfig({
    ENABLE_LDAP: '1', AUTH_LDAP_SERVER_URI: 'ldap://127.0.0.1:389', AUTH_LDAP_USER_SEARCH_BASE: 'ou=people,dc=ex',
    AUTH_LDAP_USERNAME_DOMAIN: 'EX', AUTH_LDAP_DOMAIN_PRINTABLE: 'Example',
    ENABLE_LDAP_SECONDARY: 'true', AUTH_LDAP2_SERVER_URI: 'ldaps://127.0.0.1:636', AUTH_LDAP2_USER_SEARCH_BASE: 'ou=p,dc=other', AUTH_LDAP2_USER_FILTER: '(uid=%(user)s)',
  });
  t.equal(c.ldap.length, 2);
  t.equal(c.ldap[0].userFilter, '(sAMAccountName=%(user)s)', 'SODAR default filter');
  t.equal(c.ldap[1].userFilter, '(uid=%(user)s)');
  t.equal(c.ldap[0].domainPrintable, 'Example');
});
