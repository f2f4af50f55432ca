// Folders under a workspace, created or checked one level at a time: a level that is a
// symbolic link (or not a folder) is refused, so nothing is written, read or downloaded
// through a link a cloned repository planted.
import { promises as nodeFs } from 'node:fs';
import * as path from 'node:path';

export type FolderFs = Pick<typeof nodeFs, 'lstat' | 'mkdir'>;

export class UnsafePathError extends Error {
  constructor(readonly where: string) {
    super(`${where} is a symbolic link or not a folder: nothing is written or downloaded there.`);
    this.name = 'UnsafePathError';
  }
}

/** Creates `base/segments…` level by level, refusing links; returns the folder. */
export async function ensureFoldersInside(base: string, segments: readonly string[], fs: FolderFs = nodeFs): Promise<string> {
  let current = base;
  for (const segment of segments) {
    current = path.join(current, segment);
    let stat;
    try {
      stat = await fs.lstat(current);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      await fs.mkdir(current).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'EEXIST') throw e;
      });
      stat = await fs.lstat(current);
    }
    if (stat.isSymbolicLink() || !stat.isDirectory()) throw new UnsafePathError(path.relative(base, current) || segment);
  }
  return current;
}

/** Whether `base/segments…` are real folders: 'ok', 'missing' (one does not exist) or 'link'. */
export async function checkFoldersInside(base: string, segments: readonly string[], fs: Pick<FolderFs, 'lstat'> = nodeFs): Promise<'ok' | 'missing' | 'link'> {
  let current = base;
  for (const segment of segments) {
    current = path.join(current, segment);
    try {
      const stat = await fs.lstat(current);
      if (stat.isSymbolicLink() || !stat.isDirectory()) return 'link';
    } catch {
      return 'missing';
    }
  }
  return 'ok';
}
