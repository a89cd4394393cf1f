/**
 * bulk.test.ts: the CLI verbs remove-stopped, stop-all and stop-unused, run as a separate `portico`
 * process on the same database and engine as a running gateway; each prints what it did or would do.
 */
import t from 'tap';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { ENGINE_ENV, startGateway, engineContainers, TEST_IMAGE } from '../helpers/gateway.ts';
import type { TestGateway } from '../helpers/gateway.ts';

const CLI = path.resolve(import.meta.dirname, '../../gateway/cli.ts');

function portico(gw: TestGateway, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], {
      env: {
        ...ENGINE_ENV, PATH: process.env.PATH, PORTICO_DATA_DIR: gw.config.dataDir, PORTICO_INSTANCE: gw.instance,
        PORTICO_DOCKER_NETWORK: gw.config.dockerNetwork, PORTICO_ACTION_MIN_DELAY: '0',
      },
      timeout: 60_000,
    }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
  });
}

t.test('stop-unused, remove-stopped and stop-all, dry run first', async (t) => {
  // Regression: the gateway's own idle-stop job once stopped the idle container between the dry
  // run and the real run, so the CLI found nothing to do. The CLI verbs are what is tested here.
  const gw = await startGateway({ PORTICO_SCHEDULE_IDLE_STOP: 'off' });
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('ulla', { project, role: 'owner' });
  const mk = async (title: string, extra: Record<string, unknown>) => {
    const { body } = await gw.api('POST', `/containers/api/create/${project}`, token, { title, ...TEST_IMAGE, ...extra });
    await gw.api('POST', `/containers/api/start/${body.sodar_uuid}`, token);
    return body.sodar_uuid as string;
  };
  const idle = await mk('idle', { inactivity_threshold: 0 });
  const busy = await mk('busy', {});
  const state = async (u: string) => (await gw.api('GET', `/containers/api/detail/${u}`, token)).body;

  const dry = await portico(gw, 'stop-unused', '--dry-run');
  t.equal(dry.code, 0, dry.stderr);
  t.match(dry.stdout, new RegExp(`${idle}\\s+running\\s+idle\\s+→ would stop`), 'dry run names the idle container');
  t.notMatch(dry.stdout, busy, 'and not the busy one');
  t.match(dry.stdout, /stop-unused: would affect 1 container\(s\)/);
  t.equal((await state(idle)).state, 'running', 'dry run changed nothing');

  const real = await portico(gw, 'stop-unused');
  t.equal(real.code, 0, real.stderr);
  t.match(real.stdout, /idle\s+→ stopped \(exited\)/);
  t.match(real.stdout, /stop-unused: affected 1 container\(s\)/);
  t.equal((await state(idle)).state, 'exited', 'idle container stopped');
  t.equal((await state(busy)).state, 'running', 'busy container still running');

  const rmDry = await portico(gw, 'remove-stopped');
  t.equal(rmDry.code, 0);
  t.match(rmDry.stdout, /idle\s+→ would remove/);
  t.match(rmDry.stdout, /dry run; add --remove to remove them/);
  t.equal(engineContainers(gw.instance).length, 2, 'dry run removed nothing');

  const rm = await portico(gw, 'remove-stopped', '--remove');
  t.equal(rm.code, 0, rm.stderr);
  t.match(rm.stdout, /idle\s+→ removed/);
  t.equal(engineContainers(gw.instance).length, 1, 'the stopped engine container is gone');
  const after = await state(idle);
  t.equal(after.container_id, null, 'the record stays, without an engine container');
  t.equal(after.state, 'exited');

  const all = await portico(gw, 'stop-all');
  t.equal(all.code, 0, all.stderr);
  t.match(all.stdout, /busy\s+→ stopped \(exited\)/);
  t.equal((await state(busy)).state, 'exited');
  const none = await portico(gw, 'stop-all');
  t.match(none.stdout, /^stop-all: affected 0 container\(s\)\n$/, 'nothing left to stop');

  const restarted = await gw.api('POST', `/containers/api/start/${idle}`, token);
  t.equal(restarted.body.state, 'running', 'a removed container starts again on demand');

  const bad = await portico(gw, 'stop-all', '--remove');
  t.equal(bad.code, 2, 'a wrong flag is a usage error');
  t.match(bad.stderr, /--remove belongs to remove-stopped/);
});
