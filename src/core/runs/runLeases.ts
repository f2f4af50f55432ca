// One follower per task across windows: a lease file in the run folder, taken, renewed while
// this window works on the run (watching, sending, finishing), and released. A window whose
// lease another one took while it slept hands the run over.
import type { Logger } from '../log';
import { LockTimeoutError } from './fileLock';
import type { RunRegistry } from './runRegistry';
import { asError, type Tracked } from './runTypes';
import type { ArtifactStore } from './store';

export class LeaseKeeper {
  constructor(
    private readonly registry: RunRegistry,
    private readonly logger: Logger,
    readonly owner: string,
    readonly leaseMs: number,
    /** Another window took the lease of a run this one follows: it reads that window's record from now on. */
    private readonly handOver: (run: Tracked) => void,
  ) {}

  private get renewEveryMs(): number {
    return Math.max(50, this.leaseMs / 3);
  }

  /** True when this window holds the run's lease now (or no lease can be written at all: the task is followed anyway). */
  async take(run: Tracked): Promise<boolean> {
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

  /**
   * Takes the lease of a run folder this window just made. Another window's start-up may hold it
   * for a moment (it found the marker before the record); it lets go at once, so this waits for it.
   */
  async takeNew(store: ArtifactStore, runId: string): Promise<void> {
    for (let attempt = 0; attempt < 50; attempt++) {
      if ((await store.acquireLease(runId, this.owner, this.leaseMs)).ok) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('Another window holds this new run folder.');
  }

  /** Renews the lease every third of its life, outside the step chain (a long download or submit must not let it run out). */
  renewWhileHeld(run: Tracked): void {
    if (run.leaseTimer || this.registry.disposed) return;
    run.leaseTimer = setInterval(() => {
      run.renewing ??= this.renew(run).finally(() => (run.renewing = undefined));
    }, this.renewEveryMs);
    run.leaseTimer.unref?.();
  }

  /** Runs `work` with the lease renewed throughout (finishing a run: downloads may take minutes). */
  async heldDuring<T>(run: Tracked, work: () => Promise<T>): Promise<T> {
    let renewing: Promise<unknown> | undefined;
    const timer = setInterval(() => {
      renewing ??= run.store.acquireLease(run.record.run_id, this.owner, this.leaseMs).catch(() => undefined).finally(() => (renewing = undefined));
    }, this.renewEveryMs);
    timer.unref?.();
    try {
      return await work();
    } finally {
      clearInterval(timer);
      await renewing;
    }
  }

  async release(run: Tracked): Promise<void> {
    // A renewal under way would write the lease again after this release: wait for it.
    await run.renewing;
    await run.store.releaseLease(run.record.run_id, this.owner).catch(() => undefined);
  }

  /** Renews this window's lease; if another window took it meanwhile (this one slept), hands the run over. */
  private async renew(run: Tracked): Promise<void> {
    if (run.sending && !this.registry.disposed) {
      await run.store.acquireLease(run.record.run_id, this.owner, this.leaseMs).catch(() => undefined);
      return;
    }
    if (!run.following || run.elsewhere || this.registry.disposed) return;
    let result;
    try {
      result = await run.store.acquireLease(run.record.run_id, this.owner, this.leaseMs);
    } catch (e) {
      this.logger.warn(`artifacts: ${run.record.run_id}: lease not renewed: ${asError(e).message}`);
      return;
    }
    if (result.ok || !run.following || run.elsewhere) return;
    this.logger.warn(`watch: task ${run.record.task_id}: another window follows it now; reading its record here`);
    this.handOver(run);
  }
}
