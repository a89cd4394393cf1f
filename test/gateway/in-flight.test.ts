/**
 * in-flight.test.ts: the tracker of responses under way (graceful shutdown): counts, visits,
 * reuses slots, ignores unknown or repeated removals, and keeps no reference to what was removed.
 */
import t from 'tap';
import { createInFlight } from '../../gateway/in-flight.ts';

t.test('add, remove, size, forEach', async (t) => {
  const f = createInFlight<{ n: number }>();
  const a = { n: 1 }, b = { n: 2 }, c = { n: 3 };
  f.add(a); f.add(b); f.add(c);
  t.equal(f.size(), 3);
  f.remove(b);
  f.remove(b);
  f.remove({ n: 9 });
  t.equal(f.size(), 2, 'a repeated or unknown removal changes nothing');
  const seen: number[] = [];
  f.forEach((x) => seen.push(x.n));
  t.same(seen.sort(), [1, 3]);
  const d = { n: 4 };
  f.add(d);
  const after: number[] = [];
  f.forEach((x) => after.push(x.n));
  t.same(after, [1, 4, 3], "the freed slot is reused (the array does not grow past the peak)");
  f.remove(a); f.remove(c); f.remove(d);
  t.equal(f.size(), 0);
  let any = false;
  f.forEach(() => { any = true; });
  t.notOk(any, 'nothing left to visit: removed items are not referenced any more');
});
