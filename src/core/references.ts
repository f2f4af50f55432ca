// Reference images: checked before anything is sent (real type from the first bytes, size,
// still there), then uploaded as the contract says: a presigned request, then a PUT of the
// bytes streamed from disk with the right Content-Type and no CreatOK key.
import { createReadStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { CreatOkClient } from './api/client';
import { sniffImageType, type ImageType } from './download';

export const REFERENCE_MAX_BYTES = 20 * 1024 * 1024;

export const MIME_OF: Record<ImageType, string> = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp', gif: 'image/gif' };

export interface ReferenceFile {
  /** Absolute path on disk. */
  file: string;
  name: string;
  size: number;
  type: ImageType;
  mime: string;
}

export type ReferenceProblemCode = 'missing' | 'unreadable' | 'notAnImage' | 'tooLarge' | 'empty';

export type ReferenceCheck = { ok: true; reference: ReferenceFile } | { ok: false; file: string; name: string; problem: ReferenceProblemCode };

/**
 * A path given by someone else (a chat agent) resolved inside one of `folders`, after
 * following every link: `../`, absolute paths and symlinks that leave the folders are refused.
 */
export async function resolveInsideFolders(given: string, folders: readonly string[]): Promise<{ ok: true; file: string } | { ok: false; reason: 'outside' | 'missing' }> {
  const candidates = path.isAbsolute(given) ? [given] : folders.map((f) => path.resolve(f, given));
  let sawFile = false;
  for (const candidate of candidates) {
    let real: string;
    try {
      real = await fs.realpath(candidate);
    } catch {
      continue;
    }
    sawFile = true;
    for (const folder of folders) {
      const root = await fs.realpath(folder).catch(() => undefined);
      if (!root) continue;
      const relative = path.relative(root, real);
      if (relative && !relative.startsWith('..') && !path.isAbsolute(relative)) return { ok: true, file: real };
    }
  }
  return { ok: false, reason: sawFile ? 'outside' : 'missing' };
}

/** Looks at a file as a reference image: it exists, is not too large, and is really an image. */
export async function inspectReference(file: string, maxBytes = REFERENCE_MAX_BYTES): Promise<ReferenceCheck> {
  const name = path.basename(file);
  let size: number;
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) return { ok: false, file, name, problem: 'unreadable' };
    size = stat.size;
  } catch (error) {
    return { ok: false, file, name, problem: (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'unreadable' };
  }
  if (size === 0) return { ok: false, file, name, problem: 'empty' };
  if (size > maxBytes) return { ok: false, file, name, problem: 'tooLarge' };
  let head: Buffer;
  try {
    const handle = await fs.open(file, 'r');
    try {
      head = Buffer.alloc(12);
      await handle.read(head, 0, 12, 0);
    } finally {
      await handle.close();
    }
  } catch {
    return { ok: false, file, name, problem: 'unreadable' };
  }
  const type = sniffImageType(head);
  if (!type) return { ok: false, file, name, problem: 'notAnImage' };
  return { ok: true, reference: { file, name, size, type, mime: MIME_OF[type] } };
}

export interface UploadedReference extends ReferenceFile {
  objectKey: string;
}

export class ReferenceUploadError extends Error {
  constructor(
    readonly reference: { name: string; file: string },
    readonly reason: ReferenceProblemCode | 'upload',
    override readonly cause?: unknown,
  ) {
    super(`${reference.name}: ${reason}${cause instanceof Error ? ` (${cause.message})` : ''}`);
    this.name = 'ReferenceUploadError';
  }
}

/**
 * Uploads the references one by one (checking each again first: it may have changed since it
 * was added). The first failure stops everything: nothing is submitted after it.
 */
export async function uploadReferences(
  client: Pick<CreatOkClient, 'requestUpload' | 'uploadBytes'>,
  references: ReferenceFile[],
  options: { signal?: AbortSignal; onProgress?: (done: number, total: number, current: ReferenceFile) => void } = {},
): Promise<UploadedReference[]> {
  const uploaded: UploadedReference[] = [];
  for (const [i, added] of references.entries()) {
    options.onProgress?.(i, references.length, added);
    const now = await inspectReference(added.file);
    if (!now.ok) throw new ReferenceUploadError(added, now.problem);
    const reference = now.reference;
    try {
      const presigned = await client.requestUpload({ fileName: reference.name, fileType: reference.mime, fileSize: reference.size }, { signal: options.signal });
      await client.uploadBytes(presigned.presignedUploadUrl, createReadStream(reference.file), reference.mime, reference.size, { signal: options.signal });
      uploaded.push({ ...reference, objectKey: presigned.objectKey });
    } catch (error) {
      throw new ReferenceUploadError(reference, 'upload', error);
    }
  }
  options.onProgress?.(references.length, references.length, references[references.length - 1]!);
  return uploaded;
}
