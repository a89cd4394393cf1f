/**
 * view.test.ts: unit tests of the UI's pure logic: which controls a role gets per state, the
 * mismatch bell, the live hub's replay window, cursors, pagination links and the
 * classification of engine containers.
 */
import t from 'tap';
import { Bus } from '../../gateway/core/events.ts';
import type { ContainerInfo } from '../../gateway/core/engine/engine.ts';
import { allowedActions, stateMismatch } from '../../admin/ui/container-view.ts';
import { createLiveHub, formatCursor, parseCursor } from '../../admin/ui/live-hub.ts';
import { pager, pageParam } from '../../admin/ui/pager.ts';
import { classifyUnmanaged } from '../../admin/ui/siteadmin-docker.ts';

t.test('controls per state and role (Kiosc 1.4.1, 1.6.4)', async (t) => {
  const owner = { isAdmin: false, role: 'owner' as const };
  t.same(allowedActions('running', owner), ['stop', 'pause', 'restart', 'kill', 'reset']);
  t.same(allowedActions('exited', owner), ['start', 'reset']);
  t.same(allowedActions('initial', owner), ['start']);
  t.same(allowedActions('paused', owner), ['unpause', 'stop', 'kill']);
  t.same(allowedActions('pulling', owner), [], 'nothing while pulling');
  t.same(allowedActions('running', { isAdmin: false, role: 'contributor' }), ['stop', 'pause', 'restart', 'kill', 'reset'], 'contributors act');
  t.same(allowedActions('running', { isAdmin: false, role: 'guest' }), [], 'guests get no controls');
  t.same(allowedActions('exited', { isAdmin: false, role: null }), [], 'non-members get nothing');
  t.same(allowedActions('exited', { isAdmin: true, role: null }), ['start', 'reset'], 'site admins act anywhere');
});

t.test('the bell rings when the last action and the state disagree', async (t) => {
  t.equal(stateMismatch({ lastAction: 'start', state: 'exited' }, false), true);
  t.equal(stateMismatch({ lastAction: 'start', state: 'failed' }, false), true);
  t.equal(stateMismatch({ lastAction: 'start', state: 'running' }, false), false);
  t.equal(stateMismatch({ lastAction: 'stop', state: 'running' }, false), true);
  t.equal(stateMismatch({ lastAction: 'stop', state: 'exited' }, false), false);
  t.equal(stateMismatch({ lastAction: 'pause', state: 'running' }, false), true);
  t.equal(stateMismatch({ lastAction: 'start', state: 'exited' }, true), false, 'not while an action runs');
  t.equal(stateMismatch({ lastAction: 'start', state: 'pulling' }, false), false, 'not in transient states');
  t.equal(stateMismatch({ lastAction: null, state: 'exited' }, false), false, 'no action, no bell');
});

t.test('live hub: numbered changes, replay window, epochs', async (t) => {
  const bus = new Bus();
  const hub = createLiveHub(bus, 3);
  t.teardown(() => hub.close());
  const emit = (n: number) => bus.emit('state', { containerId: n, uuid: `u${n}`, projectId: 1, state: 'running', reason: null });
  const start = hub.cursor();
  const seen: number[] = [];
  const off = hub.subscribe((e) => seen.push(e.seq));
  emit(1); emit(2);
  t.same(seen, [1, 2], 'subscribers get numbered changes');
  t.same(hub.since(start)!.map((e) => e.containerId), [1, 2], 'replay from a cursor');
  t.same(hub.since(hub.cursor()), [], 'nothing missed at the head');
  emit(3); emit(4);
  t.equal(hub.since(start), null, 'older than the buffer: reload instead');
  t.same(hub.since({ ...start, seq: 1 })!.map((e) => e.seq), [2, 3, 4], 'still inside the buffer');
  t.equal(hub.since({ ...start, epoch: 'other' }), null, 'another run of the gateway: reload');
  t.equal(hub.since({ ...start, seq: 99 }), null, 'a cursor from the future: reload');
  off();
  emit(5);
  t.same(seen, [1, 2, 3, 4], 'unsubscribed');
  const c = { epoch: 'ab12', seq: 7, logId: 99 };
  t.same(parseCursor(formatCursor(c)), c, 'cursor round trip');
  for (const bad of ['', 'x', 'ab12.7', 'AB.1.2', 'ab12.-1.0', 'ab12.1.2.3', null]) t.equal(parseCursor(bad), null, `malformed cursor ${JSON.stringify(bad)}`);
});

t.test('pagination links keep the filters', async (t) => {
  const url = new URL('http://x/siteadmin?q=a%20b&state=running&page=2&done=start');
  const p = pager(url, 2, 50, 120);
  t.equal(p.from, 51);
  t.equal(p.to, 100);
  t.equal(p.pages, 3);
  t.equal(p.prev, '/siteadmin?q=a+b&state=running', 'page 1 drops the page parameter');
  t.equal(p.next, '/siteadmin?q=a+b&state=running&page=3');
  t.equal(pager(url, 1, 50, 0).from, 0, 'empty list');
  t.equal(pageParam(new URL('http://x/?page=abc')), 1);
  t.equal(pageParam(new URL('http://x/?page=0')), 1);
  t.equal(pageParam(new URL('http://x/?page=4')), 4);
});

t.test('engine containers: ours hidden, Portico\'s own greyed, orphans named', async (t) => {
  const info = (id: string, name: string, labels: Record<string, string>): ContainerInfo => ({
    id, name, image: 'img', imageId: 'sha', state: 'running', labels, ips: {}, hostPorts: {}, startedAt: null, finishedAt: null, exitCode: null, error: null, createdAt: '',
  });
  const rows = classifyUnmanaged([
    info('a1', 'app', { 'portico.managed': 'true', 'portico.instance': 'me', 'portico.container': 'known' }),
    info('b2', 'orphan', { 'portico.managed': 'true', 'portico.instance': 'me', 'portico.container': 'gone' }),
    info('c3', 'neighbour', { 'portico.managed': 'true', 'portico.instance': 'staging' }),
    info('d4', 'postgres', {}),
    info('e5abcdef', 'gateway', {}),
  ], (u) => u === 'known', 'me', { shared: true, names: ['', 'e5abcdef'] });
  t.same(rows.map((r) => [r.name, r.grey]), [['orphan', false], ['postgres', false], ['gateway', true], ['neighbour', true]]);
  t.match(rows[0].note, /orphan/);
  t.equal(rows[2].note, 'this gateway');
});
