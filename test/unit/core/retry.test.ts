import assert from 'node:assert/strict';
import { CreatOkError, type CreatOkErrorKind } from '../../../src/core/api/errors';
import { isRetryableRead, parseRetryAfter, provablyNeverSent, retryDelayMs, withRetry, type RetryPolicy } from '../../../src/core/api/retry';
import { FakeClock } from '../helpers/fakeClock';

const policy: RetryPolicy = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 8000, maxRetryAfterMs: 30_000, budgetMs: 60_000 };

function failing(kinds: CreatOkErrorKind[], details: CreatOkError['details'] = {}): { op: () => Promise<string>; calls: () => number } {
  let calls = 0;
  return {
    op: async () => {
      const kind = kinds[calls++];
      if (kind) throw new CreatOkError(kind, kind, details);
      return 'ok';
    },
    calls: () => calls,
  };
}

/** Runs withRetry to the end on a fake clock, returning the result and the delays it slept. */
async function drive<T>(clock: FakeClock, promise: Promise<T>): Promise<T> {
  let settled = false;
  const watched = promise.finally(() => (settled = true));
  while (!settled) await clock.advance(1000);
  return watched;
}

describe('retry policy for reads', () => {
  it('retries each transient fault kind, and none of the final ones', () => {
    for (const kind of ['network', 'timeout', 'server', 'rateLimited', 'invalidAnswer', 'apiError'] as const) {
      assert.ok(isRetryableRead(new CreatOkError(kind, kind)), kind);
    }
    for (const kind of ['unauthorized', 'notFound', 'badRequest', 'cancelled'] as const) {
      assert.ok(!isRetryableRead(new CreatOkError(kind, kind)), kind);
    }
  });

  it('backs off exponentially with full jitter, capped', () => {
    const top = (): number => 0.999999;
    assert.equal(retryDelayMs(0, policy, undefined, top), 499);
    assert.equal(retryDelayMs(1, policy, undefined, top), 999);
    assert.equal(retryDelayMs(3, policy, undefined, top), 3999);
    assert.equal(retryDelayMs(10, policy, undefined, top), 7999, 'capped at maxDelayMs');
    assert.equal(retryDelayMs(3, policy, undefined, () => 0), 0, 'full jitter reaches zero');
  });

  it('waits at least Retry-After, up to its cap', () => {
    assert.equal(retryDelayMs(0, policy, 12_000, () => 0.5), 12_000);
    assert.equal(retryDelayMs(0, policy, 600_000, () => 0.5), 30_000, 'capped at maxRetryAfterMs');
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-11-25T10:00:00Z');
    assert.equal(parseRetryAfter('7', now), 7000);
    assert.equal(parseRetryAfter('1.5', now), 1500);
    assert.equal(parseRetryAfter('Wed, 25 Nov 2026 10:00:30 GMT', now), 30_000);
    assert.equal(parseRetryAfter('Wed, 25 Nov 2026 09:00:00 GMT', now), 0, 'a date in the past means now');
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter(null, now), undefined);
  });

  it('retries until success, sleeping between attempts on the clock', async () => {
    const clock = new FakeClock();
    const f = failing(['server', 'rateLimited', 'network']);
    const slept: number[] = [];
    const result = await drive(clock, withRetry(f.op, { policy, clock, random: () => 0.5, onRetry: (_e, _a, d) => slept.push(d) }));
    assert.equal(result, 'ok');
    assert.equal(f.calls(), 4);
    assert.deepEqual(slept, [250, 500, 1000]);
  });

  it('honours Retry-After from the error', async () => {
    const clock = new FakeClock();
    const f = failing(['rateLimited'], { retryAfterMs: 5000 });
    const slept: number[] = [];
    await drive(clock, withRetry(f.op, { policy, clock, random: () => 0, onRetry: (_e, _a, d) => slept.push(d) }));
    assert.deepEqual(slept, [5000]);
  });

  it('gives up after maxAttempts with the last error', async () => {
    const clock = new FakeClock();
    const f = failing(['server', 'server', 'server', 'server', 'timeout', 'server']);
    await assert.rejects(drive(clock, withRetry(f.op, { policy, clock })), (e: CreatOkError) => e.kind === 'timeout');
    assert.equal(f.calls(), 5);
  });

  it('gives up when the next wait would overrun the budget', async () => {
    const clock = new FakeClock();
    const f = failing(['rateLimited', 'rateLimited', 'rateLimited'], { retryAfterMs: 25_000 });
    await assert.rejects(drive(clock, withRetry(f.op, { policy: { ...policy, budgetMs: 40_000 }, clock })));
    assert.equal(f.calls(), 2, 'a second 25 s wait would end after 50 s > 40 s');
  });

  it('does not retry a final answer', async () => {
    const clock = new FakeClock();
    const f = failing(['unauthorized']);
    await assert.rejects(drive(clock, withRetry(f.op, { policy, clock })), (e: CreatOkError) => e.kind === 'unauthorized');
    assert.equal(f.calls(), 1);
  });

  it('stops waiting at once when cancelled', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    const f = failing(['server', 'server']);
    const pending = withRetry(f.op, { policy, clock, random: () => 0.9, signal: controller.signal });
    await clock.advance(10);
    controller.abort();
    await assert.rejects(pending, (e: Error) => e.name === 'AbortError');
    assert.equal(f.calls(), 1);
  });
});

describe('retry policy for the paid submit', () => {
  it('repeats only what provably never left (DNS failure, connection refused)', () => {
    assert.ok(provablyNeverSent(new CreatOkError('network', 'refused', { mayHaveReachedServer: false })));
    assert.ok(!provablyNeverSent(new CreatOkError('network', 'reset', { mayHaveReachedServer: true })));
    assert.ok(!provablyNeverSent(new CreatOkError('network', 'unknown')), 'unknown means maybe');
    assert.ok(!provablyNeverSent(new CreatOkError('timeout', 't', { mayHaveReachedServer: false })));
    assert.ok(!provablyNeverSent(new CreatOkError('server', '502', { mayHaveReachedServer: true })));
  });

  it('never repeats a submit whose connection dropped after sending', async () => {
    const clock = new FakeClock();
    const f = failing(['network', 'network'], { mayHaveReachedServer: true });
    await assert.rejects(drive(clock, withRetry(f.op, { policy, clock, shouldRetry: provablyNeverSent })));
    assert.equal(f.calls(), 1);
  });

  it('repeats a submit that was refused before connecting, and succeeds', async () => {
    const clock = new FakeClock();
    const f = failing(['network'], { mayHaveReachedServer: false });
    assert.equal(await drive(clock, withRetry(f.op, { policy, clock, shouldRetry: provablyNeverSent })), 'ok');
    assert.equal(f.calls(), 2);
  });
});
