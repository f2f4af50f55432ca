// Benchmark 5 (issue "Tasks that are never lost"): 10,000 run folders; how long the Tasks
// view's first page takes to load (list the folders, read the newest page of result.json
// files, work out each item's state and menus) and the memory it holds afterwards.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newRunRecord } from '../src/core/runs/lifecycle';
import { RUNS_PAGE_SIZE, RunIndex } from '../src/core/runs/runIndex';
import { newRunId } from '../src/core/runs/runId';
import { promptHead, runPhase, runTags } from '../src/core/runs/runStatus';
import { ArtifactStore } from '../src/core/runs/store';

const RUNS = Number(process.env.BENCH_RUNS ?? 10_000);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'creatok-10k-'));
  try {
    const store = new ArtifactStore(dir);
    const request = { prompt: 'A product shot of a ceramic mug on a wooden table, soft light', model: 'nano-banana-pro', modelLabel: 'Nano Banana Pro', resolution: '2K', aspectRatio: '1:1', n: 2, estimatedCredits: 6, currency: 'credits' };
    const start = Date.parse('2025-01-01T00:00:00Z');
    const made = performance.now();
    for (let i = 0; i < RUNS; i++) {
      const now = new Date(start + i * 60_000);
      const record = { ...newRunRecord(request, now, newRunId(now)), task_id: `task_${i}`, status: 'succeeded', images: ['https://cdn.example/a.png?sig=1', 'https://cdn.example/b.png?sig=2'] };
      const outputs = join(store.root, record.run_id, 'outputs');
      mkdirSync(outputs, { recursive: true });
      writeFileSync(join(outputs, 'result.json'), JSON.stringify(record, null, 2));
    }
    console.log(`tasks view: ${RUNS} run folders made in ${((performance.now() - made) / 1000).toFixed(1)} s`);

    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const rssBefore = process.memoryUsage().rss;
    const started = performance.now();
    const index = new RunIndex([store]);
    const page = await index.page(RUNS_PAGE_SIZE);
    const items = await Promise.all(
      page.map(async (entry) => {
        const result = await index.read(entry);
        return result.ok ? { label: promptHead(result.record.prompt), state: runPhase(result.record, false), tags: runTags(result, false) } : { label: entry.runId };
      }),
    );
    const firstPageMs = performance.now() - started;
    global.gc?.();
    const heldMb = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
    const rssMb = (process.memoryUsage().rss - rssBefore) / 1024 / 1024;
    console.log(`first page (${items.length} of ${index.size} runs): ${firstPageMs.toFixed(0)} ms; memory held: ${heldMb.toFixed(1)} MB heap (${rssMb.toFixed(1)} MB RSS growth)`);
    const met = firstPageMs < 300 && heldMb < 50 && rssMb < 50;
    console.log(`target: under 300 ms and under 50 MB: ${met ? 'met' : 'NOT met'}`);
    if (!met) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
