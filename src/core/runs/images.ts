// Saves a finished run's images into its folder (outputs/images/image_1.png …) so they outlive
// the signed URLs. result.json keeps the URLs and adds the local files. Bounded: at most the
// run's `n` images, at most MAX_PARALLEL_DOWNLOADS at once in a window, and all of a run's
// downloads end within RUN_DOWNLOAD_DEADLINE_MS (then the run says which images are missing).
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { FetchLike } from '../api/http';
import { systemClock, type Clock } from '../clock';
import { diskError, downloadImage, DownloadError, isRetryableDownload, removePartFiles, type DownloadOptions } from '../download';
import { Limiter } from '../limiter';
import type { RunRecord } from './record';
import { MAX_THUMBNAIL_BYTES } from './runFiles';
import type { ArtifactStore } from './store';

/** Downloads at once in one window (process), over every run. */
export const MAX_PARALLEL_DOWNLOADS = 4;
/** A run's downloads end by then, whatever the servers do (stalls and trickles included). */
export const RUN_DOWNLOAD_DEADLINE_MS = 3 * 60_000;

const windowDownloads = new Limiter(MAX_PARALLEL_DOWNLOADS);

export interface SaveImagesOptions {
  fetch?: FetchLike;
  clock?: Clock;
  attempts?: number;
  signal?: AbortSignal;
  /** Shared by the window's downloads (default: this process's own). */
  limiter?: Limiter;
  deadlineMs?: number;
  stallMs?: number;
  openFile?: DownloadOptions['openFile'];
}

/**
 * Downloads the images not saved yet; returns the record with `local_images`, and with
 * `download_error` (and `download_error_kind: 'disk'` when the disk was the cause) when some
 * could not be saved.
 */
export async function saveRunImages(record: RunRecord, store: ArtifactStore, options: SaveImagesOptions = {}): Promise<RunRecord> {
  const clock = options.clock ?? systemClock;
  const attempts = options.attempts ?? 3;
  const limiter = options.limiter ?? windowDownloads;
  const outputs = store.outputsDir(record.run_id);
  // Created folder by folder, never through a link; what an interrupted download left is removed.
  let dir: string;
  try {
    dir = await store.ensureRunFolder(record.run_id, 'images');
  } catch (error) {
    const disk = diskError(error, store.outputsDir(record.run_id));
    if (!disk) throw error;
    return { ...record, download_error: disk.message, download_error_kind: 'disk' };
  }
  await removePartFiles(dir);

  const deadlineMs = options.deadlineMs ?? RUN_DOWNLOAD_DEADLINE_MS;
  const controller = new AbortController();
  let pastDeadline = false;
  const deadline = setTimeout(() => {
    pastDeadline = true;
    controller.abort();
  }, deadlineMs);
  const onCancel = (): void => controller.abort();
  options.signal?.addEventListener('abort', onCancel, { once: true });
  const signal = controller.signal;

  const errors: string[] = [];
  let disk: DownloadError | undefined;
  const wanted = record.images.slice(0, record.n);
  try {
    const local = await Promise.all(
      wanted.map(async (url, i) => {
        const existing = record.local_images?.[i];
        if (existing) return existing;
        for (let attempt = 1; ; attempt++) {
          try {
            if (disk) throw disk;
            const saved = await limiter.run(() => downloadImage(url, dir, `image_${i + 1}`, { fetch: options.fetch, signal, stallMs: options.stallMs, openFile: options.openFile }), signal);
            return path.relative(outputs, saved.file).split(path.sep).join('/');
          } catch (error) {
            if (error instanceof DownloadError && error.reason === 'disk') disk ??= error;
            const over = pastDeadline && !options.signal?.aborted;
            if (over || !isRetryableDownload(error) || attempt >= attempts) {
              const message = over ? `not saved within ${Math.round(deadlineMs / 1000)} s` : (error as Error).message;
              errors.push(`image ${i + 1}: ${message}`);
              return null;
            }
            try {
              await clock.sleep(500 * 2 ** (attempt - 1), signal);
            } catch {
              errors.push(`image ${i + 1}: ${pastDeadline ? `not saved within ${Math.round(deadlineMs / 1000)} s` : 'cancelled'}`);
              return null;
            }
          }
        }
      }),
    );
    if (!disk) await saveThumbnails(record, store, local, { limiter, signal, fetch: options.fetch, stallMs: options.stallMs, openFile: options.openFile });
    return { ...record, local_images: local, download_error: errors.length > 0 ? errors.join('; ') : null, download_error_kind: disk && errors.length > 0 ? 'disk' : null };
  } finally {
    clearTimeout(deadline);
    options.signal?.removeEventListener('abort', onCancel);
  }
}


/**
 * CreatOK's thumbnails of the saved images, beside them (outputs/thumbnails/thumb_N.*): the same
 * URL policy and checks as the images, one attempt each, within the run's deadline. Best effort:
 * a thumbnail that cannot be saved changes nothing else (the image itself is used instead).
 */
async function saveThumbnails(
  record: RunRecord,
  store: ArtifactStore,
  local: (string | null)[],
  options: { limiter: Limiter; signal: AbortSignal; fetch?: FetchLike; stallMs?: number; openFile?: DownloadOptions['openFile'] },
): Promise<void> {
  const wanted = (record.thumbnails ?? []).slice(0, local.length).map((url, i) => (url && local[i] ? { url, i } : undefined)).filter((t): t is { url: string; i: number } => !!t);
  if (wanted.length === 0 || options.signal.aborted) return;
  let dir: string;
  try {
    dir = await store.ensureRunFolder(record.run_id, 'thumbnails');
  } catch {
    return;
  }
  const present = new Set((await fs.readdir(dir).catch((): string[] => [])).map((n) => n.replace(/\.[^.]+$/, '')));
  await Promise.all(
    wanted
      .filter(({ i }) => !present.has(`thumb_${i + 1}`))
      .map(({ url, i }) =>
        options.limiter
          .run(() => downloadImage(url, dir, `thumb_${i + 1}`, { fetch: options.fetch, signal: options.signal, stallMs: options.stallMs, openFile: options.openFile, maxBytes: MAX_THUMBNAIL_BYTES }), options.signal)
          .catch(() => undefined),
      ),
  );
}
