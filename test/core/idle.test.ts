/**
 * idle.test.ts: the idle-stop rule against real containers.
 */
import t from 'tap';
import { startGateway, engineContainers } from '../helpers/gateway.ts';
import { stopIdleContainers, idleSince } from '../../gateway/core/containers/idle.ts';
import { createContainer, startContainer, call } from '../proxy/helpers.ts';

t.test('a never-accessed running container is stopped once idle past its threshold', async (t) => {
  // The scheduled idle-stop job is off: it once stopped the idle container before the call under test did.
  const gw = await startGateway({ PORTICO_MAX_INACTIVITY_DAYS: '2', PORTICO_SCHEDULE_IDLE_STOP: 'off' });
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('owner', { project, role: 'owner' });
  const idle = await createContainer(gw, token, project, { inactivity_threshold: 0 });
  const busy = await createContainer(gw, token, project, { inactivity_threshold: 1 });
  const capped = await createContainer(gw, token, project, { inactivity_threshold: 30 });
  for (const u of [idle, busy, capped]) await startContainer(gw, token, u);
  await call(gw, `/containers/proxy/${busy}/`, { headers: { authorization: `token ${token}` } });

  const stopped = await stopIdleContainers(gw.core, Date.now());
  t.same(stopped, [idle], 'only the container over its threshold (0 days) is stopped');
  const d = await gw.api('GET', `/containers/api/detail/${idle}`, token);
  t.equal(d.body.state, 'exited');
  const log = gw.core.store.logs.tail(gw.core.store.containers.byUuid(idle)!.id, 20);
  t.ok(log.some((e) => /Stopping idle container: no access since it started for \d+ minutes \(inactivity threshold 0 days\)/.test(e.text)), 'the log says why');
  t.equal(engineContainers(gw.instance).filter((c) => c.state === 'running').length, 2, 'the others still run');

  // A day and a bit later: the accessed container (threshold 1) is idle; the 30-day one is capped at 2 days.
  const later = Date.now() + 1.1 * 86_400_000;
  t.same(await stopIdleContainers(gw.core, later), [busy], 'last access older than its threshold');
  t.match(gw.core.store.logs.tail(gw.core.store.containers.byUuid(busy)!.id, 5).map((e) => e.text).join('\n'), /no access for 1\.1 days \(inactivity threshold 1 day\)/);
  t.same(await stopIdleContainers(gw.core, Date.now() + 2.1 * 86_400_000), [capped], 'thresholds are capped by PORTICO_MAX_INACTIVITY_DAYS');
});

t.test('idleSince prefers the newest access, else the start', async (t) => {
  const base = { dateAccessed: null, dateStarted: '2025-01-01T00:00:00.000Z' } as never;
  t.equal(idleSince(base, null), Date.parse('2025-01-01T00:00:00.000Z'));
  t.equal(idleSince({ ...(base as object), dateAccessed: '2025-01-02T00:00:00.000Z' } as never, null), Date.parse('2025-01-02T00:00:00.000Z'));
  t.equal(idleSince({ ...(base as object), dateAccessed: '2025-01-02T00:00:00.000Z' } as never, Date.parse('2025-01-03T00:00:00.000Z')), Date.parse('2025-01-03T00:00:00.000Z'));
  t.equal(idleSince({ dateAccessed: null, dateStarted: null } as never, null), null);
});
