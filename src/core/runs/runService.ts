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
// runFinisher (the one finish path), runSubmitter (the paid submit) and runResume (start-up).
import { randomBytes } from 'node:crypto';
import { isTerminalStatus } from '../api/schemas';
import type { Event, Releasable } from '../events';
import { silentLogger, type Logger } from '../log';
import type { ResolvedRequest } from '../request';
import type { WatchOptions } from '../watcher';
import { saveRunImages } from './images';
import { applyTaskStatus } from './lifecycle';
import { mergeRecords, withCopies, type ReadResult, type RunRecord } from './record';
import { RunFinisher } from './runFinisher';
import { RunFollower } from './runFollower';
import { LeaseKeeper } from './runLeases';
import { RunRegistry } from './runRegistry';
import { StartupResume } from './runResume';
import { RunSubmitter, type SubmitOptions } from './runSubmitter';
import { isFinalStatus, lacksImages } from './runStatus';
import { type CheckResult, type ResumeSummary, type RetryDownloadResult, type RunEvent, type RunRef, type RunServiceOptions, type RunSnapshot, type SubmitResult } from './runTypes';
import { RunWriter } from './runWriter';
import type { ArtifactStore } from './store';

export type { SubmitOptions } from './runSubmitter';
export type { CheckResult, ResumeSummary, RetryDownloadResult, RunEndReason, RunEvent, RunRef, RunServiceOptions, RunSnapshot, SubmitResult } from './runTypes';

export class RunService implements Releasable {
  private readonly registry: RunRegistry;
  private readonly writer: RunWriter;
  private readonly leases: LeaseKeeper;
  private readonly finisher: RunFinisher;
  private readonly follower: RunFollower;
  private readonly startup: StartupResume;
  private readonly submitter: RunSubmitter;
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
    this.submitter = new RunSubmitter(this.registry, this.writer, this.leases, this.finisher, this.follower, options.client, options.gate, this.logger, this.now);
    this.startup = new StartupResume(this.registry, this.writer, this.leases, this.finisher, (store, record) => void this.follow(store, record), this.logger, this.now, (store, run, outcome) =>
      this.submitter.settle(store, run, outcome, { ifAbandoned: true }),
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
  submit(store: ArtifactStore, request: ResolvedRequest, options: SubmitOptions = {}): Promise<SubmitResult> {
    return this.submitter.submit(store, request, options);
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

  /** Lists project copies of a run's images in its record (workspace-relative); false when the record could not be written. */
  async addCopies(store: ArtifactStore, runId: string, copies: readonly string[]): Promise<boolean> {
    const tracked = this.registry.get(store, runId);
    const read = tracked ? { ok: true as const, record: tracked.record } : await store.read(runId);
    if (!read.ok) return false;
    const run = tracked ?? this.registry.track(store, read.record);
    let saved = false;
    await this.registry.step(run, async () => {
      run.record = { ...run.record, copies: withCopies(run.record.copies, copies), updated_at: this.now().toISOString() };
      saved = await this.writer.save(run);
    });
    this.registry.untrackIfIdle(run);
    this.registry.emit({ kind: 'updated', run: this.registry.snapshotOf(run) });
    return saved;
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
