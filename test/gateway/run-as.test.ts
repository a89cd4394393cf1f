/**
 * run-as.test.ts: the privilege drop of the container image (PORTICO_RUN_AS). The switch itself
 * runs for real in child processes when the tests run as root (as in CI and in the image).
 */
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { resolveIdentity } from '../../gateway/run-as.ts';

const RUN_AS = new URL('../../gateway/run-as.ts', import.meta.url).href;

t.test('resolveIdentity reads names from /etc/passwd and takes uid[:gid]', async (t) => {
  const passwd = 'root:x:0:0:root:/root:/bin/bash\nnode:x:1000:1000::/home/node:/bin/bash\nodd:x:12:notanumber::/:/bin/sh\n';
  t.same(resolveIdentity('node', passwd), { name: 'node', uid: 1000, gid: 1000 });
  t.same(resolveIdentity('4243', passwd), { name: '4243', uid: 4243, gid: 4243 }, 'uid alone: gid = uid');
  t.same(resolveIdentity('4243:50', passwd), { name: '4243:50', uid: 4243, gid: 50 });
  t.throws(() => resolveIdentity('nobody-here', passwd), { code: 'E_CONFIG', message: /no user "nobody-here"/ });
  t.throws(() => resolveIdentity('odd', passwd), { code: 'E_CONFIG' }, 'a malformed line is no match');
});

/** child runs `body` in a fresh Node process as root and returns what it printed as JSON. */
function child(body: string): any {
  const script = `import { dropPrivileges, socketAccessProblem } from ${JSON.stringify(RUN_AS)};\n${body}`;
  // tap's process-info hook follows the child; once unprivileged it cannot write under .tap/, so
  // it writes into a scratch folder anyone may write to (removed afterwards).
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-runas-tap-'));
  fs.chmodSync(scratch, 0o1777);
  const env = { ...process.env, _TAPJS_PROCESSINFO_CWD_: scratch };
  try {
    return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000, env }));
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

t.test('as root: switches user, takes the socket group, hands over the data directory', { skip: process.getuid?.() !== 0 ? 'needs root' : false }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-runas-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.chmodSync(dir, 0o755);
  const dataDir = path.join(dir, 'data');
  fs.mkdirSync(path.join(dataDir, 'files', 'p1'), { recursive: true });
  fs.writeFileSync(path.join(dataDir, 'portico.db'), '');
  fs.writeFileSync(path.join(dataDir, 'files', 'p1', 'a.txt'), 'a');
  const socket = path.join(dir, 'docker.sock');
  fs.writeFileSync(socket, '');
  fs.chownSync(socket, 0, 4242);
  fs.chmodSync(socket, 0o660);

  const out = child(`
    const d = dropPrivileges({ runAs: '4243', dataDir: ${JSON.stringify(dataDir)}, socketPath: ${JSON.stringify(socket)} });
    let wrote = true;
    try { (await import('node:fs')).writeFileSync(${JSON.stringify(path.join(dataDir, 'new.txt'))}, 'x'); } catch { wrote = false; }
    let rootAgain = true;
    try { process.setuid(0); } catch { rootAgain = false; }
    console.log(JSON.stringify({ d, uid: process.getuid(), euid: process.geteuid(), gid: process.getgid(), groups: process.getgroups(), wrote, rootAgain, problem: socketAccessProblem(${JSON.stringify(socket)}) }));
  `);
  t.equal(out.uid, 4243, 'runs as the target uid');
  t.equal(out.euid, 4243);
  t.equal(out.gid, 4243);
  t.same([...out.groups].sort(), [4242, 4243], "supplementary groups: its own and the socket's, nothing else (no root group)");
  t.equal(out.rootAgain, false, 'cannot become root again');
  t.equal(out.problem, null, 'the socket is usable through its group');
  t.equal(out.wrote, true, 'can write to the data directory');
  t.same(out.d.chowned, [dataDir], 'the whole tree was handed over once');
  for (const f of ['', 'portico.db', 'files/p1/a.txt']) t.equal(fs.statSync(path.join(dataDir, f)).uid, 4243, `owner of data/${f}`);

  // Second start: the tree is already owned; only a database file a root-run tool left behind is fixed.
  fs.chownSync(path.join(dataDir, 'portico.db'), 0, 0);
  fs.chownSync(path.join(dataDir, 'files', 'p1', 'a.txt'), 0, 0);
  const second = child(`console.log(JSON.stringify(dropPrivileges({ runAs: '4243', dataDir: ${JSON.stringify(dataDir)}, socketPath: null })));`);
  t.same(second.chowned, [path.join(dataDir, 'portico.db')], 'only the database file is fixed on later starts');
  t.equal(fs.statSync(path.join(dataDir, 'files', 'p1', 'a.txt')).uid, 0, 'uploads are not walked on every start');

  // A socket the user cannot open: the problem names the fix.
  fs.chownSync(socket, 0, 0);
  fs.chmodSync(socket, 0o600);
  const denied = child(`dropPrivileges({ runAs: '4243', dataDir: ${JSON.stringify(dataDir)}, socketPath: null }); console.log(JSON.stringify({ problem: socketAccessProblem(${JSON.stringify(socket)}) }));`);
  t.match(denied.problem, /not readable and writable for uid 4243 .*--group-add/, 'explains the --group-add fix');
  const missing = child(`console.log(JSON.stringify({ problem: socketAccessProblem(${JSON.stringify(path.join(dir, 'nope.sock'))}) }));`);
  t.match(missing.problem, /no Docker socket at .*-v \/var\/run\/docker\.sock/, 'a missing socket says how to mount it');
});

t.test('not root or no PORTICO_RUN_AS: nothing changes', async (t) => {
  const out = child(`console.log(JSON.stringify({ d: dropPrivileges({ runAs: null, dataDir: '/nonexistent', socketPath: null }), uid: process.getuid() }));`);
  t.equal(out.d, null);
  t.equal(out.uid, process.getuid?.(), 'same user as the parent');
});
