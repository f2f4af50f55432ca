// The run service's submit gate made of the spend ledger: the limits are checked and the run is
// written as `pending` under the ledger's lock before anything is sent; its outcome follows.
import { THIS_HOST } from '../processes';
import type { RunRecord } from '../runs/record';
import type { SubmitGate } from '../runs/runTypes';
import type { ArtifactStore } from '../runs/store';
import type { SpendLedger } from './ledger';
import type { LedgerEntry, SpendLimits } from './ledgerEntries';

/** The pending entry of a run about to be sent. */
export function pendingEntry(store: ArtifactStore, record: RunRecord): LedgerEntry {
  return {
    at: record.created_at,
    folder: store.workspaceFolder,
    runId: record.run_id,
    taskId: null,
    model: record.model.slice(0, 200),
    resolution: record.resolution.slice(0, 40),
    n: record.n,
    credits: record.estimated_credits,
    outcome: 'pending',
    prompt: record.prompt.slice(0, 120),
    pid: process.pid,
    host: THIS_HOST,
    source: 'submit',
  };
}

export function ledgerGate(ledger: SpendLedger, limits: () => SpendLimits): SubmitGate {
  return {
    async reserve(store, record) {
      const check = await ledger.reserve(pendingEntry(store, record), limits());
      return check.ok ? { ok: true } : { ok: false, refusal: check };
    },
    async settle(store, run, outcome, options) {
      await ledger.settle({ folder: store.workspaceFolder, runId: run.run_id }, outcome, run.task_id, { ifAbandoned: options?.ifAbandoned });
    },
  };
}
