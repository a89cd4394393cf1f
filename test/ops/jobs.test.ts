/**
 * jobs.test.ts: the periodic work against the real engine: app logs followed into the container
 * log (no duplicates across a gateway restart), the last-action retry rule on a crashing app, and
 * zombie pruning that touches only this instance's labelled containers.
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { startGateway, engineContainers, dockerInspect, waitFor, TEST_IMAGE } from '../helpers/gateway.ts';

t.test('app output is followed into the container log as it comes, without duplicates across a restart', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('lena', { project, role: 'owner' });
  const { body } = await gw.api('POST', `/containers/api/create/${project}`, token, {
    title: 'ticker', ...TEST_IMAGE, command: `sh -c 'i=0; while true; do i=$((i+1)); echo tick-$i; sleep 0.1; done'`,
  });
  const uuid = body.sodar_uuid;
  const t0 = Date.now();
  await gw.api('POST', `/containers/api/start/${uuid}`, token);
  const ticks = async () => {
    const r = await gw.api('GET', `/containers/api/logs/${uuid}?lines=10000`, token);
    return (r.body.results as Array<{ process: string; text: string; date: string }>).filter((e) => e.process === 'Docker' && e.text.startsWith('tick-'));
  };
  await waitFor(async () => (await ticks()).length >= 3, 5000, 'first app lines');
  t.ok(Date.now() - t0 < 5000, `first lines in the log ${Date.now() - t0} ms after the start request`);
  const d = await gw.api('GET', `/containers/api/detail/${uuid}`, token);
  t.ok(d.body.date_last_docker_log, 'date_last_docker_log is set');

  await gw.restart();
  await new Promise((r) => setTimeout(r, 600));
  await gw.api('POST', `/containers/api/stop/${uuid}`, token);
  const all = (await ticks()).map((e) => Number(e.text.slice(5)));
  const unique = new Set(all);
  t.equal(unique.size, all.length, `no duplicate lines (${all.length} lines)`);
  const max = Math.max(...all);
  t.equal(all.length, max, 'no gap: every line from tick-1 to the last one is stored once');
  t.same(all, [...all].sort((a, b) => a - b), 'in order');
  const line = (await gw.api('GET', `/containers/api/logs/${uuid}?lines=1000&format=text`, token)).body as string;
  t.match(line, /\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d INFO\] \(Docker\) tick-1\n/, 'Kiosc format with the app line');
});

t.test('a crashing app: the state shows it within a second; the retry rule restarts it at most max_retries times', async (t) => {
  const gw = await startGateway({ PORTICO_SCHEDULE_SYNC: '* * * * * *', PORTICO_SYNC_GRACE_SECONDS: '1' });
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('mia', { project, role: 'owner' });
  const { body } = await gw.api('POST', `/containers/api/create/${project}`, token, {
    title: 'crasher', ...TEST_IMAGE, command: `sh -c 'sleep 1; exit 3'`, max_retries: 2,
  });
  const uuid = body.sodar_uuid;
  const s = await gw.api('POST', `/containers/api/start/${uuid}`, token);
  t.equal(s.body.state, 'running');
  const exitedAt = await waitFor(async () => {
    const r = await gw.api('GET', `/containers/api/detail/${uuid}`, token);
    return r.body.state === 'exited' ? Date.now() : 0;
  }, 5000, 'exited');
  const finished = Date.parse(dockerInspect(s.body.container_id).State.FinishedAt);
  t.ok(exitedAt - finished < 1000, `state exited ${exitedAt - finished} ms after the app died`);
  const d = await gw.api('GET', `/containers/api/detail/${uuid}`, token);
  t.equal(d.body.state_reason, 'exited with code 3', 'the reason names the exit code');

  await waitFor(async () => (await gw.api('GET', `/containers/api/detail/${uuid}`, token)).body.last_action_retries === 2, 20_000, 'two retries');
  const logText = async () => (await gw.api('GET', `/containers/api/logs/${uuid}?lines=1000&format=text`, token)).body as string;
  await waitFor(async () => /giving up after 2 retries/.test(await logText()), 15_000, 'gives up');
  await new Promise((r) => setTimeout(r, 3000));
  const text = await logText();
  t.equal((text.match(/running it again \(retry \d\/2\)/g) ?? []).length, 2, 'exactly two retries, each in the log');
  t.match(text, /retry 1\/2[\s\S]*retry 2\/2/, 'numbered n/max');
  t.equal((text.match(/\(Action\) Start/g) ?? []).length, 3, 'one user start plus two retries, no more');
  const final = await gw.api('GET', `/containers/api/detail/${uuid}`, token);
  t.equal(final.body.state, 'exited');
  t.equal(final.body.last_action, 'start');
  t.equal(engineContainers(gw.instance).length, 1, 'no container left behind by the retries');

  // A new user action resets the count.
  await gw.api('POST', `/containers/api/start/${uuid}`, token);
  t.equal((await gw.api('GET', `/containers/api/detail/${uuid}`, token)).body.last_action_retries, 0, 'user action resets retries');
});

t.test('zombie pruning removes only this instance\'s labelled containers unknown to the store', async (t) => {
  const gw = await startGateway();
  const made: string[] = [];
  t.teardown(async () => {
    if (made.length) execFileSync('docker', ['rm', '-f', ...made], { stdio: 'ignore' });
    await gw.close();
  });
  const project = gw.project();
  const { token } = await gw.user('nils', { project, role: 'owner' });
  const { body } = await gw.api('POST', `/containers/api/create/${project}`, token, { title: 'known', ...TEST_IMAGE });
  const known = (await gw.api('POST', `/containers/api/start/${body.sodar_uuid}`, token)).body.container_id;
  const create = (labels: Record<string, string>) => {
    const args = ['create'];
    for (const [k, v] of Object.entries(labels)) args.push('--label', `${k}=${v}`);
    const id = execFileSync('docker', [...args, 'portico-test/httpd:1', 'sleep', '300'], { encoding: 'utf8' }).trim();
    made.push(id);
    return id;
  };
  const ours = { 'portico.managed': 'true', 'portico.instance': gw.instance };
  const zombie = create({ ...ours, 'portico.container': randomUUID() });
  const other = create({ 'portico.managed': 'true', 'portico.instance': `other-${gw.instance}`, 'portico.container': randomUUID() });
  const plain = create({});
  const self = create({ ...ours, 'portico.component': 'gateway' });
  await gw.core.work!.scheduler.runNow('pruneZombies');
  const exists = (id: string) => execFileSync('docker', ['ps', '-aq', '--no-trunc', '--filter', `id=${id}`], { encoding: 'utf8' }).trim() === id;
  t.notOk(exists(zombie), 'zombie of this instance removed');
  t.ok(exists(other), 'another instance\'s container untouched');
  t.ok(exists(plain), 'unlabelled container untouched');
  t.ok(exists(self), 'the gateway\'s own container untouched');
  t.ok(exists(known), 'a known container untouched');
  t.match(gw.core.work!.scheduler.status().find((s) => s.name === 'pruneZombies')!.lastResult, /^removed 1 container\(s\) unknown to the store/, 'the job says what it removed');
});
