// The run folders under <workspace>/generate-image/.artifacts/<run_id>/outputs/: the file layer
// of the run service (the one writer of records). Every write is atomic (a temp file in the
// same folder, then a rename) and made under the run folder's lock, merged with what another
// window may have written. A lease file says which window follows a run's task.
import { constants, promises as nodeFs } from 'node:fs';
import * as path from 'node:path';
import * as z from 'zod/mini';
import { isProcessAlive, THIS_HOST } from '../processes';
import { removeStaleTempFiles, tempPath } from '../tempFiles';
import { ensureFoldersInside, checkFoldersInside, UnsafePathError } from '../safeFolders';
import { withFileLock, type FileLockOptions, type LockFs } from './fileLock';

export { UnsafePathError };
import { checkTaskId } from '../taskId';
import { mergeRecords, renderResultMarkdown, runRecordSchema, type ReadResult, type RunRecord } from './record';
import { isRunId } from './runId';

export const ARTIFACTS_DIR = path.join('generate-image', '.artifacts');
const ARTIFACT_SEGMENTS = ['generate-image', '.artifacts'];
/** In `outputs/` while a run's task may still be running; `workspaceContains` activates on it. */
export const IN_PROGRESS_MARKER = '.in-progress';
const LOCK_FILE = '.lock';
const LEASE_FILE = '.lease';
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

export type { ReadResult } from './record';

const leaseSchema = z.object({ owner: z.string(), expiresAt: z.number(), pid: z.optional(z.int()), host: z.optional(z.string()) });
export type Lease = z.infer<typeof leaseSchema>;
export type LeaseResult = { ok: true } | { ok: false; holder: Lease };

export interface ArtifactStoreOptions {
  fs?: StoreFs;
  lock?: Omit<FileLockOptions, 'fs'>;
}

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

export class ArtifactStore {
  readonly root: string;
  readonly workspaceFolder: string;
  private readonly fs: StoreFs;
  private readonly lockOptions: FileLockOptions;

  constructor(workspaceFolder: string, options: ArtifactStoreOptions = {}) {
    this.workspaceFolder = workspaceFolder;
    this.root = path.join(workspaceFolder, ARTIFACTS_DIR);
    this.fs = options.fs ?? nodeFs;
    this.lockOptions = { ...options.lock, fs: this.fs };
  }

  /** A run's folder; only ids in the project's own format are accepted. */
  runDir(runId: string): string {
    if (!isRunId(runId)) throw new Error(`Not a run id: ${JSON.stringify(runId.slice(0, 120))}`);
    return path.join(this.root, runId);
  }

  /**
   * Creates `generate-image/.artifacts/<run>/outputs[/images]` one folder at a time, refusing
   * any that is a symbolic link (a cloned repository could point one anywhere).
   */
  async ensureRunFolder(runId: string, sub: 'outputs' | 'images' = 'outputs'): Promise<string> {
    if (!isRunId(runId)) throw new Error(`Not a run id: ${JSON.stringify(runId.slice(0, 120))}`);
    return ensureFoldersInside(this.workspaceFolder, [...ARTIFACT_SEGMENTS, runId, 'outputs', ...(sub === 'images' ? ['images'] : [])], this.fs);
  }

  /** 'ok' when generate-image/.artifacts are real folders, 'missing', or 'link' (then nothing there is read). */
  private rootState(): Promise<'ok' | 'missing' | 'link'> {
    return checkFoldersInside(this.workspaceFolder, ARTIFACT_SEGMENTS, this.fs);
  }

  /** The downloaded image file of a record entry, if it really is a file inside the run's images folder. */
  async localImagePath(runId: string, entry: string | null | undefined): Promise<string | undefined> {
    if (!entry || !LOCAL_IMAGE_PATTERN.test(entry)) return undefined;
    try {
      const images = await this.fs.realpath(path.join(this.outputsDir(runId), 'images'));
      const expected = await this.fs.realpath(path.join(this.outputsDir(runId)));
      if (images !== path.join(expected, 'images')) return undefined; // the images folder is a link
      const file = await this.fs.realpath(path.join(this.outputsDir(runId), entry));
      if (path.dirname(file) !== images) return undefined;
      const stat = await this.fs.stat(file);
      // The checked file, under the path the workspace is known by (links above it kept).
      return stat.isFile() ? path.join(this.outputsDir(runId), entry) : undefined;
    } catch {
      return undefined;
    }
  }

  outputsDir(runId: string): string {
    return path.join(this.runDir(runId), 'outputs');
  }

  resultJsonPath(runId: string): string {
    return path.join(this.outputsDir(runId), 'result.json');
  }

  resultMdPath(runId: string): string {
    return path.join(this.outputsDir(runId), 'result.md');
  }

  /** Runs `work` under the run folder's lock (creating the folder). */
  async withRunLock<T>(runId: string, work: () => Promise<T>): Promise<T> {
    const outputs = await this.ensureRunFolder(runId);
    return withFileLock(path.join(outputs, LOCK_FILE), work, this.lockOptions);
  }

  /** Runs `work` under the lock of the whole artifacts folder (finding or creating a run by task). */
  async withRootLock<T>(work: () => Promise<T>): Promise<T> {
    await ensureFoldersInside(this.workspaceFolder, ARTIFACT_SEGMENTS, this.fs);
    return withFileLock(path.join(this.root, LOCK_FILE), work, this.lockOptions);
  }

  /**
   * Writes result.json, then result.md, under the run's lock; validates first so nothing
   * malformed reaches disk. What is on disk already is merged in (another window may have
   * written it). Returns what was written. Only the run service calls this.
   */
  async write(record: RunRecord): Promise<RunRecord> {
    return this.withRunLock(record.run_id, async () => {
      const current = await this.read(record.run_id);
      // A record on disk that failed its checks is replaced, never merged in.
      const checked = runRecordSchema.parse(current.ok ? mergeRecords(current.record, record) : record);
      const problem = recordProblem(checked, record.run_id);
      if (problem) throw new Error(`Refusing to write ${record.run_id}: ${problem}`);
      await writeFileAtomic(this.resultJsonPath(record.run_id), fitRecord(checked), this.fs);
      await writeFileAtomic(this.resultMdPath(record.run_id), renderResultMarkdown(checked), this.fs);
      // What killed writers left here (their temp files) goes with the next write.
      await removeStaleTempFiles(this.outputsDir(record.run_id), { fs: this.fs });
      return checked;
    });
  }

  /**
   * Marks a run as still to be watched (a cheap file the activation event can look for). An
   * empty file created in one call: no temp file, so no moment leaves anything half-made.
   */
  async markInProgress(runId: string, inProgress: boolean): Promise<void> {
    const marker = path.join(this.outputsDir(runId), IN_PROGRESS_MARKER);
    if (inProgress) {
      await this.ensureRunFolder(runId);
      await this.fs.writeFile(marker, '');
    } else await this.fs.rm(marker, { force: true });
  }

  /** Removes what killed processes left in a run folder: temp files of writes and downloads. */
  async removeLeftovers(runId: string): Promise<number> {
    const outputs = this.outputsDir(runId);
    const removed = await Promise.all([removeStaleTempFiles(outputs, { fs: this.fs }), removeStaleTempFiles(path.join(outputs, 'images'), { fs: this.fs })]);
    return removed[0] + removed[1];
  }

  /**
   * A run folder marked in progress whose record was never written: nothing was sent for it
   * (the record is written before the request). Its marker, lease and temp files are removed,
   * then the folders if empty.
   */
  async removeAbandoned(runId: string, options: { owner: string; unsent?: boolean }): Promise<void> {
    await this.withRunLock(runId, async () => {
      const lease = await this.readLease(runId);
      if (lease && lease.owner !== options.owner && isLeaseLive(lease)) return; // a live window is making it
      const read = await this.read(runId);
      const outputs = this.outputsDir(runId);
      // `unsent`: the caller knows the request never left (its record, if written, is still `submitting`).
      if (read.ok && options.unsent && read.record.status === 'submitting') {
        await this.fs.rm(this.resultJsonPath(runId), { force: true });
        await this.fs.rm(this.resultMdPath(runId), { force: true });
      } else if (read.ok || read.reason !== 'missing') return;
      await this.removeLeftovers(runId);
      await this.fs.rm(path.join(outputs, IN_PROGRESS_MARKER), { force: true });
      await this.fs.rm(path.join(outputs, LEASE_FILE), { force: true });
    });
    // After the lock is gone (its file lives in outputs/): empty folders only.
    for (const dir of [path.join(this.outputsDir(runId), 'images'), this.outputsDir(runId), this.runDir(runId)]) {
      await nodeFs.rmdir(dir).catch(() => undefined);
    }
  }

  async inProgressRunIds(): Promise<string[]> {
    const ids = await this.listRunIds();
    const marked = await Promise.all(ids.map((id) => this.fs.access(path.join(this.outputsDir(id), IN_PROGRESS_MARKER)).then(() => id, () => undefined)));
    return marked.filter((id): id is string => id !== undefined);
  }

  /** Run folder names, newest first (run ids sort by time). */
  async listRunIds(): Promise<string[]> {
    if ((await this.rootState()) !== 'ok') return [];
    try {
      const entries = await this.fs.readdir(this.root, { withFileTypes: true });
      return entries
        // Run folders only (a link is not one: listed nowhere, never read or written).
        .filter((e) => e.isDirectory() && isRunId(e.name))
        .map((e) => e.name)
        .sort()
        .reverse();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  async read(runId: string): Promise<ReadResult> {
    if (!isRunId(runId)) return { ok: false, reason: 'invalid', message: 'not a run folder' };
    const root = await this.rootState();
    if (root === 'link') return { ok: false, reason: 'invalid', message: `${ARTIFACTS_DIR} is a symbolic link` };
    let text: string;
    try {
      for (const dir of [this.runDir(runId), this.outputsDir(runId)]) {
        const stat = await this.fs.lstat(dir);
        if (stat.isSymbolicLink()) return { ok: false, reason: 'invalid', message: `${path.relative(this.workspaceFolder, dir)} is a symbolic link` };
      }
      const small = await this.readSmallFile(this.resultJsonPath(runId), MAX_RECORD_BYTES);
      if (!small.ok) return { ok: false, reason: small.reason, message: `result.json ${small.message}` };
      text = small.text;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return { ok: false, reason: code === 'ENOENT' ? 'missing' : 'unreadable', message: String((error as Error).message) };
    }
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

  /** A regular file of at most `max` bytes (never a link, a device or a pipe), as text. */
  private async readSmallFile(file: string, max: number): Promise<{ ok: true; text: string } | { ok: false; reason: 'tooLarge' | 'unreadable'; message: string }> {
    let handle;
    try {
      // O_NOFOLLOW: a link is refused by the open itself; the checks below are on what was opened.
      handle = await this.fs.open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
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

  /** The lease on a run's task, if any (expired leases are returned too; compare `expiresAt`). */
  async readLease(runId: string): Promise<Lease | undefined> {
    try {
      const small = await this.readSmallFile(path.join(this.outputsDir(runId), LEASE_FILE), 4096);
      if (!small.ok) return undefined;
      const parsed = leaseSchema.safeParse(JSON.parse(small.text));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  /** Takes or renews the lease for `owner` unless another owner holds an unexpired one. */
  async acquireLease(runId: string, owner: string, ttlMs: number, now = Date.now()): Promise<LeaseResult> {
    return this.withRunLock(runId, async () => {
      const current = await this.readLease(runId);
      if (current && current.owner !== owner && isLeaseLive(current, now)) return { ok: false, holder: current };
      const lease: Lease = { owner, expiresAt: now + Math.min(ttlMs, MAX_LEASE_MS), pid: process.pid, host: THIS_HOST };
      await writeFileAtomic(path.join(this.outputsDir(runId), LEASE_FILE), JSON.stringify(lease), this.fs);
      return { ok: true };
    });
  }

  /**
   * Removes a lease nobody holds any more (expired, planted, or its process gone). Always under
   * the folder's lock, so a lock a killed process left behind is broken and gone afterwards too.
   */
  async removeDeadLease(runId: string): Promise<void> {
    await this.withRunLock(runId, async () => {
      const again = await this.readLease(runId);
      if (again && !isLeaseLive(again)) await this.fs.rm(path.join(this.outputsDir(runId), LEASE_FILE), { force: true });
    });
  }

  async releaseLease(runId: string, owner: string): Promise<void> {
    // Not ours (already released): no lock taken, so nothing is left behind in a finished run's folder.
    if ((await this.readLease(runId))?.owner !== owner) return;
    await this.withRunLock(runId, async () => {
      const current = await this.readLease(runId);
      if (current?.owner === owner) await this.fs.rm(path.join(this.outputsDir(runId), LEASE_FILE), { force: true });
    });
  }
}
