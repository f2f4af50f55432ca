// When to read a task's status next. Dense where the task is likely to finish, sparse where it
// is not: from the task's own `progress` when the server reports it (the contract does not
// promise it), else from how long earlier runs of the same model, resolution and count took.
// With neither, every 3 s: what the CreatOK skill's own client does, so never worse than it.

export interface ProgressSample {
  elapsedMs: number;
  progress: number;
}

export interface PollContext {
  /** Since the watch began. */
  elapsedMs: number;
  polls: number;
  /** The last status answer's status. */
  status?: string;
  /** The first and the latest sample with a progress figure above 0, if any. */
  firstProgress?: ProgressSample;
  lastProgress?: ProgressSample;
  /** The typical total duration of similar runs, when known. */
  expectedMs?: number;
}

export const MIN_DELAY_MS = 500;
export const MAX_DELAY_MS = 10_000;
/** Without any hint: the skill's own fixed interval (no schedule beats it on both latency and reads). */
export const BLIND_INTERVAL_MS = 3_000;
/** With a typical duration E: the task is expected to end between these fractions of E. */
const WINDOW_START = 0.75;
const WINDOW_END = 1.45;
/** The longest single wait before the window: a wrong (or planted) duration costs at most this. */
const HINTED_MAX_WAIT_MS = MAX_DELAY_MS;

const clamp = (value: number, low: number, high: number): number => Math.min(high, Math.max(low, value));

/** The estimated time (since the watch began) at which the task finishes, from its progress. */
export function finishFromProgress(first: ProgressSample | undefined, last: ProgressSample | undefined): number | undefined {
  if (!last || last.progress <= 0 || last.progress >= 100) return undefined;
  if (first && last.elapsedMs > first.elapsedMs && last.progress > first.progress) {
    const rate = (last.progress - first.progress) / (last.elapsedMs - first.elapsedMs);
    return last.elapsedMs + (100 - last.progress) / rate;
  }
  return undefined;
}

export function nextPollDelay(ctx: PollContext): number {
  const { elapsedMs } = ctx;
  const predicted = finishFromProgress(ctx.firstProgress, ctx.lastProgress);
  if (predicted !== undefined) {
    // Aim just past the predicted end; each read refines the estimate.
    const remaining = predicted - elapsedMs;
    return clamp(remaining > 2_000 ? remaining * 0.75 : remaining + 150, MIN_DELAY_MS, MAX_DELAY_MS);
  }
  if (ctx.lastProgress && ctx.lastProgress.progress > 0) {
    // One progress sample: a second one soon gives the rate.
    return clamp(elapsedMs * 0.25, 1_000, 4_000);
  }
  if (ctx.expectedMs !== undefined && ctx.expectedMs > 0) {
    // Similar runs took about E, give or take 30 %: wait until the window where this one is
    // likely to end, read densely there (the reads saved before pay for it), then every 2 s.
    const start = ctx.expectedMs * WINDOW_START;
    const end = ctx.expectedMs * WINDOW_END;
    if (elapsedMs < start) return clamp(start - elapsedMs, MIN_DELAY_MS, HINTED_MAX_WAIT_MS);
    if (elapsedMs < end) return clamp((end - start) / Math.max(1, ctx.expectedMs / 2_000), 700, 2_500);
    return 2_000;
  }
  return BLIND_INTERVAL_MS;
}

/** The median duration of earlier successful runs like this one, or undefined when there is none. */
export function expectedDuration(
  history: { model: string; resolution: string; n: number; durationMs: number }[],
  like: { model: string; resolution: string; n: number },
): number | undefined {
  const durations = history
    .filter((h) => h.model === like.model && h.resolution === like.resolution && h.n === like.n && h.durationMs > 0)
    .map((h) => h.durationMs)
    .sort((a, b) => a - b);
  if (durations.length === 0) return undefined;
  const middle = Math.floor(durations.length / 2);
  return durations.length % 2 ? durations[middle]! : (durations[middle - 1]! + durations[middle]!) / 2;
}
