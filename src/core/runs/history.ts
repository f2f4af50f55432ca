// How long earlier runs in this workspace took, from their result.json files: the watcher
// polls densely around the time similar runs finished.
import type { RunRecord } from './record';
import { classifyStatus } from './runStatus';
import type { ArtifactStore } from './store';

export interface RunDuration {
  model: string;
  resolution: string;
  n: number;
  durationMs: number;
}

export function durationOf(record: RunRecord): RunDuration | undefined {
  // A resumed run's created_at is when it was resumed, not when its task began.
  if (classifyStatus(record.status) !== 'succeeded' || !record.finished_at || record.source === 'resume') return undefined;
  const durationMs = Date.parse(record.finished_at) - Date.parse(record.created_at);
  if (!Number.isFinite(durationMs) || durationMs <= 0) return undefined;
  return { model: record.model, resolution: record.resolution, n: record.n, durationMs };
}

/** The most recent `limit` readable records of a store, newest first (unreadable folders are skipped). */
export async function recentRecords(store: ArtifactStore, limit = 200): Promise<RunRecord[]> {
  const ids = (await store.listRunIds()).slice(0, limit);
  const results = await Promise.all(ids.map((id) => store.read(id)));
  return results.flatMap((r) => (r.ok ? [r.record] : []));
}

/** The durations of the finished runs among `records`. */
export function durationsOf(records: readonly RunRecord[]): RunDuration[] {
  return records.flatMap((r) => {
    const d = durationOf(r);
    return d ? [d] : [];
  });
}

/**
 * Among the newest `look` of `records` (newest first), the runs of the last `withinMs` whose paid
 * submit may have been accepted without an answer ("unconfirmed"): the next confirmation warns
 * of them before anything is charged again.
 */
export function unconfirmedOf(records: readonly RunRecord[], now = Date.now(), withinMs = 24 * 3600_000, look = 30): RunRecord[] {
  return records.slice(0, look).filter((r) => r.status === 'unconfirmed' && now - Date.parse(r.created_at) < withinMs);
}
