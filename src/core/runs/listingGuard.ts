// A listing of a whole tree in flight, and the rows that changed under it.
//
// VS Code's tree views forget every row while they list the whole tree again (the extension host
// drops its handles until the listing is back): a row refresh sent meanwhile is dropped, a click
// on a row's action meanwhile reaches its command without the row, and the listing can carry what
// it read before the change. So the Tasks view refreshes a changed run's row alone, never the
// whole list for a change of state, and this guard refreshes again, once the listing has landed,
// each row that changed while one was in flight.

/** Runs `fn` after `ms`; the handle cancels it. */
export type Schedule = (fn: () => void, ms: number) => { cancel(): void };

export const systemSchedule: Schedule = (fn, ms) => {
  const timer = setTimeout(fn, ms);
  timer.unref?.();
  return { cancel: () => clearTimeout(timer) };
};

export interface ListingGuardOptions {
  /** After the last item of a listing is made: the time for its answer to reach the renderer. */
  settleMs?: number;
  /** A second refresh of the same rows, for a renderer that took both answers in one batch. */
  againMs?: number;
  /** A listing VS Code gave up on (a newer one replaced it) never makes all its items: the longest wait for the next one. */
  maxWaitMs?: number;
}

export class ListingGuard<T extends object> {
  private pending: Set<T> | undefined;
  private readonly dirty = new Set<string>();
  private closeTimer: { cancel(): void } | undefined;
  private giveUpTimer: { cancel(): void } | undefined;
  private readonly later = new Set<{ cancel(): void }>();
  private readonly settleMs: number;
  private readonly againMs: number;
  private readonly maxWaitMs: number;

  constructor(
    /** Refreshes these rows (by key) again. */
    private readonly refire: (keys: readonly string[]) => void,
    private readonly schedule: Schedule = systemSchedule,
    options: ListingGuardOptions = {},
  ) {
    this.settleMs = options.settleMs ?? 100;
    this.againMs = options.againMs ?? 1_000;
    this.maxWaitMs = options.maxWaitMs ?? 5_000;
  }

  /** True from a listing's start until it settled. */
  get inFlight(): boolean {
    return this.pending !== undefined;
  }

  /** A listing of the whole tree returned these items (objects of this listing alone). */
  listed(items: readonly T[]): void {
    this.closeTimer?.cancel();
    this.giveUpTimer?.cancel();
    this.pending = new Set(items);
    this.giveUpTimer = this.schedule(() => this.close(), this.maxWaitMs);
    if (this.pending.size === 0) this.settle();
  }

  /** The tree item of one item was made (whether for the listing or not). */
  made(item: T): void {
    if (!this.pending?.delete(item)) return;
    if (this.pending.size > 0) {
      // Still listing (a slow disk): the longest wait counts from its last progress.
      this.giveUpTimer?.cancel();
      this.giveUpTimer = this.schedule(() => this.close(), this.maxWaitMs);
      return;
    }
    this.settle();
  }

  /** A row changed (and was refreshed): refreshed again after a listing in flight. */
  changed(key: string): void {
    if (this.pending) this.dirty.add(key);
  }

  private settle(): void {
    this.closeTimer?.cancel();
    this.closeTimer = this.schedule(() => this.close(), this.settleMs);
  }

  private close(): void {
    this.closeTimer?.cancel();
    this.giveUpTimer?.cancel();
    this.closeTimer = this.giveUpTimer = undefined;
    this.pending = undefined;
    if (this.dirty.size === 0) return;
    const keys = [...this.dirty];
    this.dirty.clear();
    this.refire(keys);
    const again = this.schedule(() => {
      this.later.delete(again);
      this.refire(keys);
    }, this.againMs);
    this.later.add(again);
  }

  dispose(): void {
    this.closeTimer?.cancel();
    this.giveUpTimer?.cancel();
    for (const t of this.later) t.cancel();
    this.later.clear();
    this.pending = undefined;
    this.dirty.clear();
  }
}
