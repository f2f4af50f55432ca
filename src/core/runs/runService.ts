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
import { randomBytes } from 'node:crypto';
import type { CreatOkClient } from '../api/client';
import type { CreatOkError } from '../api/errors';
import { isTerminalStatus, type TaskStatus } from '../api/schemas';
import { Emitter, type Disposable, type Event } from '../events';
import { silentLogger, type Logger } from '../log';
import { toSubmitBody, type ResolvedRequest } from '../request';
import type { TaskWatcher, WatchEndReason, WatchOptions } from '../watcher';
import { saveRunImages } from './images';
import { applyTaskStatus, failedSubmitRecord, interruptedSubmitRecord, newRecoveryRecord, newRunRecord } from './lifecycle';
import { mergeRecords, type RunRecord } from './record';
import { classifyStatus, isFinalStatus, isResumable, lacksImages, UNKNOWN_TASK_STATUS } from './runStatus';
import { LockTimeoutError } from './fileLock';
import { isLeaseLive, type ArtifactStore } from './store';

/** Why a run ended: its watch's end, or `submitFailed` (refused, or its answer lost: `unconfirmed`). */
export type RunEndReason = WatchEndReason | 'submitFailed';

/** A run as the views see it. */
export interface RunSnapshot {
  record: RunRecord;
  store: ArtifactStore;
  /** Its task is being followed, here or in another window. */
  following: boolean;
  /** Another window follows it; this one reads the record it writes. */
  elsewhere: boolean;
  /** The last write failed with this message: the record lives in memory until a write lands. */
  unsaved?: string;
}

export type RunEvent =
  | { kind: 'started'; run: RunSnapshot }
  | { kind: 'updated'; run: RunSnapshot }
  | { kind: 'trouble'; run: RunSnapshot; error: CreatOkError }
  | { kind: 'ended'; run: RunSnapshot; reason: RunEndReason; error?: CreatOkError }
  | { kind: 'saveFailed'; run: RunSnapshot; error: Error }
  | { kind: 'saved'; run: RunSnapshot };

export type SubmitResult =
  /** The run folder could not be written: nothing was sent, nothing charged. */
  | { kind: 'notStarted'; error: Error }
  /** CreatOK refused the request (`submit_failed`), or its answer was lost (`unconfirmed`). */
  | { kind: 'failed'; run: RunSnapshot; error: Error }
  /** Accepted: the task is followed from now on (`run.unsaved` when the record could not be written). */
  | { kind: 'submitted'; run: RunSnapshot };

export type CheckResult = { kind: 'following'; run: RunSnapshot } | { kind: 'checked'; run: RunSnapshot };

export type RetryDownloadResult =
  /** Every image is saved. */
  | { kind: 'done'; run: RunSnapshot }
  /** Some could not be saved: `run.record.download_error` says which and why. */
  | { kind: 'failed'; run: RunSnapshot; message: string }
  | { kind: 'busy' }
  | { kind: 'unreadable'; message: string };

/** What a start-up resume did with the runs it found marked in progress. */
export interface ResumeSummary {
  /** Followed again (their task may still be running). */
  followed: number;
  /** Succeeded runs whose images are being saved now. */
  completing: number;
  /** Found still `submitting` with no window sending them: now `unconfirmed`. */
  unconfirmed: number;
  /** Marked folders whose record was never written (nothing was sent): removed. */
  abandoned: number;
}

export interface RunServiceOptions {
  client: () => Pick<CreatOkClient, 'submit' | 'getTaskStatus' | 'baseUrl'>;
  watcher: TaskWatcher;
  logger?: Logger;
  now?: () => Date;
  /** Saves a succeeded run's images into its folder; returns the record with the local files. */
  saveImages?: (record: RunRecord, store: ArtifactStore) => Promise<RunRecord>;
  /** Who this window is, in lease files. */
  ownerId?: string;
  /** How long a lease lasts without renewal (renewed every third of it). */
  leaseMs?: number;
  /** How often a run followed by another window is read back from disk. */
  observeMs?: number;
  /** Delays between attempts to save a record whose write failed (the last one repeats). */
  saveRetryMs?: number[];
}

interface Tracked {
  key: string;
  store: ArtifactStore;
  record: RunRecord;
  following: boolean;
  elsewhere: boolean;
  unsaved?: string;
  /** The steps of this run, in order: an older state never lands after a newer one. */
  steps: Promise<void>;
  stopRequested: boolean;
  watch: WatchOptions;
  leaseTimer?: ReturnType<typeof setInterval>;
  observeTimer?: ReturnType<typeof setInterval>;
  saveTimer?: ReturnType<typeof setTimeout>;
  saveAttempts: number;
  /** A lease renewal under way. */
  renewing?: Promise<void>;
  /** The paid request is under way (its outcome not known yet). */
  sending?: boolean;
}

const keyOf = (store: ArtifactStore, runId: string): string => `${store.root}\u0000${runId}`;

export class RunService implements Disposable {
  private readonly runs = new Map<string, Tracked>();
  private readonly events: Emitter<RunEvent>;
  private readonly logger: Logger;
  private readonly now: () => Date;
  private readonly owner: string;
  private readonly leaseMs: number;
  private readonly observeMs: number;
  private readonly saveRetryMs: number[];
  private readonly saveImages: (record: RunRecord, store: ArtifactStore) => Promise<RunRecord>;
  private readonly subscription: Disposable;
  private readonly pending = new Set<Promise<void>>();
  private disposed = false;

  readonly onDidChange: Event<RunEvent>;

  constructor(private readonly options: RunServiceOptions) {
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? (() => new Date());
    this.owner = options.ownerId ?? `${process.pid}-${randomBytes(4).toString('hex')}`;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.observeMs = options.observeMs ?? 2_000;
    this.saveRetryMs = options.saveRetryMs ?? [2_000, 5_000, 15_000, 30_000, 60_000];
    this.saveImages = options.saveImages ?? ((record, store) => saveRunImages(record, store));
    this.events = new Emitter((error) => this.logger.error(`runs: a listener failed: ${error.message}`));
    this.onDidChange = this.events.event;
    this.subscription = options.watcher.onEvent((event) => {
      const run = this.followedHere(event.taskId);
      if (!run) return;
      if (event.type === 'status') this.onStatus(run, event.status, event.raw);
      else if (event.type === 'trouble') this.emit({ kind: 'trouble', run: this.snapshotOf(run), error: event.error });
      else this.step(run, () => this.end(run, event.reason, event.error));
    });
  }

  // ---- what the views read ----

  /** The runs being followed (here or in another window), with their latest records. */
  followed(): RunSnapshot[] {
    return [...this.runs.values()].filter((r) => r.following).map((r) => this.snapshotOf(r));
  }

  isFollowing(taskId: string): boolean {
    return !!this.trackedByTask(taskId)?.following;
  }

  /** What the service holds of a run (followed, or not yet saved), if anything. */
  snapshot(store: ArtifactStore, runId: string): RunSnapshot | undefined {
    const run = this.runs.get(keyOf(store, runId));
    return run ? this.snapshotOf(run) : undefined;
  }

  /** The runs whose record could not be written yet. */
  unsaved(): RunSnapshot[] {
    return [...this.runs.values()].filter((r) => r.unsaved).map((r) => this.snapshotOf(r));
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
    let record: RunRecord = {
      ...newRunRecord(request, this.now(), undefined, options.source),
      base_url: client.baseUrl,
      ...(references.length > 0 ? { references } : {}),
    };
    // Marked and leased before the record, the record before the request: a crash at any line
    // leaves either nothing sent and nothing but empty folders, or a marked run that the next
    // start finds (followed with its task id, or `unconfirmed` without one).
    try {
      // Marker first: whatever a kill leaves in this folder from here on, the next start finds and tidies.
      await store.markInProgress(record.run_id, true);
      await this.leaseNewRun(store, record.run_id);
      // Again, under the lease: another window's start-up may have taken an empty marked folder for abandoned.
      await store.markInProgress(record.run_id, true);
      record = await store.write(record);
    } catch (error) {
      const e = asError(error);
      this.logger.error(`artifacts: the run folder could not be written, so nothing was sent: ${e.message}`);
      await store.removeAbandoned(record.run_id, { owner: this.owner, unsent: true }).catch(() => undefined);
      return { kind: 'notStarted', error: e };
    }
    const run = this.track(store, record);
    run.sending = true;
    this.renewLeaseWhileHeld(run);
    let answer: Awaited<ReturnType<typeof client.submit>>;
    try {
      answer = await client.submit(toSubmitBody(request, references.map((r) => r.objectKey)), { idempotencyKey: record.run_id, signal: options.signal });
    } catch (error) {
      run.sending = false;
      await this.step(run, async () => {
        run.record = failedSubmitRecord(run.record, error, this.now());
        // Nothing to follow (no task id): the marker goes once the outcome is on disk.
        if (await this.save(run)) await this.unmark(run);
        await this.releaseLease(run);
      });
      this.clearTimers(run, { keepSaveRetry: true });
      this.untrackIfIdle(run);
      this.emit({ kind: 'ended', run: this.snapshotOf(run), reason: 'submitFailed' });
      return { kind: 'failed', run: this.snapshotOf(run), error: asError(error) };
    }
    const answeredAt = performance.now();
    run.sending = false;
    run.record = { ...run.record, task_id: answer.taskId, status: answer.status, raw: { ...run.record.raw, submit: answer.raw }, updated_at: this.now().toISOString() };
    await this.step(run, () => this.save(run));
    this.logger.info(`submit: CreatOK accepted task ${answer.taskId} (run ${record.run_id}); recorded ${(performance.now() - answeredAt).toFixed(1)} ms after the answer`);
    this.startFollowing(run, { startedAt: Date.parse(record.created_at), ...options.watch });
    return { kind: 'submitted', run: this.snapshotOf(run) };
  }

  /**
   * Takes the lease of a run folder this window just made. Another window's start-up may hold it
   * for a moment (it found the marker before the record); it lets go at once, so this waits for it.
   */
  private async leaseNewRun(store: ArtifactStore, runId: string): Promise<void> {
    for (let attempt = 0; attempt < 50; attempt++) {
      if ((await store.acquireLease(runId, this.owner, this.leaseMs)).ok) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('Another window holds this new run folder.');
  }

  /** Follows a run that has a task id (idempotent). Returns at once; events tell the rest. */
  follow(store: ArtifactStore, record: RunRecord, watch: WatchOptions = {}): RunSnapshot {
    if (!record.task_id) throw new Error('A run without a task id cannot be followed.');
    const existing = this.trackedByTask(record.task_id);
    if (existing?.following) return this.snapshotOf(existing);
    const run = existing ?? this.track(store, record);
    this.startFollowing(run, { startedAt: Date.parse(record.created_at), ...watch });
    return this.snapshotOf(run);
  }

  /** Stops following a task here; the task itself goes on at CreatOK. */
  stop(taskId: string): void {
    const run = this.trackedByTask(taskId);
    if (!run?.following) return;
    run.stopRequested = true;
    // Polled here: the watcher's `ended` event ends it. Otherwise (taking the lease, or read
    // from another window's record) the next step sees the request.
    if (this.options.watcher.isWatching(taskId)) this.options.watcher.stop(taskId);
    else this.step(run, () => this.end(run, 'stopped'));
  }

  /**
   * Reads a task's state once and records it (a recovery run folder for a task started
   * elsewhere, found or made under the artifacts lock so two windows make one). A final task
   * gets its images saved. Errors of the status read (unknown task, key refused) are thrown
   * before anything is written.
   */
  async checkTask(taskId: string, stores: readonly ArtifactStore[], target: ArtifactStore, options: { keepWatching?: boolean; signal?: AbortSignal } = {}): Promise<CheckResult> {
    const tracked = this.trackedByTask(taskId);
    if (tracked?.following) return { kind: 'following', run: this.snapshotOf(tracked) };
    const client = this.options.client();
    const answer = await client.getTaskStatus(taskId, { signal: options.signal });
    const found = tracked ? { store: tracked.store, record: tracked.record } : await this.findOrCreate(taskId, stores, target, client.baseUrl);
    const run = tracked ?? this.track(found.store, found.record);
    if (run.following) return { kind: 'following', run: this.snapshotOf(run) };
    await this.step(run, async () => {
      run.record = applyTaskStatus(run.record, answer.status, answer.raw, this.now());
      if (isTerminalStatus(answer.status.status)) await this.completeIfFree(run);
      else await this.save(run);
    });
    this.logger.info(`check: task ${taskId} is ${run.record.status} (run ${run.record.run_id})`);
    if (options.keepWatching && !isFinalStatus(run.record.status)) this.startFollowing(run, { startedAt: Date.parse(run.record.created_at) });
    else this.untrackIfIdle(run);
    this.emit({ kind: 'updated', run: this.snapshotOf(run) });
    return { kind: 'checked', run: this.snapshotOf(run) };
  }

  /**
   * Saves a finished run's missing images again, from the addresses CreatOK lists now (never
   * from links read back from disk). Says whether every image is saved.
   */
  async retryDownloads(store: ArtifactStore, runId: string): Promise<RetryDownloadResult> {
    const tracked = this.runs.get(keyOf(store, runId));
    if (tracked?.following) return { kind: 'busy' };
    const read = tracked ? { ok: true as const, record: tracked.record } : await store.read(runId);
    if (!read.ok) return { kind: 'unreadable', message: read.message };
    const run = tracked ?? this.track(store, read.record);
    let busy = false;
    await this.step(run, async () => {
      if (!(await this.takeLease(run))) {
        busy = true;
        return;
      }
      try {
        await this.finish(run, { fromServer: false });
      } finally {
        await this.releaseLease(run);
      }
    });
    this.untrackIfIdle(run);
    if (busy) return { kind: 'busy' };
    this.emit({ kind: 'updated', run: this.snapshotOf(run) });
    const problem = run.record.download_error ?? (lacksImages(run.record) ? 'some images are not saved' : undefined);
    return problem ? { kind: 'failed', run: this.snapshotOf(run), message: problem } : { kind: 'done', run: this.snapshotOf(run) };
  }

  /** Tries again to write a run whose record could not be saved; true once it is on disk. */
  async retrySave(store: ArtifactStore, runId: string): Promise<boolean> {
    const run = this.runs.get(keyOf(store, runId));
    if (!run) return true;
    if (!run.unsaved) return true;
    let saved = false;
    await this.step(run, async () => {
      saved = await this.save(run);
    });
    this.untrackIfIdle(run);
    return saved;
  }

  /**
   * At start-up: every run marked in progress is finished or followed again. A task that may
   * still run is followed; a succeeded run without all its images gets them (from CreatOK's
   * current answer); a run still `submitting` that no live window is sending becomes
   * `unconfirmed` (never sent again); a marked folder without a record (nothing was sent) is
   * removed. Runs a live window holds the lease of are left to it (or observed).
   */
  async resumeUnfinished(stores: readonly ArtifactStore[]): Promise<ResumeSummary> {
    const summary: ResumeSummary = { followed: 0, completing: 0, unconfirmed: 0, abandoned: 0 };
    for (const store of stores) {
      for (const runId of await store.inProgressRunIds()) {
        try {
          await this.resumeOne(store, runId, summary);
        } catch (error) {
          this.logger.warn(`resume: ${runId}: ${asError(error).message}`);
        }
      }
    }
    return summary;
  }

  private async resumeOne(store: ArtifactStore, runId: string, summary: ResumeSummary): Promise<void> {
    if (this.runs.has(keyOf(store, runId))) return;
    const lease = await store.readLease(runId);
    const heldElsewhere = !!lease && lease.owner !== this.owner && isLeaseLive(lease);
    const result = await store.read(runId);
    if (!result.ok) {
      // The lease taken first (under the folder's lock): a window between its marker and its record keeps the run.
      if (result.reason === 'missing' && !heldElsewhere && (await store.acquireLease(runId, this.owner, this.leaseMs)).ok) {
        await store.removeAbandoned(runId, { owner: this.owner });
        summary.abandoned++;
      } else if (result.reason !== 'missing') this.logger.warn(`resume: ${runId}: ${result.message}`);
      return;
    }
    const record = result.record;
    if (record.task_id && this.isFollowing(record.task_id)) return;
    if (classifyStatus(record.status) === 'submitting') {
      if (heldElsewhere) return; // that window is still sending it
      const run = this.track(store, record);
      let taken = false;
      await this.step(run, async () => {
        // Under the folder's lock: only if no live window holds the run now.
        if (!(await this.takeLease(run))) return;
        taken = true;
        run.record = interruptedSubmitRecord(record, this.now());
        if (await this.save(run)) await this.unmark(run);
        else await this.releaseLease(run);
      });
      if (!taken) {
        this.untrackIfIdle(run);
        return;
      }
      this.untrackIfIdle(run);
      this.logger.warn(`resume: ${runId} was being submitted when its window closed: unconfirmed (not sent again)`);
      this.emit({ kind: 'updated', run: this.snapshotOf(run) });
      summary.unconfirmed++;
      return;
    }
    if (isResumable(record)) {
      this.logger.info(`resume: following ${runId} (task ${record.task_id}) again`);
      this.follow(store, record);
      summary.followed++;
      return;
    }
    if (lacksImages(record) && record.task_id && !heldElsewhere) {
      this.logger.info(`resume: ${runId} succeeded without all its images; saving them`);
      summary.completing++;
      const run = this.track(store, record);
      void this.step(run, async () => {
        if (!(await this.takeLease(run))) return;
        try {
          await this.finish(run, { fromServer: false });
        } finally {
          await this.releaseLease(run);
        }
        this.emit({ kind: 'updated', run: this.snapshotOf(run) });
      }).finally(() => this.untrackIfIdle(run));
      return;
    }
    if (heldElsewhere) return;
    await clearRunLeftovers(store, runId);
  }

  /** Resolves once every step started so far (writes, downloads, lease changes) is done. */
  async flushed(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  dispose(): void {
    this.disposed = true;
    this.subscription.dispose();
    for (const run of this.runs.values()) {
      this.clearTimers(run);
      if (run.following && !run.elsewhere) void this.releaseLease(run);
    }
    this.events.dispose();
  }

  // ---- inside ----

  private startFollowing(run: Tracked, watch: WatchOptions): void {
    const taskId = run.record.task_id!;
    run.following = true;
    run.elsewhere = false;
    run.stopRequested = false;
    run.watch = watch;
    this.emit({ kind: 'started', run: this.snapshotOf(run) });
    this.step(run, async () => {
      // Marked first: whoever follows it, a restart must find the task again.
      await run.store.markInProgress(run.record.run_id, true).catch((e: Error) => this.logger.warn(`artifacts: ${run.record.run_id}: ${e.message}`));
      if (run.stopRequested || !run.following) return this.end(run, 'stopped');
      const lease = await this.takeLease(run);
      if (run.stopRequested) return this.end(run, 'stopped');
      if (!lease) {
        this.logger.info(`watch: task ${taskId} is followed by another window; reading its record`);
        this.becomeObserver(run);
        return;
      }
      this.beginWatching(run);
    });
  }

  /** This window holds the lease: renew it, and poll the task. */
  private beginWatching(run: Tracked): void {
    if (this.disposed) return;
    run.elsewhere = false;
    this.renewLeaseWhileHeld(run);
    this.options.watcher.watch(run.record.task_id!, run.watch);
  }

  /** Another window follows the run: read the record it writes, until it ends or its lease runs out. */
  private becomeObserver(run: Tracked): void {
    if (run.leaseTimer) clearInterval(run.leaseTimer);
    run.leaseTimer = undefined;
    run.elsewhere = true;
    if (!this.disposed) {
      run.observeTimer = setInterval(() => this.step(run, () => this.observe(run)), this.observeMs);
      run.observeTimer.unref?.();
    }
    this.emit({ kind: 'updated', run: this.snapshotOf(run) });
  }

  private onStatus(run: Tracked, status: TaskStatus, raw: unknown): void {
    // Applied in the run's step chain, after earlier writes: a write that finishes late never
    // puts back an older state.
    this.step(run, async () => {
      const changed =
        status.status !== run.record.status ||
        (status.result?.images?.length ?? 0) !== run.record.images.length ||
        (status.progress ?? null) !== (run.record.progress ?? null);
      if (!changed) return;
      run.record = applyTaskStatus(run.record, status, raw, this.now());
      await this.save(run);
      this.emit({ kind: 'updated', run: this.snapshotOf(run) });
    });
  }

  /** A run followed by another window: read what it wrote; take over when its lease ran out. */
  private async observe(run: Tracked): Promise<void> {
    if (!run.following || !run.elsewhere) return;
    if (run.stopRequested) return this.end(run, 'stopped');
    // The lease first, then the record: a follower that finishes in between is seen as final.
    const lease = await run.store.readLease(run.record.run_id);
    const holderLive = !!lease && isLeaseLive(lease);
    await this.readBack(run);
    if (holderLive) return;
    if (isFinalStatus(run.record.status)) return this.end(run, finalReason(run.record.status));
    // The other window is gone: this one follows the task now (unless a third one was quicker).
    if (!(await this.takeLease(run))) return;
    await this.readBack(run);
    if (isFinalStatus(run.record.status)) {
      // The window that followed it is gone: what it left undone (images, marker) is done here.
      run.elsewhere = false;
      await this.finish(run, { fromServer: false });
      return this.end(run, finalReason(run.record.status));
    }
    this.logger.info(`watch: task ${run.record.task_id} was followed by another window that stopped; following it here`);
    if (run.observeTimer) clearInterval(run.observeTimer);
    run.observeTimer = undefined;
    this.beginWatching(run);
    this.emit({ kind: 'updated', run: this.snapshotOf(run) });
  }

  /** Takes what another window wrote into this run's record, when it is newer. */
  private async readBack(run: Tracked): Promise<void> {
    const read = await run.store.read(run.record.run_id);
    if (read.ok && read.record.updated_at !== run.record.updated_at) {
      run.record = mergeRecords(run.record, read.record);
      this.emit({ kind: 'updated', run: this.snapshotOf(run) });
    }
  }

  /** The end of a followed run: the one finish path (here), then exactly one `ended` event. */
  private async end(run: Tracked, reason: RunEndReason, error?: CreatOkError): Promise<void> {
    if (!run.following) return;
    const taskId = run.record.task_id;
    if (taskId && this.options.watcher.isWatching(taskId)) this.options.watcher.stop(taskId, { quiet: true });
    this.clearTimers(run, { keepSaveRetry: true });
    try {
      if (!run.elsewhere) {
        const stamp = this.now().toISOString();
        run.record =
          reason === 'notFound' || reason === 'unauthorized' || reason === 'config'
            ? { ...run.record, error: { kind: reason, message: error?.message ?? reason }, updated_at: stamp }
            : { ...run.record, updated_at: stamp };
        // CreatOK does not know the task: final, so nothing asks about it again.
        if (reason === 'notFound') run.record = { ...run.record, status: UNKNOWN_TASK_STATUS, finished_at: stamp };
        // The image addresses are the ones the watcher's last answer listed, in this process.
        await this.finish(run, { fromServer: true });
      }
    } catch (e) {
      this.logger.error(`runs: ending ${run.record.run_id}: ${asError(e).message}`);
    } finally {
      const wasHere = !run.elsewhere;
      this.clearTimers(run, { keepSaveRetry: true });
      run.following = false;
      run.elsewhere = false;
      if (wasHere) await this.releaseLease(run);
      this.untrackIfIdle(run);
      this.emit({ kind: 'ended', run: { ...this.snapshotOf(run), elsewhere: !wasHere }, reason, ...(error ? { error } : {}) });
    }
  }

  /** A final task found by a check: finished here unless another window follows it (then its record is shown). */
  private async completeIfFree(run: Tracked): Promise<void> {
    if (!(await this.takeLease(run))) {
      const read = await run.store.read(run.record.run_id);
      if (read.ok) run.record = mergeRecords(read.record, run.record);
      return;
    }
    try {
      await this.finish(run, { fromServer: true });
    } finally {
      await this.releaseLease(run);
    }
  }

  /**
   * THE way a run is finished, whoever finishes it (the end of a watch, a check, Retry
   * Downloads, a start-up resume): a succeeded run's missing images saved, the record written,
   * and once it is on disk and final, the in-progress marker cleared. The caller holds the
   * lease. `fromServer`: the record's image addresses came from CreatOK's latest answer in this
   * process; otherwise (read back from disk) the task is asked again first, and only what it
   * lists now is downloaded. Never throws; failures land in the record.
   */
  private async finish(run: Tracked, source: { fromServer: boolean }): Promise<void> {
    // Downloads may take minutes: the lease stays renewed meanwhile, so no window takes the run over.
    let renewing: Promise<unknown> | undefined;
    const renew = setInterval(() => {
      renewing ??= run.store.acquireLease(run.record.run_id, this.owner, this.leaseMs).catch(() => undefined).finally(() => (renewing = undefined));
    }, Math.max(50, this.leaseMs / 3));
    renew.unref?.();
    try {
      await this.finishHeld(run, source);
    } finally {
      clearInterval(renew);
      await renewing;
    }
  }

  private async finishHeld(run: Tracked, source: { fromServer: boolean }): Promise<void> {
    if (lacksImages(run.record)) {
      let fresh = source.fromServer;
      if (!fresh && run.record.task_id) {
        try {
          const answer = await this.options.client().getTaskStatus(run.record.task_id);
          run.record = applyTaskStatus(run.record, answer.status, answer.raw, this.now());
          fresh = true;
        } catch (e) {
          run.record = { ...run.record, download_error: `CreatOK could not be asked for the image links: ${asError(e).message}`, download_error_kind: null };
        }
      }
      if (fresh && lacksImages(run.record)) {
        try {
          run.record = await this.saveImages({ ...run.record, download_error: null, download_error_kind: null }, run.store);
        } catch (e) {
          run.record = { ...run.record, download_error: asError(e).message };
        }
      }
      if (run.record.download_error) this.logger.warn(`images: ${run.record.run_id}: ${run.record.download_error}`);
    }
    const saved = await this.save(run);
    // The marker stays while the record is not on disk: a restart then checks the task again.
    if (saved && isFinalStatus(run.record.status)) await this.unmark(run);
  }

  /**
   * A run that needs no window any more: this window's lease, a dead window's lease and any temp
   * files go, and the marker last (a crash before it leaves the marker, so the next start tidies up).
   */
  private async unmark(run: Tracked): Promise<void> {
    await this.releaseLease(run);
    await clearRunLeftovers(run.store, run.record.run_id).catch((e: Error) => this.logger.warn(`artifacts: ${run.record.run_id}: ${e.message}`));
  }

  /** Writes the run's record; never throws. A failure keeps the record here and retries later. */
  private async save(run: Tracked): Promise<boolean> {
    const record = run.record;
    try {
      const written = await run.store.write(record);
      // Only what this write wrote: anything newer stays.
      if (run.record === record) run.record = written;
    } catch (error) {
      const e = asError(error);
      const first = !run.unsaved;
      run.unsaved = e.message;
      if (first) {
        this.logger.error(`artifacts: run ${run.record.run_id} (task ${run.record.task_id ?? 'none'}, ${run.record.status}) could not be saved: ${e.message}`);
        this.emit({ kind: 'saveFailed', run: this.snapshotOf(run), error: e });
      }
      this.scheduleSaveRetry(run);
      return false;
    }
    if (run.unsaved) {
      run.unsaved = undefined;
      run.saveAttempts = 0;
      if (run.saveTimer) clearTimeout(run.saveTimer);
      run.saveTimer = undefined;
      this.logger.info(`artifacts: run ${run.record.run_id} is saved now`);
      this.emit({ kind: 'saved', run: this.snapshotOf(run) });
    }
    return true;
  }

  private scheduleSaveRetry(run: Tracked): void {
    if (run.saveTimer || this.disposed) return;
    const delay = this.saveRetryMs[Math.min(run.saveAttempts, this.saveRetryMs.length - 1)] ?? 60_000;
    run.saveAttempts++;
    run.saveTimer = setTimeout(() => {
      run.saveTimer = undefined;
      if (!run.unsaved) return;
      this.step(run, async () => {
        if (run.unsaved && (await this.save(run))) this.untrackIfIdle(run);
      });
    }, delay);
    run.saveTimer.unref?.();
  }

  private async takeLease(run: Tracked): Promise<boolean> {
    try {
      const result = await run.store.acquireLease(run.record.run_id, this.owner, this.leaseMs);
      return result.ok;
    } catch (e) {
      // Another window holds the folder's lock for long: it is busy with this run.
      if (e instanceof LockTimeoutError) return false;
      // No lease can be written (full disk, read-only folder): follow anyway rather than lose the task.
      this.logger.warn(`artifacts: ${run.record.run_id}: no lease (${asError(e).message}); following without one`);
      return true;
    }
  }

  /** Renews the lease every third of its life, outside the step chain (a long download or submit must not let it run out). */
  private renewLeaseWhileHeld(run: Tracked): void {
    if (run.leaseTimer || this.disposed) return;
    run.leaseTimer = setInterval(() => {
      run.renewing ??= this.renewLease(run).finally(() => (run.renewing = undefined));
    }, Math.max(50, this.leaseMs / 3));
    run.leaseTimer.unref?.();
  }

  /** Renews this window's lease; if another window took it meanwhile (this one slept), hands the run over. */
  private async renewLease(run: Tracked): Promise<void> {
    if (run.sending && !this.disposed) {
      await run.store.acquireLease(run.record.run_id, this.owner, this.leaseMs).catch(() => undefined);
      return;
    }
    if (!run.following || run.elsewhere || this.disposed) return;
    let result;
    try {
      result = await run.store.acquireLease(run.record.run_id, this.owner, this.leaseMs);
    } catch (e) {
      this.logger.warn(`artifacts: ${run.record.run_id}: lease not renewed: ${asError(e).message}`);
      return;
    }
    if (result.ok || !run.following || run.elsewhere) return;
    this.logger.warn(`watch: task ${run.record.task_id}: another window follows it now; reading its record here`);
    if (run.record.task_id) this.options.watcher.stop(run.record.task_id, { quiet: true });
    this.becomeObserver(run);
  }

  private async releaseLease(run: Tracked): Promise<void> {
    // A renewal under way would write the lease again after this release: wait for it.
    await run.renewing;
    await run.store.releaseLease(run.record.run_id, this.owner).catch(() => undefined);
  }

  private async findOrCreate(taskId: string, stores: readonly ArtifactStore[], target: ArtifactStore, baseUrl: string): Promise<{ store: ArtifactStore; record: RunRecord }> {
    for (const store of stores) {
      if (store.root === target.root) continue;
      const found = await findRecordOfTask(store, taskId);
      if (found) return { store, record: found };
    }
    return target.withRootLock(async () => {
      const found = await findRecordOfTask(target, taskId);
      if (found) return { store: target, record: found };
      const record = await target.write(newRecoveryRecord(taskId, this.now(), baseUrl));
      return { store: target, record };
    });
  }

  private track(store: ArtifactStore, record: RunRecord): Tracked {
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

  private untrackIfIdle(run: Tracked): void {
    if (!run.following && !run.unsaved) {
      this.clearTimers(run);
      this.runs.delete(run.key);
    }
  }

  private clearTimers(run: Tracked, options: { keepSaveRetry?: boolean } = {}): void {
    if (run.leaseTimer) clearInterval(run.leaseTimer);
    if (run.observeTimer) clearInterval(run.observeTimer);
    run.leaseTimer = run.observeTimer = undefined;
    if (!options.keepSaveRetry && run.saveTimer) {
      clearTimeout(run.saveTimer);
      run.saveTimer = undefined;
    }
  }

  private trackedByTask(taskId: string): Tracked | undefined {
    for (const run of this.runs.values()) if (run.record.task_id === taskId) return run;
    return undefined;
  }

  private followedHere(taskId: string): Tracked | undefined {
    const run = this.trackedByTask(taskId);
    return run?.following && !run.elsewhere ? run : undefined;
  }

  /** Queues a step of one run after its earlier ones. */
  private step(run: Tracked, work: () => Promise<unknown>): Promise<void> {
    const next = run.steps.then(work).then(
      () => undefined,
      (e: unknown) => this.logger.error(`runs: ${run.record.run_id}: ${asError(e).message}`),
    );
    run.steps = next;
    this.pending.add(next);
    void next.finally(() => this.pending.delete(next));
    return next;
  }

  private snapshotOf(run: Tracked): RunSnapshot {
    return { record: run.record, store: run.store, following: run.following, elsewhere: run.elsewhere, ...(run.unsaved ? { unsaved: run.unsaved } : {}) };
  }

  private emit(event: RunEvent): void {
    if (!this.disposed) this.events.fire(event);
  }
}

async function clearRunLeftovers(store: ArtifactStore, runId: string): Promise<void> {
  await store.removeDeadLease(runId);
  await store.removeLeftovers(runId);
  await store.markInProgress(runId, false);
}

function finalReason(status: string): RunEndReason {
  return classifyStatus(status) === 'succeeded' ? 'succeeded' : 'failed';
}

async function findRecordOfTask(store: ArtifactStore, taskId: string): Promise<RunRecord | undefined> {
  for (const runId of await store.listRunIds()) {
    const read = await store.read(runId);
    if (read.ok && read.record.task_id === taskId) return read.record;
  }
  return undefined;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
