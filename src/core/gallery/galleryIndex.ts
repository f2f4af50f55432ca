// Every run of every workspace folder as gallery items, kept current by the run service's events
// (and re-read one run at a time when its file changes), never re-read whole per keystroke.
// Reads at most MAX_GALLERY_RUNS runs, 8 at a time.
import { Limiter } from '../limiter';
import type { RunRecord } from '../runs/record';
import { runKey, type RunEntry, type RunIndex } from '../runs/runIndex';
import type { ArtifactStore } from '../runs/store';
import { galleryItemOf, type GalleryItem } from './galleryItems';

export const MAX_GALLERY_RUNS = 20_000;

export class GalleryIndex {
  private readonly items = new Map<string, GalleryItem>();
  private loading: Promise<void> | undefined;

  constructor(
    private readonly index: RunIndex,
    /** The run service's newer copy of a record, and whether its task is followed. */
    private readonly held: (store: ArtifactStore, runId: string) => { record: RunRecord; following: boolean } | undefined,
  ) {}

  /** Every item (loaded once; then kept current by `update` and `remove`). */
  async all(): Promise<GalleryItem[]> {
    this.loading ??= this.load();
    await this.loading;
    return [...this.items.values()];
  }

  /** Lists the run folders again and reads what is new (after folders changed). */
  reload(): void {
    this.items.clear();
    this.loading = undefined;
  }

  private async load(): Promise<void> {
    await this.index.refresh();
    const entries = await this.index.page(MAX_GALLERY_RUNS);
    const limiter = new Limiter(8);
    await Promise.all(entries.map((entry) => limiter.run(() => this.read(entry))));
  }

  /** One run again (its record changed). */
  async update(store: ArtifactStore, runId: string): Promise<void> {
    if (!this.loading) return; // not loaded yet: the first load reads it
    this.index.invalidate(store, runId);
    this.index.add(store, runId);
    await this.read({ key: runKey(store, runId), runId, store });
  }

  remove(store: ArtifactStore, runId: string): void {
    this.items.delete(runKey(store, runId));
  }

  private async read(entry: RunEntry): Promise<void> {
    const held = this.held(entry.store, entry.runId);
    const read = held ? { ok: true as const, record: held.record } : await this.index.read(entry);
    if (!read.ok) {
      this.items.delete(entry.key);
      return;
    }
    const images = await Promise.all((read.record.local_images ?? []).map((local) => entry.store.localImagePath(entry.runId, local)));
    this.items.set(entry.key, galleryItemOf(entry.key, entry.store.workspaceFolder, read.record, images.filter((f): f is string => !!f), held?.following ?? false));
  }
}
