// Downloads a generated image into the run folder: streamed to disk (never held whole in
// memory), checked (HTTP status, an image content type, a size cap, the magic bytes), and
// renamed into place only when complete. The file name is ours, never the URL's.
import { createWriteStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { CreatOkError } from './api/errors';
import { defaultFetch, mapTransportError, withDeadline, type FetchLike } from './api/http';
import { isAllowedUrl } from './urlPolicy';

export const MAX_IMAGE_BYTES = 100 * 1024 * 1024;

export type ImageType = 'png' | 'jpeg' | 'webp' | 'gif';

/** The image type from its first bytes, or undefined when they are not an image we accept. */
export function sniffImageType(head: Uint8Array): ImageType | undefined {
  const starts = (...bytes: number[]): boolean => bytes.every((b, i) => head[i] === b);
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'png';
  if (starts(0xff, 0xd8, 0xff)) return 'jpeg';
  if (starts(0x47, 0x49, 0x46, 0x38)) return 'gif';
  if (starts(0x52, 0x49, 0x46, 0x46) && head[8] === 0x57 && head[9] === 0x45 && head[10] === 0x42 && head[11] === 0x50) return 'webp';
  return undefined;
}

export const EXTENSION_OF: Record<ImageType, string> = { png: '.png', jpeg: '.jpg', webp: '.webp', gif: '.gif' };

export class DownloadError extends Error {
  constructor(
    readonly reason: 'status' | 'contentType' | 'tooLarge' | 'truncated' | 'notAnImage' | 'network' | 'timeout' | 'cancelled' | 'refused',
    message: string,
  ) {
    super(message);
    this.name = 'DownloadError';
  }
}

export interface DownloadOptions {
  fetch?: FetchLike;
  maxBytes?: number;
  /** For the whole transfer, body included. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface Downloaded {
  /** The final path: `<dir>/<baseName>.<ext>`, the extension from the bytes. */
  file: string;
  bytes: number;
  type: ImageType;
}

/** Removes `.part` files a download left behind (a crash, a killed window). */
export async function removePartFiles(dir: string): Promise<number> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return 0;
  }
  const parts = names.filter((n) => n.startsWith('.') && n.endsWith('.part'));
  await Promise.all(parts.map((n) => fs.rm(path.join(dir, n), { force: true })));
  return parts.length;
}

/** Downloads `url` to `<dir>/<baseName>.<ext>`. No Authorization header is ever sent; only allowed URLs are fetched. */
export async function downloadImage(url: string, dir: string, baseName: string, options: DownloadOptions = {}): Promise<Downloaded> {
  if (!/^[A-Za-z0-9_-]+$/.test(baseName)) throw new Error(`Unsafe file name: ${baseName}`);
  if (!isAllowedUrl(url)) throw new DownloadError('refused', 'Not downloaded: only https: image links (or http: on this machine) are fetched.');
  const fetchImpl = options.fetch ?? defaultFetch;
  const maxBytes = options.maxBytes ?? MAX_IMAGE_BYTES;
  await fs.mkdir(dir, { recursive: true });
  const temp = path.join(dir, `.${baseName}.${randomBytes(4).toString('hex')}.part`);
  try {
    return await withDeadline(options.timeoutMs ?? 10 * 60_000, options.signal, async (signal, state) => {
      let response;
      try {
        // identity: the size check compares bytes on the wire with Content-Length.
        response = await fetchImpl(url, { method: 'GET', headers: { Accept: 'image/*', 'Accept-Encoding': 'identity' }, signal });
      } catch (error) {
        throw toDownloadError(mapTransportError(error, state.timedOut, options.signal?.aborted === true, false));
      }
      if (response.status !== 200) throw new DownloadError('status', `The image server answered HTTP ${response.status}.`);
      const contentType = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      if (!contentType.startsWith('image/')) throw new DownloadError('contentType', `The server sent ${contentType || 'no content type'}, not an image.`);
      // A server that compresses anyway: Content-Length counts compressed bytes, the body is
      // decoded, so the two cannot be compared.
      const encoding = (response.headers.get('content-encoding') ?? 'identity').trim().toLowerCase();
      const declared = encoding === 'identity' ? Number(response.headers.get('content-length') ?? NaN) : NaN;
      if (Number.isFinite(declared) && declared > maxBytes) throw new DownloadError('tooLarge', `The image is too large (${declared} bytes; at most ${maxBytes}).`);
      if (!response.body) throw new DownloadError('truncated', 'The image server sent no body.');

      let received = 0;
      let head = Buffer.alloc(0);
      async function* checked(source: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer> {
        for await (const piece of source) {
          const chunk = typeof piece === 'string' ? Buffer.from(piece) : piece;
          received += chunk.length;
          if (received > maxBytes) throw new DownloadError('tooLarge', `The image is too large (over ${maxBytes} bytes).`);
          if (head.length < 12) head = Buffer.concat([head, chunk.subarray(0, 12 - head.length)]);
          yield chunk;
        }
      }
      try {
        await pipeline(response.body as NodeJS.ReadableStream, checked, createWriteStream(temp, { highWaterMark: 1024 * 1024 }));
      } catch (error) {
        if (error instanceof DownloadError) throw error;
        throw toDownloadError(mapTransportError(error, state.timedOut, options.signal?.aborted === true, false), 'truncated');
      }
      if (Number.isFinite(declared) && received !== declared) {
        throw new DownloadError('truncated', `The image arrived incomplete (${received} of ${declared} bytes).`);
      }
      const type = sniffImageType(head);
      if (!type) throw new DownloadError('notAnImage', 'The file is not a PNG, JPEG, WebP or GIF image.');
      const file = path.join(dir, baseName + EXTENSION_OF[type]);
      await fs.rename(temp, file);
      return { file, bytes: received, type };
    });
  } catch (error) {
    await fs.rm(temp, { force: true });
    if (error instanceof DownloadError) throw error;
    if (error instanceof CreatOkError) throw toDownloadError(error);
    if ((error as Error).name === 'AbortError') throw new DownloadError('cancelled', 'The download was cancelled.');
    throw error;
  }
}

function toDownloadError(error: CreatOkError, fallback: DownloadError['reason'] = 'network'): DownloadError {
  if (error.kind === 'timeout') return new DownloadError('timeout', 'The download timed out.');
  if (error.kind === 'cancelled') return new DownloadError('cancelled', 'The download was cancelled.');
  return new DownloadError(fallback, `The download failed: ${error.message}`);
}
