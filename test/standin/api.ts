/**
 * The CreatOK endpoints of the stand-in (auth and faults are the server's job):
 * capabilities, presign, storage PUT, submit, status, and the signed image files.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { findModel } from './capabilities';
import { emptyReply, envelope, isRecord, ok, xmlError, type Reply } from './http';
import { cachedGradientPng, cachedNoisePng, cachedPng } from './png';
import { scenePng, sceneSize } from './scene';
import { FILES_PATH, REDIRECT_PATH, type UploadStore, type UrlSigner } from './storage';
import type { TaskRecord, TaskStore } from './tasks';
import type { ImageCapabilities, RecordedRequest, StandInConfig } from './types';

export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;
export const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'];
/** envelope code of a refused (invalid) request */
export const INVALID = 40001;
/** envelope code of a body that is not JSON */
export const NOT_JSON = 40000;

export interface ApiContext {
  readonly baseUrl: string;
  config(): StandInConfig;
  readonly tasks: TaskStore;
  readonly uploads: UploadStore;
  readonly signer: UrlSigner;
}

export interface GenerationRequest {
  prompt: string;
  model: string;
  resolution: string;
  n: number;
  aspectRatio?: string;
  imageObjectKeys: string[];
}

export function notJson(): Reply {
  return envelope(400, NOT_JSON, 'The request body must be JSON (Content-Type: application/json).');
}

/** Checks a generation request against the capabilities; a message when it is refused. */
export function checkGeneration(
  body: Record<string, unknown>,
  caps: ImageCapabilities,
  isUploaded: (objectKey: string) => boolean,
): GenerationRequest | string {
  const { prompt, model, resolution, n, aspect_ratio: aspectRatio, imageObjectKeys } = body;
  if (typeof prompt !== 'string' || prompt.trim() === '') return 'prompt is required.';
  if (typeof model !== 'string') return 'model is required.';
  const spec = findModel(caps, model);
  if (!spec) return `Unknown model "${model}". Available: ${caps.models.map((m) => m.id).join(', ')}.`;
  const { limits } = spec;
  if (typeof resolution !== 'string' || !limits.resolutions.includes(resolution)) {
    return `Resolution ${String(resolution)} is not supported by ${model} (supported: ${limits.resolutions.join(', ')}).`;
  }
  if (typeof n !== 'number' || !Number.isInteger(n) || n < limits.n.min || n > limits.n.max) {
    return `n must be an integer from ${limits.n.min} to ${limits.n.max}.`;
  }
  const request: GenerationRequest = { prompt, model, resolution, n, imageObjectKeys: [] };
  if (aspectRatio !== undefined) {
    const allowed = limits.aspect_ratios;
    const valid = typeof aspectRatio === 'string' && (allowed ? allowed.includes(aspectRatio) : /^\d+:\d+$/.test(aspectRatio));
    if (!valid) return `aspect_ratio ${String(aspectRatio)} is not supported by ${model}${allowed ? ` (supported: ${allowed.join(', ')})` : ''}.`;
    request.aspectRatio = aspectRatio;
  }
  if (imageObjectKeys !== undefined) {
    if (!Array.isArray(imageObjectKeys) || !imageObjectKeys.every((k): k is string => typeof k === 'string')) {
      return 'imageObjectKeys must be an array of strings.';
    }
    const max = limits.max_reference_images;
    if (max !== undefined && imageObjectKeys.length > max) return `${model} accepts at most ${max} reference images.`;
    const missing = imageObjectKeys.find((k) => !isUploaded(k));
    if (missing !== undefined) return `Reference image not found: ${missing}. Upload it first.`;
    request.imageObjectKeys = [...imageObjectKeys];
  }
  return request;
}

export function capabilities(ctx: ApiContext): Reply {
  return ok({ capabilities: { image: ctx.config().capabilities } });
}

export function presign(ctx: ApiContext, body: unknown): Reply {
  if (!isRecord(body)) return notJson();
  const { fileName, fileType, fileSize, prefix } = body;
  const refuse = (message: string): Reply => envelope(400, INVALID, message);
  if (typeof fileName !== 'string' || fileName.trim() === '') return refuse('fileName is required.');
  if (typeof fileType !== 'string' || !IMAGE_TYPES.includes(fileType)) {
    return refuse(`fileType must be one of ${IMAGE_TYPES.join(', ')}.`);
  }
  if (typeof fileSize !== 'number' || !Number.isInteger(fileSize) || fileSize <= 0) return refuse('fileSize must be a positive integer.');
  if (fileSize > MAX_UPLOAD_BYTES) return refuse(`The file is too large (at most ${MAX_UPLOAD_BYTES} bytes).`);
  if (prefix !== undefined && typeof prefix !== 'string') return refuse('prefix must be a string.');
  return ok(ctx.uploads.presign(ctx.baseUrl, { fileName, fileType, fileSize, prefix }));
}

export function upload(ctx: ApiContext, path: string, query: URLSearchParams, headers: IncomingHttpHeaders, body: Buffer): Reply {
  return ctx.uploads.put(path, query, headers, body);
}

/** Handles a submission; fills in `record` (accepted, taskCreated, taskId, replay). */
export function submit(ctx: ApiContext, body: unknown, record: RecordedRequest, forceFail: boolean): Reply {
  if (!isRecord(body)) return notJson();
  const key = record.idempotencyKey;
  const earlier = key === undefined ? undefined : ctx.tasks.byIdempotencyKey(key);
  if (earlier) {
    Object.assign(record, { accepted: true, replay: true, taskId: earlier.taskId });
    return ok({ task_id: earlier.taskId, status: ctx.tasks.stateAt(earlier).status });
  }
  const config = ctx.config();
  const checked = checkGeneration(body, config.capabilities, (k) => ctx.uploads.isUploaded(k));
  if (typeof checked === 'string') {
    record.accepted = false;
    return envelope(200, INVALID, checked);
  }
  const task = ctx.tasks.create({ ...checked, source: 'api', idempotencyKey: key, fail: forceFail }, config);
  Object.assign(record, { accepted: true, taskCreated: task.taskId, taskId: task.taskId });
  return ok({ task_id: task.taskId, status: 'queued' });
}

/**
 * The `n + extraImages` image entries of a succeeded task, signed now (nothing is stored
 * per image), pointing at the first redirect hop when `imageRedirects` is set.
 */
function imageUrls(ctx: ApiContext, task: TaskRecord): { url: string; thumbnail_url: string }[] {
  const config = ctx.config();
  const expires = (task.createdAt + task.taskMs) / 1000 + config.urlTtlSeconds;
  const padding = 'a'.repeat(config.urlPadding);
  const start = config.imageRedirects > 0 ? `${ctx.baseUrl}${REDIRECT_PATH}${config.imageRedirects}/` : `${ctx.baseUrl}${FILES_PATH}`;
  const link = (file: string): string => `${start}${file}?${ctx.signer.signQuery(`${FILES_PATH}${file}`, expires, padding)}`;
  return Array.from({ length: task.n + config.extraImages }, (_, i) => ({
    url: link(`${task.taskId}/image_${i + 1}.png`),
    thumbnail_url: link(`${task.taskId}/thumb_${i + 1}.png`),
  }));
}

/** The non-zero code of "task not found" in an HTTP 200 answer. */
export const TASK_NOT_FOUND = 40004;

export function status(ctx: ApiContext, query: URLSearchParams): Reply {
  const taskId = query.get('task_id');
  if (taskId === null || taskId === '') return envelope(400, INVALID, 'task_id is required.');
  const taskType = query.get('task_type');
  if (taskType !== 'image_generation') return envelope(400, INVALID, `Unsupported task_type: ${String(taskType)}.`);
  const task = ctx.tasks.get(taskId);
  if (!task) return ctx.config().unknownTaskAnswer === 'http404' ? envelope(404, 404, 'Task not found') : envelope(200, TASK_NOT_FOUND, 'task not found');
  const state = ctx.tasks.poll(task);
  const data: Record<string, unknown> = { task_id: task.taskId, status: state.status };
  if (state.status === 'running' && !ctx.config().omitProgress) data.progress = state.progress;
  if (state.status === 'succeeded') data.result = { images: imageUrls(ctx, task) };
  if (state.status === 'failed') data.error = { message: task.errorMessage ?? 'The image could not be generated.' };
  return ok(data);
}

const FILE_NAME = /^\/__files\/([A-Za-z0-9_-]+)\/(image|thumb)_(\d+)\.png$/;

/** Serves `GET /__files/<task_id>/(image|thumb)_<i>.png?X-Expires=..&X-Signature=..`. */
export function image(ctx: ApiContext, path: string, query: URLSearchParams): Reply {
  const check = ctx.signer.check(path, query);
  if (check === 'bad-signature') return xmlError(403, 'AccessDenied', 'Request has an invalid signature.');
  if (check === 'expired') return xmlError(403, 'AccessDenied', 'Request has expired.');
  const match = FILE_NAME.exec(path);
  const task = match ? ctx.tasks.get(match[1]) : undefined;
  const index = match ? Number(match[3]) : 0;
  if (!match || !task || index < 1 || index > task.n || ctx.tasks.stateAt(task).status !== 'succeeded') {
    return xmlError(404, 'NoSuchKey', 'The specified key does not exist.');
  }
  const config = ctx.config();
  const key = `${task.taskId}/${index}`;
  const scene = (longSide: number): Buffer => {
    const { width, height } = sceneSize(task.aspectRatio, longSide);
    return cachedPng(`scene:${key}:${width}x${height}`, () => scenePng(width, height, task.prompt, index - 1));
  };
  const png = config.imageStyle === 'scene' && config.imageBytes === null
    ? scene(match[2] === 'thumb' ? config.thumbnailSize : Math.max(config.imageWidth, config.imageHeight))
    : match[2] === 'thumb'
      ? cachedGradientPng(key, config.thumbnailSize, config.thumbnailSize)
      : config.imageBytes !== null
        ? cachedNoisePng(config.imageBytes, (index - 1) % 4) // warmed by the server
        : cachedGradientPng(key, config.imageWidth, config.imageHeight);
  const reply: Reply = { status: 200, headers: { 'content-type': 'image/png', 'cache-control': 'private, max-age=3600' }, body: png };
  const { imageBytesPerSecond: bytesPerSecond, imageStallAfterBytes: stallAfterBytes } = config;
  if (match[2] === 'image' && (bytesPerSecond !== null || stallAfterBytes !== null)) reply.pacing = { bytesPerSecond, stallAfterBytes };
  return reply;
}

const REDIRECT_NAME = /^\/__redirect\/(\d+)\/(.+)$/;

/**
 * Serves `GET /__redirect/<k>/<rest>?<query>`: 302 to `/__redirect/<k-1>/<rest>?<query>`, and
 * from k = 1 to `/__files/<rest>?<query>` (or `imageRedirectTarget`, verbatim). Odd k answer
 * an absolute Location, even k a root-relative one.
 */
export function redirect(ctx: ApiContext, path: string, search: string): Reply {
  const match = REDIRECT_NAME.exec(path);
  const hops = match ? Number(match[1]) : 0;
  if (!match || !Number.isSafeInteger(hops) || hops < 1) return xmlError(404, 'NoSuchKey', 'The specified key does not exist.');
  const target = ctx.config().imageRedirectTarget;
  const next = hops > 1 ? `${REDIRECT_PATH}${hops - 1}/${match[2]}${search}` : `${FILES_PATH}${match[2]}${search}`;
  const location = hops === 1 && target !== null ? target : hops % 2 === 1 ? `${ctx.baseUrl}${next}` : next;
  return emptyReply(302, { location, 'cache-control': 'no-store' });
}
