// The runs the service holds (followed, or not yet saved), each with its chain of steps, and the
// one event stream every view listens to.
import { Emitter, type Event } from '../events';
import type { Logger } from '../log';
import type { RunRecord } from './record';
import type { ArtifactStore } from './store';
import { asError, keyOf, type RunEvent, type RunSnapshot, type Tracked } from './runTypes';

export class RunRegistry {
  private readonly runs = new Map<string, Tracked>();
  private readonly pending = new Set<Promise<void>>();
  private readonly events: Emitter<RunEvent>;
  readonly onDidChange: Event<RunEvent>;
  disposed = false;

  constructor(private readonly logger: Logger) {
    this.events = new Emitter((error) => this.logger.error(`runs: a listener failed: ${error.message}`));
    this.onDidChange = this.events.event;
  }

  all(): Tracked[] {
    return [...this.runs.values()];
  }

  get(store: ArtifactStore, runId: string): Tracked | undefined {
    return this.runs.get(keyOf(store, runId));
  }

  byTask(taskId: string): Tracked | undefined {
    for (const run of this.runs.values()) if (run.record.task_id === taskId) return run;
    return undefined;
  }

  /** The run of a task this window polls (followed here, not read from another window's record). */
  followedHere(taskId: string): Tracked | undefined {
    const run = this.byTask(taskId);
    return run?.following && !run.elsewhere ? run : undefined;
  }

  track(store: ArtifactStore, record: RunRecord): Tracked {
    const key = keyOf(store, record.run_id);
    const existing = this.runs.get(key);
    if (existing) {
      existing.record = record;
      return existing;
    }
    const run: Tracked = { key, store, record, following: false, elsewhere: false, steps: Promise.resolve(), stopRequested: false, watch: {}, saveAttempts: 0 };
    this.runs.set(key, run);
    return run;
  }

  /** Lets go of a run nobody follows and whose record is on disk. */
  untrackIfIdle(run: Tracked): void {
    if (!run.following && !run.unsaved) {
      this.clearTimers(run);
      this.runs.delete(run.key);
    }
  }

  clearTimers(run: Tracked, options: { keepSaveRetry?: boolean } = {}): void {
    if (run.leaseTimer) clearInterval(run.leaseTimer);
    if (run.observeTimer) clearInterval(run.observeTimer);
    run.leaseTimer = run.observeTimer = undefined;
    if (!options.keepSaveRetry && run.saveTimer) {
      clearTimeout(run.saveTimer);
      run.saveTimer = undefined;
    }
  }

  /** Queues a step of one run after its earlier ones; a failing step is logged, never thrown. */
  step(run: Tracked, work: () => Promise<unknown>): Promise<void> {
    const next = run.steps.then(work).then(
      () => undefined,
      (e: unknown) => this.logger.error(`runs: ${run.record.run_id}: ${asError(e).message}`),
    );
    run.steps = next;
    this.pending.add(next);
    void next.finally(() => this.pending.delete(next));
    return next;
  }

  /** Resolves once every step started so far is done. */
  async flushed(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  snapshotOf(run: Tracked): RunSnapshot {
    return { record: run.record, store: run.store, following: run.following, elsewhere: run.elsewhere, ...(run.unsaved ? { unsaved: run.unsaved } : {}) };
  }

  emit(event: RunEvent): void {
    if (!this.disposed) this.events.fire(event);
  }

  dispose(): void {
    this.disposed = true;
    this.events.dispose();
  }
}
