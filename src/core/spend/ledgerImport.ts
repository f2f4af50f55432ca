// The runs of a workspace folder that were made before the spend ledger existed, as ledger
// entries: read once per folder (see SpendLedger.importOnce), so history is kept.
import type { RunRecord } from '../runs/record';
import { classifyStatus } from '../runs/runStatus';
import type { ArtifactStore } from '../runs/store';
import type { LedgerEntry, Outcome } from './ledgerEntries';

/** At most this many run folders (the newest) are read by one import. */
export const MAX_IMPORTED_RUNS = 5_000;

/** What an older run counts as: accepted with a task id, unconfirmed, refused; a recovery run (`resume`) was paid elsewhere. */
export function entryFromRecord(record: RunRecord, folder: string): LedgerEntry | undefined {
  if (record.source === 'resume') return undefined;
  const status = classifyStatus(record.status);
  const outcome: Outcome | undefined = record.task_id !== null ? 'accepted' : status === 'unconfirmed' || status === 'submitting' ? 'unconfirmed' : status === 'submitFailed' ? 'refused' : undefined;
  if (!outcome || Number.isNaN(Date.parse(record.created_at))) return undefined;
  const credits = record.estimated_credits === null ? null : Math.min(1_000_000, Math.max(0, record.estimated_credits));
  return {
    at: new Date(record.created_at).toISOString(),
    folder,
    runId: record.run_id.slice(0, 200),
    taskId: record.task_id?.slice(0, 200) ?? null,
    model: record.model.slice(0, 200),
    resolution: record.resolution.slice(0, 40),
    n: Math.min(1000, record.n),
    credits,
    outcome,
    prompt: record.prompt.slice(0, 120),
    source: 'import',
  };
}

/** The newest run folders' entries (records that cannot be read are skipped). */
export async function entriesOfStore(store: ArtifactStore, max = MAX_IMPORTED_RUNS): Promise<LedgerEntry[]> {
  const ids = (await store.listRunIds()).sort().slice(-max);
  const entries: LedgerEntry[] = [];
  for (const id of ids) {
    const read = await store.read(id);
    const entry = read.ok ? entryFromRecord(read.record, store.workspaceFolder) : undefined;
    if (entry) entries.push(entry);
  }
  return entries;
}
