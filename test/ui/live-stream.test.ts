/**
 * live-stream.test.ts: the event streams over real sockets: filtered to what the user may see,
 * replaying what a reconnecting browser missed (Last-Event-ID), asking for a reload when that is
 * impossible, and streaming a container's log lines.
 */
import t from 'tap';
import { startGateway, TEST_IMAGE } from '../helpers/gateway.ts';
import { openStream } from '../helpers/sse-client.ts';
import { session } from '../helpers/ui-http.ts';

t.test('project stream: only the project\'s rows, replay after reconnect, resync when lost', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const mine = gw.project();
  const theirs = gw.project();
  const { token } = await gw.user('ann', { project: mine, role: 'guest' });
  const { token: admin } = await gw.user('root', { admin: true });
  const a = (await gw.api('POST', `/containers/api/create/${mine}`, admin, { title: 'mine', ...TEST_IMAGE })).body.sodar_uuid;
  const b = (await gw.api('POST', `/containers/api/create/${theirs}`, admin, { title: 'theirs', ...TEST_IMAGE })).body.sodar_uuid;
  const s = await session(gw, token);

  const denied = await openStream(`${gw.base}/projects/${theirs}/events`, { cookie: s.cookie });
  t.equal(denied.status, 404, 'no stream for a project the user is not in');
  const anon = await openStream(`${gw.base}/projects/${mine}/events`, {});
  t.equal(anon.status, 401, 'no stream without a login');

  const stream = await openStream(`${gw.base}/projects/${mine}/events`, { cookie: s.cookie });
  t.equal(stream.status, 200);
  await gw.api('POST', `/containers/api/start/${b}`, admin);
  await gw.api('POST', `/containers/api/start/${a}`, admin);
  const ev = await stream.next((e) => e.event === 'fragments' && JSON.parse(e.data)[`row-${a}`]?.includes('data-state="running"'), 20_000, 'mine running');
  t.match(ev.id, /^[0-9a-f]+\.\d+\.0$/, 'events carry a cursor id');
  t.notOk(stream.events.some((e) => e.data.includes(b)), 'nothing about the other project');
  t.notMatch(ev.data, /details class=\\"menu\\"/, 'rendered for a guest: no controls');
  stream.close();

  // Reconnecting with the cursor of an earlier event replays the rows changed since, once each.
  const first = stream.events.find((e) => e.event === 'fragments')!;
  await gw.api('POST', `/containers/api/stop/${a}`, admin);
  const again = await openStream(`${gw.base}/projects/${mine}/events`, { cookie: s.cookie, 'last-event-id': first.id });
  const replay = await again.next((e) => e.event === 'fragments', 5000, 'replay');
  t.match(JSON.parse(replay.data)[`row-${a}`], /data-state="exited"/, 'replay shows the current state');
  await new Promise((r) => setTimeout(r, 300));
  t.equal(again.events.filter((e) => e.event === 'fragments').length, 1, 'one fragment per changed container');
  again.close();

  const stale = await openStream(`${gw.base}/projects/${mine}/events?since=${'f'.repeat(8)}.1.0`, { cookie: s.cookie });
  await stale.next((e) => e.event === 'resync', 5000, 'resync');
  t.pass('a cursor from another gateway run asks for a reload');
  stale.close();
});

t.test('container stream: state, log lines and catch-up of missed lines', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('lou', { project, role: 'contributor' });
  const uuid = (await gw.api('POST', `/containers/api/create/${project}`, token, { title: 'streamed', ...TEST_IMAGE })).body.sodar_uuid;
  const s = await session(gw, token);

  const stream = await openStream(`${gw.base}/containers/${uuid}/events`, { cookie: s.cookie });
  t.equal(stream.status, 200);
  const started = gw.api('POST', `/containers/api/start/${uuid}`, token);
  const state = await stream.next((e) => e.event === 'fragments' && e.data.includes('data-state=\\"running\\"'), 20_000, 'running');
  t.ok(JSON.parse(state.data)[`runtime-${uuid}`], 'runtime fields refreshed');
  const log = await stream.next((e) => e.event === 'log' && e.data.includes('Starting succeeded'), 10_000, 'log line');
  t.match(JSON.parse(log.data).html, /class="ll lv-INFO" data-id="\d+"/);
  await started;
  stream.close();

  // Lines written while disconnected arrive on reconnect, after the cursor only.
  const c = gw.core.store.containers.byUuid(uuid)!;
  gw.core.containers.log.add(c, 'WARNING', 'x', 'Task', 'while away 1');
  gw.core.containers.log.add(c, 'ERROR', 'x', 'Task', 'while away 2');
  const back = await openStream(`${gw.base}/containers/${uuid}/events`, { cookie: s.cookie, 'last-event-id': log.id });
  const l1 = await back.next((e) => e.event === 'log' && e.data.includes('while away 1'), 5000, 'missed line 1');
  await back.next((e) => e.event === 'log' && e.data.includes('while away 2'), 5000, 'missed line 2');
  t.match(JSON.parse(l1.data).html, /lv-WARNING/, 'level class for colours');
  t.notOk(back.events.some((e) => e.data.includes('(Action)') && e.data.includes('Start')), 'lines before the cursor are not repeated');

  await gw.api('DELETE', `/containers/api/delete/${uuid}`, token);
  await back.next((e) => e.event === 'end', 10_000, 'end after delete');
  const gone = back.events.filter((e) => e.event === 'fragments').pop()!;
  t.match(JSON.parse(gone.data)[`status-${uuid}`], /has been deleted/, 'the page learns the container is gone');
  await back.ended;
  t.pass('the stream ends');
});
