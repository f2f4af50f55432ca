// Saves a finished run's images into its folder (outputs/images/image_1.png …) so they outlive
// the signed URLs. result.json keeps the URLs verbatim and adds the local files.
import * as path from 'node:path';
import type { FetchLike } from '../api/http';
import { systemClock, type Clock } from '../clock';
import { downloadImage, DownloadError, removePartFiles } from '../download';
import type { RunRecord } from './record';
import type { ArtifactStore } from './store';

const RETRYABLE: DownloadError['reason'][] = ['network', 'timeout', 'truncated'];

export interface SaveImagesOptions {
  fetch?: FetchLike;
  clock?: Clock;
  attempts?: number;
  signal?: AbortSignal;
}

/** Downloads the images not saved yet; returns the record with `local_images` (and `download_error`). */
export async function saveRunImages(record: RunRecord, store: ArtifactStore, options: SaveImagesOptions = {}): Promise<RunRecord> {
  const clock = options.clock ?? systemClock;
  const attempts = options.attempts ?? 3;
  const outputs = store.outputsDir(record.run_id);
  // Created folder by folder, never through a link; what an interrupted download left is removed.
  const dir = await store.ensureRunFolder(record.run_id, 'images');
  await removePartFiles(dir);
  const errors: string[] = [];
  const local = await Promise.all(
    record.images.map(async (url, i) => {
      const existing = record.local_images?.[i];
      if (existing) return existing;
      for (let attempt = 1; ; attempt++) {
        try {
          const saved = await downloadImage(url, dir, `image_${i + 1}`, { fetch: options.fetch, signal: options.signal });
          return path.relative(outputs, saved.file).split(path.sep).join('/');
        } catch (error) {
          const retryable = error instanceof DownloadError && (RETRYABLE.includes(error.reason) || /HTTP 5\d\d/.test(error.message));
          if (!retryable || attempt >= attempts) {
            errors.push(`image ${i + 1}: ${(error as Error).message}`);
            return null;
          }
          await clock.sleep(500 * 2 ** (attempt - 1), options.signal);
        }
      }
    }),
  );
  return { ...record, local_images: local, download_error: errors.length > 0 ? errors.join('; ') : null };
}
