/**
 * retention.test.ts: 1,000,000 lines printed by a real app go through the real ingestion path (the
 * engine's log stream, batched writes) and leave at most the configured number stored, at every
 * moment it is checked, not only at the end.
 */
import t from 'tap';
import { startGateway, waitFor, TEST_IMAGE } from '../helpers/gateway.ts';

const KEEP = 5000;
const LINES = 1_000_000;

t.test(`${LINES} app lines leave at most ${KEEP} stored`, async (t) => {
  const gw = await startGateway({ PORTICO_LOG_RETENTION_LINES: String(KEEP) });
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('rita', { project, role: 'owner' });
  const { body } = await gw.api('POST', `/containers/api/create/${project}`, token, {
    title: 'chatty', ...TEST_IMAGE, command: `sh -c 'seq 1 ${LINES}; exec sleep 3600'`,
  });
  const c = gw.core.store.containers.byUuid(body.sodar_uuid)!;
  const t0 = Date.now();
  await gw.api('POST', `/containers/api/start/${body.sodar_uuid}`, token);
  let maxSeen = 0;
  let checks = 0;
  const last = () => gw.core.store.logs.tail(c.id, 1)[0]?.text;
  await waitFor(() => {
    const n = gw.core.store.logs.count(c.id);
    maxSeen = Math.max(maxSeen, n);
    checks++;
    return last() === String(LINES);
  }, 240_000, 'the last line to be stored');
  const seconds = (Date.now() - t0) / 1000;
  const stored = gw.core.store.logs.count(c.id);
  t.ok(stored <= KEEP, `${stored} lines stored after ${LINES} written (limit ${KEEP})`);
  t.ok(maxSeen <= KEEP, `never more than ${KEEP} at any of ${checks} checks (max ${maxSeen})`);
  const tail = gw.core.store.logs.tail(c.id, KEEP);
  const docker = tail.filter((e) => e.process === 'Docker').map((e) => Number(e.text));
  t.same(docker.slice(-3), [LINES - 2, LINES - 1, LINES], 'the newest lines are the ones kept');
  t.ok(docker.every((n, i) => i === 0 || n === docker[i - 1] + 1), 'kept lines are contiguous (none lost in between)');
  t.comment(`ingested ${LINES} lines in ${seconds.toFixed(1)} s (${Math.round(LINES / seconds)} lines/s, 2 shared cores)`);
  const d = await gw.api('GET', `/containers/api/detail/${body.sodar_uuid}`, token);
  t.equal(d.body.state, 'running', 'the container kept running');
  t.ok(d.body.date_last_docker_log, 'date_last_docker_log follows');
});
