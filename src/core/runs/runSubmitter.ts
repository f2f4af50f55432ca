// The paid submit, in the order that lets a crash at any line lose nothing and pay nothing twice:
// the spend gate (limits and a pending ledger entry, under the ledger's lock), the in-progress
// marker, the lease, the record (`submitting`), and only then the one request; its answer is
// recorded at once (the task id) and the task followed, or the failure recorded
// (`submit_failed`, or `unconfirmed` when the request may have reached CreatOK). The ledger
// learns each outcome.
import type { Logger } from '../log';
import { toSubmitBody, type ResolvedRequest } from '../request';
import type { WatchOptions } from '../watcher';
import { failedSubmitRecord, newRunRecord } from './lifecycle';
import type { RunRecord } from './record';
import type { RunFinisher } from './runFinisher';
import type { RunFollower } from './runFollower';
import type { LeaseKeeper } from './runLeases';
import type { RunRegistry } from './runRegistry';
import { asError, type RunServiceOptions, type SettledOutcome, type SubmitGate, type SubmitResult } from './runTypes';
import type { RunWriter } from './runWriter';
import type { ArtifactStore } from './store';

export interface SubmitOptions {
  references?: NonNullable<RunRecord['references']>;
  source?: RunRecord['source'];
  signal?: AbortSignal;
  watch?: WatchOptions;
  /** The missing image this run is generated for (kept in its record, so a reload does not lose it). */
  fill?: RunRecord['fill'];
}

export class RunSubmitter {
  constructor(
    private readonly registry: RunRegistry,
    private readonly writer: RunWriter,
    private readonly leases: LeaseKeeper,
    private readonly finisher: RunFinisher,
    private readonly follower: RunFollower,
    private readonly client: RunServiceOptions['client'],
    private readonly gate: SubmitGate | undefined,
    private readonly logger: Logger,
    private readonly now: () => Date,
  ) {}
  /**
   * Records the run, sends the paid request once, records its answer, and follows the task.
   * Never retries the submit: a failure after the request may have left is `unconfirmed`.
   */
  async submit(store: ArtifactStore, request: ResolvedRequest, options: SubmitOptions = {}): Promise<SubmitResult> {
    const client = this.client();
    const references = options.references ?? [];
    let record: RunRecord = { ...newRunRecord(request, this.now(), undefined, options.source), base_url: client.baseUrl, ...(references.length > 0 ? { references } : {}), ...(options.fill ? { fill: options.fill } : {}) };
    // The spend gate first, under its own lock: a refusal leaves nothing on disk.
    const gate = this.gate;
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
        // A settle that failed keeps the marker: the next start settles it from the record.
        const saved = await this.writer.save(run);
        const settled = await this.settle(store, run.record, run.record.status === 'unconfirmed' ? 'unconfirmed' : 'refused');
        if (saved && settled) await this.finisher.unmark(run);
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

  /** Tells the spend gate what became of a submit; a failure is logged (the entry stays pending, which counts). True when recorded. */
  async settle(store: ArtifactStore, record: Pick<RunRecord, 'run_id' | 'task_id'>, outcome: SettledOutcome, options?: { ifAbandoned?: boolean }): Promise<boolean> {
    if (!this.gate) return true;
    return this.gate.settle(store, record, outcome, options).then(
      () => true,
      (error: unknown) => {
        this.logger.error(`spend: the ledger could not record run ${record.run_id} as ${outcome}: ${asError(error).message}`);
        return false;
      },
    );
  }
}
