/**
 * app-cli.test.ts: `portico app list|show|scan|grant|revoke` and `portico volume list` run as a real
 * process against a temp data dir and the real engine, with an image built here.
 */
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { buildAppImage, removeImage } from '../apps/images.ts';
import { ENGINE_ENV } from '../helpers/gateway.ts';

const cli = new URL('../../gateway/cli.ts', import.meta.url).pathname;

t.test('app scan, list, show, grant and revoke from the command line; volumes from the allowlist only', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-app-cli-'));
  const shared = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-app-cli-vol-'));
  const img = buildAppImage({ 'eu.simphony-project.docker.ui_name': 'Cli app', 'portico.app.port': 'nope' });
  t.teardown(() => { fs.rmSync(dir, { recursive: true, force: true }); fs.rmSync(shared, { recursive: true, force: true }); removeImage(img); });
  const env = { ...ENGINE_ENV, PATH: process.env.PATH, PORTICO_DATA_DIR: dir, PORTICO_INSTANCE: `t-${randomBytes(4).toString('hex')}`, PORTICO_APP_VOLUMES: `shared=${shared}` };
  const run = (args: string[], input = '') => spawnSync(process.execPath, [cli, ...args], { env, input, encoding: 'utf8' });

  t.equal(run(['user', 'create', 'ivy'], 'a long password\n').status, 0);
  const scan = run(['app', 'scan', img]);
  t.equal(scan.status, 0, scan.stderr);
  t.match(scan.stdout, /Cli app/);
  t.match(scan.stderr, /label problem: portico\.app\.port/, 'the bad label is reported, the app is still added');
  const slug = scan.stdout.split('\t')[0];
  t.match(run(['app', 'list']).stdout, new RegExp(`^${slug}\\t`));
  const grant = run(['app', 'grant', slug, '--user', 'ivy', '--allow-home', '--volume', 'shared:/data:ro']);
  t.equal(grant.status, 0, grant.stderr);
  t.match(grant.stdout, /^[0-9a-f-]{36}\n$/, 'the grant uuid alone on stdout');
  const outside = run(['app', 'grant', slug, '--user', 'ivy', '--volume', '/etc:/etc:ro']);
  t.equal(outside.status, 1);
  t.match(outside.stderr, /outside every directory PORTICO_APP_VOLUMES allows/);
  const show = run(['app', 'show', slug]);
  t.match(show.stdout, /grant\t[0-9a-f-]{36}\tuser ivy\thome, shared → \/data \(ro\)/);
  t.match(show.stdout, /problem\tportico\.app\.port/);
  t.equal(run(['app', 'grant', slug]).status, 2, 'no grantee: usage');
  const revoke = run(['app', 'revoke', slug, '--user', 'ivy']);
  t.equal(revoke.status, 0, revoke.stderr);
  t.notMatch(run(['app', 'show', slug]).stdout, /grant\t/, 'no grants left');
  t.equal(run(['app', 'revoke', slug, '--user', 'ivy']).status, 1, 'nothing to revoke');
  t.equal(run(['app', 'show', 'no-such-app']).status, 1);
  t.equal(run(['volume', 'list']).status, 0);
});
