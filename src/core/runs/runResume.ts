// At start-up: every run marked in progress is finished or followed again. A task that may
// still run is followed; a succeeded run without all its images gets them (from CreatOK's
// current answer); a run still `submitting` that no live window is sending becomes `unconfirmed`
// (never sent again); a marked folder without a record (nothing was sent) is removed. Runs a
// live window holds the lease of are left to it (or observed).
import type { Logger } from '../log';
import { interruptedSubmitRecord } from './lifecycle';
import type { RunRecord } from './record';
import type { RunFinisher } from './runFinisher';
import type { LeaseKeeper } from './runLeases';
import type { RunRegistry } from './runRegistry';
import { classifyStatus, isResumable, lacksImages } from './runStatus';
import { asError, type ResumeSummary, type SettledOutcome } from './runTypes';
import { clearRunLeftovers, type RunWriter } from './runWriter';
import { isLeaseLive, type ArtifactStore } from './store';

export class StartupResume {
  constructor(
    private readonly registry: RunRegistry,
    private readonly writer: RunWriter,
    private readonly leases: LeaseKeeper,
    private readonly finisher: RunFinisher,
    private readonly follow: (store: ArtifactStore, record: RunRecord) => void,
    private readonly logger: Logger,
    private readonly now: () => Date,
    /** Tells the spend ledger what a dead window's pending run became (only a pending entry changes). */
    private readonly settle: (store: ArtifactStore, run: Pick<RunRecord, 'run_id' | 'task_id'>, outcome: SettledOutcome) => Promise<unknown>,
  ) {}

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
    if (this.registry.get(store, runId)) return;
    const lease = await store.readLease(runId);
    const heldElsewhere = !!lease && lease.owner !== this.leases.owner && isLeaseLive(lease);
    const result = await store.read(runId);
    if (!result.ok) {
      // The lease taken first (under the folder's lock): a window between its marker and its record keeps the run.
      if (result.reason === 'missing' && !heldElsewhere && (await store.acquireLease(runId, this.leases.owner, this.leases.leaseMs)).ok) {
        await store.removeAbandoned(runId, { owner: this.leases.owner });
        await this.settle(store, { run_id: runId, task_id: null }, 'notSent'); // the record comes before the request
        summary.abandoned++;
      } else if (result.reason !== 'missing') this.logger.warn(`resume: ${runId}: ${result.message}`);
      return;
    }
    const record = result.record;
    if (record.task_id && !heldElsewhere) await this.settle(store, record, 'accepted');
    if (record.task_id && this.registry.byTask(record.task_id)?.following) return;
    if (classifyStatus(record.status) === 'submitting') {
      if (!heldElsewhere && (await this.markUnconfirmed(store, record))) summary.unconfirmed++;
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
      const run = this.registry.track(store, record);
      void this.registry
        .step(run, async () => {
          if (await this.finisher.finishIfFree(run, { fromServer: false })) this.registry.emit({ kind: 'updated', run: this.registry.snapshotOf(run) });
        })
        .finally(() => this.registry.untrackIfIdle(run));
      return;
    }
    if (heldElsewhere) return;
    // A refused or unanswered submit whose window died before the ledger heard of it.
    const status = classifyStatus(record.status);
    if (!record.task_id && (status === 'submitFailed' || status === 'unconfirmed')) await this.settle(store, record, status === 'unconfirmed' ? 'unconfirmed' : 'refused');
    await clearRunLeftovers(store, runId);
  }

  /** A run left `submitting` by a window that is gone: `unconfirmed`, under the lease (only if no live window holds it now). */
  private async markUnconfirmed(store: ArtifactStore, record: RunRecord): Promise<boolean> {
    const run = this.registry.track(store, record);
    let taken = false;
    await this.registry.step(run, async () => {
      if (!(await this.leases.take(run))) return;
      taken = true;
      run.record = interruptedSubmitRecord(record, this.now());
      if (await this.writer.save(run)) {
        await this.settle(store, record, 'unconfirmed');
        await this.finisher.unmark(run);
      } else await this.leases.release(run);
    });
    this.registry.untrackIfIdle(run);
    if (!taken) return false;
    this.logger.warn(`resume: ${record.run_id} was being submitted when its window closed: unconfirmed (not sent again)`);
    this.registry.emit({ kind: 'updated', run: this.registry.snapshotOf(run) });
    return true;
  }
}
