// The temp files of atomic writes (`.tmp`) and of downloads (`.part`): named with the pid that
// writes them, so that what a killed process left is recognised and removed at the next visit.
import { promises as nodeFs } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { isProcessAlive } from './processes';

/** A temp file left by a live writer is removed only after this long (it may be slow, or on another machine). */
export const STALE_TEMP_MS = 60_000;

const TEMP_NAME = /^\.(?:.+)\.(\d{1,10})\.[0-9a-f]{8}\.(?:tmp|part)$/;

/** `.<base>.<pid>.<random>.<kind>` in `dir`. */
export function tempPath(dir: string, base: string, kind: 'tmp' | 'part'): string {
  return path.join(dir, `.${base}.${process.pid}.${randomBytes(4).toString('hex')}.${kind}`);
}

export type TempFs = Pick<typeof nodeFs, 'readdir' | 'lstat' | 'rm'>;

/**
 * Removes the temp files in `dir` whose writer is gone (its pid names no live process here) or
 * that are older than `olderThanMs`. Never follows a link; returns how many it removed.
 */
export async function removeStaleTempFiles(dir: string, options: { olderThanMs?: number; now?: number; fs?: TempFs } = {}): Promise<number> {
  const fs = options.fs ?? nodeFs;
  const olderThan = options.olderThanMs ?? STALE_TEMP_MS;
  const now = options.now ?? Date.now();
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    const match = TEMP_NAME.exec(name);
    if (!match) continue;
    const file = path.join(dir, name);
    const stat = await fs.lstat(file).catch(() => undefined);
    if (!stat || !stat.isFile()) continue;
    const writerGone = !isProcessAlive(Number(match[1]));
    if (!writerGone && now - stat.mtimeMs < olderThan) continue;
    await fs.rm(file, { force: true }).then(() => removed++, () => undefined);
  }
  return removed;
}
