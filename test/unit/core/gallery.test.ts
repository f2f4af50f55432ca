// The gallery's data: a run as a tile's item (running, succeeded, failed with its reason), and
// the search: words in any order (English or Chinese), model, state, period, counts.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIRST_BATCH, GalleryIndex } from '../../../src/core/gallery/galleryIndex';
import { RunIndex } from '../../../src/core/runs/runIndex';
import { newRunId } from '../../../src/core/runs/runId';
import { ArtifactStore } from '../../../src/core/runs/store';
import { galleryItemOf, queryWords, searchGallery, type GalleryItem } from '../../../src/core/gallery/galleryItems';
import { newRunRecord } from '../../../src/core/runs/lifecycle';
import type { RunRecord } from '../../../src/core/runs/record';

const request = { prompt: '', model: 'nano-banana-2', modelLabel: 'Nano Banana 2', resolution: '2K', aspectRatio: '1:1', n: 1, estimatedCredits: 2, currency: 'credits' };
const now = new Date(2026, 11, 1, 15, 0);

function item(prompt: string, at: Date, fields: Partial<RunRecord> = {}, images = ['/ws/a.png']): GalleryItem {
  const record: RunRecord = { ...newRunRecord({ ...request, prompt }, at), task_id: 'task_1', status: 'succeeded', ...fields };
  return galleryItemOf(`k-${record.run_id}`, '/ws', record, images, false);
}

describe('the gallery', () => {
  const items = [
    item('A red fox in the snow, watercolor', new Date(2026, 11, 1, 9)),
    item('Product shot of a ceramic mug', new Date(2026, 10, 28, 9), { model: 'nano-banana-pro' }, ['/ws/m1.png', '/ws/m2.png']),
    item('一只在雪地里的红狐狸', new Date(2026, 10, 2, 9)),
    item('A fox that failed', new Date(2026, 11, 1, 10), { status: 'failed', error: { message: 'content policy' } }, []),
    item('A fox still painting', new Date(2026, 11, 1, 11), { status: 'running' }, []),
  ];

  it('makes running, succeeded and failed items (with the reason)', () => {
    assert.deepEqual(items.map((i) => i.state), ['succeeded', 'succeeded', 'succeeded', 'failed', 'running']);
    assert.equal(items[3]!.reason, 'content policy');
    assert.equal(galleryItemOf('k', '/ws', { ...newRunRecord(request, now), status: 'queued', task_id: 't' }, [], true).state, 'running');
    assert.equal(galleryItemOf('k', '/ws', { ...newRunRecord(request, now), status: 'unconfirmed' }, [], false).state, 'failed');
  });

  it('finds prompt words in any order, newest first, and counts images (a running or failed run is one tile)', () => {
    const all = searchGallery(items, { text: '', period: 'all' }, now);
    assert.equal(all.totalImages, 6);
    assert.deepEqual(all.items.map((i) => i.prompt), ['A fox still painting', 'A fox that failed', 'A red fox in the snow, watercolor', 'Product shot of a ceramic mug', '一只在雪地里的红狐狸']);
    const fox = searchGallery(items, { text: 'SNOW  fox', period: 'all' }, now);
    assert.deepEqual(fox.items.map((i) => i.prompt), ['A red fox in the snow, watercolor']);
    assert.deepEqual([fox.matchedImages, fox.totalImages], [1, 6]);
    assert.deepEqual(searchGallery(items, { text: '红狐狸 雪地', period: 'all' }, now).items.map((i) => i.prompt), ['一只在雪地里的红狐狸'], 'Chinese, words in any order');
    assert.deepEqual(queryWords('Ｆｏｘ，Snow'), ['fox', 'snow'], 'full-width letters and a Chinese comma');
  });

  it('filters by model, state and period (today, this week: the last 7 local days)', () => {
    assert.deepEqual(searchGallery(items, { text: '', period: 'all', model: 'nano-banana-pro' }, now).items.map((i) => i.prompt), ['Product shot of a ceramic mug']);
    assert.deepEqual(searchGallery(items, { text: 'fox', period: 'all', state: 'failed' }, now).items.map((i) => i.reason), ['content policy']);
    assert.equal(searchGallery(items, { text: '', period: 'today' }, now).items.length, 3);
    assert.equal(searchGallery(items, { text: '', period: 'week' }, now).items.length, 4, '28 November is within the week of 1 December');
    const none = searchGallery(items, { text: 'giraffe', period: 'all' }, now);
    assert.deepEqual([none.items.length, none.matchedImages, none.totalImages], [0, 0, 6]);
  });
});

describe('the gallery index', () => {
  it('gives each image its saved thumbnail, when CreatOK sent one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'creatok-gallery-thumbs-'));
    try {
      const store = new ArtifactStore(dir);
      const at = new Date(Date.UTC(2026, 0, 1));
      const record = { ...newRunRecord({ ...request, n: 2 }, at, newRunId(at)), task_id: 't', status: 'succeeded', local_images: ['images/image_1.png', 'images/image_2.png'], thumbnails: ['https://x/t1.png', 'https://x/t2.png'] };
      await store.write(record);
      const outputs = store.outputsDir(record.run_id);
      mkdirSync(join(outputs, 'images'));
      mkdirSync(join(outputs, 'thumbnails'));
      for (const i of [1, 2]) writeFileSync(join(outputs, 'images', `image_${i}.png`), 'image');
      writeFileSync(join(outputs, 'thumbnails', 'thumb_2.png'), 'thumb');
      const [item] = await new GalleryIndex(new RunIndex([store]), () => undefined, () => undefined).whole();
      assert.deepEqual(item!.images, [join(outputs, 'images', 'image_1.png'), join(outputs, 'images', 'image_2.png')]);
      assert.deepEqual(item!.thumbnails, [undefined, join(outputs, 'thumbnails', 'thumb_2.png')]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });


  it('answers from the newest runs first, reads the rest in the background (telling each batch), and follows one run\'s change', async function () {
    this.timeout(20_000);
    const dir = mkdtempSync(join(tmpdir(), 'creatok-gallery-index-'));
    try {
      const store = new ArtifactStore(dir);
      const total = FIRST_BATCH + 150;
      for (let i = 0; i < total; i++) {
        const at = new Date(Date.UTC(2026, 0, 1) + i * 60_000);
        await store.write({ ...newRunRecord({ ...request, prompt: `run ${i}` }, at, newRunId(at)), task_id: `t${i}`, status: 'succeeded' });
      }
      let batches = 0;
      const index = new GalleryIndex(new RunIndex([store]), () => undefined, () => batches++);
      const first = await index.all();
      assert.equal(first.length, FIRST_BATCH, 'the first answer waits for the newest runs only');
      assert.ok(first.some((i) => i.prompt === `run ${total - 1}`), 'the newest is among them');
      assert.ok(index.pending > 0);
      const whole = await index.whole();
      assert.equal(whole.length, total);
      assert.equal(index.pending, 0);
      assert.ok(batches >= 1);
      const newest = whole.find((i) => i.prompt === `run ${total - 1}`)!;
      await store.write({ ...(await store.read(newest.runId) as { ok: true; record: RunRecord }).record, status: 'failed', error: { message: 'gone' } });
      await index.update(store, newest.runId);
      assert.equal((await index.all()).find((i) => i.runId === newest.runId)!.state, 'failed');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
