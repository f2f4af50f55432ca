// The run folders under <workspace>/generate-image/.artifacts/<run_id>/outputs/: the file layer
// of the run service (the one writer of records). Every write is atomic (a temp file in the
// same folder, then a rename) and made under the run folder's lock, merged with what another
// window may have written. A lease file says which window follows a run's task.
import { promises as nodeFs } from 'node:fs';
import * as path from 'node:path';
import { THIS_HOST } from '../processes';
import { removeStaleTempFiles } from '../tempFiles';
import { ensureFoldersInside, checkFoldersInside, UnsafePathError } from '../safeFolders';
import { withFileLock, type FileLockOptions } from './fileLock';
import { mergeRecords, renderResultMarkdown, runRecordSchema, type ReadResult, type RunRecord } from './record';
import { isRunId } from './runId';
import { checkedLocalImage, checkedThumbnails, fitRecord, isLeaseLive, leaseSchema, MAX_LEASE_MS, MAX_RECORD_BYTES, parseRecordText, readSmallFile, recordProblem, writeFileAtomic, type Lease, type LeaseResult, type StoreFs } from './runFiles';

export { UnsafePathError };
export { fitRecord, isLeaseLive, LOCAL_IMAGE_PATTERN, MAX_THUMBNAIL_BYTES, MAX_LEASE_MS, MAX_RECORD_BYTES, recordProblem, writeFileAtomic, type Lease, type LeaseResult, type StoreFs } from './runFiles';
export type { ReadResult } from './record';

export const ARTIFACTS_DIR = path.join('generate-image', '.artifacts');
const ARTIFACT_SEGMENTS = ['generate-image', '.artifacts'];
/** In `outputs/` while a run's task may still be running; `workspaceContains` activates on it. */
export const IN_PROGRESS_MARKER = '.in-progress';
const LOCK_FILE = '.lock';
const LEASE_FILE = '.lease';

export interface ArtifactStoreOptions {
  fs?: StoreFs;
  lock?: Omit<FileLockOptions, 'fs'>;
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
  async ensureRunFolder(runId: string, sub: 'outputs' | 'images' | 'thumbnails' = 'outputs'): Promise<string> {
    if (!isRunId(runId)) throw new Error(`Not a run id: ${JSON.stringify(runId.slice(0, 120))}`);
    return ensureFoldersInside(this.workspaceFolder, [...ARTIFACT_SEGMENTS, runId, 'outputs', ...(sub === 'outputs' ? [] : [sub])], this.fs);
  }

  /** 'ok' when generate-image/.artifacts are real folders, 'missing', or 'link' (then nothing there is read). */
  private rootState(): Promise<'ok' | 'missing' | 'link'> {
    return checkFoldersInside(this.workspaceFolder, ARTIFACT_SEGMENTS, this.fs);
  }

  /** The downloaded image file of a record entry, if it really is a file inside the run's images folder. */
  localImagePath(runId: string, entry: string | null | undefined): Promise<string | undefined> {
    return checkedLocalImage(this.fs, this.outputsDir(runId), entry);
  }

  /** The run's saved thumbnails, aligned with its first `count` local images (see checkedThumbnails). */
  thumbnailPaths(runId: string, count: number): Promise<(string | undefined)[]> {
    return checkedThumbnails(this.fs, this.outputsDir(runId), count);
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
    const removed = await Promise.all(['', 'images', 'thumbnails'].map((sub) => removeStaleTempFiles(path.join(outputs, sub), { fs: this.fs })));
    return removed.reduce((a, b) => a + b, 0);
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
      const small = await readSmallFile(this.fs, this.resultJsonPath(runId), MAX_RECORD_BYTES);
      if (!small.ok) return { ok: false, reason: small.reason, message: `result.json ${small.message}` };
      text = small.text;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return { ok: false, reason: code === 'ENOENT' ? 'missing' : 'unreadable', message: String((error as Error).message) };
    }
    return parseRecordText(text, runId);
  }

  /** The lease on a run's task, if any (expired leases are returned too; compare `expiresAt`). */
  async readLease(runId: string): Promise<Lease | undefined> {
    try {
      const small = await readSmallFile(this.fs, path.join(this.outputsDir(runId), LEASE_FILE), 4096);
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
