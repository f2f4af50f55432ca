// Whether a process named in a lock, a lease or a temp file's name is still alive. Only a
// process on this machine can be checked; for any other the answer is "maybe" (true).
import { hostname } from 'node:os';

/** The host name written beside a pid, so that another machine's pid is never checked here. */
export const THIS_HOST = hostname();

/** False only when `pid` names no live process on this machine (EPERM: it lives, as another user). */
export function isProcessAlive(pid: number, host: string = THIS_HOST): boolean {
  if (host !== THIS_HOST || pid === process.pid) return true;
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
