// At most N jobs at once; the others wait in order. One is shared by every run's downloads in a
// window, so a server cannot make a window open more connections than that.

export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`A limiter needs a limit of at least 1 (got ${limit}).`);
  }

  /** How many jobs run now (for tests and figures). */
  get running(): number {
    return this.active;
  }

  /** Runs `job` once a slot is free; a `signal` that aborts while it waits takes it out of the queue (rejects). */
  async run<T>(job: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) throw new Error('Cancelled before it started.');
    if (this.active >= this.limit) {
      await new Promise<void>((resolve, reject) => {
        const start = (): void => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = (): void => {
          const at = this.waiting.indexOf(start);
          if (at >= 0) this.waiting.splice(at, 1);
          reject(new Error('Cancelled while waiting for a free slot.'));
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        this.waiting.push(start);
      });
    } else this.active++;
    try {
      return await job();
    } finally {
      const next = this.waiting.shift();
      // The slot passes straight to the next job: `active` stays the same.
      if (next) next();
      else this.active--;
    }
  }
}
