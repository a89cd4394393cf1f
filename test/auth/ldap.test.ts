/**
 * ldap.test.ts: LDAP login against real, private slapd servers (primary and secondary) with
 * Kiosc's variable names: first login creates the user, wrong passwords fail, empty passwords
 * never reach the server, filter values are escaped, a local account is never taken over, the
 * secondary is used when the primary is down, and with both down local accounts still work.
 */
import net from 'node:net';
import t from 'tap';
import { startGateway } from '../helpers/gateway.ts';
import { createWebClient } from '../helpers/web.ts';
import { freePort, ldapEnv, startSlapd } from '../helpers/slapd.ts';
import type { Slapd } from '../helpers/slapd.ts';

const connections = (s: Slapd) => (s.log().match(/ ACCEPT from /g) ?? []).length;
const userBinds = (s: Slapd, uid: string) => (s.log().match(new RegExp(`BIND dn="uid=${uid},ou=people`, 'g')) ?? []).length / 2;

t.test('LDAP login on one server', async (t) => {
  const slapd = await startSlapd();
  t.teardown(() => slapd.remove());
  const gw = await startGateway(ldapEnv(slapd.url));
  t.teardown(() => gw.close());
  const login = (u: string, p: string) => createWebClient(gw.base).login(u, p);

  const page = await createWebClient(gw.base).request('GET', '/login');
  t.match(page.text, /With your <strong>EXAMPLE Directory<\/strong> account: your user name, or <code>name@EXAMPLE<\/code>/, 'printable domain on the login page');

  const first = await login('alice', 'alice-ldap-pw');
  t.equal(first.status, 303, 'LDAP login works');
  const alice = gw.core.store.users.byUsername('alice@EXAMPLE');
  t.ok(alice, 'user created on first login, named as Kiosc/SODAR name them');
  t.equal(alice!.source, 'ldap');
  t.equal(alice!.name, 'Alice Liddell');
  t.equal(alice!.email, 'alice@example.org');
  t.equal(gw.core.store.users.passwordHash('alice@EXAMPLE')!.hash, null, 'no local password stored');
  t.equal((await login('alice@EXAMPLE', 'alice-ldap-pw')).status, 303, 'name@DOMAIN works');
  t.equal((await login('Alice@example', 'alice-ldap-pw')).status, 303, 'case-insensitive');
  t.equal(gw.core.store.users.all().filter((u) => u.source === 'ldap').length, 1, 'still one account');

  t.equal((await login('alice', 'wrong-pw')).status, 401, 'wrong password fails');
  t.equal((await login('nobody', 'whatever')).status, 401, 'unknown user fails');

  const before = connections(slapd);
  const empty = await login('bob', '');
  t.equal(empty.status, 401, 'empty password refused');
  t.equal(connections(slapd), before, 'before any connection to the server (no unauthenticated bind)');

  const wildcard = await login('al*', 'alice-ldap-pw');
  t.equal(wildcard.status, 401, 'a wildcard does not find alice');
  t.match(slapd.log(), /filter="\(uid=al\\2a\)"/i, 'the value reached the server escaped (RFC 4515)');
  t.equal(gw.core.store.users.byUsername('al*@EXAMPLE'), null);
  t.equal((await login('carol(x)', 'carol-ldap-pw')).status, 303, 'a name with parentheses works because it is escaped');
  t.ok(gw.core.store.users.byUsername('carol(x)@EXAMPLE'));

  const bob = createWebClient(gw.base);
  await bob.login('bob', 'bob-ldap-pw');
  const pw = await bob.request('GET', '/password');
  t.match(pw.text, /Your account comes from the directory \(LDAP\)/, 'LDAP users are sent to the directory for password changes');
  const csrf = await bob.csrf('/password');
  const change = await bob.request('POST', '/password', { form: { csrf_token: csrf, current: 'bob-ldap-pw', password: 'new-password', repeat: 'new-password' } });
  t.equal(change.status, 400);
});

t.test('a local account is never taken over by a directory account of the same name', async (t) => {
  const slapd = await startSlapd();
  t.teardown(() => slapd.remove());
  const gw = await startGateway(ldapEnv(slapd.url, undefined, ''));
  t.teardown(() => gw.close());
  await gw.user('bob', { password: 'local-bob-pw' });
  t.equal((await createWebClient(gw.base).login('bob', 'bob-ldap-pw')).status, 401, 'the LDAP password does not open the local bob');
  t.equal(userBinds(slapd, 'bob'), 0, 'and the directory was not even asked');
  t.equal((await createWebClient(gw.base).login('bob', 'local-bob-pw')).status, 303, 'the local password does');
  t.equal((await createWebClient(gw.base).login('alice', 'alice-ldap-pw')).status, 303, 'without a username domain, LDAP users get the bare name');
  t.equal(gw.core.store.users.byUsername('alice')!.source, 'ldap');
});

t.test('primary and secondary: the secondary is used when the primary is down', async (t) => {
  const a = await startSlapd();
  const b = await startSlapd();
  t.teardown(async () => { await a.remove(); await b.remove(); });
  const gw = await startGateway({ ...ldapEnv(a.url, b.url), PORTICO_LOGIN_USER_FAILURES: '3' });
  t.teardown(() => gw.close());
  await gw.user('localadmin', { password: 'local-admin-pw', admin: true });
  const login = (u: string, p: string) => createWebClient(gw.base).login(u, p);

  t.equal((await login('alice', 'alice-ldap-pw')).status, 303, 'both up: works');
  t.equal(userBinds(a, 'alice'), 1, 'answered by the primary');
  t.equal(userBinds(b, 'alice'), 0, 'secondary not asked');

  await a.stop();
  t.equal((await login('alice', 'alice-ldap-pw')).status, 303, 'primary stopped: login still works');
  t.equal(userBinds(b, 'alice'), 1, 'answered by the secondary');
  t.equal((await login('alice', 'wrong-pw')).status, 401, 'and the secondary refuses wrong passwords');

  await b.stop();
  for (let i = 0; i < 4; i++) {
    const down = await login('bob', 'bob-ldap-pw');
    t.equal(down.status, 503, `both down (${i + 1}): 503, not a throttle lock`);
    if (i === 0) t.match(down.text, /data-code="E_LDAP_UNAVAILABLE">The login directory \(LDAP\) cannot be reached right now.*Local accounts still work/);
  }
  t.equal((await login('localadmin', 'local-admin-pw')).status, 303, 'local accounts still work while LDAP is down');

  await a.start();
  t.equal((await login('bob', 'bob-ldap-pw')).status, 303, 'primary back: works again');
});

t.test('a primary at a closed port, or one that hangs, falls through to the secondary', async (t) => {
  const b = await startSlapd();
  t.teardown(() => b.remove());
  const closed = await freePort();
  const gw = await startGateway(ldapEnv(`ldap://127.0.0.1:${closed}`, b.url));
  t.teardown(() => gw.close());
  t.equal((await createWebClient(gw.base).login('bob', 'bob-ldap-pw')).status, 303, 'closed primary port: secondary answers');

  // A server that accepts connections but never answers: the timeout moves on.
  const sockets = new Set<net.Socket>();
  const hang = net.createServer((s) => { sockets.add(s); s.on('error', () => {}); });
  await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
  t.teardown(() => { for (const s of sockets) s.destroy(); hang.close(); });
  const gw2 = await startGateway({ ...ldapEnv(`ldap://127.0.0.1:${(hang.address() as net.AddressInfo).port}`, b.url), PORTICO_LDAP_TIMEOUT: '0.5' });
  t.teardown(() => gw2.close());
  const started = Date.now();
  t.equal((await createWebClient(gw2.base).login('alice', 'alice-ldap-pw')).status, 303, 'hanging primary: secondary answers');
  t.ok(Date.now() - started < 5000, 'within the configured timeout');
});
