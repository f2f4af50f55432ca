import assert from 'node:assert/strict';
import { ListingGuard, type Schedule } from '../../../src/core/runs/listingGuard';

/** Timers on a virtual clock, run by `advance`. */
function fakeSchedule(): { schedule: Schedule; advance(ms: number): void; pending(): number } {
  let now = 0;
  const timers = new Set<{ at: number; fn: () => void }>();
  return {
    schedule: (fn, ms) => {
      const timer = { at: now + ms, fn };
      timers.add(timer);
      return { cancel: () => void timers.delete(timer) };
    },
    advance(ms) {
      const until = now + ms;
      for (;;) {
        const next = [...timers].filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
        if (!next) break;
        timers.delete(next);
        now = next.at;
        next.fn();
      }
      now = until;
    },
    pending: () => timers.size,
  };
}

describe('the Tasks view listing guard (rows changed while the whole list was being listed)', () => {
  const setup = () => {
    const clock = fakeSchedule();
    const refired: string[][] = [];
    const guard = new ListingGuard<{ key: string }>((keys) => refired.push([...keys]), clock.schedule, { settleMs: 100, againMs: 1000, maxWaitMs: 5000 });
    return { clock, refired, guard };
  };

  it('refreshes a row that changed during a listing again, after every item of it is made and the answer settled, then once more', () => {
    const { clock, refired, guard } = setup();
    const a = { key: 'a' };
    const b = { key: 'b' };
    guard.listed([a, b]);
    assert.equal(guard.inFlight, true);
    guard.made(a);
    guard.changed('a'); // changed after the listing read it, before the listing landed
    clock.advance(500);
    assert.deepEqual(refired, [], 'not while an item of the listing is still being made');
    guard.made(b);
    clock.advance(99);
    assert.deepEqual(refired, [], 'not before the answer settled');
    clock.advance(1);
    assert.deepEqual(refired, [['a']]);
    assert.equal(guard.inFlight, false);
    clock.advance(1000);
    assert.deepEqual(refired, [['a'], ['a']], 'and once more, for a renderer that took both answers at once');
    clock.advance(10_000);
    assert.equal(refired.length, 2);
  });

  it('does nothing more for a change outside any listing, or a listing without changes', () => {
    const { clock, refired, guard } = setup();
    guard.changed('a');
    const a = { key: 'a' };
    guard.listed([a]);
    guard.made(a);
    clock.advance(10_000);
    assert.deepEqual(refired, []);
    assert.equal(clock.pending(), 0, 'no timer left behind');
  });

  it('counts only the items of the current listing: an item of an older one does not land it', () => {
    const { clock, refired, guard } = setup();
    const older = { key: 'a' };
    guard.listed([older]);
    guard.made(older);
    clock.advance(200);
    const newer = { key: 'a' };
    guard.listed([newer]);
    guard.changed('a');
    guard.made(older); // a row refresh of the element VS Code still held
    clock.advance(1000);
    assert.deepEqual(refired, [], 'the newer listing has not landed');
    guard.made(newer);
    clock.advance(100);
    assert.deepEqual(refired, [['a']]);
  });

  it('carries the changed rows into a listing that replaced one in flight', () => {
    const { clock, refired, guard } = setup();
    const first = { key: 'a' };
    guard.listed([first, { key: 'b' }]);
    guard.changed('b');
    const second = [{ key: 'a' }, { key: 'b' }];
    guard.listed(second); // VS Code gave up on the first listing
    guard.changed('a');
    second.forEach((item) => guard.made(item));
    clock.advance(100);
    assert.deepEqual(refired.map((k) => [...k].sort()), [['a', 'b']]);
  });

  it('gives up waiting for a listing that never makes all its items, and refreshes the rows then', () => {
    const { clock, refired, guard } = setup();
    guard.listed([{ key: 'a' }, { key: 'b' }]);
    guard.changed('b');
    clock.advance(4999);
    assert.deepEqual(refired, []);
    clock.advance(1);
    assert.deepEqual(refired, [['b']]);
    assert.equal(guard.inFlight, false);
  });

  it('waits as long as a slow listing makes progress: the longest wait counts from its last item', () => {
    const { clock, refired, guard } = setup();
    const items = [{ key: 'a' }, { key: 'b' }, { key: 'c' }];
    guard.listed(items);
    guard.changed('a');
    clock.advance(4000);
    guard.made(items[0]!);
    clock.advance(4000);
    guard.made(items[1]!);
    clock.advance(4000);
    assert.deepEqual(refired, [], 'still listing after 12 s, with progress every 4 s');
    guard.made(items[2]!);
    clock.advance(100);
    assert.deepEqual(refired, [['a']]);
  });

  it('an empty listing settles at once; dispose cancels every timer', () => {
    const { clock, refired, guard } = setup();
    guard.listed([]);
    guard.changed('x');
    clock.advance(100);
    assert.deepEqual(refired, [['x']]);
    guard.listed([{ key: 'y' }]);
    guard.changed('y');
    guard.dispose();
    assert.equal(clock.pending(), 0);
    clock.advance(10_000);
    assert.deepEqual(refired, [['x']]);
  });
});
