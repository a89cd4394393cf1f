/**
 * cli.test.ts: the `portico` CLI run as a real process against a temp data dir; script-facing
 * output (tokens, uuids, generated passwords) is printed alone on stdout.
 */
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createStore } from '../../gateway/core/store/index.ts';
import { verifyPassword } from '../../gateway/core/auth/passwords.ts';
import { hashSecret } from '../../gateway/core/auth/tokens.ts';
import { defaultSettings } from '../../gateway/core/containers/validate.ts';

const cli = new URL('../../gateway/cli.ts', import.meta.url).pathname;

t.test('user, token, project and member verbs', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-cli-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const run = (args: string[], input?: string) => spawnSync(process.execPath, [cli, ...args], {
    env: { PATH: process.env.PATH, PORTICO_DATA_DIR: dir }, input: input ?? '', encoding: 'utf8',
  });

  const gen = run(['user', 'create', 'alice', '--admin']);
  t.equal(gen.status, 0);
  const password = gen.stdout.trim();
  t.match(password, /^[A-Za-z0-9_-]{20}$/, 'generated password printed alone');
  const given = run(['user', 'create', 'bob'], 'correct horse battery\n');
  t.equal(given.status, 0);
  t.equal(given.stdout, '', 'nothing on stdout when the password came from stdin');
  t.equal(run(['user', 'create', 'bob'], 'x'.repeat(12)).status, 1, 'duplicate user fails');
  t.equal(run(['user', 'create', '../evil']).status, 2, 'bad user name is a usage error');
  t.equal(run(['user', 'create', 'carol'], 'short').status, 2, 'short password refused');

  const token = run(['token', 'create', 'bob']).stdout;
  t.match(token, /^[A-Za-z0-9_-]{43}\n$/, 'token alone on stdout');
  const uuid = run(['project', 'create', 'Results', '--owner', 'alice']).stdout;
  t.match(uuid, /^[0-9a-f-]{36}\n$/, 'project uuid alone on stdout');
  t.equal(run(['member', 'add', uuid.trim(), 'bob', 'guest']).status, 0);
  t.equal(run(['member', 'add', uuid.trim(), 'bob', 'boss']).status, 2, 'bad role');
  t.equal(run(['member', 'add', '00000000-0000-0000-0000-000000000000', 'bob', 'guest']).status, 1, 'unknown project');
  t.equal(run(['frobnicate']).status, 2, 'unknown command');

  const s = createStore(path.join(dir, 'portico.db'));
  t.teardown(() => s.close());
  const alice = s.users.passwordHash('alice')!;
  t.ok(alice.user.isAdmin);
  t.ok(await verifyPassword(password, alice.hash), 'generated password works');
  t.ok(await verifyPassword('correct horse battery', s.users.passwordHash('bob')!.hash));
  t.equal(s.users.userByTokenHash(hashSecret(token.trim()))?.username, 'bob', 'token authenticates bob');
  const p = s.projects.byUuid(uuid.trim())!;
  t.equal(s.projects.roleOf(p.id, alice.user.id), 'owner');
  t.equal(s.projects.roleOf(p.id, s.users.byUsername('bob')!.id), 'guest');
});

t.test('list verbs: users, projects, members, tokens and containers as a table and as --json', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-cli-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const run = (args: string[], input?: string) => spawnSync(process.execPath, [cli, ...args], {
    env: { PATH: process.env.PATH, PORTICO_DATA_DIR: dir }, input: input ?? '', encoding: 'utf8',
  });
  t.equal(run(['user', 'create', 'alice', '--admin']).status, 0);
  t.equal(run(['user', 'create', 'bob'], 'correct horse battery\n').status, 0);
  const token = run(['token', 'create', 'bob', '--name', 'laptop']).stdout.trim();
  const uuid = run(['project', 'create', 'RNA results', '--owner', 'alice']).stdout.trim();
  t.equal(run(['member', 'add', uuid, 'bob', 'guest']).status, 0);
  const s = createStore(path.join(dir, 'portico.db'));
  const p = s.projects.byUuid(uuid)!;
  s.containers.create(p.id, { ...defaultSettings({ maxInactivityDays: 7 }), title: 'Explorer', repository: 'portico-test/httpd', tag: '1' });
  s.close();

  const users = run(['users']);
  t.equal(users.status, 0);
  t.match(users.stdout, /^USERNAME\s+NAME\s+EMAIL\s+ADMIN/, 'a header row');
  t.match(users.stdout, /\nalice\s+-\s+-\s+true\s+true\s+local/);
  const usersJson = JSON.parse(run(['users', '--json']).stdout);
  t.same(usersJson.map((u: { username: string }) => u.username).sort(), ['alice', 'bob']);

  const projects = JSON.parse(run(['projects', '--json']).stdout);
  t.match(projects, [{ uuid, title: 'RNA results', status: 'active', owner: 'alice', members: 2, containers: 1 }]);
  t.match(run(['projects']).stdout, new RegExp(`${uuid}\\s+RNA results\\s+active\\s+alice\\s+2\\s+1`));

  t.same(JSON.parse(run(['members', uuid, '--json']).stdout).sort((a: { username: string }, b: { username: string }) => a.username.localeCompare(b.username)),
    [{ username: 'alice', role: 'owner' }, { username: 'bob', role: 'guest' }]);
  t.equal(run(['members']).status, 2, 'members without a project is a usage error');
  t.equal(run(['members', '00000000-0000-0000-0000-000000000000']).status, 1, 'unknown project');

  const tokens = run(['tokens']);
  t.match(tokens.stdout, new RegExp(`bob\\s+laptop\\s+${token.slice(0, 6).replace(/[-]/g, '\\-')}`));
  t.notMatch(tokens.stdout, token, 'the secret itself is never printed');
  t.same(JSON.parse(run(['tokens', 'alice', '--json']).stdout), [], 'alice has no tokens');
  t.equal(run(['tokens', 'nobody']).status, 1);

  const containers = JSON.parse(run(['containers', uuid, '--json']).stdout);
  t.match(containers, [{ title: 'Explorer', project: 'RNA results', image: 'portico-test/httpd:1', state: 'initial' }]);
  t.match(run(['containers']).stdout, /Explorer\s+RNA results\s+portico-test\/httpd:1\s+initial/);
  t.equal(run(['users', 'extra']).status, 2, 'unexpected argument is a usage error');
});
