/**
 * action-queue.test.ts: one action at a time per container; identical requests join; cool-down waits.
 */
import t from 'tap';
import { ActionQueue } from '../../gateway/core/containers/action-queue.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('identical concurrent actions join one run', async (t) => {
  const q = new ActionQueue(0);
  let runs = 0;
  const results = await Promise.all(Array.from({ length: 100 }, () => q.run(1, 'start', async () => { runs++; await sleep(20); return 'ok'; })));
  t.equal(runs, 1);
  t.ok(results.every((r) => r === 'ok'));
});

t.test('different actions run one after another, never overlapping', async (t) => {
  const q = new ActionQueue(0);
  const log: string[] = [];
  let active = 0;
  const job = (name: string) => async () => {
    active++;
    t.equal(active, 1, `${name} runs alone`);
    log.push(name);
    await sleep(10);
    active--;
  };
  await Promise.all([q.run(1, 'start', job('start')), q.run(1, 'stop', job('stop')), q.run(1, 'start', job('start2'))]);
  t.same(log, ['start', 'stop', 'start2']);
});

t.test('other containers are not held up', async (t) => {
  const q = new ActionQueue(0);
  const order: number[] = [];
  await Promise.all([q.run(1, 'start', async () => { await sleep(50); order.push(1); }), q.run(2, 'start', async () => { order.push(2); })]);
  t.same(order, [2, 1]);
});

t.test('a failure reaches the caller and frees the lane', async (t) => {
  const q = new ActionQueue(0);
  await t.rejects(q.run(1, 'start', async () => { throw new Error('boom'); }), /boom/);
  t.equal(await q.run(1, 'start', async () => 'again'), 'again');
  t.notOk(q.busy(1));
});

t.test('the cool-down delays the next action instead of refusing it', async (t) => {
  const q = new ActionQueue(150);
  await q.run(1, 'start', async () => {});
  const t0 = Date.now();
  await q.run(1, 'stop', async () => {});
  t.ok(Date.now() - t0 >= 140, `waited ${Date.now() - t0} ms`);
});
