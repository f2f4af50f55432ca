// One scheduler that follows every task: a single sleep-until-next-due loop (no timer per
// task, never two requests in flight for one task), feeding one event stream.
import { setMaxListeners } from 'node:events';
import type { CreatOkClient } from './api/client';
import { CreatOkError } from './api/errors';
import { isTerminalStatus, type TaskStatus } from './api/schemas';
import { AbortedError, systemClock, type Clock } from './clock';
import { Emitter, type Releasable } from './events';
import { silentLogger, type Logger } from './log';
import { nextPollDelay, type PollContext, type ProgressSample } from './pollSchedule';

export type WatchEndReason = 'succeeded' | 'failed' | 'stopped' | 'budgetExhausted' | 'notFound' | 'unauthorized' | 'config';

/**
 * "No such task" this many times in a row ends the watch, once the task is at least
 * NOT_FOUND_GRACE_MS old (right after a submit it could be a lag of CreatOK's).
 */
export const NOT_FOUND_LIMIT = 3;
/** A server's Retry-After spaces the next read of the task, up to this. */
export const MAX_RETRY_AFTER_MS = 5 * 60_000;
export const NOT_FOUND_GRACE_MS = 20_000;

export type WatchEvent =
  | { type: 'status'; taskId: string; status: TaskStatus; raw: unknown }
  | { type: 'trouble'; taskId: string; error: CreatOkError }
  | { type: 'ended'; taskId: string; reason: WatchEndReason; status?: TaskStatus; error?: CreatOkError };

/** How long to wait before the next status read of a task. */
export type IntervalStrategy = (context: PollContext) => number;

export interface WatchOptions {
  /** How long similar runs took (from the workspace's history), to poll densely near the end. */
  expectedMs?: number;
  /** When the task started, if earlier than now (a resumed task). */
  startedAt?: number;
}

interface Watched {
  taskId: string;
  /** When the task started (for the schedule). */
  startedAt: number;
  /** When this watch began (for the budget). */
  watchStart: number;
  nextAt: number;
  polls: number;
  notFoundInARow: number;
  lastStatus?: string;
  inFlight: boolean;
  expectedMs?: number;
  firstProgress?: ProgressSample;
  lastProgress?: ProgressSample;
  /** The last failed read's Retry-After (cleared by an answer). */
  retryAfterMs?: number;
}

export interface TaskWatcherOptions {
  client: Pick<CreatOkClient, 'getTaskStatus'>;
  clock?: Clock;
  logger?: Logger;
  interval?: IntervalStrategy;
  /** Stop watching (not the task) after this long: "still running, resume later". Read at each check. */
  budgetMs?: number | (() => number);
}

export class TaskWatcher {
  private readonly watched = new Map<string, Watched>();
  private readonly events: Emitter<WatchEvent>;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly interval: IntervalStrategy;
  private readonly budgetMs: () => number;
  private wake = new AbortController();
  private loop: Promise<void> | undefined;
  private disposed = false;
  private readonly requests = new AbortController();

  constructor(private readonly options: TaskWatcherOptions) {
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.events = new Emitter((error) => this.logger.error(`watch: a listener failed: ${error.message}`));
    this.interval = options.interval ?? nextPollDelay;
    // Every in-flight status read listens on this one signal (to stop at dispose).
    setMaxListeners(0, this.requests.signal);
    const budget = options.budgetMs ?? 30 * 60_000;
    this.budgetMs = typeof budget === 'number' ? () => budget : budget;
  }

  onEvent(listener: (event: WatchEvent) => void): Releasable {
    return this.events.event(listener);
  }

  isWatching(taskId: string): boolean {
    return this.watched.has(taskId);
  }

  /** Starts following a task (idempotent). The first read happens at once. */
  watch(taskId: string, options: WatchOptions = {}): void {
    if (this.disposed) throw new Error('The watcher is disposed.');
    if (this.watched.has(taskId)) return;
    const now = this.clock.now();
    this.watched.set(taskId, { taskId, startedAt: Math.min(now, options.startedAt ?? now), watchStart: now, nextAt: now, polls: 0, notFoundInARow: 0, inFlight: false, expectedMs: options.expectedMs });
    this.logger.info(`watch: following task ${taskId}`);
    this.kick();
  }

  /**
   * Stops following a task; the task itself goes on at CreatOK. `quiet`: no `ended` event (the
   * caller hands the task to another window and keeps its own account of the run).
   */
  stop(taskId: string, options: { quiet?: boolean } = {}): void {
    if (this.watched.delete(taskId) && !options.quiet) this.emit({ type: 'ended', taskId, reason: 'stopped' });
  }

  dispose(): void {
    this.disposed = true;
    this.watched.clear();
    this.events.dispose();
    this.requests.abort();
    this.wake.abort();
  }

  private emit(event: WatchEvent): void {
    this.events.fire(event);
  }

  private kick(): void {
    if (this.loop) {
      this.wake.abort();
      return;
    }
    this.loop = this.run().finally(() => {
      this.loop = undefined;
      if (this.watched.size > 0 && !this.disposed) this.kick();
    });
  }

  private async run(): Promise<void> {
    while (!this.disposed && this.watched.size > 0) {
      const now = this.clock.now();
      const due = [...this.watched.values()].filter((w) => !w.inFlight && w.nextAt <= now);
      for (const w of due) void this.poll(w);
      const waiting = [...this.watched.values()].filter((w) => !w.inFlight);
      const nextAt = waiting.length > 0 ? Math.min(...waiting.map((w) => w.nextAt)) : now + 60_000;
      this.wake = new AbortController();
      try {
        await this.clock.sleep(Math.max(0, nextAt - this.clock.now()), this.wake.signal);
      } catch (error) {
        if (!(error instanceof AbortedError)) throw error;
      }
    }
  }

  private async poll(w: Watched): Promise<void> {
    w.inFlight = true;
    w.polls++;
    let ended = false;
    try {
      const { status, raw } = await this.options.client.getTaskStatus(w.taskId, { signal: this.requests.signal });
      if (!this.watched.has(w.taskId)) return;
      w.notFoundInARow = 0;
      w.retryAfterMs = undefined;
      if (status.status !== w.lastStatus) this.logger.info(`watch: task ${w.taskId} is ${status.status}`);
      w.lastStatus = status.status;
      if (typeof status.progress === 'number' && status.progress > 0) {
        const sample = { elapsedMs: this.clock.now() - w.startedAt, progress: status.progress };
        w.firstProgress ??= sample;
        w.lastProgress = sample;
      }
      this.emit({ type: 'status', taskId: w.taskId, status, raw });
      if (isTerminalStatus(status.status)) {
        ended = true;
        this.finish(w, status.status === 'succeeded' ? 'succeeded' : 'failed', status);
      }
    } catch (error) {
      if (this.disposed || !this.watched.has(w.taskId)) return;
      const e = error instanceof CreatOkError ? error : new CreatOkError('network', (error as Error).message, { cause: error });
      w.retryAfterMs = e.details.retryAfterMs;
      if (e.kind === 'notFound' && (++w.notFoundInARow < NOT_FOUND_LIMIT || this.clock.now() - w.startedAt < NOT_FOUND_GRACE_MS)) {
        this.logger.warn(`watch: task ${w.taskId}: CreatOK does not know it (${w.notFoundInARow} of ${NOT_FOUND_LIMIT})`);
        this.emit({ type: 'trouble', taskId: w.taskId, error: e });
      } else if (e.kind === 'notFound' || e.kind === 'unauthorized' || e.kind === 'config') {
        ended = true;
        this.finish(w, e.kind, undefined, e);
      } else {
        this.logger.warn(`watch: task ${w.taskId}: ${e.kind}: ${e.message}; will keep trying`);
        this.emit({ type: 'trouble', taskId: w.taskId, error: e });
      }
    } finally {
      w.inFlight = false;
      if (!ended && this.watched.has(w.taskId)) {
        const now = this.clock.now();
        if (now - w.watchStart >= this.budgetMs()) this.finish(w, 'budgetExhausted');
        else {
          const delay = this.interval({
            elapsedMs: now - w.startedAt,
            polls: w.polls,
            status: w.lastStatus,
            firstProgress: w.firstProgress,
            lastProgress: w.lastProgress,
            expectedMs: w.expectedMs,
          });
          // A server that said when to come back is not asked sooner.
          w.nextAt = now + Math.max(delay, Math.min(w.retryAfterMs ?? 0, MAX_RETRY_AFTER_MS));
        }
      }
      if (!this.disposed) this.kick();
    }
  }

  private finish(w: Watched, reason: WatchEndReason, status?: TaskStatus, error?: CreatOkError): void {
    this.watched.delete(w.taskId);
    this.logger.info(`watch: task ${w.taskId} ended: ${reason}`);
    this.emit({ type: 'ended', taskId: w.taskId, reason, status, error });
  }
}
