// The files of a run folder, below the store: their shapes and checks (a record's problems,
// its size, a lease), atomic writes, and bounded reads that never follow a link.
import { constants, promises as nodeFs } from 'node:fs';
import * as path from 'node:path';
import * as z from 'zod/mini';
import { isProcessAlive } from '../processes';
import { tempPath } from '../tempFiles';
import { checkTaskId } from '../taskId';
import type { LockFs } from './fileLock';
import { runRecordSchema, type ReadResult, type RunRecord } from './record';

/** A record larger than this is not parsed (a planted file must not cost memory at start-up). */
export const MAX_RECORD_BYTES = 1024 * 1024;

export type StoreFs = LockFs & Pick<typeof nodeFs, 'mkdir' | 'readdir' | 'access' | 'lstat' | 'realpath' | 'open'>;

/** How a downloaded image is named in a record: `images/<plain file name>`. */
export const LOCAL_IMAGE_PATTERN = /^images\/[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/**
 * Checks a record read from a run folder before anything uses it: it must name that folder,
 * its task id must be one CreatOK could have given, and its local images plain file names in
 * `images/`. Returns why not, or undefined when it is fine.
 */
export function recordProblem(record: RunRecord, folderName: string): string | undefined {
  if (record.run_id !== folderName) return `result.json names another run (${JSON.stringify(record.run_id.slice(0, 120))})`;
  if (record.task_id !== null) {
    const checked = checkTaskId(record.task_id);
    if (!checked.ok || checked.taskId !== record.task_id) return `result.json has a task id that is not one (${checked.ok ? 'spaces' : checked.problem})`;
  }
  const bad = record.local_images?.find((f) => f !== null && !LOCAL_IMAGE_PATTERN.test(f));
  if (bad !== undefined) return `result.json lists a local image outside the run's images folder (${JSON.stringify(String(bad).slice(0, 120))})`;
  return undefined;
}

export async function writeFileAtomic(file: string, contents: string | Buffer, fs: StoreFs = nodeFs): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const temp = tempPath(path.dirname(file), path.basename(file), 'tmp');
  try {
    await fs.writeFile(temp, contents);
    await fs.rename(temp, file);
  } catch (error) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}

export const leaseSchema = z.object({ owner: z.string(), expiresAt: z.number(), pid: z.optional(z.int()), host: z.optional(z.string()) });
export type Lease = z.infer<typeof leaseSchema>;
export type LeaseResult = { ok: true } | { ok: false; holder: Lease };


/** No lease is ever taken for longer: one that says it runs later than now + this was planted. */
export const MAX_LEASE_MS = 5 * 60_000;

/**
 * Whether a lease still holds: not expired, not planted with a far-future expiry, and (when its
 * holder ran on this machine) its process is alive. A window that crashed does not make the
 * next one wait for the expiry.
 */
export function isLeaseLive(lease: Lease, now = Date.now()): boolean {
  if (lease.expiresAt <= now || lease.expiresAt > now + MAX_LEASE_MS) return false;
  if (lease.pid === undefined) return true;
  return isProcessAlive(lease.pid, lease.host ?? '');
}

/**
 * result.json's text, never larger than what `read` takes back: the server's raw answers go
 * first, then the thumbnails' links; a record still too large is refused (the write fails and
 * is retried, the task id kept in memory and the log).
 */
export function fitRecord(record: RunRecord): string {
  const limit = MAX_RECORD_BYTES - 1024;
  const attempts: RunRecord[] = [record, { ...record, raw: {} }, { ...record, raw: {}, thumbnails: undefined }];
  for (const attempt of attempts) {
    const text = JSON.stringify(attempt, null, 2) + '\n';
    if (Buffer.byteLength(text) <= limit) return text;
  }
  throw new Error(`The record of ${record.run_id} would be larger than ${MAX_RECORD_BYTES} bytes.`);
}

/** A regular file of at most `max` bytes (never a link, a device or a pipe), as text. */
export async function readSmallFile(fs: StoreFs, file: string, max: number): Promise<{ ok: true; text: string } | { ok: false; reason: 'tooLarge' | 'unreadable'; message: string }> {
  let handle;
  try {
    // O_NOFOLLOW: a link is refused by the open itself; the checks below are on what was opened.
    handle = await fs.open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'EMLINK') return { ok: false, reason: 'unreadable', message: 'is a symbolic link' };
    throw error;
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) return { ok: false, reason: 'unreadable', message: 'is not a regular file' };
    if (stat.size > max) return { ok: false, reason: 'tooLarge', message: `is too large to read (${stat.size} bytes; at most ${max})` };
    const buffer = Buffer.alloc(stat.size);
    const { bytesRead } = await handle.read(buffer, 0, stat.size, 0);
    return { ok: true, text: buffer.subarray(0, bytesRead).toString('utf8') };
  } finally {
    await handle.close();
  }
}

/** result.json's text as a checked record, or why it is not one. */
export function parseRecordText(text: string, runId: string): ReadResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: 'invalid', message: `result.json is not valid JSON: ${(error as Error).message}` };
  }
  const parsed = runRecordSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: 'invalid', message: `result.json has an unexpected shape (${issue?.path.join('.')}: ${issue?.message})` };
  }
  const problem = recordProblem(parsed.data, runId);
  if (problem) return { ok: false, reason: 'invalid', message: problem };
  return { ok: true, record: parsed.data };
}

/** A thumbnail is at most this large (larger ones are never saved, nor used when found). */
export const MAX_THUMBNAIL_BYTES = 2 * 1024 * 1024;

/**
 * The saved thumbnails of a run's first `count` images (`outputs/thumbnails/thumb_N.<ext>`),
 * aligned with `local_images`: each a plain file directly in a thumbnails folder that is no
 * link, within the size limit; undefined where there is none. One listing of the folder.
 */
export async function checkedThumbnails(fs: StoreFs, outputs: string, count: number): Promise<(string | undefined)[]> {
  const none = (): (string | undefined)[] => new Array<string | undefined>(Math.max(0, count)).fill(undefined);
  if (count <= 0) return [];
  try {
    const folder = path.join(outputs, 'thumbnails');
    const real = await fs.realpath(folder);
    if (real !== path.join(await fs.realpath(outputs), 'thumbnails')) return none(); // the folder is a link
    // Image types only (never a planted .svg or .html), in a fixed order when several match.
    const names = (await fs.readdir(folder)).filter((n) => /^thumb_\d{1,5}\.(png|jpe?g|webp|gif)$/.test(n)).sort();
    return await Promise.all(
      none().map(async (_, i) => {
        const name = names.find((n) => n.startsWith(`thumb_${i + 1}.`));
        if (!name) return undefined;
        try {
          const file = await fs.realpath(path.join(folder, name));
          if (path.dirname(file) !== real) return undefined;
          const stat = await fs.stat(file);
          return stat.isFile() && stat.size <= MAX_THUMBNAIL_BYTES ? path.join(folder, name) : undefined;
        } catch {
          return undefined;
        }
      }),
    );
  } catch {
    return none();
  }
}

/** The downloaded image file of a record entry, if it really is a file inside the run's images folder. */
export async function checkedLocalImage(fs: StoreFs, outputs: string, entry: string | null | undefined): Promise<string | undefined> {
  if (!entry || !LOCAL_IMAGE_PATTERN.test(entry)) return undefined;
  try {
    const images = await fs.realpath(path.join(outputs, 'images'));
    const expected = await fs.realpath(outputs);
    if (images !== path.join(expected, 'images')) return undefined; // the images folder is a link
    const file = await fs.realpath(path.join(outputs, entry));
    if (path.dirname(file) !== images) return undefined;
    const stat = await fs.stat(file);
    // The checked file, under the path the workspace is known by (links above it kept).
    return stat.isFile() ? path.join(outputs, entry) : undefined;
  } catch {
    return undefined;
  }
}
