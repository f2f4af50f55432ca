// THE way a run is finished, whoever finishes it (the end of a watch, Check Once, Retry
// Downloads, a start-up resume, a window taking over from a dead one): a succeeded run's
// missing images saved, the record written, and once it is on disk and final, this window's
// lease, a dead window's lease and temp files removed, and the in-progress marker last.
import type { Logger } from '../log';
import { applyTaskStatus } from './lifecycle';
import type { RunRecord } from './record';
import type { LeaseKeeper } from './runLeases';
import { isFinalStatus, lacksImages } from './runStatus';
import { asError, type RunServiceOptions, type Tracked } from './runTypes';
import { clearRunLeftovers, type RunWriter } from './runWriter';
import type { ArtifactStore } from './store';

export class RunFinisher {
  constructor(
    private readonly writer: RunWriter,
    private readonly leases: LeaseKeeper,
    private readonly client: RunServiceOptions['client'],
    private readonly saveImages: (record: RunRecord, store: ArtifactStore) => Promise<RunRecord>,
    private readonly logger: Logger,
    private readonly now: () => Date,
  ) {}

  /**
   * Finishes a run whose lease the caller holds (renewed here while it works). `fromServer`: the
   * record's image addresses came from CreatOK's latest answer in this process; otherwise (read
   * back from disk) the task is asked again first, and only what it lists now is downloaded.
   * Never throws; failures land in the record.
   */
  finish(run: Tracked, source: { fromServer: boolean }): Promise<void> {
    return this.leases.heldDuring(run, () => this.finishHeld(run, source));
  }

  /** Takes the lease, finishes, releases; false when another window holds the run. */
  async finishIfFree(run: Tracked, source: { fromServer: boolean }): Promise<boolean> {
    if (!(await this.leases.take(run))) return false;
    try {
      await this.finish(run, source);
    } finally {
      await this.leases.release(run);
    }
    return true;
  }

  /** A run that needs no window any more (final, on disk): see the header. */
  async unmark(run: Tracked): Promise<void> {
    await this.leases.release(run);
    await clearRunLeftovers(run.store, run.record.run_id).catch((e: Error) => this.logger.warn(`artifacts: ${run.record.run_id}: ${e.message}`));
  }

  private async finishHeld(run: Tracked, source: { fromServer: boolean }): Promise<void> {
    if (lacksImages(run.record)) {
      let fresh = source.fromServer;
      if (!fresh && run.record.task_id) {
        try {
          const answer = await this.client().getTaskStatus(run.record.task_id);
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
    const saved = await this.writer.save(run);
    // The marker stays while the record is not on disk: a restart then checks the task again.
    if (saved && isFinalStatus(run.record.status)) await this.unmark(run);
  }
}
