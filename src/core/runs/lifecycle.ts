// One run from the paid submit to a final state, as pure record updates plus the store writes.
// The task id is on disk before anything polls it.
import type { CreatOkClient } from '../api/client';
import { CreatOkError } from '../api/errors';
import type { TaskStatus } from '../api/schemas';
import { toSubmitBody, type ResolvedRequest } from '../request';
import type { RunRecord } from './record';
import { newRunId } from './runId';
import type { ArtifactStore } from './store';

/** What every new run starts with: no task, no images, no error, stamped now. */
function freshRecord(now: Date, runId: string, fields: Pick<RunRecord, 'task_id' | 'status' | 'prompt' | 'model' | 'resolution' | 'aspect_ratio' | 'n' | 'estimated_credits' | 'source'>): RunRecord {
  const stamp = now.toISOString();
  return { run_id: runId, ...fields, images: [], raw: {}, error: null, created_at: stamp, updated_at: stamp, finished_at: null };
}

export function newRunRecord(request: ResolvedRequest, now: Date, runId = newRunId(now), source: RunRecord['source'] = 'panel'): RunRecord {
  return freshRecord(now, runId, {
    task_id: null,
    status: 'submitting',
    prompt: request.prompt,
    model: request.model,
    resolution: request.resolution,
    aspect_ratio: request.aspectRatio,
    n: request.n,
    estimated_credits: request.estimatedCredits,
    source,
  });
}

/** A run folder for a task started elsewhere (Resume Task by ID): the prompt is not known. */
export function newRecoveryRecord(taskId: string, now: Date, baseUrl?: string): RunRecord {
  const record = freshRecord(now, newRunId(now), {
    task_id: taskId,
    status: 'unknown',
    prompt: '',
    model: '',
    resolution: '',
    aspect_ratio: null,
    n: 1,
    estimated_credits: null,
    source: 'resume',
  });
  return baseUrl ? { ...record, base_url: baseUrl } : record;
}

/** The record after a status answer; unchanged fields keep what earlier writes recorded. */
export function applyTaskStatus(record: RunRecord, status: TaskStatus, raw: unknown, now: Date): RunRecord {
  const images = status.result?.images ?? [];
  const terminal = status.status === 'succeeded' || status.status === 'failed';
  return {
    ...record,
    task_id: record.task_id ?? status.task_id ?? null,
    status: status.status,
    // A recovered run learns its count from the images.
    n: record.source === 'resume' && images.length > 0 ? images.length : record.n,
    progress: status.progress ?? null,
    images: images.length > 0 ? images.map((i) => i.url) : record.images,
    thumbnails: images.length > 0 ? images.map((i) => i.thumbnail_url ?? null) : record.thumbnails,
    raw: { ...record.raw, status: raw },
    error:
      status.status === 'failed'
        ? { kind: 'taskFailed', message: status.error?.message?.trim() || 'The task failed without a reason.' }
        : record.error,
    updated_at: now.toISOString(),
    finished_at: terminal ? now.toISOString() : (record.finished_at ?? null),
  };
}

export interface SubmitOutcome {
  record: RunRecord;
  /** Set when the submit failed; `record.status` then says `unconfirmed` or `submit_failed`. */
  error?: CreatOkError | Error;
}

/**
 * Records the run, sends the paid request once, and records its answer. Never retries:
 * a failure after the request may have left is recorded as `unconfirmed`.
 */
export async function submitRun(
  client: Pick<CreatOkClient, 'submit' | 'baseUrl'>,
  store: ArtifactStore,
  request: ResolvedRequest,
  options: { now?: () => Date; references?: NonNullable<RunRecord['references']>; signal?: AbortSignal; source?: RunRecord['source'] } = {},
): Promise<SubmitOutcome> {
  const now = options.now ?? (() => new Date());
  const references = options.references ?? [];
  let record: RunRecord = {
    ...newRunRecord(request, now(), undefined, options.source),
    base_url: client.baseUrl,
    ...(references.length > 0 ? { references } : {}),
  };
  await store.write(record);
  try {
    const imageObjectKeys = references.map((r) => r.objectKey);
    const answer = await client.submit(toSubmitBody(request, imageObjectKeys), { idempotencyKey: record.run_id, signal: options.signal });
    record = { ...record, task_id: answer.taskId, status: answer.status, raw: { ...record.raw, submit: answer.raw }, updated_at: now().toISOString() };
    await store.write(record);
    return { record };
  } catch (error) {
    const unconfirmed = error instanceof CreatOkError && error.details.mayHaveReachedServer === true;
    const kind = error instanceof CreatOkError ? error.kind : 'internal';
    record = {
      ...record,
      status: unconfirmed ? 'unconfirmed' : 'submit_failed',
      error: {
        kind,
        message: error instanceof Error ? error.message : String(error),
        ...(error instanceof CreatOkError && error.details.code !== undefined ? { code: error.details.code } : {}),
      },
      updated_at: now().toISOString(),
      finished_at: unconfirmed ? null : now().toISOString(),
    };
    await store.write(record);
    return { record, error: error instanceof Error ? error : new Error(String(error)) };
  }
}
