/**
 * scheduler.test.ts: the cron scheduler never overlaps a job with itself, logs every run, and stop
 * waits (bounded) for a run in progress. Schedules are validated at start-up.
 */
import t from 'tap';
import { createScheduler } from '../../gateway/core/scheduler/scheduler.ts';
import { Registry } from '../../gateway/core/metrics.ts';
import { loadConfig } from '../../gateway/core/config.ts';

function memoryLogger() {
  const lines: Array<{ level: string; msg: string; fields?: Record<string, unknown> }> = [];
  const at = (level: string) => (msg: string, fields?: Record<string, unknown>) => { lines.push({ level, msg, fields }); };
  return { lines, logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } };
}

t.test('a job that outlasts its interval is skipped, never run twice at once', async (t) => {
  const { lines, logger } = memoryLogger();
  const metrics = new Registry();
  const s = createScheduler({ logger, metrics });
  let concurrent = 0, maxConcurrent = 0, runs = 0;
  s.add('slow', '* * * * * *', async () => {
    concurrent++; runs++;
    maxConcurrent = Math.max(maxConcurrent, concurrent);
    await new Promise((r) => setTimeout(r, 2500));
    concurrent--;
    return 'did slow work';
  });
  await new Promise((r) => setTimeout(r, 4200));
  const st = s.status()[0];
  t.equal(maxConcurrent, 1, 'never two runs at once');
  t.ok(st.skipped >= 1, `ticks skipped while running (${st.skipped})`);
  t.ok(lines.some((l) => l.msg === 'job still running; tick skipped' && l.fields?.job === 'slow'), 'skips are logged');
  await s.stop(5000);
  t.equal(concurrent, 0, 'stop waited for the run in progress');
  t.ok(lines.some((l) => l.msg === 'job done' && l.fields?.result === 'did slow work'), 'each run is logged with its result');
  t.match(metrics.render(), /portico_job_runs_total\{job="slow",result="skipped"\} \d+/, 'runs counted in metrics');
  const after = runs;
  await new Promise((r) => setTimeout(r, 1200));
  t.equal(runs, after, 'no run after stop');
});

t.test('a failing job is logged and counted, and runs again next time', async (t) => {
  const { lines, logger } = memoryLogger();
  const s = createScheduler({ logger });
  let n = 0;
  s.add('flaky', null, () => { n++; if (n === 1) throw new Error('boom'); });
  await s.runNow('flaky');
  await s.runNow('flaky');
  const st = s.status()[0];
  t.equal(st.runs, 2);
  t.equal(st.failures, 1);
  t.equal(st.schedule, 'off', 'a null schedule only runs on demand');
  t.ok(lines.some((l) => l.level === 'warn' && l.msg === 'job failed'), 'failure logged');
  await s.stop();
});

t.test('schedules are cron expressions or "off"', async (t) => {
  const c = loadConfig({ PORTICO_SCHEDULE_SYNC: '*/5 * * * * *', PORTICO_SCHEDULE_PRUNE: 'off' });
  t.equal(c.schedules.lastActionSync, '*/5 * * * * *');
  t.equal(c.schedules.pruneZombies, null);
  t.equal(c.schedules.uptimeSample, '0 * * * * *', 'default');
  t.throws(() => loadConfig({ PORTICO_SCHEDULE_UPTIME: 'every minute' }), /PORTICO_SCHEDULE_UPTIME must be a cron expression/);
  t.throws(() => loadConfig({ PORTICO_METRICS_TOKEN: 'short' }), /PORTICO_METRICS_TOKEN/);
});
