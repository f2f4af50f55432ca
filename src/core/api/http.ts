// One HTTP exchange with the CreatOK API: timeout, cancellation, and the mapping of every
// way it can go wrong (status, non-JSON body, envelope with a non-zero code) to a CreatOkError.
import type * as z from 'zod/mini';
import { AbortedError } from '../clock';
import { CreatOkError } from './errors';
import { envelopeSchema } from './schemas';
import { parseRetryAfter } from './retry';

/** The subset of a fetch Response the client reads. */
export interface FetchResponse {
  status: number;
  ok: boolean;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
  body: NodeJS.ReadableStream | ReadableStream<Uint8Array> | null;
}

export interface FetchInit {
  method: string;
  headers: Record<string, string>;
  body?: string | Buffer | NodeJS.ReadableStream;
  signal: AbortSignal;
  /** API calls refuse redirects ('error', the default); image downloads follow them one hop at a time ('manual'). */
  redirect?: 'error' | 'manual';
  /** The largest body read, in bytes (0: no limit); a larger one fails the request. */
  maxBytes?: number;
}

export type FetchLike = (url: string, init: FetchInit) => Promise<FetchResponse>;

// Loaded on the first request, not at activation (it is the largest part of the bundle).
let nodeFetch: Promise<typeof import('node-fetch')> | undefined;

export const defaultFetch: FetchLike = async (url, init) => {
  const { default: fetchImpl } = await (nodeFetch ??= import('node-fetch'));
  return fetchImpl(url, {
    method: init.method,
    headers: init.headers,
    body: init.body,
    signal: init.signal,
    redirect: init.redirect ?? 'error',
    size: init.maxBytes ?? MAX_ANSWER_BYTES,
  }) as unknown as Promise<FetchResponse>;
};

/** The largest API answer read (a status answer listing thousands of images stays well under it). */
export const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

export const DEFAULT_TIMEOUT_MS = 60_000;

/** System error codes that prove the request never left this machine. */
const NEVER_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ERR_INVALID_URL', 'CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE']);

function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Maps a thrown fetch failure to a typed error, telling a timeout from a user's cancel. */
export function mapTransportError(error: unknown, timedOut: boolean, cancelled: boolean, bodyMayHaveLeft: boolean): CreatOkError {
  if (cancelled) return new CreatOkError('cancelled', 'The request was cancelled.', { cause: error, mayHaveReachedServer: bodyMayHaveLeft });
  if (timedOut) return new CreatOkError('timeout', 'CreatOK did not answer in time.', { cause: error, mayHaveReachedServer: bodyMayHaveLeft });
  const code = errorCode(error);
  const neverSent = code !== undefined && NEVER_SENT_CODES.has(code);
  const message = error instanceof Error ? error.message : String(error);
  return new CreatOkError('network', `Could not reach CreatOK (${code ?? message}).`, {
    cause: error,
    mayHaveReachedServer: !neverSent && bodyMayHaveLeft,
  });
}

function statusError(status: number, code: number | undefined, apiMessage: string | undefined, retryAfterMs: number | undefined): CreatOkError {
  // A 5xx or 408 may come after the server acted on the request (a gateway timing out on a
  // slow upstream): for the paid submit that means "maybe accepted".
  const details = { status, code, apiMessage, retryAfterMs, mayHaveReachedServer: status >= 500 || status === 408 };
  if (status === 401 || status === 403) return new CreatOkError('unauthorized', 'The API key is missing or invalid.', details);
  if (status === 429) return new CreatOkError('rateLimited', 'CreatOK is busy (too many requests).', details);
  if (status === 408) return new CreatOkError('timeout', 'CreatOK timed out (HTTP 408).', details);
  if (status === 404) return new CreatOkError('notFound', apiMessage ?? 'Not found.', details);
  if (status >= 500) return new CreatOkError('server', `CreatOK had a server error (HTTP ${status}).`, details);
  return new CreatOkError('badRequest', apiMessage ?? `CreatOK refused the request (HTTP ${status}).`, details);
}

export interface JsonRequest<T> {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: unknown;
  dataSchema: z.ZodMiniType<T>;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface JsonAnswer<T> {
  data: T;
  /** The whole parsed envelope, kept for result.json's `raw`. */
  raw: unknown;
  status: number;
}

/** Runs `work` with an AbortSignal that fires on the caller's cancel or after `timeoutMs`. */
export async function withDeadline<T>(
  timeoutMs: number,
  signal: AbortSignal | undefined,
  work: (signal: AbortSignal, state: { timedOut: boolean }) => Promise<T>,
): Promise<T> {
  if (signal?.aborted) throw new AbortedError();
  const controller = new AbortController();
  const state = { timedOut: false };
  const timer = setTimeout(() => {
    state.timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onAbort = (): void => controller.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await work(controller.signal, state);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

export async function requestJson<T>(fetchImpl: FetchLike, request: JsonRequest<T>): Promise<JsonAnswer<T>> {
  const timeoutMs = request.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const hasBody = request.body !== undefined;
  return withDeadline(timeoutMs, request.signal, async (signal, state) => {
    let response: FetchResponse;
    let text: string;
    try {
      response = await fetchImpl(request.url, {
        method: request.method,
        headers: { Accept: 'application/json', ...(hasBody ? { 'Content-Type': 'application/json' } : {}), ...request.headers },
        body: hasBody ? JSON.stringify(request.body) : undefined,
        signal,
      });
      text = await response.text();
    } catch (error) {
      if ((error as { type?: unknown })?.type === 'max-size') {
        throw new CreatOkError('invalidAnswer', `CreatOK sent an answer larger than ${MAX_ANSWER_BYTES / 1024 / 1024} MB; it was not read.`, { mayHaveReachedServer: true });
      }
      throw mapTransportError(error, state.timedOut, request.signal?.aborted === true, hasBody);
    }
    return parseAnswer(response, text, request.dataSchema);
  });
}

/** Turns a status and body into data, or the error that describes them. Exported for tests. */
export function parseAnswer<T>(response: Pick<FetchResponse, 'status' | 'headers'>, text: string, dataSchema: z.ZodMiniType<T>): JsonAnswer<T> {
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), Date.now());
  let json: unknown;
  let jsonOk = true;
  try {
    json = JSON.parse(text);
  } catch {
    jsonOk = false;
  }
  const envelope = jsonOk ? envelopeSchema.safeParse(json) : undefined;
  const apiMessage = envelope?.success ? (envelope.data.message ?? undefined) : undefined;
  const apiCode = envelope?.success ? envelope.data.code : undefined;
  if (response.status < 200 || response.status >= 300) throw statusError(response.status, apiCode, apiMessage, retryAfterMs);
  if (!jsonOk || !envelope?.success) {
    const contentType = response.headers.get('content-type') ?? 'unknown type';
    throw new CreatOkError('invalidAnswer', `CreatOK sent an answer that could not be read (${contentType}, ${text.length} bytes).`, {
      status: response.status,
      mayHaveReachedServer: true,
    });
  }
  if (envelope.data.code !== 0) {
    if (envelope.data.code === 401) throw statusError(401, apiCode, apiMessage, retryAfterMs);
    throw new CreatOkError('apiError', apiMessage || `CreatOK answered with error code ${envelope.data.code}.`, {
      status: response.status,
      code: envelope.data.code,
      apiMessage,
      retryAfterMs,
    });
  }
  const data = dataSchema.safeParse(envelope.data.data);
  if (!data.success) {
    const issue = data.error.issues[0];
    const where = issue ? `${issue.path.join('.') || 'data'}: ${issue.message}` : 'data';
    throw new CreatOkError('invalidAnswer', `CreatOK sent an answer in an unexpected shape (${where}).`, { status: response.status, mayHaveReachedServer: true });
  }
  return { data: data.data, raw: json, status: response.status };
}
