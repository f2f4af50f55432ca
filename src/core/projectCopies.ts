// A generated image becomes one of the project's files: where its copy goes (the rules of VS
// Code's `markdown.copyFiles.destination`, else creatok.imagesFolder, else the document's own
// folder), and the copy itself: inside the workspace only (after following links, never through
// a linked folder, never in .git), named from the prompt with -2, -3 when taken, never
// overwriting, and an equal copy already there is reused instead of adding another.
import { constants, promises as nodeFs } from 'node:fs';
import * as path from 'node:path';
import { uniqueFileName } from './imageUse';
import { ensureFoldersInside, UnsafePathError } from './safeFolders';

export interface CopyRuleInput {
  /** The document's absolute path; undefined for an untitled document. */
  documentPath: string | undefined;
  /** The workspace folder of the document (or the first one). */
  workspaceFolder: string;
  /** The user's `markdown.copyFiles.destination` (glob → destination), in order. */
  rules: Readonly<Record<string, string>>;
  /** Whether the document matches a glob (VS Code's glob semantics, given by the caller). */
  matches: (glob: string) => boolean;
  /** creatok.imagesFolder, workspace-relative ('' = none). */
  imagesFolder: string;
  /** The copy's file name (from the prompt, with the image's true extension). */
  fileName: string;
  now?: Date;
}

export type CopyOrigin = 'markdownSetting' | 'imagesFolder' | 'documentFolder' | 'workspaceImages';

export interface CopyTarget {
  /** Absolute path the copy is wanted at (its name may become -2, -3 when taken). */
  file: string;
  origin: CopyOrigin;
}

/** Where the copy of an image for this document goes: the first rule that applies. */
export function copyTarget(input: CopyRuleInput): CopyTarget {
  const { documentPath, workspaceFolder, fileName } = input;
  if (documentPath !== undefined) {
    for (const [glob, destination] of Object.entries(input.rules)) {
      if (typeof destination !== 'string' || !input.matches(anchoredGlob(glob, workspaceFolder))) continue;
      return { file: resolveDestination(expandDestination(destination, documentPath, workspaceFolder, fileName, input.now ?? new Date()), documentPath), origin: 'markdownSetting' };
    }
  }
  const imagesFolder = input.imagesFolder.trim();
  if (imagesFolder) return { file: path.join(workspaceFolder, imagesFolder, fileName), origin: 'imagesFolder' };
  if (documentPath !== undefined) return { file: path.join(path.dirname(documentPath), fileName), origin: 'documentFolder' };
  return { file: path.join(workspaceFolder, 'images', fileName), origin: 'workspaceImages' };
}

/** A rule's glob as VS Code's Markdown reads it: `/x` is anchored at the workspace folder; a relative one matches at any depth. */
export function anchoredGlob(glob: string, workspaceFolder: string): string {
  if (glob.startsWith('/')) return path.posix.join(workspaceFolder.split(path.sep).join('/'), glob);
  return glob.startsWith('**') ? glob : `**/${glob}`;
}

/** `${name}` and `${name/pattern/replacement/}` replaced; `\$` is a literal `$`; unknown names stay as written. */
export function expandDestination(destination: string, documentPath: string, workspaceFolder: string, fileName: string, now: Date): string {
  let dest = destination.trim() || '${fileName}';
  if (dest.startsWith('/')) dest = `\${documentWorkspaceFolder}/${dest.slice(1)}`;
  if (dest.endsWith('/')) dest += '${fileName}';
  const posix = (p: string): string => p.split(path.sep).join('/');
  const dir = path.dirname(documentPath);
  const base = path.basename(documentPath);
  const ext = path.extname(documentPath);
  const vars: Record<string, string> = {
    documentDirName: posix(dir),
    documentRelativeDirName: posix(path.relative(workspaceFolder, dir)),
    documentFileName: base,
    documentBaseName: base.slice(0, base.length - ext.length),
    documentExtName: ext.replace('.', ''),
    documentFilePath: posix(documentPath),
    documentRelativeFilePath: posix(path.relative(workspaceFolder, documentPath)),
    documentWorkspaceFolder: posix(workspaceFolder),
    fileName,
    fileExtName: path.extname(fileName).replace('.', ''),
    unixTime: String(now.getTime()),
    isoTime: now.toISOString(),
  };
  return dest.replace(/\\\$|\$\{(\w+)(?:\/((?:\\\/|[^}/])+)\/((?:\\\/|[^}/])*)\/)?\}/g, (match, name?: string, pattern?: string, replacement?: string) => {
    if (match === '\\$') return '$';
    const value = name === undefined ? undefined : vars[name];
    if (value === undefined) return match;
    if (pattern === undefined) return value;
    try {
      return value.replace(new RegExp(pattern.replace(/\\\//g, '/')), (replacement ?? '').replace(/\\\//g, '/'));
    } catch {
      return value; // an invalid pattern leaves the value as it is
    }
  });
}

/** An expanded destination: absolute (under the workspace when it began with `/`), or relative to the document's folder. */
function resolveDestination(expanded: string, documentPath: string): string {
  return path.isAbsolute(expanded) ? path.normalize(expanded) : path.resolve(path.dirname(documentPath), expanded);
}

export type CopyRefusal = 'outside' | 'git' | 'link';

export class CopyRefusedError extends Error {
  constructor(
    readonly reason: CopyRefusal,
    readonly target: string,
  ) {
    super(
      reason === 'outside'
        ? `${target} is outside the workspace: images are only copied into it.`
        : reason === 'git'
          ? `${target} is inside .git: nothing is copied there.`
          : `${target} goes through a symbolic link or a file: images are only copied into real folders of the workspace.`,
    );
    this.name = 'CopyRefusedError';
  }
}

export interface PlacedCopy {
  /** The copy's absolute path. */
  file: string;
  /** An equal copy was already there and is linked instead of adding one. */
  reused: boolean;
}

export type CopyFs = Pick<typeof nodeFs, 'lstat' | 'mkdir' | 'readdir' | 'realpath' | 'copyFile' | 'readFile' | 'stat'>;

/** At most this many `name-N` files are compared with the image when looking for an equal copy. */
const MAX_COMPARED = 50;

/** Copies `source` to `target` (or `name-2`, `name-3` …), or links an equal copy already there. */
export async function placeProjectCopy(source: string, target: string, workspaceFolder: string, fs: CopyFs = nodeFs): Promise<PlacedCopy> {
  const relative = path.relative(workspaceFolder, path.dirname(target));
  const segments = relative.split(path.sep).filter(Boolean);
  if (relative.startsWith('..') || path.isAbsolute(relative)) throw new CopyRefusedError('outside', target);
  if (segments.some((s) => s.toLowerCase() === '.git')) throw new CopyRefusedError('git', target);
  let folder: string;
  try {
    folder = await ensureFoldersInside(workspaceFolder, segments, fs);
  } catch (error) {
    if (error instanceof UnsafePathError) throw new CopyRefusedError('link', target);
    throw error;
  }
  // After following every link (the workspace folder itself may be reached through one).
  const [realRoot, realFolder] = await Promise.all([fs.realpath(workspaceFolder), fs.realpath(folder)]);
  if (realFolder !== realRoot && !realFolder.startsWith(realRoot + path.sep)) throw new CopyRefusedError('outside', target);

  const ext = path.extname(target);
  const base = path.basename(target, ext);
  const equal = await findEqualCopy(source, folder, base, ext, fs);
  if (equal) return { file: equal, reused: true };
  // Names compared without case: on macOS and Windows `Fox.png` takes `fox.png`.
  const taken = new Set((await fs.readdir(folder)).map((n) => n.toLowerCase()));
  for (let attempt = 0; ; attempt++) {
    const name = uniqueFileName(base, ext, (n) => taken.has(n.toLowerCase()));
    try {
      await fs.copyFile(source, path.join(folder, name), constants.COPYFILE_EXCL);
      return { file: path.join(folder, name), reused: false };
    } catch (error) {
      // Another window took the name meanwhile: the next one.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 20) throw error;
      taken.add(name.toLowerCase());
    }
  }
}

/** `base.ext`, `base-2.ext` … in the folder that hold exactly the source's bytes. */
async function findEqualCopy(source: string, folder: string, base: string, ext: string, fs: CopyFs): Promise<string | undefined> {
  const names = (await fs.readdir(folder)).filter((n) => n === `${base}${ext}` || (n.startsWith(`${base}-`) && n.endsWith(ext) && /^\d+$/.test(n.slice(base.length + 1, n.length - ext.length))));
  const size = (await fs.stat(source)).size;
  let bytes: Buffer | undefined;
  for (const name of names.slice(0, MAX_COMPARED)) {
    const candidate = path.join(folder, name);
    const stat = await fs.lstat(candidate).catch(() => undefined);
    if (!stat?.isFile() || stat.size !== size) continue;
    bytes ??= await fs.readFile(source);
    if (bytes.equals(await fs.readFile(candidate))) return candidate;
  }
  return undefined;
}
