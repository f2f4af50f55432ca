// Every run of every workspace folder as gallery items, kept current by the run service's events
// (one run re-read at a time), never re-read whole per keystroke. The newest FIRST_BATCH runs are
// read first, so the first screen comes at once; the rest are read in the background, a batch
// at a time (8 reads at once), and each batch tells the listener. At most MAX_GALLERY_RUNS runs.
import { Limiter } from '../limiter';
import type { RunRecord } from '../runs/record';
import { runKey, type RunEntry, type RunIndex } from '../runs/runIndex';
import type { ArtifactStore } from '../runs/store';
import { galleryItemOf, type GalleryItem } from './galleryItems';

export const MAX_GALLERY_RUNS = 20_000;
/** Read before the first answer: more than a screen of tiles. */
export const FIRST_BATCH = 200;
const BATCH = 1_000;

export class GalleryIndex {
  private readonly items = new Map<string, GalleryItem>();
  private first: Promise<void> | undefined;
  private generation = 0;
  private toRead = 0;

  constructor(
    private readonly index: RunIndex,
    /** The run service's newer copy of a record, and whether its task is followed. */
    private readonly held: (store: ArtifactStore, runId: string) => { record: RunRecord; following: boolean } | undefined,
    /** Another batch of older runs was read (the gallery asks again). */
    private readonly onBatch: () => void = () => undefined,
  ) {}

  /** The items read so far (the newest first batch at least; the rest arrive in the background). */
  async all(): Promise<GalleryItem[]> {
    this.first ??= this.load(++this.generation);
    await this.first;
    return [...this.items.values()];
  }

  /** Runs still being read in the background (0 once the index is whole). */
  get pending(): number {
    return this.toRead;
  }

  /** Lists the run folders again and reads them (after folders changed, or other windows wrote). */
  reload(): void {
    this.items.clear();
    this.first = undefined;
    this.toRead = 0;
    this.generation++; // a background read of the previous listing stops
  }

  private async load(generation: number): Promise<void> {
    await this.index.refresh();
    const entries = await this.index.page(MAX_GALLERY_RUNS);
    const limiter = new Limiter(8);
    const readAll = (list: RunEntry[]): Promise<unknown> => Promise.all(list.map((entry) => limiter.run(() => (generation === this.generation ? this.read(entry) : Promise.resolve()))));
    await readAll(entries.slice(0, FIRST_BATCH));
    this.toRead = Math.max(0, entries.length - FIRST_BATCH);
    void (async () => {
      for (let at = FIRST_BATCH; at < entries.length && generation === this.generation; at += BATCH) {
        await readAll(entries.slice(at, at + BATCH));
        if (generation !== this.generation) return;
        this.toRead = Math.max(0, entries.length - at - BATCH);
        this.onBatch();
      }
    })();
  }

  /** Resolves once every run is read (for the benchmark and tests). */
  async whole(): Promise<GalleryItem[]> {
    await this.all();
    while (this.toRead > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    return [...this.items.values()];
  }

  /** One run again (its record changed). */
  async update(store: ArtifactStore, runId: string): Promise<void> {
    if (!this.first) return; // not loaded yet: the first load reads it
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
    const local = read.record.local_images ?? [];
    const images = await Promise.all(local.map((l) => entry.store.localImagePath(entry.runId, l)));
    // Thumbnails are looked for only when CreatOK sent some (one listing of their folder).
    const thumbnails = read.record.thumbnails?.some(Boolean) ? await entry.store.thumbnailPaths(entry.runId, local.length) : [];
    const saved = images.flatMap((file, i) => (file ? [{ file, thumbnail: thumbnails[i] }] : []));
    this.items.set(
      entry.key,
      galleryItemOf(entry.key, entry.store.workspaceFolder, read.record, saved.map((s) => s.file), held?.following ?? false, saved.map((s) => s.thumbnail)),
    );
  }
}
