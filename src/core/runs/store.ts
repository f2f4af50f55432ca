// The run folders under <workspace>/generate-image/.artifacts/<run_id>/outputs/: the file layer
// of the run service (the one writer of records). Every write is atomic (a temp file in the
// same folder, then a rename) and made under the run folder's lock, merged with what another
// window may have written. A lease file says which window follows a run's task.
import { promises as nodeFs } from 'node:fs';
import { hostname } from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import * as z from 'zod/mini';
import { withFileLock, type FileLockOptions, type LockFs } from './fileLock';
import { mergeRecords, renderResultMarkdown, runRecordSchema, type RunRecord } from './record';
import { isRunId } from './runId';

export const ARTIFACTS_DIR = path.join('generate-image', '.artifacts');
/** In `outputs/` while a run's task may still be running; `workspaceContains` activates on it. */
export const IN_PROGRESS_MARKER = '.in-progress';
const LOCK_FILE = '.lock';
const LEASE_FILE = '.lease';
/** A record larger than this is not parsed (a planted file must not cost memory at start-up). */
export const MAX_RECORD_BYTES = 1024 * 1024;

export type StoreFs = LockFs & Pick<typeof nodeFs, 'mkdir' | 'readdir' | 'access'>;

export async function writeFileAtomic(file: string, contents: string | Buffer, fs: StoreFs = nodeFs): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await fs.writeFile(temp, contents);
    await fs.rename(temp, file);
  } catch (error) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}

export type ReadResult = { ok: true; record: RunRecord } | { ok: false; reason: 'missing' | 'unreadable' | 'invalid' | 'tooLarge'; message: string };

const leaseSchema = z.object({ owner: z.string(), expiresAt: z.number(), pid: z.optional(z.int()), host: z.optional(z.string()) });
export type Lease = z.infer<typeof leaseSchema>;
export type LeaseResult = { ok: true } | { ok: false; holder: Lease };

export interface ArtifactStoreOptions {
  fs?: StoreFs;
  lock?: Omit<FileLockOptions, 'fs'>;
}

/**
 * Whether a lease still holds: not expired, and (when its holder ran on this machine) its
 * process is alive. A window that crashed does not make the next one wait for the expiry.
 */
export function isLeaseLive(lease: Lease, now = Date.now()): boolean {
  if (lease.expiresAt <= now) return false;
  if (lease.pid === undefined || lease.host !== hostname() || lease.pid === process.pid) return true;
  try {
    process.kill(lease.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
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

  runDir(runId: string): string {
    if (!isRunId(runId) && !/^[A-Za-z0-9._-]{1,100}$/.test(runId)) throw new Error(`Unsafe run id: ${runId}`);
    if (runId === '.' || runId === '..') throw new Error(`Unsafe run id: ${runId}`);
    return path.join(this.root, runId);
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
    const outputs = this.outputsDir(runId);
    await this.fs.mkdir(outputs, { recursive: true });
    return withFileLock(path.join(outputs, LOCK_FILE), work, this.lockOptions);
  }

  /** Runs `work` under the lock of the whole artifacts folder (finding or creating a run by task). */
  async withRootLock<T>(work: () => Promise<T>): Promise<T> {
    await this.fs.mkdir(this.root, { recursive: true });
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
      const checked = runRecordSchema.parse(current.ok ? mergeRecords(current.record, record) : record);
      await writeFileAtomic(this.resultJsonPath(record.run_id), JSON.stringify(checked, null, 2) + '\n', this.fs);
      await writeFileAtomic(this.resultMdPath(record.run_id), renderResultMarkdown(checked), this.fs);
      return checked;
    });
  }

  /** Marks a run as still to be watched (a cheap file the activation event can look for). */
  async markInProgress(runId: string, inProgress: boolean): Promise<void> {
    const marker = path.join(this.outputsDir(runId), IN_PROGRESS_MARKER);
    if (inProgress) await writeFileAtomic(marker, '', this.fs);
    else await this.fs.rm(marker, { force: true });
  }

  async inProgressRunIds(): Promise<string[]> {
    const ids = await this.listRunIds();
    const marked = await Promise.all(ids.map((id) => this.fs.access(path.join(this.outputsDir(id), IN_PROGRESS_MARKER)).then(() => id, () => undefined)));
    return marked.filter((id): id is string => id !== undefined);
  }

  /** Run folder names, newest first (run ids sort by time). */
  async listRunIds(): Promise<string[]> {
    try {
      const entries = await this.fs.readdir(this.root, { withFileTypes: true });
      return entries
        .filter((e) => e.isDirectory() && /^[A-Za-z0-9._-]{1,100}$/.test(e.name) && e.name !== '.' && e.name !== '..')
        .map((e) => e.name)
        .sort()
        .reverse();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  async read(runId: string): Promise<ReadResult> {
    let text: string;
    try {
      const file = this.resultJsonPath(runId);
      const { size } = await this.fs.stat(file);
      if (size > MAX_RECORD_BYTES) return { ok: false, reason: 'tooLarge', message: `result.json is too large to read (${size} bytes; at most ${MAX_RECORD_BYTES})` };
      text = await this.fs.readFile(file, 'utf8');
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
    return { ok: true, record: parsed.data };
  }

  /** The lease on a run's task, if any (expired leases are returned too; compare `expiresAt`). */
  async readLease(runId: string): Promise<Lease | undefined> {
    try {
      const parsed = leaseSchema.safeParse(JSON.parse(await this.fs.readFile(path.join(this.outputsDir(runId), LEASE_FILE), 'utf8')));
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
      const lease: Lease = { owner, expiresAt: now + ttlMs, pid: process.pid, host: hostname() };
      await writeFileAtomic(path.join(this.outputsDir(runId), LEASE_FILE), JSON.stringify(lease), this.fs);
      return { ok: true };
    });
  }

  async releaseLease(runId: string, owner: string): Promise<void> {
    await this.withRunLock(runId, async () => {
      const current = await this.readLease(runId);
      if (current?.owner === owner) await this.fs.rm(path.join(this.outputsDir(runId), LEASE_FILE), { force: true });
    });
  }
}
