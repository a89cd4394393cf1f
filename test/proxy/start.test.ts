/**
 * start.test.ts: on-demand start through the proxy with real containers: the waiting page for
 * navigations, held requests for fetch, one start for 100 concurrent requests, guests starting by
 * opening, unpause on access, failed starts (503), timeouts (504) and refusing apps (502).
 */
import t from 'tap';
import { request } from 'undici';
import { dockerInspect, engineContainers, startGateway, waitFor } from '../helpers/gateway.ts';
import { call, captureLogger, createContainer, startContainer } from './helpers.ts';

const SLOW = `sh -c 'sleep 3; exec httpd -f -p 80 -h /www'`;

/** readEvents reads a text/event-stream until it ends and returns the events. */
async function readEvents(url: string, headers: Record<string, string>): Promise<Array<{ event: string; data: any }>> {
  const r = await request(url, { headers: { ...headers, accept: 'text/event-stream' } });
  const text = await r.body.text();
  return text.split('\n\n').filter(Boolean).map((block) => {
    const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
    const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? 'null');
    return { event, data };
  });
}

t.test('a slow app: waiting page for navigations, held request for fetch', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('owner', { project, role: 'owner' });
  const uuid = await createContainer(gw, token, project, { command: SLOW, timeout: 30 });
  const auth = { authorization: `token ${token}` };

  const nav = await call(gw, `/containers/proxy/${uuid}/`, { headers: { ...auth, accept: 'text/html', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' } });
  t.equal(nav.status, 202, 'a navigation gets the waiting page at once');
  t.match(nav.headers['content-type'], /text\/html/);
  t.match(nav.text, /Starting c-/, 'the page names the app');
  t.match(nav.text, `/containers/proxy/_status/${uuid}`, 'and follows the status stream');
  t.notMatch(nav.text, /<link|<img|src=/, 'no external assets (its links home and back load nothing)');

  const t0 = Date.now();
  const [events, held] = await Promise.all([
    readEvents(`${gw.base}/containers/proxy/_status/${uuid}`, auth),
    call(gw, `/containers/proxy/${uuid}/`, { headers: { ...auth, accept: '*/*', 'sec-fetch-mode': 'cors' } }),
  ]);
  t.equal(held.status, 200, 'fetch is held until the app answers, then forwarded');
  t.match(held.text, /portico test app/);
  t.ok(Date.now() - t0 >= 2000, `held for the slow start (${Date.now() - t0} ms)`);
  t.equal(events.at(-1)!.event, 'ready', 'the status stream ends with ready');
  t.ok(events.some((e) => e.event === 'progress' && e.data.phase === 'waiting'), 'it showed "waiting for the app"');
  t.equal(engineContainers(gw.instance).length, 1, 'one container');

  const after = await call(gw, `/containers/proxy/${uuid}/`, { headers: { ...auth, accept: 'text/html', 'sec-fetch-mode': 'navigate' } });
  t.equal(after.status, 200, 'once ready, a navigation gets the app itself');
  t.match(after.text, /portico test app/);
});

t.test('100 concurrent first requests to an idle-stopped container: one container, 100 answers', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('owner', { project, role: 'owner' });
  const uuid = await createContainer(gw, token, project);
  await startContainer(gw, token, uuid);
  // An idle stop: a container a person stopped starts only on a navigation (start-policy.test.ts).
  await gw.core.containers.perform(gw.core.store.containers.byUuid(uuid)!.id, 'stop', 'anonymous', { idle: true });
  const results = await Promise.all(Array.from({ length: 100 }, (_, i) =>
    call(gw, `/containers/proxy/${uuid}/cgi-bin/echo?i=${i}`, { headers: { authorization: `token ${token}` } })));
  t.equal(results.filter((r) => r.status === 200).length, 100, '100 successful answers');
  t.same(results.map((r) => r.json().query).sort(), Array.from({ length: 100 }, (_, i) => `i=${i}`).sort(), 'each request got its own answer');
  const list = engineContainers(gw.instance);
  t.equal(list.length, 1, 'exactly one Docker container');
  t.equal(list[0].state, 'running');
  const starts = gw.core.store.logs.jobs(gw.core.store.containers.byUuid(uuid)!.id).filter((j) => j.action === 'start');
  t.equal(starts.length, 2, 'one start by hand and exactly one on demand');
});

t.test('a guest starts a stopped container by opening it; a paused one is unpaused', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token: owner } = await gw.user('owner', { project, role: 'owner' });
  const { token } = await gw.user('gus', { project, role: 'guest' });
  const uuid = await createContainer(gw, owner, project);
  t.equal((await gw.api('POST', `/containers/api/start/${uuid}`, token)).status, 403, 'a guest may not start through the API');
  const r = await call(gw, `/containers/proxy/${uuid}/`, { headers: { authorization: `token ${token}` } });
  t.equal(r.status, 200, 'but opening the proxy starts it');
  const d = await gw.api('GET', `/containers/api/detail/${uuid}`, owner);
  t.equal(d.body.state, 'running');
  const logs = await gw.api('GET', `/containers/api/logs/${uuid}`, owner);
  t.ok(logs.body.results.some((e: any) => e.user === 'gus' && /Start/.test(e.text)), 'the log names the guest who started it');

  await gw.api('POST', `/containers/api/pause/${uuid}`, owner);
  t.equal(dockerInspect(d.body.container_id).State.Status, 'paused');
  const p = await call(gw, `/containers/proxy/${uuid}/cgi-bin/echo`, { headers: { authorization: `token ${token}` } });
  t.equal(p.status, 200, 'a paused container answers after an unpause');
  t.equal(dockerInspect(d.body.container_id).State.Status, 'running', 'same container, unpaused');
});

t.test('failures: start failed 503, app too slow 504, app refusing 502 with one log line', async (t) => {
  const logger = captureLogger();
  const gw = await startGateway({}, { logger });
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('owner', { project, role: 'owner' });
  const auth = { authorization: `token ${token}` };

  const bad = await createContainer(gw, token, project, { repository: '127.0.0.1:9/portico/missing', tag: '1' });
  const r = await call(gw, `/containers/proxy/${bad}/`, { headers: auth });
  t.equal(r.status, 503, 'a failed start answers 503');
  t.equal(r.json().code, 'E_START_FAILED');
  t.match(r.json().error, /pull/, 'with the reason');
  const nav = await call(gw, `/containers/proxy/${bad}/`, { headers: { ...auth, 'sec-fetch-mode': 'navigate', accept: 'text/html' } });
  t.equal(nav.status, 202, 'a navigation gets the waiting page');
  const events = await readEvents(`${gw.base}/containers/proxy/_status/${bad}`, auth);
  t.equal(events.at(-1)!.event, 'failed', 'which learns that the start failed');
  t.match(events.at(-1)!.data.message, /pull/, 'and why');

  const mute = await createContainer(gw, token, project, { command: 'sleep 600', timeout: 2 });
  const t0 = Date.now();
  const slow = await call(gw, `/containers/proxy/${mute}/`, { headers: auth });
  t.equal(slow.status, 504, 'an app that never answers within its timeout: 504');
  t.equal(slow.json().code, 'E_START_TIMEOUT');
  t.match(slow.json().error, /did not answer within 2 s \(ECONNREFUSED\)/, 'with the reason');
  t.ok(Date.now() - t0 < 8000, 'after about the timeout');

  // Running for longer than its timeout: no longer "starting", so a refusal is a plain 502.
  await waitFor(() => Date.now() - t0 > 3000, 5000);
  logger.lines.length = 0;
  const refused = await call(gw, `/containers/proxy/${mute}/x`, { headers: auth });
  t.equal(refused.status, 502, 'a running app refusing connections: 502');
  t.equal(refused.json().code, 'E_UPSTREAM_UNREACHABLE');
  const lines = logger.lines.filter((l) => l.msg.includes('upstream'));
  t.equal(lines.length, 1, 'one log line');
  t.match(lines[0].msg, /ECONNREFUSED/);
  t.notMatch(JSON.stringify(lines[0]), /\n\s+at /, 'no stack trace');
});
