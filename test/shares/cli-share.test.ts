/**
 * cli-share.test.ts: `portico share list|add|revoke` in a child process on a running gateway's
 * database. The gateway follows the CLI's revocation within about a second (the access epoch it
 * polls) and closes the user's open WebSocket; the CLI's actions are in the audit trail.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import WebSocket from 'ws';
import { ENGINE_ENV, startGateway, WS_IMAGE } from '../helpers/gateway.ts';
import { aliceInstance } from './helpers.ts';

const cli = new URL('../../gateway/cli.ts', import.meta.url).pathname;

t.test('share verbs of the CLI; a revocation from the CLI closes the open WebSocket of a running gateway', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const run = (args: string[]) => spawnSync(process.execPath, [cli, ...args], {
    env: { PATH: process.env.PATH, PORTICO_DATA_DIR: gw.config.dataDir, ...ENGINE_ENV }, encoding: 'utf8',
  });
  const { admin, bob, uuid } = await aliceInstance(gw, WS_IMAGE);

  const add = run(['share', 'add', uuid, 'bob', 'use']);
  t.equal(add.status, 0, add.stderr);
  t.match(add.stderr, /bob may now use/);
  t.equal(run(['share', 'add', uuid, 'bob', 'admin']).status, 1, 'a bad mode fails');
  t.equal(run(['share', 'add', uuid]).status, 2, 'a missing name is a usage error');
  const list = run(['share', 'list', uuid]);
  t.match(list.stdout, /^bob\tuse\tportico-cli\t/, 'list prints user, mode, inviter, date');

  const ws = new WebSocket(`ws://127.0.0.1:${gw.port}/containers/proxy/${uuid}/`, { headers: { authorization: `token ${bob.token}` } });
  await new Promise((r) => ws.once('message', r));
  const closed = new Promise<number>((r) => ws.once('close', () => r(performance.now())));
  // spawnSync holds this process (the gateway's too) until the CLI exits: time from then.
  const rev = run(['share', 'revoke', uuid, 'bob']);
  const t0 = performance.now();
  t.equal(rev.status, 0, rev.stderr);
  const at = await Promise.race([closed, new Promise<number>((r) => setTimeout(() => r(Infinity), 5000))]);
  t.ok(at - t0 < 1500, `the gateway closed bob's WebSocket within about a second of the CLI's revocation (${Math.round(at - t0)} ms)`);
  t.equal(run(['share', 'revoke', uuid, 'bob']).status, 1, 'revoking twice fails');
  const audit = await gw.api('GET', `/api/audit?container=${uuid}&actor=portico-cli`, admin);
  t.same(audit.body.results.map((e: any) => e.action).reverse(), ['share.invite', 'share.revoke'], 'the CLI\'s actions are in the audit trail');
  t.equal(run(['token', 'create', 'bob', '--name', 'from-cli']).status, 0);
  const tokens = await gw.api('GET', '/api/audit?actor=portico-cli&action=token.create', admin);
  t.same(tokens.body.results.map((e: any) => e.object_title), ['from-cli'], 'and so are its other verbs (a token made)');
});
