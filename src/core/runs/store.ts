// The run folders under <workspace>/generate-image/.artifacts/<run_id>/outputs/.
// Every write is atomic: a temp file in the same folder, then rename over the old one.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { mergeRecords, renderResultMarkdown, runRecordSchema, type RunRecord } from './record';
import { isRunId } from './runId';

export const ARTIFACTS_DIR = path.join('generate-image', '.artifacts');
/** In `outputs/` while a run's task may still be running; `workspaceContains` activates on it. */
export const IN_PROGRESS_MARKER = '.in-progress';

export async function writeFileAtomic(file: string, contents: string | Buffer): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await fs.writeFile(temp, contents);
    await fs.rename(temp, file);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
}

export type ReadResult = { ok: true; record: RunRecord } | { ok: false; reason: 'missing' | 'unreadable' | 'invalid'; message: string };

export class ArtifactStore {
  readonly root: string;

  constructor(workspaceFolder: string) {
    this.root = path.join(workspaceFolder, ARTIFACTS_DIR);
  }

  runDir(runId: string): string {
    if (!isRunId(runId) && !/^[A-Za-z0-9._-]{1,100}$/.test(runId)) throw new Error(`Unsafe run id: ${runId}`);
    return path.join(this.root, runId);
  }

  resultJsonPath(runId: string): string {
    return path.join(this.runDir(runId), 'outputs', 'result.json');
  }

  resultMdPath(runId: string): string {
    return path.join(this.runDir(runId), 'outputs', 'result.md');
  }

  /**
   * Writes result.json, then result.md; validates first so nothing malformed reaches disk.
   * What is on disk already is merged in (another window may have written it). Returns what
   * was written.
   */
  async write(record: RunRecord): Promise<RunRecord> {
    const current = await this.read(record.run_id);
    const checked = runRecordSchema.parse(current.ok ? mergeRecords(current.record, record) : record);
    await writeFileAtomic(this.resultJsonPath(record.run_id), JSON.stringify(checked, null, 2) + '\n');
    await writeFileAtomic(this.resultMdPath(record.run_id), renderResultMarkdown(checked));
    return checked;
  }

  outputsDir(runId: string): string {
    return path.join(this.runDir(runId), 'outputs');
  }

  /** Marks a run as still to be watched (a cheap file the activation event can look for). */
  async markInProgress(runId: string, inProgress: boolean): Promise<void> {
    const marker = path.join(this.outputsDir(runId), IN_PROGRESS_MARKER);
    if (inProgress) await writeFileAtomic(marker, '');
    else await fs.rm(marker, { force: true });
  }

  async inProgressRunIds(): Promise<string[]> {
    const ids = await this.listRunIds();
    const marked = await Promise.all(ids.map((id) => fs.access(path.join(this.outputsDir(id), IN_PROGRESS_MARKER)).then(() => id, () => undefined)));
    return marked.filter((id): id is string => id !== undefined);
  }

  /** Run folder names, newest first (run ids sort by time). */
  async listRunIds(): Promise<string[]> {
    try {
      const entries = await fs.readdir(this.root, { withFileTypes: true });
      return entries
        .filter((e) => e.isDirectory() && /^[A-Za-z0-9._-]{1,100}$/.test(e.name))
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
      text = await fs.readFile(this.resultJsonPath(runId), 'utf8');
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
}
