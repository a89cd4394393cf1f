/**
 * faults.test.ts: Portico under faults, with real engines and real processes:
 * - a private dockerd stopped and restarted while requests flow (the shared one is never touched);
 * - the gateway SIGKILLed in the middle of a start, then restarted;
 * - SIGTERM: in-flight requests finish, new connections are refused, the process exits cleanly.
 */
import t from 'tap';
import net from 'node:net';
import path from 'node:path';
import { startGateway, engineContainers, waitFor, TEST_IMAGE, TEST_NETWORK } from '../helpers/gateway.ts';
import { startPrivateDockerd } from '../helpers/private-dockerd.ts';
import { startChildGateway } from '../helpers/child-gateway.ts';
import { createStore } from '../../gateway/core/store/index.ts';

t.test('dockerd stopped and restarted while requests flow', async (t) => {
  const pd = await startPrivateDockerd({ images: ['portico-test/httpd:1'], network: TEST_NETWORK });
  t.teardown(() => pd.destroy());
  const gw = await startGateway({ DOCKER_HOST: pd.host, PORTICO_SCHEDULE_SYNC: 'off' });
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('fay', { project, role: 'owner' });
  const { body } = await gw.api('POST', `/containers/api/create/${project}`, token, { title: 'survivor', ...TEST_IMAGE });
  const uuid = body.sodar_uuid;
  t.equal((await gw.api('POST', `/containers/api/start/${uuid}`, token)).body.state, 'running', 'running on the private engine');

  // Requests flow the whole time: health, detail and start, each answered and recorded.
  const seen: Array<{ path: string; status: number; code?: string; error?: string }> = [];
  let flowing = true;
  const flowDeadline = Date.now() + 120_000;
  const flow = (async () => {
    while (flowing && Date.now() < flowDeadline) {
      const rs = await Promise.all([
        gw.api('GET', '/healthz', null),
        gw.api('GET', `/containers/api/detail/${uuid}`, token),
        gw.api('POST', `/containers/api/start/${uuid}`, token),
      ].map((p, i) => p.then((r) => ({ path: ['healthz', 'detail', 'start'][i], status: r.status, code: r.body?.code, error: r.body?.error }),
        (err) => ({ path: 'connection', status: 0, error: String(err) }))));
      seen.push(...rs);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();

  await new Promise((r) => setTimeout(r, 300));
  const tStop = Date.now();
  await pd.stop();
  const down = await waitFor(async () => {
    const h = await gw.api('GET', '/healthz', null);
    return h.status === 503 ? h : null;
  }, 15_000, 'healthz red');
  t.same(down!.body, { status: 'degraded', engine: 'down', store: 'up' }, `/healthz red ${Date.now() - tStop} ms after dockerd stopped`);
  const refused = await gw.api('POST', `/containers/api/restart/${uuid}`, token);
  t.equal(refused.status, 503, 'an action answers 503 while the engine is down');
  t.equal(refused.body.code, 'E_ENGINE_UNAVAILABLE');
  t.match(refused.body.error, /container engine unavailable/, `with a clear reason: ${refused.body.error}`);
  await new Promise((r) => setTimeout(r, 1500));

  await pd.start();
  const tUp = Date.now();
  await waitFor(async () => (await gw.api('GET', '/healthz', null)).status === 200, 30_000, 'healthz green');
  const recovery = Date.now() - tUp;
  t.ok(recovery < 10_000, `recovered ${recovery} ms after dockerd answered again`);
  // Without live-restore, dockerd stopped the app on shutdown: the stored state must follow.
  const engineState = () => pd.docker(`ps -a --filter label=portico.container=${uuid} --format '{{.State}}'`).trim();
  await waitFor(async () => (await gw.api('GET', `/containers/api/detail/${uuid}`, token)).body.state === engineState(), 10_000, 'state agrees with the engine');
  t.pass(`state after recovery agrees with the engine (${engineState()})`);
  flowing = false;
  await flow;

  const restarted = await gw.api('POST', `/containers/api/start/${uuid}`, token);
  t.equal(restarted.body.state, 'running', 'starts again on the returned engine');
  t.equal(pd.docker(`ps -a -q --filter label=portico.container=${uuid}`).trim().split('\n').length, 1, 'one engine container');

  // While dockerd shuts down it may still answer with its own failure (502, the engine's message);
  // once it is gone every action gets 503. A 500 would be a Portico bug.
  t.same(seen.filter((s) => s.status === 500 || (s.status > 503)), [], 'no 500 (no bug surfaced) while the engine was away');
  t.same(seen.filter((s) => s.status >= 500 && s.path !== 'healthz' && !(s.code && s.error)), [], 'every 5xx carries a code and a message');
  const during = seen.filter((s) => s.status === 502);
  t.ok(during.every((s) => s.code === 'E_ACTION_FAILED'), `${during.length} answer(s) from the engine going down were 502 with its reason`);
  t.same(seen.filter((s) => s.status === 0), [], 'the gateway never stopped answering');
  const unavailable = seen.filter((s) => s.status === 503 && s.path === 'start');
  t.ok(unavailable.length > 0 && unavailable.every((s) => s.code === 'E_ENGINE_UNAVAILABLE' && s.error), `${unavailable.length} starts refused with E_ENGINE_UNAVAILABLE and a message`);
  t.ok(seen.filter((s) => s.path === 'detail').every((s) => s.status === 200), 'reading stored state works throughout');
  t.ok(seen.length > 30, `${seen.length} requests answered during the test`);
  const metrics = await gw.api('GET', '/metrics', (await gw.user('ada', { admin: true })).token);
  t.match(metrics.body, /portico_engine_event_reconnects_total [1-9]\d*\n/, 'reconnects counted');
  t.match(metrics.body, /portico_engine_errors_total\{code="E_ENGINE_UNAVAILABLE",op="[a-z]+"\} [1-9]/, 'engine errors counted');
});

t.test('gateway SIGKILLed in the middle of a start, then restarted', async (t) => {
  const gw = await startChildGateway({ PORTICO_SCHEDULE_SYNC: 'off' });
  t.teardown(() => gw.destroy());
  const token = gw.adminToken();
  const api = async (method: string, p: string, body?: unknown) => {
    const r = await fetch(gw.base + p, { method, headers: { authorization: `token ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: r.status, body: (await r.json().catch(() => null)) as any };
  };
  const store = createStore(path.join(gw.dir, 'portico.db'));
  t.teardown(() => store.close());
  const project = store.projects.create('Kill test').uuid;
  const { body } = await api('POST', `/containers/api/create/${project}`, { title: 'half-started', ...TEST_IMAGE });
  const uuid = body.sodar_uuid;
  t.equal((await api('POST', `/containers/api/start/${uuid}?wait=0`)).status, 202);
  // Kill once the engine container exists but before the start finished (state "created").
  const caught = await waitFor(() => {
    const c = store.containers.byUuid(uuid)!;
    if (c.state === 'created' && c.dockerId) { gw.proc.kill('SIGKILL'); return c; }
    if (c.state === 'running') return 'late';
    return null;
  }, 20_000, 'the start to reach "created"');
  t.not(caught, 'late', 'killed between create and start');
  await gw.exited();
  t.equal(store.logs.jobs(store.containers.byUuid(uuid)!.id)[0].status, 'running', 'the job was cut off mid-way');

  const cut = store.logs.jobs(store.containers.byUuid(uuid)!.id)[0];
  await gw.start();
  const integrity = store.db.prepare('PRAGMA integrity_check').get() as { integrity_check: string };
  t.equal(integrity.integrity_check, 'ok', 'the store is intact');
  // Start-up settles the cut-off start from the engine's truth: done if the engine finished it, else run again at once.
  await waitFor(() => store.containers.byUuid(uuid)!.state === 'running', 15_000, 'the start to be carried through');
  const engine = engineContainers(gw.instance);
  t.equal(engine.length, 1, 'no duplicate or orphaned engine container');
  const d = await api('GET', `/containers/api/detail/${uuid}`);
  t.equal(d.body.container_id?.slice(0, 12), engine[0].id, 'the record points at the engine container');
  t.equal(d.body.state, engine[0].state, `stored state reconciled with the engine (${engine[0].state})`);
  const jobs = store.logs.jobs(store.containers.byUuid(uuid)!.id);
  const settled = jobs.find((j) => j.id === cut.id)!;
  t.not(settled.status, 'running', 'the interrupted job is settled');
  if (settled.status === 'failed') {
    t.equal(settled.error, 'interrupted by a gateway restart; run again at start-up');
    t.equal(jobs[0].status, 'done', 'and the start run again at start-up is done');
  } else {
    t.equal(jobs.length, 1, 'done: the engine had finished it');
  }

  const again = await api('POST', `/containers/api/start/${uuid}`);
  t.equal(again.body.state, 'running', 'starts after the restart');
  t.equal(engineContainers(gw.instance).length, 1, 'still one engine container');
  gw.proc.kill('SIGTERM');
  t.equal(await gw.exited(), 0, 'SIGTERM exits cleanly');
});

t.test('SIGTERM: in-flight requests finish, new connections are refused, logs are JSON lines', async (t) => {
  const gw = await startChildGateway({ PORTICO_SCHEDULE_SYNC: 'off' });
  t.teardown(() => gw.destroy());
  const token = gw.adminToken();
  const store = createStore(path.join(gw.dir, 'portico.db'));
  const project = store.projects.create('Term test').uuid;
  store.close();
  // A request whose body arrives slowly is in flight for as long as the client takes.
  const body = JSON.stringify({ title: 'created during shutdown', ...TEST_IMAGE });
  const port = Number(new URL(gw.base).port);
  const sock = net.connect(port, '127.0.0.1');
  const answer = new Promise<string>((resolve) => {
    let text = '';
    sock.on('data', (c) => { text += c.toString('utf8'); });
    sock.on('close', () => resolve(text));
    sock.on('error', () => resolve(text));
  });
  sock.write(`POST /containers/api/create/${project} HTTP/1.1\r\nHost: x\r\nAuthorization: token ${token}\r\n`
    + `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 10)}`);
  await new Promise((r) => setTimeout(r, 300));
  gw.proc.kill('SIGTERM');
  const termAt = Date.now();
  await new Promise((r) => setTimeout(r, 300));
  const late = await fetch(`${gw.base}/healthz`).then((r) => r.status, (err) => String(err.cause?.code ?? err));
  t.equal(late, 'ECONNREFUSED', 'no new connections once shutting down');
  await new Promise((r) => setTimeout(r, 700));
  sock.write(body.slice(10));
  const text = await answer;
  const answeredAt = Date.now();
  t.match(text, /^HTTP\/1\.1 201 /, `the in-flight request finished ${answeredAt - termAt} ms after SIGTERM`);
  t.match(text, /\r\nconnection: close\r\n/i, 'and closed its connection');
  t.match(text, /"title":"created during shutdown"/);
  t.equal(await gw.exited(), 0, 'exit code 0');
  const after = createStore(path.join(gw.dir, 'portico.db'));
  t.ok(after.containers.all().some((c) => c.title === 'created during shutdown'), 'its work is in the store');
  after.close();
  const parsed = gw.logs.map((l) => { try { return JSON.parse(l); } catch { return null; } });
  t.same(gw.logs.filter((_, i) => parsed[i] === null), [], 'every log line is JSON');
  t.ok(parsed.some((j) => j?.msg === 'shutting down' && j.signal === 'SIGTERM' && j.inFlight === 1), 'shutdown logged with the request in flight');
  t.ok(parsed.some((j) => j?.msg === 'stopped'), 'stopped after closing the store');
});
