/**
 * HTTP plumbing of the stand-in: answers as values (so a fault can replace them),
 * envelopes, S3-like XML errors, body reading.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Envelope } from './types';

/** An answer not yet sent. */
export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** envelope code, for JSON answers */
  code?: number;
  /** send the body slowly or partly (full images only); see `sendPacedReply` */
  pacing?: Pacing;
}

/** How a body is sent; the full Content-Length always goes up front. */
export interface Pacing {
  /** about this many bytes per second, a chunk every PACE_INTERVAL_MS; null = at once */
  bytesPerSecond: number | null;
  /** send this many bytes, then nothing more (the socket stays open); null = all */
  stallAfterBytes: number | null;
}

export const PACE_INTERVAL_MS = 100;

export function jsonReply(status: number, value: unknown, code?: number): Reply {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: Buffer.from(JSON.stringify(value)),
    code,
  };
}

export function envelope<T>(status: number, code: number, message: string, data?: T): Reply {
  const value: Envelope<T> = data === undefined ? { code, message } : { code, message, data };
  return jsonReply(status, value, code);
}

export function ok<T>(data: T): Reply {
  return envelope(200, 0, 'success', data);
}

export function invalidApiKey(): Reply {
  return envelope(401, 401, 'Invalid API key');
}

export function methodNotAllowed(allowed: readonly string[]): Reply {
  const reply = envelope(405, 405, 'Method not allowed');
  reply.headers.allow = allowed.join(', ');
  return reply;
}

/** An S3-style XML error document. */
export function xmlError(status: number, code: string, message: string): Reply {
  const xml =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${code}</Code><Message>${message}</Message><RequestId>STANDIN</RequestId></Error>`;
  return { status, headers: { 'content-type': 'application/xml' }, body: Buffer.from(xml) };
}

export function emptyReply(status: number, headers: Record<string, string> = {}): Reply {
  return { status, headers, body: Buffer.alloc(0) };
}

export function sendReply(res: ServerResponse, reply: Reply, headOnly = false): void {
  if (res.destroyed || res.headersSent) return;
  res.writeHead(reply.status, { ...reply.headers, 'content-length': String(reply.body.length) });
  res.end(headOnly ? undefined : reply.body);
}

/**
 * Sends the head at once and the body as `pacing` says. Returns a function that stops the
 * timer (also stopped when the response closes); the caller ends the socket on shutdown.
 */
export function sendPacedReply(res: ServerResponse, reply: Reply, pacing: Pacing): () => void {
  if (res.destroyed || res.headersSent) return () => undefined;
  const { body } = reply;
  const limit = Math.min(body.length, pacing.stallAfterBytes ?? body.length);
  let sent = 0;
  let timer: NodeJS.Timeout | undefined;
  const stop = (): void => {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
  };
  const step = (size: number): void => {
    if (res.destroyed) return stop();
    const end = Math.min(limit, sent + size);
    if (end > sent) res.write(body.subarray(sent, end));
    sent = end;
    if (sent >= body.length) {
      stop();
      res.end();
    } else if (sent >= limit) {
      stop(); // stalled: nothing more, the socket stays open
    }
  };
  res.once('close', stop);
  res.writeHead(reply.status, { ...reply.headers, 'content-length': String(body.length) });
  res.flushHeaders();
  if (pacing.bytesPerSecond === null || limit === 0) {
    step(limit);
  } else {
    const perTick = Math.max(1, Math.round((pacing.bytesPerSecond * PACE_INTERVAL_MS) / 1000));
    timer = setInterval(() => step(perTick), PACE_INTERVAL_MS);
  }
  return stop;
}

export class BodyTooLargeError extends Error {}

/** Reads the whole request body, refusing more than `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (part: Buffer) => {
      size += part.length;
      if (size > limit) {
        reject(new BodyTooLargeError(`body larger than ${limit} bytes`));
        req.destroy();
        return;
      }
      parts.push(part);
    });
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
    req.on('close', () => {
      if (!req.complete) reject(new Error('request aborted'));
    });
  });
}

export function isJsonContentType(contentType: string | undefined): boolean {
  return typeof contentType === 'string' && /^application\/([\w.+-]+\+)?json\b/i.test(contentType.trim());
}

/** The parsed JSON body, or undefined when it is not JSON. */
export function parseJson(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
