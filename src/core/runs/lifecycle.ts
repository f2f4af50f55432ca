// What a run's record becomes at each step, as pure functions: a new run, a recovered task, a
// status answer, a failed submit. The run service applies them and writes the result.
import { CreatOkError } from '../api/errors';
import { isTerminalStatus, type TaskImage, type TaskStatus } from '../api/schemas';
import type { ResolvedRequest } from '../request';
import type { RunRecord } from './record';
import { newRunId } from './runId';

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

/** Images kept of a recovered run's answer, whose count was never asked for here. */
export const MAX_IMAGES_PER_RUN = 16;
/** A longer image address is not kept (signed storage URLs are a few hundred characters). */
export const MAX_IMAGE_URL_LENGTH = 16 * 1024;

/**
 * The images of a status answer that a run keeps: at most the `n` it asked for (a recovered
 * run: MAX_IMAGES_PER_RUN), none with an overlong address. The rest are counted, never fetched.
 */
export function keptImages(record: RunRecord, result: TaskStatus['result']): { images: TaskImage[]; ignored: number } {
  const answered = result?.images ?? [];
  const limit = record.source === 'resume' ? MAX_IMAGES_PER_RUN : record.n;
  const usable = answered.filter((i) => i.url.length <= MAX_IMAGE_URL_LENGTH);
  const images = usable.slice(0, limit).map((i) => (i.thumbnail_url && i.thumbnail_url.length > MAX_IMAGE_URL_LENGTH ? { ...i, thumbnail_url: null } : i));
  return { images, ignored: Math.max(answered.length, result?.images_listed ?? 0) - images.length };
}

/**
 * The status answer as result.json keeps it in `raw`: its image list stands in `images` and
 * `thumbnails` already, so here it is only counted (each long signed URL is stored once).
 */
export function compactStatusAnswer(raw: unknown): unknown {
  if (!isObject(raw) || !isObject(raw.data) || !isObject(raw.data.result) || !Array.isArray(raw.data.result.images)) return raw;
  const count = raw.data.result.images.length;
  return { ...raw, data: { ...raw.data, result: { ...raw.data.result, images: `${count} images: see "images" and "thumbnails"` } } };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The record after a status answer; unchanged fields keep what earlier writes recorded. */
export function applyTaskStatus(record: RunRecord, status: TaskStatus, raw: unknown, now: Date): RunRecord {
  const { images, ignored } = keptImages(record, status.result);
  const terminal = isTerminalStatus(status.status);
  return {
    ...record,
    task_id: record.task_id ?? status.task_id ?? null,
    status: status.status,
    // A recovered run learns its count from the images.
    n: record.source === 'resume' && images.length > 0 ? images.length : record.n,
    progress: status.progress ?? null,
    // A final answer says what the images are, even none: links read back from disk never stay.
    images: images.length > 0 || terminal ? images.map((i) => i.url) : record.images,
    thumbnails: images.length > 0 || terminal ? images.map((i) => i.thumbnail_url ?? null) : record.thumbnails,
    ...(ignored > 0 ? { images_ignored: ignored } : {}),
    raw: { ...record.raw, status: compactStatusAnswer(raw) },
    error:
      status.status === 'failed'
        ? { kind: 'taskFailed', message: status.error?.message?.trim() || 'The task failed without a reason.' }
        : record.error,
    updated_at: now.toISOString(),
    finished_at: terminal ? now.toISOString() : (record.finished_at ?? null),
  };
}

/** The record of a submit that CreatOK refused (`submit_failed`) or that may have reached it (`unconfirmed`). */
export function failedSubmitRecord(record: RunRecord, error: unknown, now: Date): RunRecord {
  const unconfirmed = error instanceof CreatOkError && error.details.mayHaveReachedServer === true;
  const kind = error instanceof CreatOkError ? error.kind : 'internal';
  return {
    ...record,
    status: unconfirmed ? 'unconfirmed' : 'submit_failed',
    error: {
      kind,
      message: error instanceof Error ? error.message : String(error),
      ...(error instanceof CreatOkError && error.details.code !== undefined ? { code: error.details.code } : {}),
    },
    updated_at: now.toISOString(),
    finished_at: unconfirmed ? null : now.toISOString(),
  };
}

/**
 * A run found still `submitting` after its window closed: whether CreatOK accepted it is not
 * known, so it is `unconfirmed` (shown, warned about, counted) and never sent again by itself.
 */
export function interruptedSubmitRecord(record: RunRecord, now: Date): RunRecord {
  return {
    ...record,
    status: 'unconfirmed',
    error: { kind: 'interrupted', message: "The window closed while the request was being sent; whether CreatOK accepted it is not known." },
    updated_at: now.toISOString(),
    finished_at: null,
  };
}
