import assert from 'node:assert/strict';
import { expectedDuration, finishFromProgress, MAX_DELAY_MS, MIN_DELAY_MS, nextPollDelay } from '../../../src/core/pollSchedule';

describe('poll schedule', () => {
  it('without hints starts dense and grows to at most 5 s', () => {
    assert.equal(nextPollDelay({ elapsedMs: 0, polls: 1 }), 1000);
    assert.equal(nextPollDelay({ elapsedMs: 20_000, polls: 5 }), 3000);
    assert.equal(nextPollDelay({ elapsedMs: 600_000, polls: 50 }), 5000);
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

  it('uses the typical duration of similar runs: sparse before, dense around it, sparser after', () => {
    const expectedMs = 40_000;
    assert.equal(nextPollDelay({ elapsedMs: 0, polls: 1, expectedMs }), MAX_DELAY_MS);
    assert.equal(nextPollDelay({ elapsedMs: 30_000, polls: 3, expectedMs }), 1000);
    assert.equal(nextPollDelay({ elapsedMs: 45_000, polls: 9, expectedMs }), 1000);
    assert.equal(nextPollDelay({ elapsedMs: 90_000, polls: 20, expectedMs }), 9000);
  });

  it('takes the median duration of at least two similar finished runs', () => {
    const history = [
      { model: 'a', resolution: '2K', n: 1, durationMs: 10_000 },
      { model: 'a', resolution: '2K', n: 1, durationMs: 30_000 },
      { model: 'a', resolution: '2K', n: 1, durationMs: 20_000 },
      { model: 'a', resolution: '4K', n: 1, durationMs: 90_000 },
      { model: 'b', resolution: '2K', n: 1, durationMs: 5_000 },
    ];
    assert.equal(expectedDuration(history, { model: 'a', resolution: '2K', n: 1 }), 20_000);
    assert.equal(expectedDuration(history, { model: 'a', resolution: '4K', n: 1 }), undefined, 'one run is not enough');
    assert.equal(expectedDuration(history, { model: 'a', resolution: '2K', n: 2 }), undefined);
  });
});
