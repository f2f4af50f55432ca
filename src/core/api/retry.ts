// When and how long to wait before repeating a call that only reads (never the paid submit).
import type { Clock } from '../clock';
import { CreatOkError } from './errors';

export interface RetryPolicy {
  /** Total attempts, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A server's Retry-After is honoured up to this. */
  maxRetryAfterMs: number;
  /** No retry starts when it would end later than this after the first attempt began. */
  budgetMs?: number;
}

export const READ_RETRY_POLICY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 8000, maxRetryAfterMs: 60000, budgetMs: 120_000 };

/** The paid submit is repeated only when it provably never left this machine. */
export const SUBMIT_RETRY_POLICY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 500, maxDelayMs: 4000, maxRetryAfterMs: 0, budgetMs: 15_000 };

/** True only for failures that prove the request never reached any server (DNS, refused). */
export function provablyNeverSent(error: CreatOkError): boolean {
  return error.kind === 'network' && error.details.mayHaveReachedServer === false;
}

/** Failures of a read worth another try; an answer that says "no" (401, 404, 400) is final. */
export function isRetryableRead(error: CreatOkError): boolean {
  switch (error.kind) {
    case 'network':
    case 'timeout':
    case 'server':
    case 'rateLimited':
    case 'invalidAnswer':
    case 'apiError':
      return true;
    default:
      return false;
  }
}

/**
 * "Full jitter" backoff: a random delay in [0, min(max, base × 2^retry)], but never less than
 * the server's Retry-After (capped).
 */
export function retryDelayMs(retry: number, policy: RetryPolicy, retryAfterMs: number | undefined, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  const jittered = Math.floor(random() * ceiling);
  if (retryAfterMs === undefined) return jittered;
  return Math.max(jittered, Math.min(retryAfterMs, policy.maxRetryAfterMs));
}

/** Parses a Retry-After header: delta seconds or an HTTP date. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

export interface RetryOptions {
  policy: RetryPolicy;
  clock: Clock;
  random?: () => number;
  signal?: AbortSignal;
  shouldRetry?: (error: CreatOkError) => boolean;
  onRetry?: (error: CreatOkError, attempt: number, delayMs: number) => void;
}

export async function withRetry<T>(operation: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const shouldRetry = options.shouldRetry ?? isRetryableRead;
  const random = options.random ?? Math.random;
  const started = options.clock.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (!(error instanceof CreatOkError) || !shouldRetry(error) || attempt >= options.policy.maxAttempts) throw error;
      if (options.signal?.aborted) throw error;
      const delay = retryDelayMs(attempt - 1, options.policy, error.details.retryAfterMs, random);
      if (options.policy.budgetMs !== undefined && options.clock.now() - started + delay > options.policy.budgetMs) throw error;
      options.onRetry?.(error, attempt, delay);
      await options.clock.sleep(delay, options.signal);
    }
  }
}
