// creatok.imagesFolder: a successful run's images are also copied into a folder of the
// workspace, named from the prompt (a-red-fox.png, a-red-fox-2.png …). The folder must stay
// inside the workspace (after following links); existing files are never overwritten.
import { constants, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { nameFromPrompt, uniqueFileName } from '../imageUse';
import { ensureFoldersInside, UnsafePathError } from '../safeFolders';
import type { RunRecord } from './record';
import type { ArtifactStore } from './store';

export class ImagesFolderError extends Error {}

/** The absolute folder for a workspace-relative setting value, created, or an error saying why not. */
export async function resolveImagesFolder(workspaceFolder: string, setting: string): Promise<string> {
  const relative = setting.trim().replace(/\\/g, '/');
  if (!relative || path.isAbsolute(relative) || /^[A-Za-z]:/.test(relative) || relative.split('/').includes('..')) {
    throw new ImagesFolderError(`creatok.imagesFolder must be a folder inside the workspace, like "assets/images" (it is ${JSON.stringify(setting)}).`);
  }
  // Level by level, refusing links: nothing is created outside the workspace, not even a folder.
  try {
    return await ensureFoldersInside(workspaceFolder, relative.split('/').filter(Boolean));
  } catch (error) {
    if (error instanceof UnsafePathError) throw new ImagesFolderError(`creatok.imagesFolder (${setting}) goes through a link or a file: images are only copied into real folders of the workspace.`);
    throw error;
  }
}

/** Copies the run's saved images into the folder; returns the record with `copies` (workspace-relative). */
export async function copyToImagesFolder(record: RunRecord, store: ArtifactStore, setting: string): Promise<RunRecord> {
  if (record.copies && record.copies.length > 0) return record;
  const folder = await resolveImagesFolder(store.workspaceFolder, setting);
  const base = nameFromPrompt(record.prompt || record.task_id || 'image');
  const copies: string[] = [];
  for (const entry of record.local_images ?? []) {
    const source = await store.localImagePath(record.run_id, entry);
    if (!source) continue;
    const ext = path.extname(source).toLowerCase();
    for (let attempt = 0; ; attempt++) {
      const names = new Set(await fs.readdir(folder));
      const name = uniqueFileName(base, ext, (n) => names.has(n));
      try {
        await fs.copyFile(source, path.join(folder, name), constants.COPYFILE_EXCL);
        copies.push(path.relative(store.workspaceFolder, path.join(folder, name)).split(path.sep).join('/'));
        // (`folder` is under the workspace path as given: no link was followed to reach it.)
        break;
      } catch (error) {
        // Another window took the name meanwhile: pick the next one.
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 5) throw error;
      }
    }
  }
  return { ...record, copies };
}
