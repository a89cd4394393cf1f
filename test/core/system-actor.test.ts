/**
 * system-actor.test.ts: who a container log line names. Regression: lines the gateway wrote on its
 * own (the idle stop here; also the syncs, recovery and the public sweep) said "anonymous", which
 * reads as an unknown person; they say "system", a person's action keeps their name, and the
 * Kiosc-compatible log API keeps its shape (user a string, Kiosc's line format).
 */
import t from 'tap';
import { startGateway } from '../helpers/gateway.ts';
import { stopIdleContainers } from '../../gateway/core/containers/idle.ts';
import { createContainer, startContainer } from '../proxy/helpers.ts';

t.test('regression: the idle stop is logged by "system", not "anonymous"; the owner\'s start keeps their name', async (t) => {
  const gw = await startGateway({ PORTICO_SCHEDULE_IDLE_STOP: 'off' });
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('olga', { project, role: 'owner' });
  const uuid = await createContainer(gw, token, project, { inactivity_threshold: 0 });
  await startContainer(gw, token, uuid);
  t.same(await stopIdleContainers(gw.core, Date.now()), [uuid], 'the idle rule stops it');

  const r = await gw.api('GET', `/containers/api/logs/${uuid}?lines=200`, token);
  t.equal(r.status, 200);
  const rows = r.body.results as Array<{ date: string; level: string; user: unknown; process: string; text: string; line: string }>;
  t.ok(rows.every((e) => typeof e.user === 'string' && Object.keys(e).join() === 'date,level,user,process,text,line'), 'every entry keeps the Kiosc-compatible shape');
  t.notOk(rows.some((e) => e.user === 'anonymous'), 'no line says "anonymous"');
  const idle = rows.find((e) => e.text.startsWith('Stopping idle container'));
  t.equal(idle?.user, 'system', 'the idle stop is by system');
  t.match(idle?.line, /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d INFO system\] \(Task\) Stopping idle container/, "Kiosc's line format with system as the user");
  const stopping = rows.filter((e) => e.text === 'Stopping ...' || e.text === 'Stopping succeeded');
  t.ok(stopping.length > 0 && stopping.every((e) => e.user === 'system'), 'the stop it caused is by system too');
  const starting = rows.filter((e) => e.text === 'Starting succeeded');
  t.ok(starting.length > 0 && starting.every((e) => e.user === 'olga'), "the person's start keeps their name");
});
