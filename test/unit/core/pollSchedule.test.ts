import assert from 'node:assert/strict';
import { expectedDuration, finishFromProgress, MAX_DELAY_MS, MIN_DELAY_MS, nextPollDelay } from '../../../src/core/pollSchedule';

describe('poll schedule', () => {
  it('without hints reads every 3 s, like the skill\'s own client (never worse on latency or reads)', () => {
    for (const elapsedMs of [0, 20_000, 600_000]) assert.equal(nextPollDelay({ elapsedMs, polls: 5 }), 3000);
  });

  it('predicts the end from two progress samples', () => {
    assert.equal(finishFromProgress({ elapsedMs: 10_000, progress: 10 }, { elapsedMs: 20_000, progress: 30 }), 55_000);
    assert.equal(finishFromProgress(undefined, { elapsedMs: 20_000, progress: 30 }), undefined);
    assert.equal(finishFromProgress({ elapsedMs: 10_000, progress: 30 }, { elapsedMs: 20_000, progress: 30 }), undefined, 'no movement, no rate');
  });

  it('aims just past the predicted end, never below the floor or above the ceiling', () => {
    const far = nextPollDelay({ elapsedMs: 20_000, polls: 3, firstProgress: { elapsedMs: 10_000, progress: 10 }, lastProgress: { elapsedMs: 20_000, progress: 30 } });
    assert.equal(far, MAX_DELAY_MS, '35 s left: sparse');
    const near = nextPollDelay({ elapsedMs: 54_000, polls: 6, firstProgress: { elapsedMs: 10_000, progress: 10 }, lastProgress: { elapsedMs: 54_000, progress: 98 } });
    assert.ok(near >= 1000 && near <= 1200, `1 s left: ${near}`);
    const late = nextPollDelay({ elapsedMs: 60_000, polls: 8, firstProgress: { elapsedMs: 10_000, progress: 10 }, lastProgress: { elapsedMs: 54_000, progress: 98 } });
    assert.equal(late, MIN_DELAY_MS, 'past the predicted end: dense');
  });

  it('uses the typical duration of similar runs: one wait until 0.75 E, dense until 1.45 E, then every 2 s', () => {
    const expectedMs = 40_000;
    assert.equal(nextPollDelay({ elapsedMs: 0, polls: 1, expectedMs }), 10_000, 'towards the window, at most 10 s at a time');
    assert.equal(nextPollDelay({ elapsedMs: 25_000, polls: 3, expectedMs }), 5_000, 'to the start of the window');
    const inWindow = nextPollDelay({ elapsedMs: 32_000, polls: 2, expectedMs });
    assert.ok(inWindow >= 700 && inWindow <= 2500 && inWindow < 3000, String(inWindow));
    assert.equal(nextPollDelay({ elapsedMs: 90_000, polls: 20, expectedMs }), 2000);
    assert.equal(nextPollDelay({ elapsedMs: 0, polls: 1, expectedMs: 400_000 }), 10_000, 'a wrong or planted duration costs at most 10 s');
  });

  it('meets its targets against 3 s polling in a simulation: history off by up to ±30 % gives lower latency at fewer reads', () => {
    const run = (T: number, schedule: (ctx: { elapsedMs: number; polls: number }) => number): { latency: number; reads: number } => {
      for (let t = 0, reads = 1; ; reads++) {
        if (t >= T) return { latency: t - T, reads };
        t += schedule({ elapsedMs: t, polls: reads });
      }
    };
    let seed = 7;
    const random = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const totals = { ours: { latency: 0, reads: 0 }, base: { latency: 0, reads: 0 } };
    for (let trial = 0; trial < 50; trial++) {
      for (let i = 0; i < 10; i++) {
        const T = 6500 + i * 6111;
        const expectedMs = T * (1 + (random() * 0.6 - 0.3));
        const ours = run(T, (ctx) => nextPollDelay({ ...ctx, expectedMs }));
        const base = run(T, () => 3000);
        totals.ours.latency += ours.latency;
        totals.ours.reads += ours.reads;
        totals.base.latency += base.latency;
        totals.base.reads += base.reads;
      }
    }
    assert.ok(totals.ours.latency <= 0.75 * totals.base.latency, `latency ${(totals.ours.latency / totals.base.latency).toFixed(2)}`);
    assert.ok(totals.ours.reads <= totals.base.reads, `reads ${(totals.ours.reads / totals.base.reads).toFixed(2)}`);
  });

  it('takes the median duration of the similar finished runs (one is enough)', () => {
    const history = [
      { model: 'a', resolution: '2K', n: 1, durationMs: 10_000 },
      { model: 'a', resolution: '2K', n: 1, durationMs: 30_000 },
      { model: 'a', resolution: '2K', n: 1, durationMs: 20_000 },
      { model: 'a', resolution: '4K', n: 1, durationMs: 90_000 },
      { model: 'b', resolution: '2K', n: 1, durationMs: 5_000 },
    ];
    assert.equal(expectedDuration(history, { model: 'a', resolution: '2K', n: 1 }), 20_000);
    assert.equal(expectedDuration(history, { model: 'a', resolution: '4K', n: 1 }), 90_000, 'one run is enough');
    assert.equal(expectedDuration(history, { model: 'a', resolution: '2K', n: 2 }), undefined);
  });
});
