// The CreatOK Open Skills API: capabilities, reference upload (presign + PUT), submit, status.
// Reads are retried with backoff; the paid submit is sent once and never repeated here.
import { checkBaseUrl, isAllowedUrl, isHeaderSafe } from '../urlPolicy';
import { systemClock, type Clock } from '../clock';
import { redact, silentLogger, type Logger } from '../log';
import { CreatOkError } from './errors';
import { defaultFetch, DEFAULT_TIMEOUT_MS, mapTransportError, requestJson, withDeadline, type FetchLike, type JsonAnswer } from './http';
import { provablyNeverSent, READ_RETRY_POLICY, SUBMIT_RETRY_POLICY, withRetry, type RetryPolicy } from './retry';
import {
  capabilitiesDataSchema,
  presignedUploadDataSchema,
  submitDataSchema,
  taskStatusDataSchema,
  type ImageCapabilities,
  type PresignedUpload,
  type SubmitBody,
  type TaskStatus,
} from './schemas';

export const DEFAULT_BASE_URL = 'https://www.creatok.ai';
export const API_KEYS_PAGE = 'https://www.creatok.ai/app/workspace/api-keys';
export const REFERENCE_PREFIX = 'open-skills/reference-images';

export interface CreatOkClientOptions {
  baseUrl: string;
  /** Returns the key at call time (it may be set or cleared while the client lives). */
  apiKey: () => Promise<string | undefined> | string | undefined;
  fetch?: FetchLike;
  clock?: Clock;
  logger?: Logger;
  timeoutMs?: number;
  readRetry?: RetryPolicy;
  submitRetry?: RetryPolicy;
  random?: () => number;
}

export interface CallOptions {
  signal?: AbortSignal;
}

/** The origin of a base URL, if the key may go there (`https:`, or `http:` to this machine). */
export function normalizeBaseUrl(baseUrl: string): string {
  const checked = checkBaseUrl(baseUrl);
  if (!checked.ok) throw new Error(`The base URL ${baseUrl} is refused (${checked.problem}): the API key only goes to https: addresses, or http: on this machine.`);
  return checked.url.origin;
}

/**
 * CreatOK may say "no such task" with HTTP 200 and a non-zero code rather than HTTP 404: both
 * mean the same (final, not worth retrying).
 */
export function asTaskNotFound(error: unknown): unknown {
  if (!(error instanceof CreatOkError) || error.kind !== 'apiError') return error;
  const message = error.details.apiMessage ?? '';
  if (error.details.code === 404 || /\b(task )?not found\b|does not exist|no such task|unknown task/i.test(message)) {
    return new CreatOkError('notFound', message || 'CreatOK does not know this task.', error.details);
  }
  return error;
}

export class CreatOkClient {
  private readonly origin: string;
  private readonly fetchImpl: FetchLike;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly timeoutMs: number;
  private readonly readRetry: RetryPolicy;

  constructor(private readonly options: CreatOkClientOptions) {
    this.origin = normalizeBaseUrl(options.baseUrl);
    this.fetchImpl = options.fetch ?? defaultFetch;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.readRetry = options.readRetry ?? READ_RETRY_POLICY;
  }

  get baseUrl(): string {
    return this.origin;
  }

  async getCapabilities(options: CallOptions = {}): Promise<{ image: ImageCapabilities; raw: unknown }> {
    const answer = await this.read('capabilities', () =>
      this.call('GET', '/api/open/skills/capabilities', capabilitiesDataSchema, undefined, {}, options.signal),
    options.signal);
    return { image: answer.data.capabilities.image, raw: answer.raw };
  }

  async getTaskStatus(taskId: string, options: CallOptions = {}): Promise<{ status: TaskStatus; raw: unknown }> {
    const query = new URLSearchParams({ task_id: taskId, task_type: 'image_generation' });
    const answer = await this.read('task status', () =>
      this.call('GET', `/api/open/skills/tasks/status?${query}`, taskStatusDataSchema, undefined, {}, options.signal).catch((error: unknown) => {
        throw asTaskNotFound(error);
      }),
    options.signal);
    return { status: answer.data, raw: answer.raw };
  }

  /**
   * Sends the paid generation request once. It is repeated only when the connection provably
   * never opened (DNS failure, connection refused). A failure after the body may have left
   * carries `details.mayHaveReachedServer` so the caller can record "submission unconfirmed".
   */
  async submit(body: SubmitBody, options: CallOptions & { idempotencyKey?: string } = {}): Promise<{ taskId: string; status: string; raw: unknown }> {
    const headers: Record<string, string> = options.idempotencyKey ? { 'Idempotency-Key': options.idempotencyKey } : {};
    this.logger.info(`submit: model=${body.model} resolution=${body.resolution} n=${body.n} aspect_ratio=${body.aspect_ratio ?? '-'} references=${body.imageObjectKeys?.length ?? 0}`);
    try {
      const answer = await withRetry(() => this.call('POST', '/api/open/skills/image-generation', submitDataSchema, body, headers, options.signal), {
        policy: this.options.submitRetry ?? SUBMIT_RETRY_POLICY,
        clock: this.clock,
        random: this.options.random,
        signal: options.signal,
        shouldRetry: provablyNeverSent,
        onRetry: (error, attempt, delay) => this.logger.warn(`submit: attempt ${attempt} never left (${error.message}); trying again in ${delay} ms`),
      });
      this.logger.info(`submit: accepted, task_id=${answer.data.task_id}`);
      return { taskId: answer.data.task_id, status: answer.data.status ?? 'queued', raw: answer.raw };
    } catch (error) {
      this.logFailure('submit', error);
      throw error;
    }
  }

  async requestUpload(file: { fileName: string; fileType: string; fileSize: number }, options: CallOptions = {}): Promise<PresignedUpload> {
    const answer = await this.call(
      'POST',
      '/api/open/skills/upload/image/presigned',
      presignedUploadDataSchema,
      { ...file, prefix: REFERENCE_PREFIX },
      {},
      options.signal,
    );
    return answer.data;
  }

  /** PUTs the bytes to the storage URL. No Authorization header: that host is not CreatOK. */
  async uploadBytes(
    presignedUrl: string,
    body: Buffer | NodeJS.ReadableStream,
    contentType: string,
    size: number,
    options: CallOptions = {},
  ): Promise<void> {
    // The storage address comes from CreatOK's answer: it passes the same policy as any link.
    if (!isAllowedUrl(presignedUrl)) {
      throw new CreatOkError('invalidAnswer', 'CreatOK gave an upload address that is not https:, so nothing was uploaded.', { mayHaveReachedServer: false });
    }
    await withDeadline(this.timeoutMs * 5, options.signal, async (signal, state) => {
      let status: number;
      let text = '';
      try {
        const response = await this.fetchImpl(presignedUrl, {
          method: 'PUT',
          headers: { 'Content-Type': contentType, 'Content-Length': String(size) },
          body,
          signal,
        });
        status = response.status;
        if (!response.ok) text = await response.text();
        else await response.text();
      } catch (error) {
        throw mapTransportError(error, state.timedOut, options.signal?.aborted === true, true);
      }
      if (status < 200 || status >= 300) {
        this.logger.warn(`upload: storage answered HTTP ${status}: ${redact(text.slice(0, 300))}`);
        throw new CreatOkError(status >= 500 ? 'server' : 'badRequest', `The image upload was refused (HTTP ${status}).`, { status });
      }
    });
  }

  private async read<T>(what: string, operation: () => Promise<JsonAnswer<T>>, signal: AbortSignal | undefined): Promise<JsonAnswer<T>> {
    try {
      return await withRetry(operation, {
        policy: this.readRetry,
        clock: this.clock,
        random: this.options.random,
        signal,
        onRetry: (error, attempt, delay) =>
          this.logger.warn(`${what}: attempt ${attempt} failed (${error.kind}: ${error.message}); retrying in ${delay} ms`),
      });
    } catch (error) {
      this.logFailure(what, error);
      throw error;
    }
  }

  private async call<T>(
    method: 'GET' | 'POST',
    path: string,
    dataSchema: import('zod/mini').ZodMiniType<T>,
    body: unknown,
    headers: Record<string, string>,
    signal: AbortSignal | undefined,
  ): Promise<JsonAnswer<T>> {
    const url = new URL(path, this.origin);
    if (url.origin !== this.origin) throw new Error('Refusing to send the API key to another host.');
    const key = await this.options.apiKey();
    if (!key) throw new CreatOkError('unauthorized', 'No API key is set.', { status: 401, mayHaveReachedServer: false });
    // A header Node cannot build is refused before anything is sent (never "maybe accepted").
    if (!isHeaderSafe(key)) throw new CreatOkError('unauthorized', 'The API key has characters that cannot be sent (spaces or invisible characters).', { mayHaveReachedServer: false });
    this.logger.trace(`${method} ${url.pathname}${url.search}`);
    return requestJson(this.fetchImpl, {
      method,
      url: url.toString(),
      headers: { Authorization: `Bearer ${key}`, ...headers },
      body,
      dataSchema,
      timeoutMs: this.timeoutMs,
      signal,
    });
  }

  private logFailure(what: string, error: unknown): void {
    if (error instanceof CreatOkError) {
      const d = error.details;
      this.logger.error(
        redact(`${what}: ${error.kind}: ${error.message}` +
          (d.status !== undefined ? ` [HTTP ${d.status}]` : '') +
          (d.code !== undefined ? ` [code ${d.code}]` : '') +
          (d.apiMessage ? ` [message ${d.apiMessage}]` : '')),
      );
    } else {
      this.logger.error(redact(`${what}: ${error instanceof Error ? error.message : String(error)}`));
    }
  }
}
