// The runs of a workspace, newest first, across its folders: folder names are listed cheaply,
// result.json files are read only for the page being shown, and cached until they change.
import type { ReadResult } from './store';
import { ArtifactStore } from './store';

export interface RunEntry {
  key: string;
  runId: string;
  store: ArtifactStore;
}

/** How many runs the Tasks view shows at first, and adds per "Show older runs". */
export const RUNS_PAGE_SIZE = 50;

export const runKey = (store: ArtifactStore, runId: string): string => `${store.root}\u0000${runId}`;

export class RunIndex {
  private entries: RunEntry[] = [];
  private readonly cache = new Map<string, ReadResult>();
  /** Bumped by each `invalidate`: a read that started before it does not cache what it read. */
  private readonly versions = new Map<string, number>();
  private listed = false;

  constructor(private stores: ArtifactStore[]) {}

  setStores(stores: ArtifactStore[]): void {
    this.stores = stores;
    this.listed = false;
    this.cache.clear();
  }

  get storesList(): readonly ArtifactStore[] {
    return this.stores;
  }

  /** Lists the run folders of every store again (names only). */
  async refresh(): Promise<void> {
    const lists = await Promise.all(this.stores.map(async (store) => (await store.listRunIds()).map((runId) => ({ key: runKey(store, runId), runId, store }))));
    this.entries = lists.flat().sort((a, b) => (a.runId < b.runId ? 1 : a.runId > b.runId ? -1 : 0));
    const alive = new Set(this.entries.map((e) => e.key));
    for (const key of this.cache.keys()) if (!alive.has(key)) this.cache.delete(key);
    this.listed = true;
  }

  get size(): number {
    return this.entries.length;
  }

  /** The newest `count` runs (listing first if needed). */
  async page(count: number): Promise<RunEntry[]> {
    if (!this.listed) await this.refresh();
    return this.entries.slice(0, count);
  }

  /**
   * A run's result.json, read once and cached until `invalidate`. A read that an `invalidate`
   * overtook is read again: an older state never lands in the cache (or in a view) after a newer.
   */
  async read(entry: RunEntry): Promise<ReadResult> {
    for (let attempt = 0; ; attempt++) {
      const cached = this.cache.get(entry.key);
      if (cached) return cached;
      const version = this.versions.get(entry.key) ?? 0;
      const result = await entry.store.read(entry.runId);
      if ((this.versions.get(entry.key) ?? 0) === version || attempt >= 5) {
        this.cache.set(entry.key, result);
        return result;
      }
    }
  }

  /** Forgets one run's cached result (its file changed); returns its entry if listed. */
  invalidate(store: ArtifactStore, runId: string): RunEntry | undefined {
    const key = runKey(store, runId);
    this.cache.delete(key);
    this.versions.set(key, (this.versions.get(key) ?? 0) + 1);
    return this.entries.find((e) => e.key === key);
  }

  /** Adds a run that appeared since the last listing; true when it was new. */
  add(store: ArtifactStore, runId: string): boolean {
    const key = runKey(store, runId);
    if (this.entries.some((e) => e.key === key)) return false;
    const entry = { key, runId, store };
    const at = this.entries.findIndex((e) => e.runId < runId);
    if (at === -1) this.entries.push(entry);
    else this.entries.splice(at, 0, entry);
    return true;
  }

  remove(store: ArtifactStore, runId: string): void {
    const key = runKey(store, runId);
    this.entries = this.entries.filter((e) => e.key !== key);
    this.cache.delete(key);
    this.versions.set(key, (this.versions.get(key) ?? 0) + 1);
  }
}
