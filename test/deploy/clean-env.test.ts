/**
 * clean-env.test.ts: whatever the scripts run in another root filesystem starts from a clean
 * environment (scripts/lib/clean-env.sh). The test runner's NODE_OPTIONS (--import=<a host path>)
 * once leaked into `chroot … node` in scripts/build-base-image.sh, and the base image could not be
 * built on any machine that did not have it already. test/deploy/image.test.ts builds it for real.
 */
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

const ROOT = path.resolve(import.meta.dirname, '../..');
const LEAK = '--import=/nonexistent/portico-leaked-node-options.mjs';
const root = process.getuid?.() === 0;

t.test('regression: a chroot from the scripts gets no NODE_OPTIONS from the caller', { skip: root ? false : 'needs root (chroot)' }, async (t) => {
  // The smallest root filesystem there is: a static busybox.
  const rfs = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-rfs-'));
  t.teardown(() => fs.rmSync(rfs, { recursive: true, force: true }));
  fs.mkdirSync(path.join(rfs, 'bin'));
  fs.copyFileSync(fs.realpathSync('/bin/busybox'), path.join(rfs, 'bin/busybox'));
  fs.chmodSync(path.join(rfs, 'bin/busybox'), 0o755);
  const run = (cmd: string) => execFileSync('bash', ['-c', `. "${ROOT}/scripts/lib/clean-env.sh"; ${cmd}`], {
    encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: LEAK, NODE_PATH: '/nonexistent', TMPDIR: '/nonexistent', http_proxy: 'http://127.0.0.1:9' },
  });
  t.match(run(`chroot "${rfs}" /bin/busybox env`), /NODE_OPTIONS=.*portico-leaked-node-options/, 'control: a bare chroot inherits the caller\'s NODE_OPTIONS');
  const env = run(`clean_env chroot "${rfs}" /bin/busybox env`).trim().split('\n').sort();
  t.same(env, ['HOME=/root', 'LANG=C.UTF-8', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'http_proxy=http://127.0.0.1:9'],
    'through clean_env it sees only PATH, HOME, LANG and the proxy settings downloads need');
});

t.test('every chroot and debootstrap in scripts/ runs through clean_env', async (t) => {
  const dir = path.join(ROOT, 'scripts');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.sh')).map((f) => path.join(dir, f));
  const bare: string[] = [];
  for (const file of files) {
    fs.readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
      const code = line.replace(/#.*$/, '');
      if (/\b(chroot|debootstrap)\s+(--|"\$)/.test(code) && !/clean_env\s+(chroot|debootstrap)\b/.test(code)) bare.push(`${path.basename(file)}:${i + 1}: ${line.trim()}`);
    });
  }
  t.same(bare, [], 'no bare chroot or debootstrap call');
  t.ok(fs.readFileSync(path.join(dir, 'build-base-image.sh'), 'utf8').includes('clean_env chroot'), 'build-base-image.sh uses clean_env (the check above sees its calls)');
});
