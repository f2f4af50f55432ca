// An exclusive lock file beside what it guards, for the short read-merge-write of a run record
// by several windows (processes). Created with O_EXCL ("wx"), so exactly one holder; a lock
// older than `staleMs` (its holder died) is broken by renaming it away, which only one breaker
// can win. Written here rather than taken from proper-lockfile: that package (through
// graceful-fs and signal-exit) patches `fs` and `process` globally, which an extension must not
// do in the extension host it shares with others.
import { promises as nodeFs } from 'node:fs';
import { randomBytes } from 'node:crypto';

export type LockFs = Pick<typeof nodeFs, 'writeFile' | 'readFile' | 'stat' | 'rename' | 'rm' | 'link'>;

export interface FileLockOptions {
  /** A lock file older than this belongs to a holder that died. */
  staleMs?: number;
  /** Give up waiting after this long. */
  timeoutMs?: number;
  fs?: LockFs;
}

export class LockTimeoutError extends Error {
  constructor(readonly lockPath: string) {
    super(`Another window holds ${lockPath} for too long.`);
    this.name = 'LockTimeoutError';
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const codeOf = (error: unknown): string | undefined => (error as NodeJS.ErrnoException)?.code;

/** Runs `work` while holding the lock at `lockPath` (its folder must exist). */
export async function withFileLock<T>(lockPath: string, work: () => Promise<T>, options: FileLockOptions = {}): Promise<T> {
  const fs = options.fs ?? nodeFs;
  const staleMs = options.staleMs ?? 10_000;
  const token = `${process.pid}:${randomBytes(6).toString('hex')}`;
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  for (let attempt = 0; ; attempt++) {
    try {
      await fs.writeFile(lockPath, token, { flag: 'wx' });
      break;
    } catch (error) {
      if (codeOf(error) !== 'EEXIST') throw error;
    }
    if (await isStale(fs, lockPath, staleMs)) {
      await breakStale(fs, lockPath, staleMs);
      continue;
    }
    if (Date.now() > deadline) throw new LockTimeoutError(lockPath);
    await sleep(Math.min(100, 2 + attempt * 3) * (0.5 + Math.random()));
  }
  try {
    return await work();
  } finally {
    // Remove it only if it is still ours (a holder judged dead may come back to life).
    const current = await fs.readFile(lockPath, 'utf8').catch(() => undefined);
    if (current === token) await fs.rm(lockPath, { force: true }).catch(() => undefined);
  }
}

async function isStale(fs: LockFs, lockPath: string, staleMs: number): Promise<boolean> {
  try {
    const stat = await fs.stat(lockPath);
    return Date.now() - stat.mtimeMs > staleMs;
  } catch {
    return false; // gone: the next attempt takes it
  }
}

async function breakStale(fs: LockFs, lockPath: string, staleMs: number): Promise<void> {
  const aside = `${lockPath}.stale-${randomBytes(4).toString('hex')}`;
  try {
    await fs.rename(lockPath, aside);
  } catch {
    return; // another window broke it first
  }
  // Between our look and the rename another window may have taken a fresh lock: give it back.
  const stat = await fs.stat(aside).catch(() => undefined);
  if (stat && Date.now() - stat.mtimeMs <= staleMs) await fs.link(aside, lockPath).catch(() => undefined);
  await fs.rm(aside, { force: true }).catch(() => undefined);
}
