// Downloads a generated image into the run folder: streamed to disk (never held whole in
// memory), checked (HTTP status, an image content type, a size cap, the magic bytes), and
// renamed into place only when complete. The file name is ours, never the URL's. Redirects are
// followed one hop at a time, each hop under the URL policy; a server that stops sending bytes
// is given up on after a stall timeout; a full or read-only disk is named as such.
import { createWriteStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { defaultFetch, mapTransportError, type FetchLike, type FetchResponse } from './api/http';
import { removeStaleTempFiles, tempPath } from './tempFiles';
import { isAllowedUrl } from './urlPolicy';

export const MAX_IMAGE_BYTES = 100 * 1024 * 1024;
/** Redirect hops followed at most (signed storage and CDNs use one or two). */
export const MAX_REDIRECTS = 5;
/** No byte (or no answer) for this long: the attempt is given up and may be tried again. */
export const STALL_TIMEOUT_MS = 30_000;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

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

export type DownloadFailure =
  | 'status'
  | 'contentType'
  | 'tooLarge'
  | 'truncated'
  | 'notAnImage'
  | 'network'
  | 'timeout'
  | 'stalled'
  | 'cancelled'
  | 'refused'
  | 'redirects'
  | 'disk';

export class DownloadError extends Error {
  constructor(
    readonly reason: DownloadFailure,
    message: string,
    /** For `disk`: the system error code (ENOSPC, EACCES, EROFS …) and the folder. */
    readonly disk?: { code: string; dir: string },
  ) {
    super(message);
    this.name = 'DownloadError';
  }
}

/** Failures worth another attempt (the server or the network, not the disk or a refusal). */
export function isRetryableDownload(error: unknown): boolean {
  if (!(error instanceof DownloadError)) return false;
  return error.reason === 'network' || error.reason === 'timeout' || error.reason === 'stalled' || error.reason === 'truncated' || (error.reason === 'status' && /HTTP 5\d\d/.test(error.message));
}

const DISK_FULL = new Set(['ENOSPC', 'EDQUOT']);
const NOT_WRITABLE = new Set(['EACCES', 'EPERM', 'EROFS']);

/** A file-system error of the disk itself, as a DownloadError naming it; undefined for anything else. */
export function diskError(error: unknown, dir: string): DownloadError | undefined {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (!code) return undefined;
  if (DISK_FULL.has(code)) return new DownloadError('disk', `The disk is full: the image could not be written to ${dir} (${code}).`, { code, dir });
  if (NOT_WRITABLE.has(code)) return new DownloadError('disk', `The folder cannot be written: ${dir} (${code}).`, { code, dir });
  return undefined;
}

export interface DownloadOptions {
  fetch?: FetchLike;
  maxBytes?: number;
  /** For the whole transfer, body included. */
  timeoutMs?: number;
  /** Given up when nothing arrives for this long (headers or body). */
  stallMs?: number;
  maxRedirects?: number;
  signal?: AbortSignal;
  /** Opens the temp file for writing (default: the file itself; tests give a device that fails like a full disk). */
  openFile?: (file: string) => NodeJS.WritableStream;
}

export interface Downloaded {
  /** The final path: `<dir>/<baseName>.<ext>`, the extension from the bytes. */
  file: string;
  bytes: number;
  type: ImageType;
  /** The address the bytes came from, after redirects. */
  finalUrl: string;
}

/** Removes the `.part` files a download left behind (a killed window's at once, a live one's after a minute). */
export function removePartFiles(dir: string, options: { olderThanMs?: number } = {}): Promise<number> {
  return removeStaleTempFiles(dir, options);
}

type Why = 'timeout' | 'stalled' | 'cancelled';

/** Downloads `url` to `<dir>/<baseName>.<ext>`. No Authorization header is ever sent; only allowed URLs are fetched, at every hop. */
export async function downloadImage(url: string, dir: string, baseName: string, options: DownloadOptions = {}): Promise<Downloaded> {
  if (!/^[A-Za-z0-9_-]+$/.test(baseName)) throw new Error(`Unsafe file name: ${baseName}`);
  if (!isAllowedUrl(url)) throw new DownloadError('refused', 'Not downloaded: only https: image links (or http: on this machine) are fetched.');
  const fetchImpl = options.fetch ?? defaultFetch;
  const maxBytes = options.maxBytes ?? MAX_IMAGE_BYTES;
  const stallMs = options.stallMs ?? STALL_TIMEOUT_MS;
  const maxRedirects = options.maxRedirects ?? MAX_REDIRECTS;
  if (options.signal?.aborted) throw new DownloadError('cancelled', 'The download was cancelled.');
  try {
    await fs.mkdir(dir, { recursive: true });
  } catch (error) {
    throw diskError(error, dir) ?? error;
  }
  const temp = tempPath(dir, baseName, 'part');

  const controller = new AbortController();
  let why: Why | undefined;
  const abort = (reason: Why): void => {
    why ??= reason;
    controller.abort();
  };
  const deadline = setTimeout(() => abort('timeout'), options.timeoutMs ?? 10 * 60_000);
  let stall = setTimeout(() => abort('stalled'), stallMs);
  const touch = (): void => {
    clearTimeout(stall);
    stall = setTimeout(() => abort('stalled'), stallMs);
  };
  const onCancel = (): void => abort('cancelled');
  options.signal?.addEventListener('abort', onCancel, { once: true });
  const interrupted = (): DownloadError | undefined =>
    why === 'cancelled'
      ? new DownloadError('cancelled', 'The download was cancelled.')
      : why === 'stalled'
        ? new DownloadError('stalled', `The image server sent nothing for ${Math.round(stallMs / 1000)} s.`)
        : why === 'timeout'
          ? new DownloadError('timeout', 'The download timed out.')
          : undefined;
  const transportError = (error: unknown, fallback: DownloadFailure): DownloadError => {
    const stopped = interrupted();
    if (stopped) return stopped;
    return new DownloadError(fallback, `The download failed: ${mapTransportError(error, false, false, false).message}`);
  };

  try {
    // One hop at a time: every address is checked before anything is sent to it.
    let current = url;
    let response: FetchResponse;
    for (let hop = 0; ; hop++) {
      try {
        // identity: the size check compares bytes on the wire with Content-Length.
        response = await fetchImpl(current, { method: 'GET', headers: { Accept: 'image/*', 'Accept-Encoding': 'identity' }, signal: controller.signal, redirect: 'manual', maxBytes: 0 });
      } catch (error) {
        throw transportError(error, 'network');
      }
      touch();
      if (!REDIRECT_STATUSES.has(response.status)) break;
      discard(response);
      const location = response.headers.get('location');
      if (!location) throw new DownloadError('status', `The image server answered HTTP ${response.status} without a Location.`);
      if (hop >= maxRedirects) throw new DownloadError('redirects', `The image link redirected more than ${maxRedirects} times.`);
      let next: string;
      try {
        next = new URL(location, current).href;
      } catch {
        throw new DownloadError('refused', 'The image link redirected to an address that is not one.');
      }
      // Plain http: on this machine only when the chain began there (a remote host cannot point this machine at its own services).
      const loopbackHop = new URL(next).protocol === 'http:' && new URL(url).protocol !== 'http:';
      if (!isAllowedUrl(next) || loopbackHop) throw new DownloadError('refused', 'Not downloaded: the image link redirected to an address that is not https: (or http: on this machine).');
      current = next;
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
        touch();
        received += chunk.length;
        if (received > maxBytes) throw new DownloadError('tooLarge', `The image is too large (over ${maxBytes} bytes).`);
        if (head.length < 12) head = Buffer.concat([head, chunk.subarray(0, 12 - head.length)]);
        yield chunk;
      }
    }
    try {
      const sink = options.openFile ? options.openFile(temp) : createWriteStream(temp, { highWaterMark: 1024 * 1024 });
      await pipeline(response.body as NodeJS.ReadableStream, checked, sink, { signal: controller.signal });
    } catch (error) {
      if (error instanceof DownloadError) throw error;
      throw diskError(error, dir) ?? transportError(error, 'truncated');
    }
    if (Number.isFinite(declared) && received !== declared) {
      throw new DownloadError('truncated', `The image arrived incomplete (${received} of ${declared} bytes).`);
    }
    const type = sniffImageType(head);
    if (!type) throw new DownloadError('notAnImage', 'The file is not a PNG, JPEG, WebP or GIF image.');
    const file = path.join(dir, baseName + EXTENSION_OF[type]);
    try {
      await fs.rename(temp, file);
    } catch (error) {
      throw diskError(error, dir) ?? error;
    }
    return { file, bytes: received, type, finalUrl: current };
  } catch (error) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    if (error instanceof DownloadError) throw error;
    throw interrupted() ?? error;
  } finally {
    clearTimeout(deadline);
    clearTimeout(stall);
    options.signal?.removeEventListener('abort', onCancel);
  }
}

/** Lets go of a redirect's body without reading it. */
function discard(response: FetchResponse): void {
  const body = response.body as { destroy?: () => void; cancel?: () => Promise<void> } | null;
  if (body?.destroy) body.destroy();
  else void body?.cancel?.().catch(() => undefined);
}
