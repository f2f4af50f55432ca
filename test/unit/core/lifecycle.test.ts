import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreatOkClient } from '../../../src/core/api/client';
import { existsSync, readFileSync } from 'node:fs';
import { RunFollower } from '../../../src/core/runs/follower';
import { saveRunImages } from '../../../src/core/runs/images';
import { submitRun } from '../../../src/core/runs/lifecycle';
import { ArtifactStore } from '../../../src/core/runs/store';
import { TaskWatcher } from '../../../src/core/watcher';
import { startStandIn, type StandIn } from '../../standin/server';

const KEY = 'ok_lifecycle_key';
const request = { prompt: 'a lighthouse at dusk', model: 'nano-banana-2', modelLabel: 'Nano Banana 2', resolution: '2K', aspectRatio: '16:9', n: 2, estimatedCredits: 4, currency: 'credits' };

describe('a run from submit to result.json', () => {
  let standIn: StandIn;
  let dir: string;
  let store: ArtifactStore;
  let client: CreatOkClient;
  before(async () => (standIn = await startStandIn({ apiKey: KEY, queuedMs: 50, taskMs: 150 })));
  after(async () => standIn.close());
  beforeEach(() => {
    standIn.reset();
    dir = mkdtempSync(join(tmpdir(), 'creatok-run-'));
    store = new ArtifactStore(dir);
    client = new CreatOkClient({ baseUrl: standIn.url, apiKey: () => KEY, readRetry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 10, maxRetryAfterMs: 10 } });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the task id before the first status read, then the final images verbatim', async () => {
    const outcome = await submitRun(client, store, request);
    assert.equal(outcome.error, undefined);
    const onDisk = await store.read(outcome.record.run_id);
    assert.ok(onDisk.ok);
    assert.equal(onDisk.record.task_id, standIn.tasks()[0]!.taskId);
    assert.equal(standIn.requests().filter((r) => r.endpoint === 'status').length, 0, 'no poll happened yet');
    assert.equal(standIn.acceptedSubmissions()[0]!.headers['idempotency-key'], outcome.record.run_id);

    const watcher = new TaskWatcher({ client, interval: () => 30 });
    const follower = new RunFollower(watcher);
    const statuses: string[] = [];
    const done = new Promise<void>((resolve) =>
      follower.onUpdate((u) => {
        statuses.push(u.record.status);
        if (u.ended) resolve();
      }),
    );
    follower.follow(outcome.record, store);
    await done;
    watcher.dispose();
    const final = await store.read(outcome.record.run_id);
    assert.ok(final.ok);
    assert.equal(final.record.status, 'succeeded');
    const served = (standIn.requests().filter((r) => r.endpoint === 'status').pop()!);
    assert.ok(served);
    assert.equal(final.record.images.length, 2);
    for (const url of final.record.images) assert.ok(url.startsWith(standIn.url) && url.includes('X-Signature='), url);
    assert.ok(final.record.finished_at);
    assert.ok(statuses.includes('succeeded'));
  });

  it('saves the images into the run folder, keeps the URLs verbatim, and clears the in-progress marker', async () => {
    const outcome = await submitRun(client, store, request);
    const watcher = new TaskWatcher({ client, interval: () => 30 });
    const follower = new RunFollower(watcher, { saveImages: (r, s) => saveRunImages(r, s) });
    const events: string[] = [];
    const ended = new Promise<void>((resolve) =>
      follower.onUpdate((u) => {
        if (u.started) events.push('started');
        if (u.ended) resolve();
      }),
    );
    follower.follow(outcome.record, store);
    assert.ok(events.includes('started'));
    await ended;
    await follower.flushed();
    watcher.dispose();
    const final = await store.read(outcome.record.run_id);
    assert.ok(final.ok);
    assert.deepEqual(final.record.local_images, ['images/image_1.png', 'images/image_2.png']);
    assert.equal(final.record.images.length, 2);
    assert.ok(final.record.images[0]!.includes('X-Signature='), 'the URLs stay as the API gave them');
    const png = readFileSync(join(store.outputsDir(outcome.record.run_id), 'images', 'image_1.png'));
    assert.equal(png.subarray(1, 4).toString(), 'PNG');
    assert.deepEqual(await store.inProgressRunIds(), []);
    assert.ok(existsSync(store.resultMdPath(outcome.record.run_id)));
    assert.match(readFileSync(store.resultMdPath(outcome.record.run_id), 'utf8'), /images\/image_1\.png/);
  });

  it('records a failed download, keeps the URL, and can save it again later', async () => {
    standIn.configure({ faults: [{ endpoint: 'image', kind: 'http500', times: 6 }] });
    const outcome = await submitRun(client, store, { ...request, n: 1 });
    const watcher = new TaskWatcher({ client, interval: () => 30 });
    const follower = new RunFollower(watcher, { saveImages: (r, s) => saveRunImages(r, s, { attempts: 2 }) });
    const ended = new Promise<void>((resolve) => follower.onUpdate((u) => u.ended && resolve()));
    follower.follow(outcome.record, store);
    await ended;
    await follower.flushed();
    watcher.dispose();
    const failed = await store.read(outcome.record.run_id);
    assert.ok(failed.ok);
    assert.deepEqual(failed.record.local_images, [null]);
    assert.match(failed.record.download_error ?? '', /HTTP 500/);
    assert.equal(failed.record.images.length, 1);
    standIn.configure({ faults: [] });
    const retried = await saveRunImages(failed.record, store);
    assert.deepEqual(retried.local_images, ['images/image_1.png']);
    assert.equal(retried.download_error, null);
  });

  it('records "unconfirmed" (and sends nothing again) when the answer to the submit was lost', async () => {
    standIn.configure({ faults: [{ endpoint: 'submit', kind: 'reset', afterBody: true, times: 1 }] });
    const outcome = await submitRun(client, store, request);
    assert.ok(outcome.error);
    assert.equal(outcome.record.status, 'unconfirmed');
    assert.equal(outcome.record.task_id, null);
    assert.equal(standIn.submissions().length, 1);
    const onDisk = await store.read(outcome.record.run_id);
    assert.ok(onDisk.ok && onDisk.record.status === 'unconfirmed');
  });

  it('records "submit_failed" with the server message when the submit was refused', async () => {
    const outcome = await submitRun(client, store, { ...request, resolution: '8K' });
    assert.equal(outcome.record.status, 'submit_failed');
    assert.equal(outcome.record.error?.kind, 'apiError');
  });

  it('records a failed task with its reason', async () => {
    const outcome = await submitRun(client, store, { ...request, prompt: 'a cat [fail]' });
    const watcher = new TaskWatcher({ client, interval: () => 30 });
    const follower = new RunFollower(watcher);
    const ended = new Promise<string | undefined>((resolve) => follower.onUpdate((u) => u.ended && resolve(u.ended)));
    follower.follow(outcome.record, store);
    assert.equal(await ended, 'failed');
    watcher.dispose();
    const final = await store.read(outcome.record.run_id);
    assert.ok(final.ok);
    assert.equal(final.record.status, 'failed');
    assert.match(final.record.error?.message ?? '', /safety filter/);
  });
});
