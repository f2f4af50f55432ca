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

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
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
