/**
 * units.test.ts: the pure parts of identity: RFC 4515 escaping, login-name splitting, the `next`
 * redirect check, token expiry parsing, the throttle's arithmetic (with a fake clock), and the
 * membership rules over a real in-memory store.
 */
import t from 'tap';
import { escapeFilterValue, ldapUsername, splitLoginName, userFilter } from '../../gateway/core/auth/ldap-filter.ts';
import { safeNext } from '../../admin/ui/safe-next.ts';
import { parseExpiry } from '../../admin/ui/tokens.ts';
import { createLoginThrottle, lockMessage } from '../../gateway/core/auth/throttle.ts';
import { createStore } from '../../gateway/core/store/index.ts';
import { silentLogger } from '../../gateway/core/log.ts';
import { createProjectService } from '../../gateway/core/projects/service.ts';
import { PorticoError } from '../../gateway/core/errors.ts';
import { can, canSite } from '../../gateway/core/auth/roles.ts';
import { createSiteMode } from '../../gateway/core/site-mode.ts';

t.test('RFC 4515 filter escaping', async (t) => {
  t.equal(escapeFilterValue('alice'), 'alice');
  t.equal(escapeFilterValue('a*b(c)d\\e\0'), 'a\\2ab\\28c\\29d\\5ce\\00');
  t.equal(escapeFilterValue('Jürgen'), 'Jürgen', 'UTF-8 stays as it is');
  t.equal(userFilter('(sAMAccountName=%(user)s)', 'x*'), '(sAMAccountName=x\\2a)');
  t.equal(userFilter('(|(uid=%(user)s)(mail=%(user)s))', 'a)(uid=*'), '(|(uid=a\\29\\28uid=\\2a)(mail=a\\29\\28uid=\\2a))', 'every placeholder, escaped');
});

t.test('login names: name or name@DOMAIN', async (t) => {
  t.same(splitLoginName('alice', ['EXAMPLE']), { name: 'alice', domain: null });
  t.same(splitLoginName('alice@EXAMPLE', ['EXAMPLE']), { name: 'alice', domain: 'EXAMPLE' });
  t.same(splitLoginName('alice@example', ['EXAMPLE']), { name: 'alice', domain: 'EXAMPLE' }, 'domain case-insensitive');
  t.same(splitLoginName('alice@other.org', ['EXAMPLE']), { name: 'alice@other.org', domain: null }, 'foreign domain stays part of the name');
  t.same(splitLoginName('@EXAMPLE', ['EXAMPLE']), { name: '@EXAMPLE', domain: null });
  t.equal(ldapUsername('Alice', 'example'), 'alice@EXAMPLE');
  t.equal(ldapUsername('Alice', ''), 'alice');
});

t.test('next: only same-origin relative paths (no open redirect)', async (t) => {
  t.equal(safeNext('/projects/x?a=1#h'), '/projects/x?a=1#h');
  t.equal(safeNext('/containers/proxy/abc/'), '/containers/proxy/abc/');
  for (const bad of ['//evil.example', '/\\evil.example', '\\\\evil', 'https://evil.example/', 'javascript:alert(1)',
    '/\t/evil.example', '/\n/evil.example', '/.//evil.example', '/../..//evil.example', 'evil', '', null, undefined, 42, '/login', '/logout?x']) {
    t.equal(safeNext(bad), '/', `refused: ${JSON.stringify(bad)}`);
  }
  t.equal(safeNext('/%2F%2Fevil.example'), '/%2F%2Fevil.example', 'encoded slashes stay a path');
});

t.test('token expiry dates', async (t) => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  t.equal(parseExpiry('', now), null);
  t.equal(parseExpiry('2026-03-31', now), '2026-03-31T23:59:59.999Z');
  for (const bad of ['2025-12-31', '2026-02-30', '31.12.2026', '2026-1-1']) t.throws(() => parseExpiry(bad, now), { code: 'E_VALIDATION' }, bad);
});

t.test('throttle: per user and per address, exponential, bounded', async (t) => {
  let clock = 1_000_000;
  const th = createLoginThrottle({ userFailures: 3, addressFailures: 5, lockSeconds: 10, lockMaxSeconds: 40 }, () => clock);
  const fail = (u: string, a: string) => { const r = th.begin(u, a); if ('lock' in r) return r.lock; r.attempt.done('failure'); return null; };
  t.equal(fail('alice', '10.0.0.1'), null);
  t.equal(fail('alice', '10.0.0.1'), null);
  t.equal(fail('alice', '10.0.0.1'), null, 'third failure is still answered');
  t.same(th.lockOf('alice', '10.0.0.9'), { scope: 'user', retryAfterSeconds: 10 }, 'locked for 10 s from any address');
  t.equal(th.lockOf('bob', '10.0.0.9'), null, 'another user is not locked');
  t.match(lockMessage(th.lockOf('alice', '10.0.0.1')!), /Too many failed logins for this account\. Try again in 10 seconds\./);
  clock += 10_001;
  t.equal(th.lockOf('alice', '10.0.0.1'), null, 'lock runs out');
  t.equal(fail('alice', '10.0.0.1'), null);
  t.equal(th.lockOf('alice', '10.0.0.1')!.retryAfterSeconds, 20, 'then doubles');
  clock += 20_001; fail('alice', '10.0.0.2'); t.equal(th.lockOf('alice', '10.0.0.1')!.retryAfterSeconds, 40);
  clock += 40_001; fail('alice', '10.0.0.3'); t.equal(th.lockOf('alice', '10.0.0.1')!.retryAfterSeconds, 40, 'capped');

  // Address: 5 failures over different accounts lock the address, not the accounts.
  for (const u of ['u1', 'u2', 'u3', 'u4', 'u5']) t.equal(fail(u, '192.0.2.7'), null);
  t.same(th.lockOf('u6', '192.0.2.7'), { scope: 'address', retryAfterSeconds: 10 });
  t.equal(th.lockOf('u6', '192.0.2.8'), null, 'same account from another address is fine');

  // Success clears the account and takes back its own pessimistic count.
  const th2 = createLoginThrottle({ userFailures: 2, addressFailures: 2, lockSeconds: 10, lockMaxSeconds: 40 }, () => clock);
  const r1 = th2.begin('carol', '198.51.100.1'); if ('attempt' in r1) r1.attempt.done('failure');
  const r2 = th2.begin('carol', '198.51.100.1');
  t.ok('attempt' in r2);
  t.same(th2.lockOf('dave', '198.51.100.1'), { scope: 'address', retryAfterSeconds: 10 }, 'an attempt in flight already counts (parallel guesses)');
  if ('attempt' in r2) r2.attempt.done('success');
  t.equal(th2.lockOf('carol', '198.51.100.1'), null, 'success: account cleared, address count taken back');
  const r3 = th2.begin('erin', '203.0.113.5'); if ('attempt' in r3) r3.attempt.done('neutral');
  const r4 = th2.begin('erin', '203.0.113.5'); if ('attempt' in r4) r4.attempt.done('neutral');
  t.equal(th2.lockOf('erin', '203.0.113.5'), null, 'neutral outcomes (directory down) do not count');

  const small = createLoginThrottle({ userFailures: 1, addressFailures: 100, lockSeconds: 10, lockMaxSeconds: 40, maxEntries: 3 }, () => clock);
  for (const u of ['a', 'b', 'c', 'd']) { const r = small.begin(u, 'x'); if ('attempt' in r) r.attempt.done('failure'); }
  t.equal(small.lockOf('a', 'y'), null, 'oldest entry forgotten past maxEntries');
  t.ok(small.lockOf('d', 'y'), 'newest kept');
});

t.test('roles: Kiosc 1.4 tables', async (t) => {
  const containerActs = ['container.create', 'container.update', 'container.delete', 'container.start', 'container.stop', 'container.pause'] as const;
  for (const p of containerActs) {
    t.equal(can(false, 'guest', p), false, `guest cannot ${p}`);
    for (const r of ['contributor', 'delegate', 'owner'] as const) t.equal(can(false, r, p), true, `${r} can ${p}`);
    t.equal(can(false, null, p), false, `non-member cannot ${p}`);
    t.equal(can(true, null, p), true, `admin can ${p}`);
  }
  t.equal(can(false, 'guest', 'container.view'), true);
  t.equal(can(false, 'guest', 'container.proxy'), true, 'guests start only indirectly, by opening the app');
  t.equal(can(false, 'guest', 'template.edit'), false);
  t.equal(can(false, 'contributor', 'template.edit'), true);
  t.equal(can(false, 'contributor', 'project.members'), false);
  t.equal(can(false, 'delegate', 'project.members'), true);
  t.equal(canSite(false, 'template.site.view'), true, 'everyone views site templates');
  t.equal(canSite(false, 'template.site.edit'), false, 'only admins edit site templates');
  t.equal(canSite(true, 'template.site.edit'), true);
});

t.test('membership rules (one owner, transfer only; delegates set by the owner; delegate limit)', async (t) => {
  const store = createStore(':memory:');
  t.teardown(() => store.close());
  const mk = (name: string, isAdmin = false) => store.users.create({ username: name, passwordHash: null, isAdmin });
  const [owner, delegate, contributor, guest, outsider, admin, other] =
    [mk('owner'), mk('delegate'), mk('contributor'), mk('guest'), mk('outsider'), mk('admin', true), mk('other')];
  const projects = createProjectService({ store, siteMode: createSiteMode(store.settings, false), logger: silentLogger, delegateLimit: 1 });
  const project = store.projects.create('P');
  const set = (u: typeof owner, r: 'owner' | 'delegate' | 'contributor' | 'guest') => store.projects.setRole(project.id, u.id, r);
  set(owner, 'owner'); set(delegate, 'delegate'); set(contributor, 'contributor'); set(guest, 'guest');
  const code = (fn: () => unknown) => { try { fn(); return 'ok'; } catch (e) { return `${(e as PorticoError).status} ${(e as PorticoError).code}`; } };

  t.equal(code(() => projects.changeRole(contributor, project, guest, 'contributor')), '403 E_FORBIDDEN', 'contributor cannot manage members');
  t.equal(code(() => projects.addRole(guest, project, outsider, 'guest')), '403 E_FORBIDDEN', 'guest cannot add');
  t.equal(code(() => projects.changeRole(delegate, project, owner, 'guest')), '400 E_BAD_REQUEST', 'the owner changes only by transfer');
  t.equal(code(() => projects.removeRole(delegate, project, owner)), '400 E_BAD_REQUEST', 'the owner cannot be removed');
  t.equal(code(() => projects.addRole(delegate, project, outsider, 'owner')), '400 E_BAD_REQUEST', 'no second owner');
  t.equal(code(() => projects.addRole(delegate, project, outsider, 'delegate')), '403 E_FORBIDDEN', 'a delegate cannot assign the delegate role');
  t.equal(code(() => projects.removeRole(delegate, project, delegate)), 'ok', 'a delegate may leave');
  set(delegate, 'delegate');
  t.equal(code(() => projects.addRole(delegate, project, outsider, 'contributor')), 'ok', 'delegate adds a contributor');
  t.equal(store.projects.roleOf(project.id, outsider.id), 'contributor');
  t.equal(code(() => projects.changeRole(owner, project, outsider, 'delegate')), '400 E_BAD_REQUEST', 'delegate limit 1 reached');
  t.equal(code(() => projects.removeRole(delegate, project, outsider)), 'ok', 'delegate removes a contributor');
  t.equal(code(() => projects.removeRole(owner, project, owner)), '400 E_BAD_REQUEST', 'the owner cannot leave');
  t.equal(code(() => projects.transferOwner(delegate, project, contributor, 'guest')), '403 E_FORBIDDEN', 'a delegate cannot transfer');
  t.equal(code(() => projects.transferOwner(owner, project, outsider, 'guest')), '400 E_BAD_REQUEST', 'the new owner must be a member');
  t.equal(code(() => projects.transferOwner(owner, project, contributor, 'owner')), '400 E_BAD_REQUEST', 'the old owner cannot stay owner');
  t.equal(code(() => projects.transferOwner(owner, project, contributor, 'delegate')), '400 E_BAD_REQUEST', 'nor become a second delegate past the limit');
  t.equal(code(() => projects.transferOwner(owner, project, delegate, 'delegate')), 'ok', 'the owner hands over to the delegate and becomes delegate');
  t.equal(store.projects.roleOf(project.id, delegate.id), 'owner');
  t.equal(store.projects.roleOf(project.id, owner.id), 'delegate');
  t.equal(store.projects.ownerCount(project.id), 1, 'exactly one owner');
  t.equal(code(() => projects.removeRole(guest, project, guest)), 'ok', 'any member may leave');
  t.equal(code(() => projects.addRole(admin, project, other, 'guest')), 'ok', 'site admin (not a member) manages members');
  t.equal(code(() => projects.addRole(outsider, project, outsider, 'guest')), '404 E_PROJECT_NOT_FOUND', 'a non-member learns nothing');
  store.projects.setArchived(project.id, true);
  t.equal(code(() => projects.addRole(admin, project, outsider, 'guest')), '403 E_PROJECT_ARCHIVED', 'an archived project refuses member changes, even by a site admin');
});

t.test('site mode: stored, live, start-up switch', async (t) => {
  const store = createStore(':memory:');
  t.teardown(() => store.close());
  const a = createSiteMode(store.settings, false);
  t.equal(a.readOnly(), false);
  const b = createSiteMode(store.settings, false);
  b.setReadOnly(true);
  t.equal(a.readOnly(), true, 'a second handle (the CLI) is seen at once');
  t.equal(a.allowsChangesBy({ isAdmin: true } as never), true);
  t.equal(a.allowsChangesBy({ isAdmin: false } as never), false);
  t.equal(a.allowsChangesBy(null), false);
  b.setReadOnly(false);
  createSiteMode(store.settings, true);
  t.equal(a.readOnly(), true, 'PORTICO_READ_ONLY=true switches it on at start-up');
});
