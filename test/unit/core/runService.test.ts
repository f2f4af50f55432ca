// The run service against the stand-in: the only writer of records, one terminal event per
// followed run, the task id kept through failing writes, one follower per task across windows.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, promises as fsp, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreatOkClient } from '../../../src/core/api/client';
import type { Logger } from '../../../src/core/log';
import { saveRunImages } from '../../../src/core/runs/images';
import { newRunRecord } from '../../../src/core/runs/lifecycle';
import { RunService, type RunEvent } from '../../../src/core/runs/runService';
import { ArtifactStore, type StoreFs } from '../../../src/core/runs/store';
import type { SubmitGate } from '../../../src/core/runs/runTypes';
import { SpendLedger } from '../../../src/core/spend/ledger';
import { ledgerGate } from '../../../src/core/spend/ledgerGate';
import { TaskWatcher } from '../../../src/core/watcher';
import { startStandIn, type StandIn } from '../../standin/server';

const KEY = 'ok_lifecycle_key';
const request = { prompt: 'a lighthouse at dusk', model: 'nano-banana-2', modelLabel: 'Nano Banana 2', resolution: '2K', aspectRatio: '16:9', n: 2, estimatedCredits: 4, currency: 'credits' };

/** A file system whose rename of a result.json fails with `code` while `failing()` says so. */
function faultyFs(failing: (file: string) => boolean, code = 'ENOSPC'): StoreFs {
  return {
    ...fsp,
    rename: async (from, to) => {
      if (String(to).endsWith('result.json') && failing(String(to))) {
        throw Object.assign(new Error(`${code}: no space left on device, rename '${String(from)}'`), { code });
      }
      return fsp.rename(from, to);
    },
  } as StoreFs;
}

function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (message: string) => void lines.push(`${level} ${message}`);
  return { lines, trace: log('trace'), info: log('info'), warn: log('warn'), error: log('error') };
}

async function waitUntil(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('the run service', () => {
  let standIn: StandIn;
  let dir: string;
  let store: ArtifactStore;
  let client: CreatOkClient;
  const services: RunService[] = [];
  const watchers: TaskWatcher[] = [];

  function service(options: { store?: ArtifactStore; logger?: Logger; saveRetryMs?: number[]; leaseMs?: number; observeMs?: number; attempts?: number; gate?: SubmitGate } = {}): RunService {
    const watcher = new TaskWatcher({ client, interval: () => 30 });
    const runs = new RunService({
      client: () => client,
      watcher,
      logger: options.logger,
      saveRetryMs: options.saveRetryMs ?? [20],
      leaseMs: options.leaseMs ?? 2000,
      observeMs: options.observeMs ?? 30,
      saveImages: (r, s) => saveRunImages(r, s, { attempts: options.attempts ?? 3 }),
      gate: options.gate,
    });
    watchers.push(watcher);
    services.push(runs);
    return runs;
  }

  /** Every event of `runs`, and a promise of the first `ended` event. */
  function record(runs: RunService): { events: RunEvent[]; ended: Promise<Extract<RunEvent, { kind: 'ended' }>> } {
    const events: RunEvent[] = [];
    let resolveEnded: (e: Extract<RunEvent, { kind: 'ended' }>) => void = () => undefined;
    const ended = new Promise<Extract<RunEvent, { kind: 'ended' }>>((resolve) => (resolveEnded = resolve));
    runs.onDidChange((e) => {
      events.push(e);
      if (e.kind === 'ended') resolveEnded(e);
    });
    return { events, ended };
  }

  before(async () => (standIn = await startStandIn({ apiKey: KEY, queuedMs: 50, taskMs: 150 })));
  after(async () => standIn.close());
  beforeEach(() => {
    standIn.reset();
    dir = mkdtempSync(join(tmpdir(), 'creatok-run-'));
    store = new ArtifactStore(dir);
    client = new CreatOkClient({ baseUrl: standIn.url, apiKey: () => KEY, readRetry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 10, maxRetryAfterMs: 10 } });
  });
  afterEach(async () => {
    for (const s of services.splice(0)) {
      await s.flushed();
      s.dispose();
    }
    for (const w of watchers.splice(0)) w.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the task id before the first status read, follows the task, saves the images, and ends once', async () => {
    const runs = service();
    const { events, ended } = record(runs);
    const submitted = runs.submit(store, request);
    const result = await submitted;
    assert.equal(result.kind, 'submitted');
    assert.ok(result.kind === 'submitted');
    const runId = result.run.record.run_id;
    assert.equal(result.run.record.task_id, standIn.tasks()[0]!.taskId);
    assert.equal(standIn.acceptedSubmissions()[0]!.headers['idempotency-key'], runId);
    const end = await ended;
    await runs.flushed();
    assert.equal(end.reason, 'succeeded');
    const final = await store.read(runId);
    assert.ok(final.ok);
    assert.equal(final.record.status, 'succeeded');
    assert.deepEqual(final.record.local_images, ['images/image_1.png', 'images/image_2.png']);
    for (const url of final.record.images) assert.ok(url.startsWith(standIn.url) && url.includes('X-Signature='), url);
    assert.equal(readFileSync(join(store.outputsDir(runId), 'images', 'image_1.png')).subarray(1, 4).toString(), 'PNG');
    // CreatOK's thumbnails beside the images (for the chat tools when an image is over 1 MB).
    assert.deepEqual(readdirSync(join(store.outputsDir(runId), 'thumbnails')).sort(), ['thumb_1.png', 'thumb_2.png']);
    const thumbnail = await fetch(final.record.thumbnails![0]!).then(async (r) => Buffer.from(await r.arrayBuffer()));
    assert.deepEqual(readFileSync(join(store.outputsDir(runId), 'thumbnails', 'thumb_1.png')), thumbnail, 'the served thumbnail');
    assert.deepEqual(await store.inProgressRunIds(), []);
    assert.equal(existsSync(join(store.outputsDir(runId), '.lease')), false, 'the lease is released');
    assert.equal(events.filter((e) => e.kind === 'started').length, 1);
    assert.equal(events.filter((e) => e.kind === 'ended').length, 1);
    assert.deepEqual(runs.followed(), []);
    assert.match(readFileSync(store.resultMdPath(runId), 'utf8'), /images\/image_1\.png/);
  });

  it('keeps an accepted task whose record cannot be written (ENOSPC): submitted, its id told, saved once the disk has room', async () => {
    let diskFull = false;
    const faulty = new ArtifactStore(dir, { fs: faultyFs(() => diskFull) });
    const logger = memoryLogger();
    // Slow enough that the task is still running when the disk has room again.
    standIn.configure({ taskMs: 2000 });
    const runs = service({ logger, saveRetryMs: [60_000] });
    const { events, ended } = record(runs);
    // The disk fills up right after the first write (the "submitting" record).
    const original = faulty.write.bind(faulty);
    let writes = 0;
    faulty.write = async (r) => {
      if (++writes === 2) diskFull = true;
      return original(r);
    };
    const result = await runs.submit(faulty, request);
    assert.equal(result.kind, 'submitted', 'a failing write never turns an accepted task into a failed submission');
    assert.ok(result.kind === 'submitted');
    const taskId = standIn.tasks()[0]!.taskId;
    assert.equal(result.run.record.task_id, taskId);
    assert.match(result.run.unsaved ?? '', /ENOSPC/);
    const failed = events.find((e) => e.kind === 'saveFailed');
    assert.ok(failed, 'the user is told');
    assert.equal(failed.run.record.task_id, taskId, 'with the task id');
    assert.ok(logger.lines.some((l) => l.startsWith('error') && l.includes(taskId)), 'the id is in the log');
    const onDisk = await faulty.read(result.run.record.run_id);
    assert.ok(onDisk.ok);
    assert.equal(onDisk.record.status, 'submitting', 'the disk still has the record from before the submit');
    assert.match(runs.snapshot(faulty, result.run.record.run_id)?.unsaved ?? '', /ENOSPC/, 'held, unsaved, by the run service');

    diskFull = false;
    assert.equal(await runs.retrySave(faulty, result.run.record.run_id), true);
    const saved = await faulty.read(result.run.record.run_id);
    assert.ok(saved.ok);
    assert.equal(saved.record.task_id, taskId);
    assert.notEqual(saved.record.status, 'submit_failed');
    assert.ok(events.some((e) => e.kind === 'saved'));
    assert.equal((await ended).reason, 'succeeded');
    await runs.flushed();
    assert.equal(standIn.submissions().length, 1);
    const final = await faulty.read(result.run.record.run_id);
    assert.ok(final.ok && final.record.status === 'succeeded');
  });

  it('ends a run with exactly one terminal event when its final write fails, and keeps it to save later', async () => {
    let diskFull = false;
    const faulty = new ArtifactStore(dir, { fs: faultyFs(() => diskFull) });
    const runs = service({ saveRetryMs: [60_000] });
    const { events, ended: firstEnd } = record(runs);
    const result = await runs.submit(faulty, request);
    assert.ok(result.kind === 'submitted');
    diskFull = true; // every write from now on fails: the status updates, and the final one
    await firstEnd;
    await runs.flushed();
    const ended = events.filter((e) => e.kind === 'ended');
    assert.equal(ended.length, 1);
    assert.equal(ended[0]!.kind === 'ended' && ended[0]!.reason, 'succeeded');
    assert.deepEqual(runs.followed(), [], 'the status bar and progress see it end');
    const unsaved = runs.snapshot(faulty, result.run.record.run_id);
    assert.ok(unsaved?.unsaved, 'held, unsaved, by the run service');
    assert.equal(unsaved.record.status, 'succeeded', 'the final state is held in memory');
    assert.deepEqual(await faulty.inProgressRunIds(), [result.run.record.run_id], 'the marker stays, so a restart checks the task again');
    diskFull = false;
    assert.equal(await runs.retrySave(faulty, result.run.record.run_id), true);
    const final = await faulty.read(result.run.record.run_id);
    assert.ok(final.ok && final.record.status === 'succeeded');
    assert.equal(events.filter((e) => e.kind === 'ended').length, 1);
  });

  it('never lets a slow write put back an older state: the final status and images win', async () => {
    let slow = false;
    const slowFs = {
      ...fsp,
      rename: async (from: string, to: string) => {
        if (slow && String(to).endsWith('result.json')) {
          slow = false;
          await new Promise((r) => setTimeout(r, 400)); // a stale lock, a network disk
        }
        return fsp.rename(from, to);
      },
    } as StoreFs;
    const slowStore = new ArtifactStore(dir, { fs: slowFs });
    const runs = service();
    const { ended } = record(runs);
    const result = await runs.submit(slowStore, request);
    assert.ok(result.kind === 'submitted');
    slow = true; // the next write (the first status) takes 400 ms; the task ends meanwhile
    assert.equal((await ended).reason, 'succeeded');
    await runs.flushed();
    const final = await slowStore.read(result.run.record.run_id);
    assert.ok(final.ok);
    assert.equal(final.record.status, 'succeeded');
    assert.deepEqual(final.record.local_images, ['images/image_1.png', 'images/image_2.png']);
  });

  it('stop() ends a run another window follows: one "stopped" event, nothing polled here', async () => {
    const taskId = standIn.createTask({ prompt: 'elsewhere', model: 'nano-banana-2', resolution: '2K', n: 1, taskMs: 5000 });
    const found = await service().checkTask(taskId, [store], store, {});
    await store.acquireLease(found.run.record.run_id, 'other-window', 60_000);
    const polls = standIn.requests().filter((r) => r.endpoint === 'status').length;
    const runs = service();
    const { events, ended } = record(runs);
    runs.follow(store, found.run.record);
    await new Promise<void>((resolve) => runs.onDidChange((e) => e.kind === 'updated' && e.run.elsewhere && resolve()));
    runs.stop(taskId);
    assert.equal((await ended).reason, 'stopped');
    await runs.flushed();
    assert.equal(events.filter((e) => e.kind === 'ended').length, 1);
    assert.deepEqual(runs.followed(), []);
    assert.equal(standIn.requests().filter((r) => r.endpoint === 'status').length, polls, 'this window never polled it');
  });

  it('hands a run over when another window took its lease (this one slept), and takes it back when that one is gone', async () => {
    const taskId = standIn.createTask({ prompt: 'handover', model: 'nano-banana-2', resolution: '2K', n: 1, taskMs: 2500 });
    const found = await service().checkTask(taskId, [store], store, {});
    const runs = service({ leaseMs: 300 });
    const { ended } = record(runs);
    runs.follow(store, found.run.record);
    await waitUntil(() => standIn.requests().some((r) => r.endpoint === 'status' && r.query.task_id === taskId && r.at > Date.now() - 200));
    // Another window takes the lease (as after this one's laptop slept past its expiry).
    writeFileSync(join(store.outputsDir(found.run.record.run_id), '.lease'), JSON.stringify({ owner: 'thief', expiresAt: Date.now() + 60_000 }));
    await waitUntil(() => runs.followed()[0]?.elsewhere === true);
    await new Promise((r) => setTimeout(r, 300));
    const pollsWhileElsewhere = standIn.requests().filter((r) => r.endpoint === 'status').length;
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(standIn.requests().filter((r) => r.endpoint === 'status').length, pollsWhileElsewhere, 'no polling while the other window follows');
    rmSync(join(store.outputsDir(found.run.record.run_id), '.lease')); // that window went away
    assert.equal((await ended).reason, 'succeeded');
    await runs.flushed();
    const final = await store.read(found.run.record.run_id);
    assert.ok(final.ok && final.record.status === 'succeeded');
    assert.deepEqual(final.record.local_images, ['images/image_1.png']);
  });

  it('ends the watch of a task CreatOK does not know (HTTP 200, non-zero code) as an unknown task, and never asks again', async () => {
    const runs = service();
    const { ended } = record(runs);
    const planted = { ...newRunRecord(request, new Date(Date.now() - 3600_000)), task_id: 'task_planted_by_a_repo', status: 'queued' };
    await store.write(planted);
    runs.follow(store, planted);
    const end = await ended;
    assert.equal(end.reason, 'notFound');
    await runs.flushed();
    const final = await store.read(planted.run_id);
    assert.ok(final.ok);
    assert.equal(final.record.status, 'unknown_task');
    assert.deepEqual(await store.inProgressRunIds(), [], 'not resumed at the next start');
    assert.equal((await runs.resumeUnfinished([store])).followed, 0);
    assert.equal(standIn.requests().filter((r) => r.endpoint === 'status').length, 3, 'asked three times, then never again');
  });

  it('sends nothing when the run folder cannot be created', async () => {
    await fsp.mkdir(join(dir, 'generate-image'), { recursive: true });
    await fsp.writeFile(join(dir, 'generate-image', '.artifacts'), 'a file where the folder should be');
    const runs = service();
    const result = await runs.submit(store, request);
    assert.equal(result.kind, 'notStarted');
    assert.equal(standIn.requests().length, 0, '0 requests, 0 submissions');
  });

  it('records a failed download, keeps the URL, and saves it again later', async () => {
    standIn.configure({ faults: [{ endpoint: 'image', kind: 'http500', times: 6 }] });
    const runs = service({ attempts: 2 });
    const { ended } = record(runs);
    const result = await runs.submit(store, { ...request, n: 1 });
    assert.ok(result.kind === 'submitted');
    await ended;
    await runs.flushed();
    const failed = await store.read(result.run.record.run_id);
    assert.ok(failed.ok);
    assert.deepEqual(failed.record.local_images, [null]);
    assert.match(failed.record.download_error ?? '', /HTTP 500/);
    standIn.configure({ faults: [] });
    const retried = await runs.retryDownloads(store, result.run.record.run_id);
    assert.equal(retried.kind, 'done');
    const saved = await store.read(result.run.record.run_id);
    assert.ok(saved.ok);
    assert.deepEqual(saved.record.local_images, ['images/image_1.png']);
    assert.equal(saved.record.download_error, null);
  });

  it('records "unconfirmed" (and sends nothing again) when the answer to the submit was lost', async () => {
    standIn.configure({ faults: [{ endpoint: 'submit', kind: 'reset', afterBody: true, times: 1 }] });
    const runs = service();
    const result = await runs.submit(store, request);
    assert.ok(result.kind === 'failed');
    assert.equal(result.run.record.status, 'unconfirmed');
    assert.equal(result.run.record.task_id, null);
    assert.equal(standIn.submissions().length, 1);
    const onDisk = await store.read(result.run.record.run_id);
    assert.ok(onDisk.ok && onDisk.record.status === 'unconfirmed');
  });

  describe('through the spend ledger', () => {
    let ledgerDir: string;
    beforeEach(() => (ledgerDir = mkdtempSync(join(tmpdir(), 'creatok-ledger-'))));
    afterEach(() => rmSync(ledgerDir, { recursive: true, force: true }));
    const outcomes = async (): Promise<string[]> => (await new SpendLedger(ledgerDir).read()).entries.map((e) => `${e.outcome} ${e.taskId ?? '-'} ${e.credits}`);

    it('records the run pending before the request, then accepted with its task id', async () => {
      let seenBeforeSubmit: string[] = [];
      const stop = standIn.onRequest((r, phase) => {
        // Read at once, synchronously: before the stand-in answers.
        if (r.endpoint === 'submit' && phase === 'received') seenBeforeSubmit = (JSON.parse(readFileSync(join(ledgerDir, 'spend-ledger.json'), 'utf8')) as { entries: { outcome: string; taskId: string | null; credits: number }[] }).entries.map((e) => `${e.outcome} ${e.taskId ?? '-'} ${e.credits}`);
      });
      const runs = service({ gate: ledgerGate(new SpendLedger(ledgerDir), () => ({ daily: 10, monthly: 0 })) });
      const result = await runs.submit(store, request);
      stop();
      assert.ok(result.kind === 'submitted');
      assert.deepEqual(seenBeforeSubmit, ['pending - 4']);
      assert.deepEqual(await outcomes(), [`accepted ${result.run.record.task_id} 4`]);
      const [written] = (await new SpendLedger(ledgerDir).read()).entries;
      assert.equal(written!.folder, dir);
      assert.equal(written!.runId, result.run.record.run_id);
    });

    it('sends nothing and writes nothing when the request would pass a limit', async () => {
      const ledger = new SpendLedger(ledgerDir);
      const runs = service({ gate: ledgerGate(ledger, () => ({ daily: 7, monthly: 0 })) });
      assert.equal((await runs.submit(store, request)).kind, 'submitted');
      const second = await runs.submit(store, request);
      assert.ok(second.kind === 'overLimit');
      assert.deepEqual([second.refusal.kind, second.refusal.limit, second.refusal.spend.today], ['daily', 7, 4]);
      assert.equal(standIn.submissions().length, 1, 'one request sent');
      assert.equal((await store.listRunIds()).length, 1, 'no run folder for the refused one');
    });

    it('records a refusal by CreatOK as refused (not counted) and a lost answer as unconfirmed (counted)', async () => {
      const runs = service({ gate: ledgerGate(new SpendLedger(ledgerDir), () => ({ daily: 0, monthly: 0 })) });
      assert.equal((await runs.submit(store, { ...request, resolution: '8K' })).kind, 'failed');
      standIn.configure({ faults: [{ endpoint: 'submit', kind: 'reset', afterBody: true, times: 1 }] });
      assert.equal((await runs.submit(store, request)).kind, 'failed');
      assert.deepEqual(await outcomes(), ['refused - 4', 'unconfirmed - 4']);
    });

    it('sends nothing when the ledger cannot be written, and says it was the ledger', async () => {
      writeFileSync(join(ledgerDir, 'blocker'), '');
      const runs = service({ gate: ledgerGate(new SpendLedger(join(ledgerDir, 'blocker', 'inside')), () => ({ daily: 0, monthly: 0 })) });
      const result = await runs.submit(store, request);
      assert.ok(result.kind === 'notStarted' && result.where === 'ledger', JSON.stringify(result));
      assert.equal(standIn.submissions().length, 0);
      assert.deepEqual(await store.listRunIds(), []);
    });
  });

  it('records "submit_failed" with the server message when the submit was refused', async () => {
    const runs = service();
    const result = await runs.submit(store, { ...request, resolution: '8K' });
    assert.ok(result.kind === 'failed');
    assert.equal(result.run.record.status, 'submit_failed');
    assert.equal(result.run.record.error?.kind, 'apiError');
  });

  it('records a failed task with its reason', async () => {
    const runs = service();
    const { ended } = record(runs);
    const result = await runs.submit(store, { ...request, prompt: 'a cat [fail]' });
    assert.ok(result.kind === 'submitted');
    assert.equal((await ended).reason, 'failed');
    await runs.flushed();
    const final = await store.read(result.run.record.run_id);
    assert.ok(final.ok);
    assert.equal(final.record.status, 'failed');
    assert.match(final.record.error?.message ?? '', /safety filter/);
  });

  it('stop() ends the watch with one "stopped" event; the task goes on', async () => {
    standIn.configure({ taskMs: 5000 });
    const runs = service();
    const { events, ended } = record(runs);
    const result = await runs.submit(store, request);
    assert.ok(result.kind === 'submitted');
    runs.stop(result.run.record.task_id!);
    assert.equal((await ended).reason, 'stopped');
    await runs.flushed();
    assert.equal(events.filter((e) => e.kind === 'ended').length, 1);
    const onDisk = await store.read(result.run.record.run_id);
    assert.ok(onDisk.ok && onDisk.record.status !== 'succeeded');
    assert.deepEqual(await store.inProgressRunIds(), [result.run.record.run_id], 'still resumable');
  });

  it('two processes writing one record 20 times each lose no field', async function () {
    this.timeout(30_000);
    const base = newRunRecord(request, new Date());
    await store.write(base); // the record both workers then write through the store
    const worker = join(__dirname, '..', 'workers', 'recordWriter.js');
    const run = promisify(execFile);
    await Promise.all(['a', 'b'].map((prefix) => run(process.execPath, [worker, dir, base.run_id, prefix, '20'])));
    const final = JSON.parse(readFileSync(store.resultJsonPath(base.run_id), 'utf8')) as Record<string, unknown>;
    const missing = ['a', 'b'].flatMap((p) => Array.from({ length: 20 }, (_, i) => `${p}_${i}`)).filter((k) => !(k in final));
    assert.deepEqual(missing, []);
    assert.deepEqual(readdirSync(store.outputsDir(base.run_id)).filter((f) => f.endsWith('.tmp') || f === '.lock'), [], 'no temp or lock file left');
  });

  it('two windows following one task make one run folder and one download, and both see it end', async () => {
    const taskId = standIn.createTask({ prompt: 'elsewhere', model: 'nano-banana-2', resolution: '2K', n: 2, taskMs: 400 });
    // Two windows: their own watcher, run service and store object, on the same folder.
    const first = service();
    const second = service();
    const a = record(first);
    const b = record(second);
    const [ra, rb] = await Promise.all([
      first.checkTask(taskId, [store], store, { keepWatching: true }),
      second.checkTask(taskId, [new ArtifactStore(dir)], new ArtifactStore(dir), { keepWatching: true }),
    ]);
    assert.equal(ra.run.record.run_id, rb.run.record.run_id, 'one run folder');
    const [ea, eb] = await Promise.all([a.ended, b.ended]);
    assert.equal(ea.reason, 'succeeded');
    assert.equal(eb.reason, 'succeeded');
    await Promise.all([first.flushed(), second.flushed()]);
    assert.equal(readdirSync(store.root).filter((n) => !n.startsWith('.')).length, 1);
    const images = standIn.requests().filter((r) => r.endpoint === 'image' && /\/image_\d+\.png$/.test(r.path));
    assert.equal(images.length, 2, `one download per image, got ${images.length}`);
    assert.equal(standIn.requests().filter((r) => r.endpoint === 'image' && /\/thumb_\d+\.png$/.test(r.path)).length, 2, 'and one per thumbnail');
    const final = await store.read(ra.run.record.run_id);
    assert.ok(final.ok);
    assert.deepEqual(final.record.local_images, ['images/image_1.png', 'images/image_2.png']);
    assert.equal([ea, eb].filter((e) => e.run.elsewhere).length, 1, 'one window followed, the other read its record');
  });

  it('takes over a task whose follower went away (its lease ran out)', async () => {
    const taskId = standIn.createTask({ prompt: 'taken over', model: 'nano-banana-2', resolution: '2K', n: 1, taskMs: 600 });
    const found = await service().checkTask(taskId, [store], store, {});
    // A window that died holding the lease: it expires in 150 ms and is never renewed.
    await store.acquireLease(found.run.record.run_id, 'dead-window', 150);
    const runs = service();
    const { ended } = record(runs);
    runs.follow(store, found.run.record);
    assert.equal((await ended).reason, 'succeeded');
    await runs.flushed();
    const final = await store.read(found.run.record.run_id);
    assert.ok(final.ok && final.record.status === 'succeeded');
    assert.deepEqual(final.record.local_images, ['images/image_1.png']);
  });
});
