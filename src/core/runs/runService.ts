// The run service: the only writer of run records and the only source of run events. Submit,
// follow, check once, resume, stop and retry downloads all go through it; the Tasks view, the
// status bar, the panel, the progress notification and the chat tools only listen.
//
// Its promises:
// - once CreatOK accepted a task, the task id is never lost: a failing write leaves the run in
//   memory (and the id in the log), says so with a `saveFailed` event, and is retried until it
//   lands (`saved`);
// - every run that is followed ends with exactly one `ended` event, whatever fails on the way;
// - across windows, one follower per task: a lease file in the run folder; another window
//   observes the record on disk and takes over if the lease runs out.
//
// This file is the facade; the work is done by its parts: runRegistry (the runs held, their
// step chains, the events), runWriter (the one writer of records), runLeases, runFollower,
// runFinisher (the one finish path) and runResume (start-up).
import { randomBytes } from 'node:crypto';
import { isTerminalStatus } from '../api/schemas';
import type { Event, Releasable } from '../events';
import { silentLogger, type Logger } from '../log';
import { toSubmitBody, type ResolvedRequest } from '../request';
import type { WatchOptions } from '../watcher';
import { saveRunImages } from './images';
import { applyTaskStatus, failedSubmitRecord, newRunRecord } from './lifecycle';
import { mergeRecords, type ReadResult, type RunRecord } from './record';
import { RunFinisher } from './runFinisher';
import { RunFollower } from './runFollower';
import { LeaseKeeper } from './runLeases';
import { RunRegistry } from './runRegistry';
import { StartupResume } from './runResume';
import { isFinalStatus, lacksImages } from './runStatus';
import { asError, type SettledOutcome, type CheckResult, type ResumeSummary, type RetryDownloadResult, type RunEvent, type RunRef, type RunServiceOptions, type RunSnapshot, type SubmitResult } from './runTypes';
import { RunWriter } from './runWriter';
import type { ArtifactStore } from './store';

export type { CheckResult, ResumeSummary, RetryDownloadResult, RunEndReason, RunEvent, RunRef, RunServiceOptions, RunSnapshot, SubmitResult } from './runTypes';

export class RunService implements Releasable {
  private readonly registry: RunRegistry;
  private readonly writer: RunWriter;
  private readonly leases: LeaseKeeper;
  private readonly finisher: RunFinisher;
  private readonly follower: RunFollower;
  private readonly startup: StartupResume;
  private readonly logger: Logger;
  private readonly now: () => Date;
  private readonly subscription: Releasable;

  readonly onDidChange: Event<RunEvent>;

  constructor(private readonly options: RunServiceOptions) {
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? (() => new Date());
    const owner = options.ownerId ?? `${process.pid}-${randomBytes(4).toString('hex')}`;
    const saveImages = options.saveImages ?? ((record: RunRecord, store: ArtifactStore) => saveRunImages(record, store));
    this.registry = new RunRegistry(this.logger);
    this.onDidChange = this.registry.onDidChange;
    this.writer = new RunWriter(this.registry, this.logger, options.saveRetryMs ?? [2_000, 5_000, 15_000, 30_000, 60_000], this.now);
    this.leases = new LeaseKeeper(this.registry, this.logger, owner, options.leaseMs ?? 30_000, (run) => this.follower.handOver(run));
    this.finisher = new RunFinisher(this.writer, this.leases, options.client, saveImages, this.logger, this.now);
    this.follower = new RunFollower(this.registry, this.writer, this.leases, this.finisher, options.watcher, this.logger, this.now, options.observeMs ?? 2_000);
    this.startup = new StartupResume(this.registry, this.writer, this.leases, this.finisher, (store, record) => void this.follow(store, record), this.logger, this.now, (store, run, outcome) =>
      this.settle(store, run, outcome, { ifPending: true }),
    );
    this.subscription = options.watcher.onEvent((event) => {
      const run = this.registry.followedHere(event.taskId);
      if (!run) return;
      if (event.type === 'status') this.follower.onStatus(run, event.status, event.raw);
      else if (event.type === 'trouble') this.registry.emit({ kind: 'trouble', run: this.registry.snapshotOf(run), error: event.error });
      else this.registry.step(run, () => this.follower.end(run, event.reason, event.error));
    });
  }

  // ---- what the views read ----

  /** The runs being followed (here or in another window), with their latest records. */
  followed(): RunSnapshot[] {
    return this.registry.all().filter((r) => r.following).map((r) => this.registry.snapshotOf(r));
  }

  isFollowing(taskId: string): boolean {
    return !!this.registry.byTask(taskId)?.following;
  }

  /** What the service holds of a run (followed, or not yet saved), if anything. */
  snapshot(store: ArtifactStore, runId: string): RunSnapshot | undefined {
    const run = this.registry.get(store, runId);
    return run ? this.registry.snapshotOf(run) : undefined;
  }

  /** The latest record of a run: the service's own copy (newer than the disk while a write is pending), else the disk's. */
  async latest(ref: RunRef): Promise<ReadResult> {
    const held = this.registry.get(ref.store, ref.runId);
    return held ? { ok: true, record: held.record } : ref.store.read(ref.runId);
  }

  // ---- what changes runs ----

  /**
   * Records the run, sends the paid request once, records its answer, and follows the task.
   * Never retries the submit: a failure after the request may have left is `unconfirmed`.
   */
  async submit(
    store: ArtifactStore,
    request: ResolvedRequest,
    options: { references?: NonNullable<RunRecord['references']>; source?: RunRecord['source']; signal?: AbortSignal; watch?: WatchOptions } = {},
  ): Promise<SubmitResult> {
    const client = this.options.client();
    const references = options.references ?? [];
    let record: RunRecord = { ...newRunRecord(request, this.now(), undefined, options.source), base_url: client.baseUrl, ...(references.length > 0 ? { references } : {}) };
    // The spend gate first, under its own lock: a refusal leaves nothing on disk.
    const gate = this.options.gate;
    if (gate) {
      try {
        const answer = await gate.reserve(store, record);
        if (!answer.ok) return { kind: 'overLimit', refusal: answer.refusal };
      } catch (error) {
        this.logger.error(`spend: the ledger could not be written, so nothing was sent: ${asError(error).message}`);
        return { kind: 'notStarted', error: asError(error), where: 'ledger' };
      }
    }
    // The marker, the lease, the record, and only then the request: a crash at any line leaves
    // either nothing sent, or a marked run that the next start finds (followed with its task id,
    // `unconfirmed` without one, removed when it has no record).
    try {
      await store.markInProgress(record.run_id, true);
      await this.leases.takeNew(store, record.run_id);
      // Again, under the lease: another window's start-up may have taken an empty marked folder for abandoned.
      await store.markInProgress(record.run_id, true);
      record = await this.writer.writeNew(store, record);
    } catch (error) {
      const e = asError(error);
      this.logger.error(`artifacts: the run folder could not be written, so nothing was sent: ${e.message}`);
      await store.removeAbandoned(record.run_id, { owner: this.leases.owner, unsent: true }).catch(() => undefined);
      await this.settle(store, record, 'notSent');
      return { kind: 'notStarted', error: e, where: 'folder' };
    }
    const run = this.registry.track(store, record);
    run.sending = true;
    this.leases.renewWhileHeld(run);
    let answer: Awaited<ReturnType<typeof client.submit>>;
    try {
      answer = await client.submit(toSubmitBody(request, references.map((r) => r.objectKey)), { idempotencyKey: record.run_id, signal: options.signal });
    } catch (error) {
      run.sending = false;
      await this.registry.step(run, async () => {
        run.record = failedSubmitRecord(run.record, error, this.now());
        // Nothing to follow (no task id): the marker goes once the outcome is on disk, and in the ledger.
        const saved = await this.writer.save(run);
        await this.settle(store, run.record, run.record.status === 'unconfirmed' ? 'unconfirmed' : 'refused');
        if (saved) await this.finisher.unmark(run);
        await this.leases.release(run);
      });
      this.registry.clearTimers(run, { keepSaveRetry: true });
      this.registry.untrackIfIdle(run);
      this.registry.emit({ kind: 'ended', run: this.registry.snapshotOf(run), reason: 'submitFailed' });
      return { kind: 'failed', run: this.registry.snapshotOf(run), error: asError(error) };
    }
    const answeredAt = performance.now();
    run.sending = false;
    run.record = { ...run.record, task_id: answer.taskId, status: answer.status, raw: { ...run.record.raw, submit: answer.raw }, updated_at: this.now().toISOString() };
    await this.registry.step(run, () => this.writer.save(run));
    this.logger.info(`submit: CreatOK accepted task ${answer.taskId} (run ${record.run_id}); recorded ${(performance.now() - answeredAt).toFixed(1)} ms after the answer`);
    this.follower.start(run, { startedAt: Date.parse(record.created_at), ...options.watch });
    await this.settle(store, run.record, 'accepted');
    return { kind: 'submitted', run: this.registry.snapshotOf(run) };
  }

  /** Tells the spend gate what became of a submit; a failure is logged (the entry stays pending, which counts). */
  private async settle(store: ArtifactStore, record: Pick<RunRecord, 'run_id' | 'task_id'>, outcome: SettledOutcome, options?: { ifPending?: boolean }): Promise<void> {
    await this.options.gate?.settle(store, record, outcome, options).catch((error: unknown) => this.logger.error(`spend: the ledger could not record run ${record.run_id} as ${outcome}: ${asError(error).message}`));
  }

  /** Follows a run that has a task id (idempotent). Returns at once; events tell the rest. */
  follow(store: ArtifactStore, record: RunRecord, watch: WatchOptions = {}): RunSnapshot {
    if (!record.task_id) throw new Error('A run without a task id cannot be followed.');
    const existing = this.registry.byTask(record.task_id);
    if (existing?.following) return this.registry.snapshotOf(existing);
    const run = existing ?? this.registry.track(store, record);
    this.follower.start(run, { startedAt: Date.parse(record.created_at), ...watch });
    return this.registry.snapshotOf(run);
  }

  /** Stops following a task here; the task itself goes on at CreatOK. */
  stop(taskId: string): void {
    const run = this.registry.byTask(taskId);
    if (run?.following) this.follower.stop(run);
  }

  /**
   * Reads a task's state once and records it (a recovery run folder for a task started
   * elsewhere, found or made under the artifacts lock so two windows make one). A final task
   * gets its images saved. Errors of the status read (unknown task, key refused) are thrown
   * before anything is written.
   */
  async checkTask(taskId: string, stores: readonly ArtifactStore[], target: ArtifactStore, options: { keepWatching?: boolean; signal?: AbortSignal } = {}): Promise<CheckResult> {
    const tracked = this.registry.byTask(taskId);
    if (tracked?.following) return { kind: 'following', run: this.registry.snapshotOf(tracked) };
    const client = this.options.client();
    const answer = await client.getTaskStatus(taskId, { signal: options.signal });
    const found = tracked ? { store: tracked.store, record: tracked.record } : await this.writer.findOrCreateRecovery(taskId, stores, target, client.baseUrl);
    const run = tracked ?? this.registry.track(found.store, found.record);
    if (run.following) return { kind: 'following', run: this.registry.snapshotOf(run) };
    await this.registry.step(run, async () => {
      run.record = applyTaskStatus(run.record, answer.status, answer.raw, this.now());
      if (!isTerminalStatus(answer.status.status)) await this.writer.save(run);
      else if (!(await this.finisher.finishIfFree(run, { fromServer: true }))) {
        // Another window follows it and saves the images: show what it wrote.
        const read = await run.store.read(run.record.run_id);
        if (read.ok) run.record = mergeRecords(read.record, run.record);
      }
    });
    this.logger.info(`check: task ${taskId} is ${run.record.status} (run ${run.record.run_id})`);
    if (options.keepWatching && !isFinalStatus(run.record.status)) this.follower.start(run, { startedAt: Date.parse(run.record.created_at) });
    else this.registry.untrackIfIdle(run);
    this.registry.emit({ kind: 'updated', run: this.registry.snapshotOf(run) });
    return { kind: 'checked', run: this.registry.snapshotOf(run) };
  }

  /**
   * Saves a finished run's missing images again, from the addresses CreatOK lists now (never
   * from links read back from disk). Says whether every image is saved.
   */
  async retryDownloads(store: ArtifactStore, runId: string): Promise<RetryDownloadResult> {
    const tracked = this.registry.get(store, runId);
    if (tracked?.following) return { kind: 'busy' };
    const read = tracked ? { ok: true as const, record: tracked.record } : await store.read(runId);
    if (!read.ok) return { kind: 'unreadable', message: read.message };
    const run = tracked ?? this.registry.track(store, read.record);
    let finished = false;
    await this.registry.step(run, async () => {
      finished = await this.finisher.finishIfFree(run, { fromServer: false });
    });
    this.registry.untrackIfIdle(run);
    if (!finished) return { kind: 'busy' };
    this.registry.emit({ kind: 'updated', run: this.registry.snapshotOf(run) });
    const problem = run.record.download_error ?? (lacksImages(run.record) ? 'some images are not saved' : undefined);
    return problem ? { kind: 'failed', run: this.registry.snapshotOf(run), message: problem } : { kind: 'done', run: this.registry.snapshotOf(run) };
  }

  /** Tries again to write a run whose record could not be saved; true once it is on disk. */
  async retrySave(store: ArtifactStore, runId: string): Promise<boolean> {
    const run = this.registry.get(store, runId);
    if (!run?.unsaved) return true;
    let saved = false;
    await this.registry.step(run, async () => {
      saved = await this.writer.save(run);
    });
    this.registry.untrackIfIdle(run);
    return saved;
  }

  /** At start-up: every run marked in progress is finished or followed again (see runResume.ts). */
  resumeUnfinished(stores: readonly ArtifactStore[]): Promise<ResumeSummary> {
    return this.startup.resumeUnfinished(stores);
  }

  /** Resolves once every step started so far (writes, downloads, lease changes) is done. */
  flushed(): Promise<void> {
    return this.registry.flushed();
  }

  dispose(): void {
    this.registry.disposed = true;
    this.subscription.dispose();
    for (const run of this.registry.all()) {
      this.registry.clearTimers(run);
      if (run.following && !run.elsewhere) void this.leases.release(run);
    }
    this.registry.dispose();
  }
}
