// Follows runs through the watcher and keeps their result.json up to date: a write on each
// status change (and when images appear), a last one at the end. Emits one update stream.
import type { CreatOkError } from '../api/errors';
import { silentLogger, type Logger } from '../log';
import type { TaskWatcher, WatchEndReason, WatchOptions } from '../watcher';
import { applyTaskStatus } from './lifecycle';
import type { RunRecord } from './record';
import type { ArtifactStore } from './store';

export interface RunUpdate {
  record: RunRecord;
  /** Set on the last update of a watch. */
  ended?: WatchEndReason;
  /** A transient problem while watching ("will keep trying"). */
  trouble?: CreatOkError;
  /** A final problem (unknown task, key refused). */
  error?: CreatOkError;
}

interface Followed {
  record: RunRecord;
  store: ArtifactStore;
  writes: Promise<void>;
}

export class RunFollower {
  private readonly runs = new Map<string, Followed>();
  private readonly listeners = new Set<(update: RunUpdate) => void>();
  private readonly subscription: { dispose(): void };

  constructor(
    private readonly watcher: TaskWatcher,
    private readonly logger: Logger = silentLogger,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.subscription = watcher.onEvent((event) => {
      const run = this.runs.get(event.taskId);
      if (!run) return;
      if (event.type === 'status') {
        const changed =
          event.status.status !== run.record.status ||
          (event.status.result?.images?.length ?? 0) !== run.record.images.length ||
          (event.status.progress ?? null) !== (run.record.progress ?? null);
        if (!changed) return;
        this.update(run, applyTaskStatus(run.record, event.status, event.raw, this.now()));
      } else if (event.type === 'trouble') {
        this.emit({ record: run.record, trouble: event.error });
      } else {
        this.runs.delete(event.taskId);
        const stamp = this.now().toISOString();
        const record: RunRecord =
          event.reason === 'notFound' || event.reason === 'unauthorized'
            ? { ...run.record, error: { kind: event.reason, message: event.error?.message ?? event.reason }, updated_at: stamp }
            : { ...run.record, updated_at: stamp };
        this.update(run, record, event.reason, event.error);
      }
    });
  }

  onUpdate(listener: (update: RunUpdate) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  isFollowing(taskId: string): boolean {
    return this.runs.has(taskId);
  }

  /** Starts following a run that has a task id. */
  follow(record: RunRecord, store: ArtifactStore, options: WatchOptions = {}): void {
    if (!record.task_id) throw new Error('A run without a task id cannot be followed.');
    if (this.runs.has(record.task_id)) return;
    this.runs.set(record.task_id, { record, store, writes: Promise.resolve() });
    this.watcher.watch(record.task_id, options);
  }

  stop(taskId: string): void {
    this.watcher.stop(taskId);
  }

  /** Resolves once every write queued so far is on disk. */
  async flushed(): Promise<void> {
    await Promise.all([...this.runs.values()].map((r) => r.writes));
    await this.lastWrites;
  }

  dispose(): void {
    this.subscription.dispose();
    this.listeners.clear();
    this.runs.clear();
  }

  private lastWrites: Promise<void> = Promise.resolve();

  private update(run: Followed, record: RunRecord, ended?: WatchEndReason, error?: CreatOkError): void {
    run.record = record;
    // Writes of one run are chained so an older state never lands after a newer one.
    run.writes = run.writes
      .then(() => run.store.write(record))
      .catch((e: Error) => this.logger.error(`artifacts: could not write ${record.run_id}: ${e.message}`));
    this.lastWrites = run.writes;
    void run.writes.then(() => this.emit({ record, ended, error }));
  }

  private emit(update: RunUpdate): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(update);
      } catch (e) {
        this.logger.error(`follower: a listener failed: ${(e as Error).message}`);
      }
    }
  }
}
