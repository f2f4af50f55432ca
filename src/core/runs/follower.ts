// Follows runs through the watcher and keeps their result.json up to date: a write on each
// status change (and when images appear), the images saved into the run folder on success,
// a last write at the end. Emits one update stream for the progress, panel, status bar and view.
import type { CreatOkError } from '../api/errors';
import { silentLogger, type Logger } from '../log';
import type { TaskWatcher, WatchEndReason, WatchOptions } from '../watcher';
import { applyTaskStatus } from './lifecycle';
import type { RunRecord } from './record';
import type { ArtifactStore } from './store';

export interface RunUpdate {
  record: RunRecord;
  store: ArtifactStore;
  /** Set on the first update of a watch. */
  started?: boolean;
  /** Set on the last update of a watch. */
  ended?: WatchEndReason;
  /** A transient problem while watching ("will keep trying"). */
  trouble?: CreatOkError;
  /** A final problem (unknown task, key refused). */
  error?: CreatOkError;
}

export interface RunFollowerOptions {
  logger?: Logger;
  now?: () => Date;
  /** Saves a succeeded run's images; returns the record with the local files. */
  saveImages?: (record: RunRecord, store: ArtifactStore) => Promise<RunRecord>;
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
  private readonly logger: Logger;
  private readonly now: () => Date;
  private pending = new Set<Promise<void>>();

  constructor(
    private readonly watcher: TaskWatcher,
    private readonly options: RunFollowerOptions = {},
  ) {
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? (() => new Date());
    this.subscription = watcher.onEvent((event) => {
      const run = this.runs.get(event.taskId);
      if (!run) return;
      if (event.type === 'status') {
        const changed =
          event.status.status !== run.record.status ||
          (event.status.result?.images?.length ?? 0) !== run.record.images.length ||
          (event.status.progress ?? null) !== (run.record.progress ?? null);
        if (changed) this.update(run, applyTaskStatus(run.record, event.status, event.raw, this.now()));
      } else if (event.type === 'trouble') {
        this.emit({ record: run.record, store: run.store, trouble: event.error });
      } else {
        this.runs.delete(event.taskId);
        this.end(run, event.reason, event.error);
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

  /** The runs being followed, with their latest records. */
  followed(): { record: RunRecord; store: ArtifactStore }[] {
    return [...this.runs.values()].map(({ record, store }) => ({ record, store }));
  }

  /** Starts following a run that has a task id (idempotent). */
  follow(record: RunRecord, store: ArtifactStore, options: WatchOptions = {}): void {
    if (!record.task_id) throw new Error('A run without a task id cannot be followed.');
    if (this.runs.has(record.task_id)) return;
    const run: Followed = { record, store, writes: Promise.resolve() };
    this.runs.set(record.task_id, run);
    this.chain(run, () => store.markInProgress(record.run_id, true));
    this.emit({ record, store, started: true });
    this.watcher.watch(record.task_id, options);
  }

  stop(taskId: string): void {
    this.watcher.stop(taskId);
  }

  /** Resolves once every write and download started so far is done. */
  async flushed(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  dispose(): void {
    this.subscription.dispose();
    this.listeners.clear();
    this.runs.clear();
  }

  private end(run: Followed, reason: WatchEndReason, error?: CreatOkError): void {
    const finished = reason === 'succeeded' || reason === 'failed' || reason === 'notFound';
    this.chain(run, async () => {
      // Built here, after the earlier steps, so it holds the latest status.
      const stamp = this.now().toISOString();
      let record: RunRecord =
        reason === 'notFound' || reason === 'unauthorized'
          ? { ...run.record, error: { kind: reason, message: error?.message ?? reason }, updated_at: stamp }
          : { ...run.record, updated_at: stamp };
      if (reason === 'succeeded' && this.options.saveImages && record.images.length > 0) {
        try {
          record = await this.options.saveImages(record, run.store);
        } catch (e) {
          record = { ...record, download_error: (e as Error).message };
        }
        if (record.download_error) this.logger.warn(`images: ${record.run_id}: ${record.download_error}`);
      }
      run.record = await run.store.write(record);
      if (finished) await run.store.markInProgress(record.run_id, false);
      this.emit({ record: run.record, store: run.store, ended: reason, error });
    });
  }

  private update(run: Followed, record: RunRecord): void {
    run.record = record;
    this.chain(run, async () => {
      const written = await run.store.write(record);
      if (run.record === record) run.record = written;
      this.emit({ record: written, store: run.store });
    });
  }

  /** Runs the steps of one run in order, so an older state never lands after a newer one. */
  private chain(run: Followed, step: () => Promise<unknown>): void {
    const next = run.writes.then(step).then(
      () => undefined,
      (e: Error) => this.logger.error(`artifacts: ${run.record.run_id}: ${e.message}`),
    );
    run.writes = next;
    this.pending.add(next);
    void next.finally(() => this.pending.delete(next));
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
