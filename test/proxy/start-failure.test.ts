/**
 * start-failure.test.ts: what a collaborator sees when an app fails, with real containers: an app
 * that never answers is recorded as "running, not answering" (state, API, log, list); a start
 * that fails carries the app's last lines (masked, escaped) and hints to members; the waiting page
 * says the start failed, in Chromium with and without JavaScript; the status stream's phases match
 * their messages.
 */
import t from 'tap';
import { request } from 'undici';
import { startGateway, waitFor } from '../helpers/gateway.ts';
import { launchBrowser, loginWithToken } from '../helpers/browser.ts';
import { login } from '../helpers/session.ts';
import { call, createContainer } from './helpers.ts';

// busybox httpd bound to loopback only: it runs, but the gateway can never reach it.
const LOOPBACK = 'httpd -f -p 127.0.0.1:80 -h /www';
// An app that prints why it cannot start (with a secret and some markup in the line) and exits.
const CRASH = `sh -c 'echo "starting <b>demo</b>"; echo "fatal: cannot open database with token=$DB_TOKEN" >&2; sleep 1; exit 3'`;
const SECRET = 'tok-very-secret-4711';

async function readEvents(url: string, headers: Record<string, string>): Promise<Array<{ event: string; data: any }>> {
  const r = await request(url, { headers: { ...headers, accept: 'text/event-stream' } });
  const text = await r.body.text();
  return text.split('\n\n').filter(Boolean).map((block) => ({
    event: /^event: (.*)$/m.exec(block)?.[1] ?? 'message',
    data: JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? 'null'),
  }));
}

t.test('regression: an app that never answers (bound to 127.0.0.1) is recorded as running, not answering — not a plain blue eye', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('owner', { project, role: 'owner' });
  const uuid = await createContainer(gw, token, project, { command: LOOPBACK, timeout: 2 });

  const r = await call(gw, `/containers/proxy/${uuid}/`, { headers: { authorization: `token ${token}` } });
  t.equal(r.status, 504, 'the wait ends with 504');
  const body = r.json();
  t.equal(body.code, 'E_START_TIMEOUT');
  t.ok(body.hints.some((h: string) => /0\.0\.0\.0/.test(h) && /127\.0\.0\.1/.test(h)), 'a hint names 0.0.0.0 against 127.0.0.1');
  t.ok(body.hints.some((h: string) => /port 80\b/.test(h)), 'a hint names the port');

  const detail = (await gw.api('GET', `/containers/api/detail/${uuid}`, token)).body;
  t.equal(detail.state, 'running', 'it still runs');
  t.match(detail.readiness_failure, /^no answer on port 80 within 2 s \(ECONNREFUSED\)$/, 'API: readiness_failure says why');
  t.match(detail.state_reason, /^running, not answering: no answer on port 80 within 2 s/, 'API: and so does state_reason');

  const logs = (await gw.api('GET', `/containers/api/logs/${uuid}?lines=100`, token)).body.results as Array<{ level: string; text: string }>;
  const line = logs.find((l) => /The app does not answer/.test(l.text));
  t.ok(line, 'the owner\'s log records the failure');
  t.equal(line?.level, 'WARNING');
  t.match(line?.text, /no answer on port 80 within 2 s .*0\.0\.0\.0/, 'with the reason and the hint');

  const s = await login(gw, token);
  const list = await s.get(`/projects/${project}/containers`);
  t.match(list.text, /class="not-answering"[^>]*>not answering</, 'the list says "not answering" next to the state');
  t.match(list.text, /class="eye on warn"[^>]*title="Running, but the app does not answer: no answer on port 80/, 'the eye is not the plain blue one, and says why');

  // A gateway restart (which resyncs every container with the engine) keeps the record of this run.
  await gw.restart();
  const after = (await gw.api('GET', `/containers/api/detail/${uuid}`, token)).body;
  t.match(after.readiness_failure, /^no answer on port 80 within 2 s/, 'kept across a gateway restart');
  t.match(after.state_reason, /^running, not answering/, 'state_reason too');

  // A new run starts clean.
  const restarted = await gw.api('POST', `/containers/api/restart/${uuid}`, token);
  t.equal(restarted.status, 200);
  t.equal(restarted.body.readiness_failure, null, 'a restart clears the readiness failure');
  t.notMatch(restarted.body.state_reason ?? '', /not answering/);
});

t.test('regression: E_START_FAILED carried only the exit code; now members get the app\'s last lines (secrets masked) and hints', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('owner', { project, role: 'owner' });
  const { token: guest } = await gw.user('guest', { project, role: 'guest' });
  const { token: stranger } = await gw.user('stranger');
  const uuid = await createContainer(gw, token, project, {
    command: CRASH, timeout: 20, environment: { DB_TOKEN: SECRET }, environment_secret_keys: 'DB_TOKEN',
  });

  const r = await call(gw, `/containers/proxy/${uuid}/`, { headers: { authorization: `token ${token}` } });
  t.equal(r.status, 503, 'a failed start: 503');
  const body = r.json();
  t.equal(body.code, 'E_START_FAILED');
  t.match(body.error, /exited|stopped/, 'the reason');
  t.ok(Array.isArray(body.log), 'the app\'s last lines come with it');
  t.ok(body.log.some((l: string) => l.includes('fatal: cannot open database with token=<masked>')), 'the line that says why, secret masked');
  t.ok(body.log.includes('starting <b>demo</b>'), 'stdout too, as text');
  t.notMatch(r.text, SECRET, 'the secret value appears nowhere');
  t.ok(body.log.length <= 20, 'capped in lines');
  t.ok(body.hints.length >= 2, 'with hints at the usual causes');
  t.ok(body.hints.some((h: string) => /__KIOSC_URL_PREFIX__/.test(h)), 'including the base URL');

  // Guests may read the container's log (Kiosc 1.4.1), so they get the lines too; a non-member gets a bare 404.
  const g = await call(gw, `/containers/proxy/${uuid}/`, { headers: { authorization: `token ${guest}` } });
  t.equal(g.status, 503);
  t.ok(g.json().log.some((l: string) => l.includes('fatal: cannot open database')), 'a guest member sees the lines');
  const x = await call(gw, `/containers/proxy/${uuid}/`, { headers: { authorization: `token ${stranger}` } });
  t.equal(x.status, 404);
  t.notMatch(x.text, /fatal|hints/, 'a non-member learns nothing');

  // The lines are in the container's log for good, whichever way the start ended.
  const logs = (await gw.api('GET', `/containers/api/logs/${uuid}?lines=200`, token)).body.results as Array<{ text: string }>;
  t.ok(logs.some((l) => l.text.includes('fatal: cannot open database')), 'the container log holds the app\'s output');

  // An app that exits at once never runs long enough to be followed: its output is copied all the same.
  const quick = await createContainer(gw, token, project, { command: `sh -c 'echo "boom: /app/config.yaml: no such file" >&2; exit 2'`, timeout: 20 });
  const q = await call(gw, `/containers/proxy/${quick}/`, { headers: { authorization: `token ${token}` } });
  t.equal(q.status, 503);
  t.ok(q.json().log.some((l: string) => l.includes('boom: /app/config.yaml: no such file')), 'an app that exits at once: its last line too');

  // The REST API's start action says the same when the app is gone by the time the start is
  // checked (else the start succeeded and the exit comes later: try again).
  let viaApi = await gw.api('POST', `/containers/api/start/${quick}`, token);
  for (let i = 0; i < 5 && viaApi.status === 200; i++) {
    await waitFor(async () => (await gw.api('GET', `/containers/api/detail/${quick}`, token)).body.state !== 'running', 10_000, 'the exit');
    viaApi = await gw.api('POST', `/containers/api/start/${quick}`, token);
  }
  t.equal(viaApi.status, 502, 'POST start of an app that exits: 502');
  t.equal(viaApi.body.code, 'E_START_FAILED');
  t.ok(viaApi.body.log.some((l: string) => l.includes('boom: /app/config.yaml: no such file')), 'with the app\'s last line');
  t.equal(viaApi.body.log.filter((l: string) => l.includes('boom')).length, 1, 'lines of this run only, once');
  t.ok(viaApi.body.hints.length > 0, 'and the hints');
});

t.test('regression: the waiting page said "Starting …" after a failure; in Chromium it now says what failed, with the last lines', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('owner', { project, role: 'owner' });
  const uuid = await createContainer(gw, token, project, {
    title: 'Crashy <i>app</i>', command: CRASH, timeout: 20, environment: { DB_TOKEN: SECRET }, environment_secret_keys: 'DB_TOKEN',
  });
  const b = await launchBrowser();
  t.teardown(() => b.close());
  await loginWithToken(gw, b.context, token);

  const res = await b.page.goto(`${gw.base}/containers/proxy/${uuid}/`);
  t.equal(res?.status(), 202, 'the waiting page');
  t.equal(await b.page.textContent('#heading'), 'Starting Crashy <i>app</i>…', 'first it says starting (the title as text)');
  await b.page.waitForSelector('body.failed', { timeout: 20_000 });
  t.equal(await b.page.textContent('#heading'), 'Could not start Crashy <i>app</i>', 'then the heading says the start failed');
  t.equal(await b.page.title(), 'Could not start Crashy <i>app</i>', 'and so does the title');
  t.match(await b.page.textContent('#msg'), /^The app stopped while it was starting\./, 'the text says what happened in plain words');
  t.match(await b.page.textContent('#tech-text'), /stopped while starting|exited/, 'the technical reason is kept, folded under "Technical details"');
  t.ok(await b.page.isVisible('#back'), 'and a link back to the project');
  const log = await b.page.textContent('#log');
  t.match(log, /fatal: cannot open database with token=<masked>/, 'the app\'s last lines, masked');
  t.match(log, /starting <b>demo<\/b>/, 'markup shown as text');
  t.equal(await b.page.locator('#log b').count(), 0, 'and not parsed as HTML');
  t.notMatch(await b.page.content(), SECRET);
  t.ok(await b.page.isVisible('#hints li'), 'hints are listed');
  t.ok(await b.page.isVisible('#again'), '"Try again" is offered');
  t.notOk(await b.page.isVisible('#bar'), 'no progress bar any more');
  t.same(b.errors, [], 'no page errors');

  // "Try again" starts afresh (the failure was shown): the waiting page again, not the failure.
  const again = b.page.waitForNavigation();
  await b.page.click('#again');
  await again;
  t.match(await b.page.textContent('#heading'), /^Starting Crashy/, 'try again: starting again');
});

t.test('regression: without JavaScript the waiting page reloads and ends on the failure, not on another "Starting …"', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('owner', { project, role: 'owner' });
  const uuid = await createContainer(gw, token, project, { command: CRASH, timeout: 20, environment: { DB_TOKEN: SECRET }, environment_secret_keys: 'DB_TOKEN' });
  const b = await launchBrowser({ javaScript: false });
  t.teardown(() => b.close());
  await loginWithToken(gw, b.context, token);

  const first = await b.page.goto(`${gw.base}/containers/proxy/${uuid}/`);
  t.equal(first?.status(), 202, 'the waiting page');
  t.match(await b.page.content(), /<noscript><meta http-equiv="refresh" content="5"><\/noscript>/, 'it reloads itself without JavaScript');
  const failed = await b.page.waitForResponse((r) => r.url().endsWith(`/containers/proxy/${uuid}/`) && r.status() === 503, { timeout: 25_000 });
  t.equal(failed.status(), 503, 'a reload after the failure gets the failure page');
  await b.page.waitForSelector('body.failed');
  t.match(await b.page.textContent('h1'), /^Could not start c-/, 'its heading says so');
  t.match(await b.page.textContent('#log'), /fatal: cannot open database with token=<masked>/, 'with the app\'s last lines');
  t.notMatch(await b.page.content(), SECRET);
  t.equal(await b.page.getAttribute('#again', 'href'), `/containers/proxy/${uuid}/`, '"Try again" is a plain link');
});

t.test('regression: the status stream sent phase "creating" with the message "Starting the container"', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('owner', { project, role: 'owner' });
  const uuid = await createContainer(gw, token, project, { command: `sh -c 'sleep 1; exec httpd -f -p 80 -h /www'`, timeout: 20 });
  const auth = { authorization: `token ${token}` };
  const events = await readEvents(`${gw.base}/containers/proxy/_status/${uuid}`, auth);
  t.equal(events.at(-1)!.event, 'ready');
  const pairs = new Set(events.map((e) => `${e.data.phase}: ${e.data.message}`));
  for (const p of pairs) {
    if (p.startsWith('creating')) t.match(p, /^creating: Creating/, `"${p}" agrees`);
    if (/Starting the container/.test(p)) t.match(p, /^starting:/, `"${p}" agrees`);
  }
  t.ok([...pairs].some((p) => p.startsWith('waiting: ')), 'it waited for the app');
  await waitFor(async () => (await gw.api('GET', `/containers/api/detail/${uuid}`, token)).body.readiness_failure === null, 2000, 'no failure recorded');
});
