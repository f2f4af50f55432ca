/**
 * Public types of the CreatOK stand-in server (see /work/shared/creatok-api.md).
 * Everything here is JSON-serialisable except `failPromptPattern` when it is a RegExp.
 */

/** Which endpoint a request hit (control API requests are not logged). */
export type Endpoint =
  | 'capabilities'
  | 'presign'
  | 'upload'
  | 'submit'
  | 'status'
  | 'image'
  | 'redirect'
  | 'unknown';

/** Endpoint selector of a fault rule; `any` matches every logged endpoint except `unknown`. */
export type FaultEndpoint = Exclude<Endpoint, 'unknown'> | 'any';

export const FAULT_KINDS = [
  'http500',
  'html502',
  'http503',
  'http429',
  'malformedJson',
  'apiError',
  'hang',
  'reset',
  'http401',
  'taskFailed',
] as const;

/**
 * - http500: HTTP 500, JSON envelope code 500
 * - html502: HTTP 502, nginx HTML page (text/html)
 * - http503 / http429: JSON envelope, `Retry-After` when the rule gives one
 * - malformedJson: HTTP 200 with a truncated JSON body
 * - apiError: HTTP 200 `{code: 50001, message: "Internal error, please retry"}`
 * - hang: never answers (the socket is destroyed by `close()` or by the client)
 * - reset: destroys the socket without an answer
 * - http401: HTTP 401 `{code: 401, message: "Invalid API key"}`
 * - taskFailed: submit only; the task is created normally and ends `failed`
 */
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultRule {
  endpoint: FaultEndpoint;
  kind: FaultKind;
  /** Apply to the next N matching requests, then expire. Unlimited when absent. */
  times?: number;
  /** Chance (0..1) that a matching request is hit; drawn from the seeded PRNG. Default 1. */
  probability?: number;
  /** Value of the `Retry-After` header (http503 / http429): seconds or an HTTP date. */
  retryAfter?: string;
  /**
   * Process the request normally first (tasks get created, uploads stored), then replace
   * the answer by the fault: "the request reached the server but the answer was lost".
   */
  afterBody?: boolean;
}

export interface ModelDefaults {
  resolution: string;
  n: number;
  aspect_ratio?: string;
}

export interface ModelLimits {
  resolutions: string[];
  n: { min: number; max: number };
  aspect_ratios?: string[];
  max_reference_images?: number;
}

export interface ModelPricing {
  currency: string;
  unit: string;
  by_resolution: Record<string, number>;
}

export interface ModelCapabilities {
  id: string;
  label: string;
  defaults: ModelDefaults;
  limits: ModelLimits;
  pricing?: ModelPricing;
}

/** `data.capabilities.image` of the capabilities endpoint. */
export interface ImageCapabilities {
  default_model: string;
  models: ModelCapabilities[];
}

export interface StandInConfig {
  /** Required bearer token. Default `ok_standin_demo_key`. */
  apiKey: string;
  /** How long a task reports `queued`. Default 1000. */
  queuedMs: number;
  /** Total time from creation until the task is terminal. Default 3000. */
  taskMs: number;
  /** Size of served full images (gradient PNG). Default 512 x 512. */
  imageWidth: number;
  imageHeight: number;
  /** Edge of the square thumbnails (the long side of a scene's). Default 128. */
  thumbnailSize: number;
  /**
   * `gradient` (default): a colour gradient per image. `scene`: a picture drawn from the
   * prompt's words (scene.ts), in the task's aspect ratio with the long side
   * max(imageWidth, imageHeight), for screenshots and the demo.
   */
  imageStyle: 'gradient' | 'scene';
  /** When set, full images are noise PNGs of roughly this many bytes (for download benchmarks). */
  imageBytes: number | null;
  faults: FaultRule[];
  /** Seed of the PRNG behind fault probabilities. Default 1. */
  seed: number;
  /** A prompt matching this (string = literal substring) ends `failed`. Default `[fail]`; null disables. */
  failPromptPattern: string | RegExp | null;
  /** `error.message` of a task failed by `failPromptPattern`. */
  failMessage: string;
  /** `error.message` of a task failed by a `taskFailed` fault or `fail: true`. */
  taskFailedMessage: string;
  /** The capabilities answer; also what submissions are validated against. */
  capabilities: ImageCapabilities;
  /** Lifetime of signed image URLs. Default 3600. */
  urlTtlSeconds: number;
  /**
   * How an unknown task id is answered: `code` (default) HTTP 200 with a non-zero code and
   * "task not found", as the contract allows; `http404` an HTTP 404 envelope.
   */
  unknownTaskAnswer: 'code' | 'http404';
  /** Leave `progress` out of status answers (the contract's leanest answer). Default false. */
  omitProgress: boolean;
  /**
   * A succeeded task lists `n + extraImages` images (signed; indices n+1 … n+extraImages),
   * but the image host answers 404 for any index above n. Default 0.
   */
  extraImages: number;
  /** Signed image URLs carry `X-Padding=<this many 'a'>` (covered by the signature). Default 0. */
  urlPadding: number;
  /**
   * Image and thumbnail URLs point at `/__redirect/<k>/...`: each hop answers 302 (Location
   * alternately absolute and root-relative) until the signed `/__files/...` URL. Default 0.
   */
  imageRedirects: number;
  /** With `imageRedirects` >= 1: the last hop's Location, verbatim, instead of the file. Default null. */
  imageRedirectTarget: string | null;
  /**
   * Full image bodies (not thumbnails) are sent at about this rate, a chunk every 100 ms, with
   * the full Content-Length up front. Default null (at once).
   */
  imageBytesPerSecond: number | null;
  /**
   * Full image bodies send this many bytes (full Content-Length up front), then nothing; the
   * socket stays open until the client gives up or `close()`. Default null.
   */
  imageStallAfterBytes: number | null;
  /**
   * Submissions are processed at once (task created, logged accepted) but answered this many
   * ms later; `close()` does not wait. Default 0.
   */
  submitAnswerDelayMs: number;
}

export interface StandInOptions extends Partial<StandInConfig> {
  /** 0 (default) picks a free port. The server listens on 127.0.0.1 only. */
  port?: number;
}

export interface RecordedRequest {
  id: number;
  /** ms timestamp of arrival */
  at: number;
  method: string;
  path: string;
  query: Record<string, string>;
  /** lower-case names; `authorization` redacted to `Bearer ***` */
  headers: Record<string, string>;
  /** the request carried `Authorization: Bearer <apiKey>` */
  authorized: boolean;
  /** parsed JSON body, when the body was JSON */
  body?: unknown;
  /** body length in bytes */
  bodySize: number;
  endpoint: Endpoint;
  /** the fault applied to this request */
  fault?: FaultKind;
  /** HTTP status sent; absent when no answer was sent (hang, reset) */
  status?: number;
  /** envelope code sent (JSON answers only) */
  code?: number;
  idempotencyKey?: string;
  /** submit: validation passed (a task was created or replayed) */
  accepted?: boolean;
  /** submit / control: the id of a task this request created */
  taskCreated?: string;
  /** submit: the task id answered (new or replayed) */
  taskId?: string;
  /** submit: an earlier request had the same Idempotency-Key; no task was created */
  replay?: boolean;
  /** ms timestamp when the answer was sent / the socket destroyed (a paced body: its start) */
  finishedAt?: number;
}

/**
 * Phases reported to `onRequest` listeners: `received` once the body was read (before any
 * processing), `answered` right after the answer went to the socket (a paced body: its
 * headers) or the socket was destroyed (reset). A hanging request is never `answered`.
 */
export type RequestPhase = 'received' | 'answered';

/** Called synchronously with a copy of the record. */
export type RequestListener = (record: RecordedRequest, phase: RequestPhase) => void;

export type TaskStatus = 'queued' | 'running' | 'succeeded' | 'failed';

export interface TaskSnapshot {
  taskId: string;
  source: 'api' | 'control';
  prompt: string;
  model: string;
  resolution: string;
  n: number;
  aspectRatio?: string;
  imageObjectKeys: string[];
  idempotencyKey?: string;
  /** ms timestamps: created, became running, became terminal (= createdAt + taskMs) */
  createdAt: number;
  runningAt: number;
  finishedAt: number;
  queuedMs: number;
  taskMs: number;
  /** the terminal status it reaches */
  outcome: 'succeeded' | 'failed';
  errorMessage?: string;
  /** status now */
  status: TaskStatus;
  progress: number;
  /** number of status requests answered for this task */
  polls: number;
  lastPolledAt?: number;
  /** ms timestamp of the first status answer that reported the terminal status */
  terminalSeenAt?: number;
}

export interface UploadRecord {
  objectKey: string;
  sha256: string;
  size: number;
  contentType: string;
  at: number;
}

/** Input of `createTask()` and `POST /__standin/tasks`. */
export interface DirectTaskInput {
  prompt: string;
  model: string;
  resolution: string;
  n: number;
  aspect_ratio?: string;
  taskMs?: number;
  queuedMs?: number;
  /** end `failed` regardless of the prompt */
  fail?: boolean;
}

export interface Envelope<T = unknown> {
  code: number;
  message: string;
  data?: T;
}
