// Following a task: polled here by the watcher while this window holds the lease, or read from
// the record another window writes (taken over when that window's lease runs out). Every
// followed run ends with exactly one `ended` event, whatever fails on the way.
import type { CreatOkError } from '../api/errors';
import type { TaskStatus } from '../api/schemas';
import type { Logger } from '../log';
import type { TaskWatcher, WatchOptions } from '../watcher';
import { applyTaskStatus } from './lifecycle';
import { mergeRecords } from './record';
import type { RunFinisher } from './runFinisher';
import type { LeaseKeeper } from './runLeases';
import type { RunRegistry } from './runRegistry';
import { isFinalStatus, UNKNOWN_TASK_STATUS } from './runStatus';
import { asError, finalReason, type RunEndReason, type Tracked } from './runTypes';
import type { RunWriter } from './runWriter';
import { isLeaseLive } from './store';

export class RunFollower {
  constructor(
    private readonly registry: RunRegistry,
    private readonly writer: RunWriter,
    private readonly leases: LeaseKeeper,
    private readonly finisher: RunFinisher,
    private readonly watcher: TaskWatcher,
    private readonly logger: Logger,
    private readonly now: () => Date,
    private readonly observeMs: number,
  ) {}

  start(run: Tracked, watch: WatchOptions): void {
    const taskId = run.record.task_id!;
    run.following = true;
    run.elsewhere = false;
    run.stopRequested = false;
    run.watch = watch;
    this.registry.emit({ kind: 'started', run: this.registry.snapshotOf(run) });
    this.registry.step(run, async () => {
      // Marked first: whoever follows it, a restart must find the task again.
      await run.store.markInProgress(run.record.run_id, true).catch((e: Error) => this.logger.warn(`artifacts: ${run.record.run_id}: ${e.message}`));
      if (run.stopRequested || !run.following) return this.end(run, 'stopped');
      const lease = await this.leases.take(run);
      if (run.stopRequested) return this.end(run, 'stopped');
      if (!lease) {
        this.logger.info(`watch: task ${taskId} is followed by another window; reading its record`);
        this.observeElsewhere(run);
        return;
      }
      this.pollHere(run);
    });
  }

  /** Stops following a task here; the task itself goes on at CreatOK. */
  stop(run: Tracked): void {
    run.stopRequested = true;
    // Polled here: the watcher's `ended` event ends it. Otherwise (taking the lease, or read
    // from another window's record) the next step sees the request.
    const taskId = run.record.task_id;
    if (taskId && this.watcher.isWatching(taskId)) this.watcher.stop(taskId);
    else this.registry.step(run, () => this.end(run, 'stopped'));
  }

  /** A status read by the watcher, applied in the run's step chain (a late write never puts back an older state). */
  onStatus(run: Tracked, status: TaskStatus, raw: unknown): void {
    this.registry.step(run, async () => {
      const changed =
        status.status !== run.record.status ||
        (status.result?.images?.length ?? 0) !== run.record.images.length ||
        (status.progress ?? null) !== (run.record.progress ?? null);
      if (!changed) return;
      run.record = applyTaskStatus(run.record, status, raw, this.now());
      await this.writer.save(run);
      this.registry.emit({ kind: 'updated', run: this.registry.snapshotOf(run) });
    });
  }

  /** Another window took the lease of a run polled here: read its record from now on. */
  handOver(run: Tracked): void {
    if (run.record.task_id) this.watcher.stop(run.record.task_id, { quiet: true });
    this.observeElsewhere(run);
  }

  /** The end of a followed run: the one finish path (here), then exactly one `ended` event. */
  async end(run: Tracked, reason: RunEndReason, error?: CreatOkError): Promise<void> {
    if (!run.following) return;
    const taskId = run.record.task_id;
    if (taskId && this.watcher.isWatching(taskId)) this.watcher.stop(taskId, { quiet: true });
    this.registry.clearTimers(run, { keepSaveRetry: true });
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
        await this.finisher.finish(run, { fromServer: true });
      }
    } catch (e) {
      this.logger.error(`runs: ending ${run.record.run_id}: ${asError(e).message}`);
    } finally {
      const wasHere = !run.elsewhere;
      this.registry.clearTimers(run, { keepSaveRetry: true });
      run.following = false;
      run.elsewhere = false;
      if (wasHere) await this.leases.release(run);
      this.registry.untrackIfIdle(run);
      this.registry.emit({ kind: 'ended', run: { ...this.registry.snapshotOf(run), elsewhere: !wasHere }, reason, ...(error ? { error } : {}) });
    }
  }

  /** This window holds the lease: renew it, and poll the task. */
  private pollHere(run: Tracked): void {
    if (this.registry.disposed) return;
    run.elsewhere = false;
    this.leases.renewWhileHeld(run);
    this.watcher.watch(run.record.task_id!, run.watch);
  }

  /** Another window follows the run: read the record it writes, until it ends or its lease runs out. */
  private observeElsewhere(run: Tracked): void {
    if (run.leaseTimer) clearInterval(run.leaseTimer);
    run.leaseTimer = undefined;
    run.elsewhere = true;
    if (!this.registry.disposed) {
      run.observeTimer = setInterval(() => this.registry.step(run, () => this.observe(run)), this.observeMs);
      run.observeTimer.unref?.();
    }
    this.registry.emit({ kind: 'updated', run: this.registry.snapshotOf(run) });
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
    if (!(await this.leases.take(run))) return;
    await this.readBack(run);
    if (isFinalStatus(run.record.status)) {
      // The window that followed it is gone: what it left undone (images, marker) is done here.
      run.elsewhere = false;
      await this.finisher.finish(run, { fromServer: false });
      return this.end(run, finalReason(run.record.status));
    }
    this.logger.info(`watch: task ${run.record.task_id} was followed by another window that stopped; following it here`);
    if (run.observeTimer) clearInterval(run.observeTimer);
    run.observeTimer = undefined;
    this.pollHere(run);
    this.registry.emit({ kind: 'updated', run: this.registry.snapshotOf(run) });
  }

  /** Takes what another window wrote into this run's record, when it is newer. */
  private async readBack(run: Tracked): Promise<void> {
    const read = await run.store.read(run.record.run_id);
    if (read.ok && read.record.updated_at !== run.record.updated_at) {
      run.record = mergeRecords(run.record, read.record);
      this.registry.emit({ kind: 'updated', run: this.registry.snapshotOf(run) });
    }
  }
}
