// Benchmark 7 (issue "A gallery of everything generated"): 10,000 run folders with their saved
// images. Side by side in one run: the Tasks view's first page (the baseline), the gallery's
// first screen (the newest runs read into the gallery index, searched, the first page of tiles;
// the rest read in the background), the memory the whole index holds, and a search as the user
// types (one keystroke, over the whole index).
// Goals: first screen under 500 ms, under 50 MB held, a search under 100 ms.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GalleryIndex } from '../src/core/gallery/galleryIndex';
import { searchGallery } from '../src/core/gallery/galleryItems';
import { GALLERY_PAGE } from '../src/core/gallery/galleryMessages';
import { newRunRecord } from '../src/core/runs/lifecycle';
import { RUNS_PAGE_SIZE, RunIndex } from '../src/core/runs/runIndex';
import { newRunId } from '../src/core/runs/runId';
import { runPhase } from '../src/core/runs/runStatus';
import { ArtifactStore } from '../src/core/runs/store';

const RUNS = Number(process.env.BENCH_RUNS ?? 10_000);
const WORDS = ['fox', 'mug', 'lighthouse', 'lantern', 'river', 'snow', 'desk', 'owl', 'whale', 'crane', 'table', 'dusk'];
const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'creatok-gallery-'));
  try {
    const store = new ArtifactStore(dir);
    const start = Date.parse('2025-01-01T00:00:00Z');
    const made = performance.now();
    for (let i = 0; i < RUNS; i++) {
      const now = new Date(start + i * 60_000);
      const prompt = `A ${WORDS[i % WORDS.length]} by the ${WORDS[(i * 5 + 3) % WORDS.length]}, study ${i}`;
      const request = { prompt, model: i % 3 ? 'nano-banana-2' : 'nano-banana-pro', modelLabel: '', resolution: '2K', aspectRatio: '1:1', n: 2, estimatedCredits: 4, currency: 'credits' };
      const record = { ...newRunRecord(request, now, newRunId(now)), task_id: `task_${i}`, status: 'succeeded', images: ['https://cdn.example/a.png?sig=1', 'https://cdn.example/b.png?sig=2'], local_images: ['images/image_1.png', 'images/image_2.png'] };
      const outputs = join(store.root, record.run_id, 'outputs');
      mkdirSync(join(outputs, 'images'), { recursive: true });
      writeFileSync(join(outputs, 'result.json'), JSON.stringify(record, null, 2));
      writeFileSync(join(outputs, 'images', 'image_1.png'), 'png');
      writeFileSync(join(outputs, 'images', 'image_2.png'), 'png');
    }
    console.log(`gallery: ${RUNS} run folders (${RUNS * 2} images) made in ${((performance.now() - made) / 1000).toFixed(1)} s`);

    // Baseline: the Tasks view's first page, on its own index.
    const tasksStart = performance.now();
    const tasksIndex = new RunIndex([store]);
    const page = await tasksIndex.page(RUNS_PAGE_SIZE);
    await Promise.all(
      page.map(async (entry) => {
        const read = await tasksIndex.read(entry);
        return read.ok ? runPhase(read.record, false) : undefined;
      }),
    );
    const tasksMs = performance.now() - tasksStart;

    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const firstStart = performance.now();
    const gallery = new GalleryIndex(new RunIndex([store]), () => undefined);
    const firstItems = await gallery.all();
    const first = searchGallery(firstItems, { text: '', period: 'all' });
    const tiles = first.items.slice(0, GALLERY_PAGE);
    const firstMs = performance.now() - firstStart;
    const items = await gallery.whole();
    const wholeMs = performance.now() - firstStart;
    global.gc?.();
    const heldMb = mb(process.memoryUsage().heapUsed - heapBefore);

    const typed = ['f', 'fo', 'fox', 'fox l', 'fox la', 'fox lan', 'fox lantern'];
    const times = typed.map((text) => {
      const at = performance.now();
      const result = searchGallery(items, { text, period: 'all' });
      return { text, ms: performance.now() - at, matched: result.matchedImages };
    });
    const worstSearch = Math.max(...times.map((t) => t.ms));

    console.log('                         tasks view (first page)   gallery');
    console.log(`first screen             ${tasksMs.toFixed(0).padStart(6)} ms (${page.length} runs)   ${firstMs.toFixed(0).padStart(6)} ms (${tiles.length} tiles from the newest ${firstItems.length} runs)`);
    console.log(`whole index (background)                        ${wholeMs.toFixed(0).padStart(6)} ms (${items.length} runs, ${searchGallery(items, { text: '', period: 'all' }).totalImages} images)`);
    console.log(`memory held by the index                        ${heldMb} MB heap`);
    console.log(`search per keystroke                            worst ${worstSearch.toFixed(1)} ms over ${typed.length} keystrokes ("${typed.at(-1)}": ${times.at(-1)!.matched} images)`);
    const met = { first: firstMs < 500, memory: Number(heldMb) < 50, search: worstSearch < 100 };
    console.log(`goals: first screen < 500 ms ${met.first ? 'met' : 'NOT met'}; < 50 MB ${met.memory ? 'met' : 'NOT met'}; search < 100 ms ${met.search ? 'met' : 'NOT met'}`);
    if (!met.first || !met.memory || !met.search) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
