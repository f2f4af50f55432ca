// An exclusive lock file beside what it guards, for the short read-merge-write of a run record
// by several windows (processes). Created with O_EXCL ("wx"), so exactly one holder; a lock
// whose holder on this machine is gone (its token names the pid and host), or that is older
// than `staleMs` (a holder elsewhere died), is broken by renaming it away, which only one
// breaker can win. Written here rather than taken from proper-lockfile: that package (through
// graceful-fs and signal-exit) patches `fs` and `process` globally, which an extension must not
// do in the extension host it shares with others.
import { promises as nodeFs } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { isProcessAlive, THIS_HOST } from '../processes';

export type LockFs = Pick<typeof nodeFs, 'writeFile' | 'readFile' | 'stat' | 'lstat' | 'rename' | 'rm' | 'link' | 'utimes'>;

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
  const token = `${process.pid}@${THIS_HOST}:${randomBytes(6).toString('hex')}`;
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  for (let attempt = 0; ; attempt++) {
    try {
      await fs.writeFile(lockPath, token, { flag: 'wx' });
      break;
    } catch (error) {
      if (codeOf(error) !== 'EEXIST') throw error;
    }
    const stale = await staleToken(fs, lockPath, staleMs);
    if (stale !== undefined) {
      await breakStale(fs, lockPath, stale);
      continue;
    }
    if (Date.now() > deadline) throw new LockTimeoutError(lockPath);
    await sleep(Math.min(100, 2 + attempt * 3) * (0.5 + Math.random()));
  }
  // A live holder keeps its lock fresh, so only a dead one's lock ever looks stale.
  const refresh = setInterval(() => {
    const now = new Date();
    fs.utimes(lockPath, now, now).catch(() => undefined);
  }, Math.max(20, staleMs / 4));
  refresh.unref?.();
  try {
    return await work();
  } finally {
    clearInterval(refresh);
    // Remove it only if it is still ours (a holder judged dead may come back to life).
    const current = await readToken(fs, lockPath);
    if (current === token) await fs.rm(lockPath, { force: true }).catch(() => undefined);
  }
}

/** A lock file's token: only ever read from a small regular file (a planted link is not followed). */
async function readToken(fs: LockFs, file: string): Promise<string | undefined> {
  const stat = await fs.lstat(file).catch(() => undefined);
  if (!stat || !stat.isFile() || stat.size > 256) return stat ? PLANTED : undefined;
  return fs.readFile(file, 'utf8').catch(() => undefined);
}

/** What a lock "file" that is a link, a folder or a large file counts as: never a live holder's. */
const PLANTED = '\u0000planted';

/**
 * What a lock token says of its holder: `dead` (a process on this machine that is gone), `alive`
 * (another live process on this machine), or `unknown` (elsewhere, this process itself, or a
 * token of another format): then only the lock's age tells.
 */
function holderState(token: string): 'dead' | 'alive' | 'unknown' {
  const match = /^(\d{1,10})@([^:]*):[0-9a-f]+$/.exec(token);
  if (!match || match[2] !== THIS_HOST || Number(match[1]) === process.pid) return 'unknown';
  return isProcessAlive(Number(match[1]), match[2]) ? 'alive' : 'dead';
}

/**
 * The token of the lock file when its holder is gone: dead on this machine (at once), silent
 * for longer than `staleMs` (elsewhere), or planted. Undefined while a holder may live.
 */
async function staleToken(fs: LockFs, lockPath: string, staleMs: number): Promise<string | undefined> {
  const stat = await fs.lstat(lockPath).catch(() => undefined);
  if (!stat) return undefined; // gone: the next attempt takes it
  if (!stat.isFile() || stat.size > 256) return PLANTED;
  const token = await readToken(fs, lockPath);
  const holder = token === undefined ? 'unknown' : holderState(token);
  if (holder === 'dead') return token;
  // A holder on this machine that lives keeps its lock, however long it was silent.
  if (holder === 'alive') return undefined;
  return Date.now() - stat.mtimeMs > staleMs ? token : undefined;
}

/**
 * Moves the dead holder's lock aside (only one breaker's rename can win). If what was moved is
 * not the lock judged dead (another window broke it and took a fresh one meanwhile), it is put
 * back with a link, which fails rather than overwrite a lock taken since.
 */
async function breakStale(fs: LockFs, lockPath: string, staleTokenValue: string): Promise<void> {
  const aside = `${lockPath}.stale-${randomBytes(4).toString('hex')}`;
  try {
    await fs.rename(lockPath, aside);
  } catch {
    return; // another window broke it first
  }
  const moved = await readToken(fs, aside);
  if (moved !== staleTokenValue && moved !== PLANTED) await fs.link(aside, lockPath).catch(() => undefined);
  await fs.rm(aside, { force: true }).catch(() => undefined);
}
