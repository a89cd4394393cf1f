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
