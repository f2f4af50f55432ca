// When to read a task's status next. Dense where the task is likely to finish, sparse where it
// is not: from the task's own `progress` when the server reports it, else from how long
// earlier runs of the same model, resolution and count took in this workspace.

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
/** Without any hint: first reads close together, then sparser, at most this. */
const BLIND_MAX_MS = 5_000;

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
  if (ctx.expectedMs !== undefined) {
    const start = ctx.expectedMs * 0.8;
    const end = ctx.expectedMs * 1.3;
    if (elapsedMs < start) return clamp((start - elapsedMs) / 2, MIN_DELAY_MS, MAX_DELAY_MS);
    if (elapsedMs < end) return 1_000;
    return clamp(elapsedMs * 0.1, 2_000, MAX_DELAY_MS);
  }
  return clamp(elapsedMs * 0.15, 1_000, BLIND_MAX_MS);
}

/** The median duration of earlier successful runs like this one, or undefined with fewer than 2. */
export function expectedDuration(
  history: { model: string; resolution: string; n: number; durationMs: number }[],
  like: { model: string; resolution: string; n: number },
): number | undefined {
  const durations = history
    .filter((h) => h.model === like.model && h.resolution === like.resolution && h.n === like.n && h.durationMs > 0)
    .map((h) => h.durationMs)
    .sort((a, b) => a - b);
  if (durations.length < 2) return undefined;
  const middle = Math.floor(durations.length / 2);
  return durations.length % 2 ? durations[middle]! : (durations[middle - 1]! + durations[middle]!) / 2;
}
