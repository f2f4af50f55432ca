/**
 * The request log: one record per request, created on arrival and filled in as it is handled.
 */
import type { IncomingMessage } from 'node:http';
import type { Endpoint, RecordedRequest } from './types';

/** `Authorization` equals `Bearer <apiKey>` (scheme case-insensitive). */
export function isAuthorized(header: string | undefined, apiKey: string): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(header?.trim() ?? '');
  return match !== null && match[1] === apiKey;
}

function redactedHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  if (headers.authorization !== undefined) {
    headers.authorization = /^Bearer\b/i.test(headers.authorization) ? 'Bearer ***' : '***';
  }
  return headers;
}

export class RequestLog {
  private records: RecordedRequest[] = [];
  private nextId = 1;

  start(req: IncomingMessage, url: URL, endpoint: Endpoint, apiKey: string): RecordedRequest {
    const record: RecordedRequest = {
      id: this.nextId++,
      at: Date.now(),
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: redactedHeaders(req),
      authorized: isAuthorized(req.headers.authorization, apiKey),
      bodySize: 0,
      endpoint,
    };
    const key = req.headers['idempotency-key'];
    if (typeof key === 'string' && key !== '') record.idempotencyKey = key;
    this.records.push(record);
    return record;
  }

  /** Deep copies, oldest first. */
  list(): RecordedRequest[] {
    return structuredClone(this.records);
  }

  clear(): void {
    this.records = [];
  }
}
