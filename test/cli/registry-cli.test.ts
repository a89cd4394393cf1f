/**
 * registry-cli.test.ts: `portico registry list|add|remove|default|test` as a real process against a
 * temp data dir and a real registry (docker-registry with TLS and basic auth). The password comes
 * on stdin, is sealed with the data dir's key (or PORTICO_SECRET_KEY), and is never printed.
 */
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { startRegistry } from '../helpers/registry.ts';

const cli = new URL('../../gateway/cli.ts', import.meta.url).pathname;
const USER = { username: 'robot', password: `cli-right-${randomBytes(6).toString('hex')}` };

t.test('registry verbs: add checked, list, test, a changed key, default, remove', async (t) => {
  const reg = await startRegistry([USER]);
  t.teardown(() => reg.stop());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-cli-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const ca = path.join(dir, 'ca.pem');
  fs.writeFileSync(ca, reg.caCert);
  const run = (args: string[], input = '', env: Record<string, string> = {}) => spawnSync(process.execPath, [cli, 'registry', ...args], {
    env: { PATH: process.env.PATH, PORTICO_DATA_DIR: dir, ...env }, input, encoding: 'utf8',
  });

  const wrong = run(['add', 'lab', reg.address, '--username', USER.username, '--ca-cert', ca, '--check'], 'wrong-password\n');
  t.equal(wrong.status, 1, 'wrong credentials with --check: exit 1');
  t.match(wrong.stderr, /image host check failed \(unauthorized\): the registry refused the credentials/, wrong.stderr.trim());
  t.equal(run(['list']).stdout, '', 'nothing was saved');
  t.equal(run(['add', 'lab']).status, 2, 'no address: usage');
  t.match(run(['add', 'lab', 'http://x']).stderr, /address: must be a registry address/, 'bad address: the field named');

  const added = run(['add', 'lab', reg.address, '--username', USER.username, '--ca-cert', ca, '--check'], `${USER.password}\n`);
  t.equal(added.status, 0, `added (${added.stderr.trim()})`);
  t.match(added.stderr, /added image host lab \(127\.0\.0\.1:\d+\), the default; its registry accepted the credentials/);
  const key = path.join(dir, 'secret.key');
  t.equal(fs.statSync(key).mode & 0o777, 0o600, 'the sealing key file was made, readable by its owner only');
  const list = run(['list']);
  t.match(list.stdout, new RegExp(`^lab\\t${reg.address.replace(/\./g, '\\.')}\\trobot \\(password stored\\)\\tdefault\\n$`), 'listed');
  const test = run(['test', 'lab']);
  t.same([test.status, test.stdout], [0, 'ok: the registry accepted the credentials\n'], 'test: ok');
  for (const r of [added, list, test]) t.notOk((r.stdout + r.stderr).includes(USER.password), 'the password is never printed');
  const db = fs.readdirSync(dir).filter((f) => f.startsWith('portico.db'));
  t.notOk(db.some((f) => fs.readFileSync(path.join(dir, f)).includes(USER.password)), 'nor in the database file');

  // Another key (PORTICO_SECRET_KEY) cannot open the stored password: said plainly, never sent wrong.
  const other = { PORTICO_SECRET_KEY: randomBytes(32).toString('hex') };
  t.match(run(['list'], '', other).stdout, /robot \(password unreadable: set it again\)/, 'unreadable under another key');
  const unreadable = run(['test', 'lab'], '', other);
  t.same([unreadable.status, unreadable.stdout], [1, 'unauthorized: the stored password cannot be read (the secret key changed): enter it again\n']);
  t.match(run(['list'], '', { PORTICO_SECRET_KEY: 'short' }).stderr, /PORTICO_SECRET_KEY must be 32 random bytes/, 'a bad key is a configuration error');

  t.equal(run(['add', 'open', '127.0.0.1:9']).status, 0, 'a host without credentials');
  t.equal(run(['default', 'open']).status, 0);
  t.match(run(['list']).stdout, /^open\t127\.0\.0\.1:9\t-\tdefault\nlab\t/, 'the default first');
  const unreachable = run(['test', 'open']);
  t.match(unreachable.stdout, /^unreachable: ECONNREFUSED/, 'unreachable');
  t.equal(unreachable.status, 1);
  t.equal(run(['remove', 'lab']).status, 0);
  t.equal(run(['remove', 'lab']).status, 1, 'removing it again: not found');
  t.equal(run(['frobnicate']).status, 2, 'an unknown verb: usage');
});
