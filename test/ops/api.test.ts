/**
 * api.test.ts: the operations REST API over real sockets and the real engine: stats, uptime
 * summaries (JSON, SRC map, SVG), inspect with secrets masked, images with their users, a pull
 * with streamed progress, and /metrics with its access rules.
 */
import t from 'tap';
import { startGateway, TEST_IMAGE } from '../helpers/gateway.ts';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';

t.test('stats, uptime, inspect, images, pull and metrics', async (t) => {
  const gw = await startGateway({ PORTICO_METRICS_TOKEN: METRICS_TOKEN });
  t.teardown(() => gw.close());
  const project = gw.project();
  const other = gw.project();
  const { token: owner } = await gw.user('olga', { project, role: 'owner' });
  const { token: guest } = await gw.user('gus', { project, role: 'guest' });
  const { token: stranger } = await gw.user('sam', { project: other, role: 'owner' });
  const { token: admin } = await gw.user('root2', { admin: true });
  const secret = 'hunter2-very-secret';
  const { body } = await gw.api('POST', `/containers/api/create/${project}`, owner, {
    title: 'ops', ...TEST_IMAGE, environment: { API_KEY: secret, PLAIN: 'visible' }, environment_secret_keys: 'API_KEY',
    command: `sh -c 'echo key=$API_KEY ${secret}; exec httpd -f -p 80 -h /www'`,
  });
  const uuid = body.sodar_uuid;

  const notRunning = await gw.api('GET', `/containers/api/stats/${uuid}`, owner);
  t.equal(notRunning.status, 409, 'stats of a never-started container: 409');
  t.equal(notRunning.body.code, 'E_INVALID_STATE');

  await gw.core.work!.scheduler.runNow('uptimeSample');
  const started = await gw.api('POST', `/containers/api/start/${uuid}`, owner);
  t.equal(started.body.state, 'running');
  for (let i = 0; i < 3; i++) { await new Promise((r) => setTimeout(r, 5)); await gw.core.work!.scheduler.runNow('uptimeSample'); }

  // Stats
  const st = await gw.api('GET', `/containers/api/stats/${uuid}`, guest);
  t.equal(st.status, 200, 'a guest may read stats');
  for (const k of ['cpu_percent', 'memory_bytes', 'memory_limit_bytes', 'net_rx_bytes', 'net_tx_bytes', 'block_read_bytes', 'block_write_bytes', 'pids']) {
    t.type(st.body[k], 'number', `${k} is a number`);
  }
  t.ok(st.body.pids >= 1, `pids ${st.body.pids}`);
  t.ok(st.body.memory_bytes > 0, `memory ${st.body.memory_bytes} bytes`);
  t.equal((await gw.api('GET', `/containers/api/stats/${uuid}`, stranger)).status, 404, 'non-member: 404');
  t.equal((await gw.api('GET', `/containers/api/stats/${uuid}`, null)).status, 401, 'anonymous: 401');

  // Uptime
  const up = await gw.api('GET', `/containers/api/uptime/${uuid}?duration=hour`, guest);
  t.equal(up.status, 200);
  // The sample taken before the first start counts neither way (uptime.test.ts): three of four count.
  t.equal(up.body.samples, 3, 'three samples that count');
  t.equal(up.body.running_samples, 3);
  t.equal(up.body.uptime_percent, 100);
  t.equal(up.body.buckets.length, 60, 'sixty buckets for the chart');
  const src = await gw.api('GET', `/containers/api/uptime/${uuid}?duration=day&format=src`, guest);
  t.same(Object.values(src.body).sort(), [false, true, true, true], 'SRC map of time → running');
  const svg = await gw.api('GET', `/containers/api/uptime/${uuid}?format=svg`, guest);
  t.equal(svg.headers.get('content-type'), 'image/svg+xml');
  t.match(svg.body, /^<svg [^>]*role="img" aria-label="100% up since it was created \d+ min ago"/, 'an inline SVG chart');
  t.equal((await gw.api('GET', `/containers/api/uptime/${uuid}?duration=year`, guest)).status, 400, 'bad duration: 400');
  t.equal((await gw.api('GET', `/containers/api/uptime/${uuid}?duration=__proto__`, guest)).status, 400, 'prototype key: 400');

  // Inspect
  t.equal((await gw.api('GET', `/containers/api/inspect/${uuid}`, owner)).status, 403, 'inspect is for admins');
  const ins = await gw.api('GET', `/containers/api/inspect/${uuid}`, admin);
  t.equal(ins.status, 200);
  t.equal(ins.body.Id, started.body.container_id, 'the engine\'s own description');
  t.ok(ins.body.Config.Env.includes('API_KEY=<masked>'), 'secret variable masked');
  t.ok(ins.body.Config.Env.includes('PLAIN=visible'), 'plain variable shown');
  const raw = JSON.stringify(ins.body);
  t.notOk(raw.includes(secret), 'the secret value appears nowhere (not even in the command line)');
  t.match(ins.body.Config.Cmd.join(' '), /<masked>/);

  // Images
  t.equal((await gw.api('GET', '/containers/api/images', owner)).status, 403, 'images are for admins');
  const imgs = await gw.api('GET', '/containers/api/images', admin);
  const httpd = imgs.body.find((i: { tags: string[] }) => i.tags.includes('portico-test/httpd:1'));
  t.ok(httpd, 'test image listed');
  t.ok(httpd.container_count >= 1 && httpd.containers.includes(uuid), 'with the containers that use it');
  t.equal(httpd.running_count >= 1, true);

  // Pull
  t.equal((await gw.api('POST', '/containers/api/images/pull', owner, { image: 'x:1' })).status, 403, 'pull is for admins');
  t.equal((await gw.api('POST', '/containers/api/images/pull', admin, { image: 'Bad Image!' })).status, 400, 'bad reference: 400');
  t.equal((await gw.api('POST', '/containers/api/images/pull', admin, { image: 42 })).status, 400, 'wrong type: 400');
  const pull = await fetch(`${gw.base}/containers/api/images/pull`, {
    method: 'POST', headers: { authorization: `token ${admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({ image: '127.0.0.1:9/portico/missing:1' }),
  });
  // regression: a failed pull said "server error" and lost the engine's reason.
  t.equal(pull.status, 502, 'a pull the engine refuses at once: 502');
  const failed = await pull.json() as { error: string; code: string };
  t.equal(failed.code, 'E_IMAGE_PULL_FAILED');
  t.match(failed.error, /could not pull 127\.0\.0\.1:9\/portico\/missing:1: the registry refused the connection \(.*connection refused\)/, 'the engine\'s reason, explained');
  t.notMatch(failed.error, /server error/, 'not the HTTP reason phrase');

  // Metrics
  t.equal((await gw.api('GET', '/metrics', null)).status, 401, 'metrics: anonymous 401');
  t.equal((await gw.api('GET', '/metrics', owner)).status, 403, 'metrics: non-admin 403');
  t.equal((await gw.api('GET', '/metrics', null, undefined, { authorization: 'Bearer wrong-token-0123456789abcdef' })).status, 401, 'wrong bearer 401');
  const viaToken = await gw.api('GET', '/metrics', null, undefined, { authorization: `Bearer ${METRICS_TOKEN}` });
  t.equal(viaToken.status, 200, 'the metrics bearer token works');
  const m = await gw.api('GET', '/metrics', admin);
  t.equal(m.status, 200, 'a site admin may read metrics');
  t.match(m.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  const text = m.body as string;
  t.match(text, /portico_containers\{state="running"\} 1\n/, 'containers by state');
  t.match(text, /portico_container_starts_total\{result="ok"\} 1\n/, 'starts');
  t.match(text, /portico_container_start_duration_seconds_count 1\n/, 'start duration histogram');
  t.match(text, /portico_engine_up 1\n/);
  t.match(text, /# TYPE portico_engine_event_reconnects_total counter\nportico_engine_event_reconnects_total \d+\n/, 'event-stream reconnects');
  t.match(text, /portico_engine_errors_total\{code="E_IMAGE_PULL_FAILED",op="pullImage"\} 1\n/, 'engine errors by operation');
  t.match(text, /portico_job_runs_total\{job="uptimeSample",result="ok"\} 4\n/, 'job runs');
});
