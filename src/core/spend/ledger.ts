// The spend ledger: one file for every workspace and window of a profile (VS Code's global
// storage), the only record of what was spent. Every change is a read-modify-write under the
// same lock discipline as run records (an O_EXCL lock file; the file replaced atomically), so
// two windows never lose each other's entries, and the limit check and the `pending` entry of a
// submit happen under one lock: two windows with room for one run send one.
//
// Bounds: the file is read only up to 16 MB and written under 12 MB; at most 50,000 entries and
// 25 months are kept (older ones are dropped and counted in `dropped`). Entries that fail their
// schema are skipped and counted. A file that is not a ledger at all refuses every change while
// a credit limit is set (counting 0 would lift the limit); with no limit, a submit moves it
// aside (never deleted) and the ledger starts again, importing the run folders again.
import { promises as nodeFs } from 'node:fs';
import * as path from 'node:path';
import * as z from 'zod/mini';
import { withFileLock, type FileLockOptions } from '../runs/fileLock';
import { readSmallFile, writeFileAtomic, type StoreFs } from '../runs/runFiles';
import { checkLimits, currentOutcome, entryKey, ledgerEntrySchema, spendOf, type LedgerEntry, type LimitCheck, type Outcome, type SpendLimits } from './ledgerEntries';

export const LEDGER_FILE = 'spend-ledger.json';
export const MAX_LEDGER_BYTES = 16 * 1024 * 1024;
/** A write stays under this, so the file can always be read back (entries with long prompts fill it before 50,000). */
export const MAX_WRITTEN_BYTES = 12 * 1024 * 1024;
export const MAX_LEDGER_ENTRIES = 50_000;
export const KEPT_MONTHS = 25;

const ledgerFileSchema = z.object({
  version: z.literal(1),
  /** Workspace folders whose run folders were imported once. */
  imported: z.array(z.string()),
  /** Entries dropped so far by the bounds above. */
  dropped: z.optional(z.int().check(z.nonnegative())),
  /** Checked one by one below: a bad entry never costs the others. */
  entries: z.array(z.unknown()),
});

export interface LedgerSnapshot {
  entries: LedgerEntry[];
  imported: string[];
  /** Entries dropped by the bounds (oldest first). */
  dropped: number;
  /** Entries that failed their schema and were left out. */
  invalid: number;
  /** Why the file could not be read (then `entries` is empty), in English for the log: shown, never silent. */
  problem?: string;
  /** What kind of problem, for the words a user reads in their language. */
  problemKind?: LedgerProblemKind;
}

/** Why a ledger file could not be used: not read at all, over the size limit, not JSON, or not a ledger. */
export type LedgerProblemKind = 'unreadable' | 'tooLarge' | 'notJson' | 'notLedger';

const EMPTY: LedgerSnapshot = { entries: [], imported: [], dropped: 0, invalid: 0 };

export class LedgerUnreadableError extends Error {
  constructor(
    message: string,
    readonly problemKind: LedgerProblemKind = 'unreadable',
    /** The ledger file, for the words a user reads. */
    readonly file?: string,
  ) {
    super(message);
    this.name = 'LedgerUnreadableError';
  }
}

export interface SpendLedgerOptions {
  fs?: StoreFs;
  lock?: FileLockOptions;
  now?: () => Date;
  /** Told when a file that was not a ledger was moved aside and the ledger began again. */
  onMovedAside?: (aside: string, problem: string) => void;
}

export class SpendLedger {
  readonly file: string;
  private readonly fs: StoreFs;
  private readonly lockOptions: FileLockOptions;
  private readonly now: () => Date;
  private readonly onMovedAside: SpendLedgerOptions['onMovedAside'];

  constructor(
    readonly dir: string,
    options: SpendLedgerOptions = {},
  ) {
    this.file = path.join(dir, LEDGER_FILE);
    this.fs = options.fs ?? nodeFs;
    this.lockOptions = { ...options.lock, fs: this.fs };
    this.now = options.now ?? (() => new Date());
    this.onMovedAside = options.onMovedAside;
  }

  /** The ledger as it is on disk now (no lock: a reader sees one whole file or the one before). */
  async read(): Promise<LedgerSnapshot> {
    const read = await this.readFile();
    return read.kind === 'corrupt' ? { ...EMPTY, problem: read.problem, problemKind: read.problemKind } : read.snapshot;
  }

  /**
   * Under the lock: counts what is spent (pending entries of other windows included) and, when
   * `entry` fits the limits, writes it as `pending`. Nothing is written when it does not fit.
   */
  reserve(entry: LedgerEntry, limits: SpendLimits): Promise<LimitCheck> {
    // With a limit set, a ledger that cannot be read is never replaced by an empty one: that would count 0.
    const keepsLimits = limits.daily > 0 || limits.monthly > 0;
    return this.update((snapshot) => {
      const check = checkLimits(spendOf(snapshot.entries, this.now()), limits, entry.credits);
      return { result: check, entries: check.ok ? [...snapshot.entries.filter((e) => entryKey(e) !== entryKey(entry)), { ...entry, outcome: 'pending' }] : undefined };
    }, { startOverIfUnreadable: !keepsLimits });
  }

  /**
   * Under the lock: what became of a submit (its task id once known). `ifAbandoned`: only an
   * entry still pending whose writer is gone changes (a start-up resume learning what a dead
   * window's run became; a live window settles its own). False when nothing changed.
   */
  settle(key: { folder: string; runId: string }, outcome: Exclude<Outcome, 'pending'>, taskId?: string | null, options: { ifAbandoned?: boolean } = {}): Promise<boolean> {
    return this.update((snapshot) => {
      const wanted = entryKey(key);
      const at = snapshot.entries.findIndex((e) => entryKey(e) === wanted);
      const found = at < 0 ? undefined : snapshot.entries[at]!;
      if (!found || (options.ifAbandoned && (found.outcome !== 'pending' || currentOutcome(found, this.now()) === 'pending'))) return { result: false, entries: undefined };
      const entries = [...snapshot.entries];
      const { pid: _pid, host: _host, ...settled } = entries[at]!;
      entries[at] = { ...settled, outcome, taskId: taskId ?? settled.taskId };
      return { result: true, entries };
    });
  }

  /**
   * Under the lock: the runs of a workspace folder that existed before the ledger, once per
   * folder (a second call, from this or another window, adds nothing). Runs already in the
   * ledger are kept as they are. Returns how many were added.
   */
  async importOnce(folder: string, found: () => Promise<LedgerEntry[]>): Promise<number> {
    const before = await this.read();
    if (before.problem) return 0;
    if (before.imported.includes(folder)) {
      await this.tidy();
      return 0;
    }
    // Read outside the lock (thousands of run folders): other windows' reserves never wait for it.
    const entries = await found();
    return this.update((snapshot) => {
      if (snapshot.imported.includes(folder)) return { result: 0, entries: undefined };
      const known = new Set(snapshot.entries.map(entryKey));
      const added = entries.filter((e) => e.folder === folder && !known.has(entryKey(e)));
      return { result: added.length, entries: [...snapshot.entries, ...added], imported: [...snapshot.imported, folder] };
    });
  }

  /** Takes the lock and lets it go, writing nothing: a lock a dead window left behind is broken now, not at the next submit. */
  async tidy(): Promise<void> {
    await this.update(() => ({ result: undefined, entries: undefined }));
  }

  /**
   * One read-modify-write under the lock. `change` returns undefined entries to write nothing.
   * A file that is not a ledger throws (nothing changes), unless `startOverIfUnreadable`: then it
   * is moved aside and the ledger begins again.
   */
  private async update<T>(
    change: (snapshot: LedgerSnapshot) => { result: T; entries: LedgerEntry[] | undefined; imported?: string[] } | Promise<{ result: T; entries: LedgerEntry[] | undefined; imported?: string[] }>,
    options: { startOverIfUnreadable?: boolean } = {},
  ): Promise<T> {
    await this.fs.mkdir(this.dir, { recursive: true });
    return withFileLock(
      `${this.file}.lock`,
      async () => {
        const read = await this.readFile();
        if (read.kind === 'corrupt' && !options.startOverIfUnreadable) throw new LedgerUnreadableError(read.problem, read.problemKind, this.file);
        if (read.kind === 'corrupt') await this.moveAside(read.problem);
        const snapshot = read.kind === 'corrupt' ? EMPTY : read.snapshot;
        const { result, entries, imported } = await change(snapshot);
        if (entries !== undefined || imported !== undefined) {
          const kept = bounded(entries ?? snapshot.entries, this.now());
          let body = { version: 1, imported: imported ?? snapshot.imported, dropped: snapshot.dropped + kept.dropped, entries: kept.entries };
          let text = JSON.stringify(body);
          // Always readable again: the oldest tenth goes until the file is well under the read limit.
          while (Buffer.byteLength(text) > MAX_WRITTEN_BYTES && body.entries.length > 0) {
            const drop = Math.max(1, Math.ceil(body.entries.length / 10));
            body = { ...body, dropped: body.dropped + drop, entries: oldestFirst(body.entries).slice(drop) };
            text = JSON.stringify(body);
          }
          await writeFileAtomic(this.file, text, this.fs);
        }
        return result;
      },
      this.lockOptions,
    );
  }

  private async readFile(): Promise<{ kind: 'ok'; snapshot: LedgerSnapshot } | { kind: 'corrupt'; problem: string; problemKind: LedgerProblemKind }> {
    let small;
    try {
      small = await readSmallFile(this.fs, this.file, MAX_LEDGER_BYTES);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'ok', snapshot: EMPTY };
      throw new LedgerUnreadableError(`The spend ledger ${this.file} could not be read: ${(error as Error).message}`, 'unreadable', this.file);
    }
    if (!small.ok) return { kind: 'corrupt', problem: `The spend ledger ${this.file} ${small.message}.`, problemKind: small.reason === 'tooLarge' ? 'tooLarge' : 'unreadable' };
    let json: unknown;
    try {
      json = JSON.parse(small.text);
    } catch {
      return { kind: 'corrupt', problem: `The spend ledger ${this.file} is not valid JSON.`, problemKind: 'notJson' };
    }
    const parsed = ledgerFileSchema.safeParse(json);
    if (!parsed.success) return { kind: 'corrupt', problem: `The spend ledger ${this.file} is not a ledger this version can read.`, problemKind: 'notLedger' };
    const entries: LedgerEntry[] = [];
    let invalid = 0;
    for (const raw of parsed.data.entries) {
      const entry = ledgerEntrySchema.safeParse(raw);
      if (entry.success) entries.push(entry.data);
      else invalid++;
    }
    return { kind: 'ok', snapshot: { entries, imported: parsed.data.imported, dropped: parsed.data.dropped ?? 0, invalid } };
  }

  /** A file that is not a ledger is kept beside it for the user, never deleted. */
  private async moveAside(problem: string): Promise<void> {
    const aside = path.join(this.dir, `spend-ledger.unreadable-${this.now().toISOString().replace(/[:.]/g, '-')}.json`);
    await this.fs.rename(this.file, aside);
    this.onMovedAside?.(aside, problem);
  }
}

const oldestFirst = (entries: LedgerEntry[]): LedgerEntry[] => [...entries].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));

/** The newest entries within the kept months and count. */
function bounded(entries: LedgerEntry[], now: Date): { entries: LedgerEntry[]; dropped: number } {
  const oldest = new Date(now.getFullYear(), now.getMonth() - (KEPT_MONTHS - 1), 1).getTime();
  const recent = entries.filter((e) => !(Date.parse(e.at) < oldest));
  const kept = recent.length > MAX_LEDGER_ENTRIES ? oldestFirst(recent).slice(recent.length - MAX_LEDGER_ENTRIES) : recent;
  return { entries: kept, dropped: entries.length - kept.length };
}
