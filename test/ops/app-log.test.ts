/**
 * app-log.test.ts: what an app prints lands in its container log attributed to the app (process
 * Docker, no user), stdout at INFO and stderr at WARNING; a state change made outside Portico is
 * logged once; the log can be searched, filtered by level and downloaded.
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { startGateway, waitFor, TEST_IMAGE } from '../helpers/gateway.ts';
import { startStateSync } from '../../gateway/core/containers/state-sync.ts';
import type { Engine } from '../../gateway/core/engine/engine.ts';

t.test('regression: app output is not attributed to "anonymous" at INFO with stderr included; an outside stop is logged once, not twice', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('lena', { project, role: 'owner' });
  const { body } = await gw.api('POST', `/containers/api/create/${project}`, token, {
    title: 'talker', ...TEST_IMAGE, command: `sh -c 'echo to-out; echo to-err >&2; sleep 600'`,
  });
  const uuid = body.sodar_uuid;
  const s = await gw.api('POST', `/containers/api/start/${uuid}`, token);
  t.equal(s.body.state, 'running');
  const entries = async () => (await gw.api('GET', `/containers/api/logs/${uuid}?lines=1000`, token)).body.results as Array<{ level: string; user: string; process: string; text: string }>;
  await waitFor(async () => (await entries()).some((e) => e.text === 'to-err'), 5000, 'both app lines');
  const all = await entries();
  t.match(all.find((e) => e.text === 'to-out'), { level: 'INFO', process: 'Docker', user: '' }, 'stdout: INFO, from the app');
  t.match(all.find((e) => e.text === 'to-err'), { level: 'WARNING', process: 'Docker', user: '' }, 'stderr: WARNING, from the app');
  const text = (await gw.api('GET', `/containers/api/logs/${uuid}?lines=1000&format=text`, token)).body as string;
  t.match(text, /\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d WARNING\] \(Docker\) to-err\n/, 'Kiosc format without a user for app lines');

  execFileSync('docker', ['stop', '-t', '1', s.body.container_id], { stdio: 'ignore' });
  await waitFor(async () => (await gw.api('GET', `/containers/api/detail/${uuid}`, token)).body.state === 'exited', 10_000, 'exited');
  await new Promise((r) => setTimeout(r, 1500));
  const changed = (await entries()).filter((e) => e.text.startsWith('Docker state changed'));
  t.equal(changed.length, 1, `one "Docker state changed" line: ${JSON.stringify(changed.map((e) => e.text))}`);
});

t.test('regression: "Docker state changed" is logged twice when the die and stop events\' inspects overlap (a slow engine)', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('lena', { project, role: 'owner' });
  const { body } = await gw.api('POST', `/containers/api/create/${project}`, token, { title: 'web', ...TEST_IMAGE });
  const uuid = body.sodar_uuid;
  const s = await gw.api('POST', `/containers/api/start/${uuid}`, token);
  t.equal(s.body.state, 'running');
  // The same follower on the same engine, whose inspect answers in 400 ms as on a loaded machine.
  // On a graceful stop Docker sends die and, about 100 ms later, stop (measured: 68-128 ms); a
  // SIGKILL sends both at once, so the spacing is kept here for the stop this test makes.
  await gw.core.stateSync.stop();
  const real = gw.core.engine;
  const slow: Engine = Object.assign(Object.create(real) as Engine, {
    inspect: async (id: string) => { await new Promise((r) => setTimeout(r, 400)); return real.inspect(id); },
    events: (opts: Parameters<Engine['events']>[0], onEvent: Parameters<Engine['events']>[1], signal: AbortSignal) => real.events(opts, (e) => {
      if (e.action === 'stop') return;
      onEvent(e);
      if (e.action === 'die') setTimeout(() => onEvent({ ...e, action: 'stop' }), 100);
    }, signal),
  });
  const sync = await startStateSync({ ...gw.core, engine: slow });
  t.teardown(() => sync.stop());
  await new Promise((r) => setTimeout(r, 500));
  execFileSync('docker', ['stop', '-t', '1', s.body.container_id], { stdio: 'ignore' });
  await waitFor(async () => (await gw.api('GET', `/containers/api/detail/${uuid}`, token)).body.state === 'exited', 10_000, 'exited');
  await new Promise((r) => setTimeout(r, 1500));
  const results = (await gw.api('GET', `/containers/api/logs/${uuid}?lines=1000`, token)).body.results as Array<{ text: string }>;
  const changed = results.filter((e) => e.text.startsWith('Docker state changed'));
  t.equal(changed.length, 1, `one line: ${JSON.stringify(changed.map((e) => e.text))}`);
});
