// creatok.imagesFolder: a successful run's images are also copied into a folder of the
// workspace, named from the prompt (a-red-fox.png, a-red-fox-2.png …). The folder must stay
// inside the workspace (after following links); existing files are never overwritten.
import { constants, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { nameFromPrompt, uniqueFileName } from '../imageUse';
import type { RunRecord } from './record';
import type { ArtifactStore } from './store';

export class ImagesFolderError extends Error {}

/** The absolute folder for a workspace-relative setting value, created, or an error saying why not. */
export async function resolveImagesFolder(workspaceFolder: string, setting: string): Promise<string> {
  const relative = setting.trim().replace(/\\/g, '/');
  if (!relative || path.isAbsolute(relative) || /^[A-Za-z]:/.test(relative) || relative.split('/').includes('..')) {
    throw new ImagesFolderError(`creatok.imagesFolder must be a folder inside the workspace, like "assets/images" (it is ${JSON.stringify(setting)}).`);
  }
  const folder = path.join(workspaceFolder, ...relative.split('/').filter(Boolean));
  await fs.mkdir(folder, { recursive: true });
  const [root, real] = await Promise.all([fs.realpath(workspaceFolder), fs.realpath(folder)]);
  const inside = path.relative(root, real);
  if (inside.startsWith('..') || path.isAbsolute(inside)) throw new ImagesFolderError(`creatok.imagesFolder (${setting}) leads outside the workspace through a link.`);
  return real;
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
        break;
      } catch (error) {
        // Another window took the name meanwhile: pick the next one.
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 5) throw error;
      }
    }
  }
  return { ...record, copies };
}
