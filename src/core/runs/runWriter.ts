// The one writer of run records (through ArtifactStore.write). A write that fails keeps the
// record in memory, says so once (`saveFailed`), and is retried until it lands (`saved`).
import type { Logger } from '../log';
import { newRecoveryRecord } from './lifecycle';
import type { RunRecord } from './record';
import type { RunRegistry } from './runRegistry';
import { asError, type Tracked } from './runTypes';
import type { ArtifactStore } from './store';

export class RunWriter {
  constructor(
    private readonly registry: RunRegistry,
    private readonly logger: Logger,
    private readonly saveRetryMs: number[],
    private readonly now: () => Date,
  ) {}

  /** Writes the run's record; never throws. A failure keeps the record here and retries later. */
  async save(run: Tracked): Promise<boolean> {
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
        this.registry.emit({ kind: 'saveFailed', run: this.registry.snapshotOf(run), error: e });
      }
      this.scheduleRetry(run);
      return false;
    }
    if (run.unsaved) {
      run.unsaved = undefined;
      run.saveAttempts = 0;
      if (run.saveTimer) clearTimeout(run.saveTimer);
      run.saveTimer = undefined;
      this.logger.info(`artifacts: run ${run.record.run_id} is saved now`);
      this.registry.emit({ kind: 'saved', run: this.registry.snapshotOf(run) });
    }
    return true;
  }

  /** The first record of a new run (before anything is sent): thrown on failure, nothing kept. */
  writeNew(store: ArtifactStore, record: RunRecord): Promise<RunRecord> {
    return store.write(record);
  }

  /** The run folder of a task started elsewhere (Resume Task by ID), made under the artifacts lock so two windows make one. */
  async findOrCreateRecovery(taskId: string, stores: readonly ArtifactStore[], target: ArtifactStore, baseUrl: string): Promise<{ store: ArtifactStore; record: RunRecord }> {
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

  private scheduleRetry(run: Tracked): void {
    if (run.saveTimer || this.registry.disposed) return;
    const delay = this.saveRetryMs[Math.min(run.saveAttempts, this.saveRetryMs.length - 1)] ?? 60_000;
    run.saveAttempts++;
    run.saveTimer = setTimeout(() => {
      run.saveTimer = undefined;
      if (!run.unsaved) return;
      this.registry.step(run, async () => {
        if (run.unsaved && (await this.save(run))) this.registry.untrackIfIdle(run);
      });
    }, delay);
    run.saveTimer.unref?.();
  }
}

/** A finished run's folder tidied: a dead window's lease and temp files go, the marker last. */
export async function clearRunLeftovers(store: ArtifactStore, runId: string): Promise<void> {
  await store.removeDeadLease(runId);
  await store.removeLeftovers(runId);
  await store.markInProgress(runId, false);
}

async function findRecordOfTask(store: ArtifactStore, taskId: string): Promise<RunRecord | undefined> {
  for (const runId of await store.listRunIds()) {
    const read = await store.read(runId);
    if (read.ok && read.record.task_id === taskId) return read.record;
  }
  return undefined;
}
