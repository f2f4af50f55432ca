// "Nothing lost at the edges": what the server or the disk controls is bounded, a succeeded run
// gets its images or a visible reason, and what a killed process left is finished or removed.
// Against the stand-in with its fault knobs, through the real run service and store.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { CreatOkClient } from '../../../src/core/api/client';
import type { FetchLike, FetchResponse } from '../../../src/core/api/http';
import { downloadImage, DownloadError } from '../../../src/core/download';
import { THIS_HOST } from '../../../src/core/processes';
import { withFileLock } from '../../../src/core/runs/fileLock';
import { saveRunImages, type SaveImagesOptions } from '../../../src/core/runs/images';
import { newRunRecord } from '../../../src/core/runs/lifecycle';
import type { RunRecord } from '../../../src/core/runs/record';
import { RunService, type RunEvent } from '../../../src/core/runs/runService';
import { ArtifactStore, IN_PROGRESS_MARKER, isLeaseLive, MAX_RECORD_BYTES } from '../../../src/core/runs/store';
import type { SubmitGate } from '../../../src/core/runs/runTypes';
import { SpendLedger } from '../../../src/core/spend/ledger';
import { currentOutcome } from '../../../src/core/spend/ledgerEntries';
import { ledgerGate, pendingEntry } from '../../../src/core/spend/ledgerGate';
import { TaskWatcher } from '../../../src/core/watcher';
import { startStandInProcess } from '../../standin/child';
import { startStandIn, type StandIn } from '../../standin/server';

const KEY = 'ok_edges_key';
const request = { prompt: 'a lighthouse at dusk', model: 'nano-banana-2', modelLabel: 'Nano Banana 2', resolution: '2K', aspectRatio: '16:9', n: 1, estimatedCredits: 2, currency: 'credits' };

/** A pid that names no process: a child that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

describe('nothing lost at the edges', function () {
  this.timeout(30_000);
  let standIn: StandIn;
  let dir: string;
  let store: ArtifactStore;
  let client: CreatOkClient;
  const services: RunService[] = [];
  const watchers: TaskWatcher[] = [];

  function service(images: SaveImagesOptions = {}, gate?: SubmitGate): RunService {
    const watcher = new TaskWatcher({ client, interval: () => 30 });
    const runs = new RunService({ client: () => client, watcher, leaseMs: 2000, observeMs: 30, saveRetryMs: [20], saveImages: (r, s) => saveRunImages(r, s, { attempts: 3, ...images }), gate });
    watchers.push(watcher);
    services.push(runs);
    return runs;
  }

  function ended(runs: RunService): Promise<Extract<RunEvent, { kind: 'ended' }>> {
    return new Promise((resolve) => runs.onDidChange((e) => e.kind === 'ended' && resolve(e)));
  }

  async function readRecord(runId: string): Promise<RunRecord> {
    const read = await store.read(runId);
    assert.ok(read.ok, read.ok ? '' : read.message);
    return read.record;
  }

  before(async () => (standIn = await startStandIn({ apiKey: KEY, queuedMs: 20, taskMs: 80 })));
  after(async () => standIn.close());
  beforeEach(() => {
    standIn.reset();
    dir = mkdtempSync(join(tmpdir(), 'creatok-edges-'));
    store = new ArtifactStore(dir);
    client = new CreatOkClient({ baseUrl: standIn.url, apiKey: () => KEY, readRetry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 10, maxRetryAfterMs: 10 } });
  });
  afterEach(async () => {
    for (const s of services.splice(0)) {
      await s.flushed();
      s.dispose();
    }
    for (const w of watchers.splice(0)) w.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('a server that answers too much, too slowly, or elsewhere', () => {
    it('10,000 images listed for n = 1: one saved, none of the rest fetched, the loop never blocked, memory and record bounded', async () => {
      // The stand-in in its own process: only the client's work is measured here.
      const remote = await startStandInProcess(['--key', KEY, '--task-ms', '80', '--queued-ms', '20']);
      try {
        await remote.configure({ extraImages: 9_999, urlPadding: 200 });
        client = new CreatOkClient({ baseUrl: remote.url, apiKey: () => KEY });
        const runs = service();
        const done = ended(runs);
        const rssBefore = process.memoryUsage().rss;
        let rssPeak = rssBefore;
        const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 20);
        const delay = monitorEventLoopDelay({ resolution: 10 });
        delay.enable();
        const result = await runs.submit(store, request);
        assert.ok(result.kind === 'submitted');
        const end = await done;
        await runs.flushed();
        delay.disable();
        clearInterval(sampler);
        assert.equal(end.reason, 'succeeded');
        const record = await readRecord(result.run.record.run_id);
        assert.deepEqual(record.local_images, ['images/image_1.png']);
        assert.equal(record.images.length, 1);
        assert.equal(record.images_ignored, 9_999);
        const requests = await remote.requests();
        assert.equal(requests.filter((r) => r.endpoint === 'image' && /\/image_\d+\.png$/.test(r.path)).length, 1, 'only the one image asked for was fetched');
        assert.equal(requests.filter((r) => r.endpoint === 'image' && /\/thumb_\d+\.png$/.test(r.path)).length, 1, 'and its one thumbnail');
        const size = statSync(store.resultJsonPath(record.run_id)).size;
        assert.ok(size < MAX_RECORD_BYTES / 10, `result.json is ${size} bytes`);
        const maxDelayMs = delay.max / 1e6;
        const growthMb = (rssPeak - rssBefore) / 1024 / 1024;
        console.log(`      10,000 images: event-loop delay max ${maxDelayMs.toFixed(1)} ms, RSS growth ${growthMb.toFixed(1)} MB, result.json ${size} bytes`);
        assert.ok(maxDelayMs < 100, `event loop blocked ${maxDelayMs} ms`);
        assert.ok(growthMb < 50, `RSS grew ${growthMb} MB`);
      } finally {
        await remote.close();
      }
    });

    it('a trickling image: the run ends by its download deadline with a visible error, then Retry Downloads saves it', async () => {
      standIn.configure({ imageBytesPerSecond: 200 });
      const runs = service({ deadlineMs: 1500 });
      const done = ended(runs);
      const result = await runs.submit(store, request);
      assert.ok(result.kind === 'submitted');
      const start = Date.now();
      await standInTaskDone();
      const end = await done;
      const took = Date.now() - start;
      assert.equal(end.reason, 'succeeded');
      const record = await readRecord(result.run.record.run_id);
      assert.deepEqual(record.local_images, [null]);
      assert.match(record.download_error ?? '', /not saved within 2 s|not saved within 1 s/);
      assert.ok(took < 1500 + 2000, `ended ${took} ms after success`);
      assert.deepEqual(readdirSync(join(store.outputsDir(record.run_id), 'images')), [], 'no .part left');
      assert.deepEqual(await store.inProgressRunIds(), [], 'a visible error, not an endless retry');

      standIn.configure({ imageBytesPerSecond: null });
      const retried = await runs.retryDownloads(store, record.run_id);
      assert.equal(retried.kind, 'done');
      assert.deepEqual((await readRecord(record.run_id)).local_images, ['images/image_1.png']);
    });

    it('a stalled image is given up after the stall timeout and tried again, then reported', async () => {
      standIn.configure({ imageStallAfterBytes: 100 });
      const runs = service({ stallMs: 200, attempts: 2 });
      const done = ended(runs);
      const result = await runs.submit(store, request);
      assert.ok(result.kind === 'submitted');
      await done;
      await runs.flushed();
      const record = await readRecord(result.run.record.run_id);
      assert.match(record.download_error ?? '', /sent nothing for 0 s|sent nothing/);
      assert.equal(standIn.requests().filter((r) => r.endpoint === 'image').length, 2, 'two attempts');
    });

    it('follows a redirect chain to the same bytes, never carrying the key', async () => {
      standIn.configure({ imageRedirects: 3 });
      const runs = service();
      const done = ended(runs);
      const result = await runs.submit(store, request);
      assert.ok(result.kind === 'submitted');
      await done;
      await runs.flushed();
      const record = await readRecord(result.run.record.run_id);
      assert.deepEqual(record.local_images, ['images/image_1.png']);
      const direct = await fetch(`${standIn.url}/__files/${record.task_id}/image_1.png?${new URL(record.images[0]!, standIn.url).search.slice(1)}`, { redirect: 'follow' });
      assert.deepEqual(readFileSync(join(store.outputsDir(record.run_id), 'images', 'image_1.png')), Buffer.from(await direct.arrayBuffer()));
      const hops = standIn.requests().filter((r) => r.endpoint === 'redirect' || r.endpoint === 'image');
      assert.ok(hops.filter((r) => r.endpoint === 'redirect').length >= 3);
      assert.ok(hops.every((r) => !r.authorized && r.headers.authorization === undefined), 'no hop carried the key');
    });

    for (const target of ['http://example.com/image.png', 'file:///etc/passwd', 'javascript:alert(1)']) {
      it(`refuses a redirect to ${target.split(':')[0]}: (${target})`, async () => {
        standIn.configure({ imageRedirects: 1, imageRedirectTarget: target });
        const runs = service();
        const done = ended(runs);
        const result = await runs.submit(store, request);
        assert.ok(result.kind === 'submitted');
        await done;
        await runs.flushed();
        const record = await readRecord(result.run.record.run_id);
        assert.deepEqual(record.local_images, [null]);
        assert.match(record.download_error ?? '', /redirected to an address that is not/);
        assert.equal(standIn.requests().filter((r) => r.endpoint === 'redirect').length, 1, 'refused at once, not retried');
      });
    }

    it('refuses more than 5 redirects', async () => {
      standIn.configure({ imageRedirects: 6 });
      const imagesDir = mkdtempSync(join(tmpdir(), 'creatok-hops-'));
      try {
        const taskId = standIn.createTask({ prompt: 'x', model: 'nano-banana-2', resolution: '2K', n: 1, taskMs: 1 });
        await new Promise((r) => setTimeout(r, 20));
        const status = await client.getTaskStatus(taskId);
        await assert.rejects(downloadImage(status.status.result!.images![0]!.url, imagesDir, 'image_1'), (e: DownloadError) => e.reason === 'redirects');
      } finally {
        rmSync(imagesDir, { recursive: true, force: true });
      }
    });

    it('https → https redirects are followed hop by hop; to plain http elsewhere, never fetched', async () => {
      const png = readFileSync(join(process.cwd(), 'media', 'icon.png'));
      const asked: string[] = [];
      const fakeHosts: FetchLike = async (url, init) => {
        asked.push(url);
        assert.equal(init.redirect, 'manual');
        assert.equal(init.headers.Authorization, undefined);
        const reply = (status: number, headers: Record<string, string>, body?: Buffer): FetchResponse => ({
          status,
          ok: status < 300,
          headers: { get: (n: string) => headers[n.toLowerCase()] ?? null },
          text: async () => '',
          body: body ? (async function* () { yield body; })() as unknown as NodeJS.ReadableStream : null,
        });
        if (url === 'https://api.example/img/1') return reply(302, { location: 'https://cdn.example/signed/1?sig=x' });
        if (url === 'https://cdn.example/signed/1?sig=x') return reply(307, { location: '/final/1.png' });
        if (url === 'https://cdn.example/final/1.png') return reply(200, { 'content-type': 'image/png', 'content-length': String(png.length) }, png);
        if (url === 'https://api.example/img/2') return reply(301, { location: 'http://cdn.example/plain.png' });
        throw new Error(`unexpected fetch of ${url}`);
      };
      const imagesDir = mkdtempSync(join(tmpdir(), 'creatok-https-'));
      try {
        const saved = await downloadImage('https://api.example/img/1', imagesDir, 'image_1', { fetch: fakeHosts });
        assert.deepEqual(readFileSync(saved.file), png);
        assert.equal(saved.finalUrl, 'https://cdn.example/final/1.png');
        await assert.rejects(downloadImage('https://api.example/img/2', imagesDir, 'image_2', { fetch: fakeHosts }), (e: DownloadError) => e.reason === 'refused');
        assert.ok(!asked.includes('http://cdn.example/plain.png'));
      } finally {
        rmSync(imagesDir, { recursive: true, force: true });
      }
    });

    async function standInTaskDone(): Promise<void> {
      while (!standIn.tasks().every((t) => t.terminalSeenAt !== undefined)) await new Promise((r) => setTimeout(r, 10));
    }
  });

  describe('the disk', () => {
    it('a full disk during a download is named as such, not retried as a network fault, and Retry Downloads says it failed', async () => {
      // /dev/full answers every write with ENOSPC: the kernel's own full disk.
      const runs = service({ openFile: () => createWriteStream('/dev/full') });
      const done = ended(runs);
      const result = await runs.submit(store, { ...request, n: 2 });
      assert.ok(result.kind === 'submitted');
      await done;
      await runs.flushed();
      const record = await readRecord(result.run.record.run_id);
      assert.equal(record.download_error_kind, 'disk');
      assert.match(record.download_error ?? '', /The disk is full/);
      assert.doesNotMatch(record.download_error ?? '', /reach CreatOK/);
      assert.ok(standIn.requests().filter((r) => r.endpoint === 'image').length <= 2, 'no retries of a disk fault');

      const retried = await runs.retryDownloads(store, record.run_id);
      assert.equal(retried.kind, 'failed');
      assert.ok(retried.kind === 'failed' && /The disk is full/.test(retried.message));
    });
  });

  describe('after a crash', () => {
    it('a succeeded run without its images gets them at the next start, from the server\'s current links, and its leftovers go', async () => {
      const taskId = standIn.createTask({ prompt: 'a lighthouse at dusk', model: 'nano-banana-2', resolution: '2K', n: 1, taskMs: 1 });
      await new Promise((r) => setTimeout(r, 20));
      const planted = { ...newRunRecord(request, new Date()), task_id: taskId, status: 'succeeded', images: [`${standIn.url}/__files/${taskId}/image_1.png?X-Expires=1&X-Signature=planted`] };
      await store.write(planted);
      await store.markInProgress(planted.run_id, true);
      const images = join(store.outputsDir(planted.run_id), 'images');
      mkdirSync(images, { recursive: true });
      const dead = await deadPid();
      writeFileSync(join(images, `.image_1.${dead}.0123abcd.part`), 'half');
      writeFileSync(join(store.outputsDir(planted.run_id), `.result.json.${dead}.0123abcd.tmp`), '{');
      writeFileSync(join(store.outputsDir(planted.run_id), '.lease'), JSON.stringify({ owner: 'gone', expiresAt: Date.now() + 20_000, pid: dead, host: THIS_HOST }));

      const runs = service();
      const summary = await runs.resumeUnfinished([store]);
      assert.equal(summary.completing, 1);
      await runs.flushed();
      const record = await readRecord(planted.run_id);
      assert.deepEqual(record.local_images, ['images/image_1.png']);
      assert.ok(!record.images[0]!.includes('planted'), 'the link from disk was replaced by the server\'s');
      assert.equal(standIn.requests().filter((r) => r.endpoint === 'image' && r.query['X-Signature'] === 'planted').length, 0, 'the planted link was never fetched');
      assert.deepEqual(readdirSync(images), ['image_1.png']);
      assert.deepEqual(readdirSync(store.outputsDir(planted.run_id)).sort(), ['images', 'result.json', 'result.md', 'thumbnails']);
    });

    it('a run left `submitting` by a dead window becomes unconfirmed and is never sent again; a live window\'s is left alone', async () => {
      const dead = await deadPid();
      const orphan = newRunRecord(request, new Date());
      await store.write(orphan);
      await store.markInProgress(orphan.run_id, true);
      writeFileSync(join(store.outputsDir(orphan.run_id), '.lease'), JSON.stringify({ owner: 'gone', expiresAt: Date.now() + 20_000, pid: dead, host: THIS_HOST }));
      const sending = newRunRecord(request, new Date(Date.now() + 1000));
      await store.write(sending);
      await store.markInProgress(sending.run_id, true);
      // The test runner's parent process stands for a live window on this machine.
      writeFileSync(join(store.outputsDir(sending.run_id), '.lease'), JSON.stringify({ owner: 'alive', expiresAt: Date.now() + 20_000, pid: process.ppid, host: THIS_HOST }));

      const runs = service();
      const summary = await runs.resumeUnfinished([store]);
      await runs.flushed();
      assert.equal(summary.unconfirmed, 1);
      const record = await readRecord(orphan.run_id);
      assert.equal(record.status, 'unconfirmed');
      assert.match(record.error?.message ?? '', /whether CreatOK accepted it is not known/);
      assert.equal((await readRecord(sending.run_id)).status, 'submitting');
      assert.deepEqual(await store.inProgressRunIds(), [sending.run_id]);
      assert.equal(standIn.submissions().length, 0);
    });

    it('settles the spend ledger\'s pending entries of a dead window: accepted with a task id, unconfirmed while submitting, not sent without a record', async () => {
      const ledgerDir = mkdtempSync(join(tmpdir(), 'creatok-ledger-'));
      try {
        const ledger = new SpendLedger(ledgerDir);
        const dead = await deadPid();
        const taskId = standIn.createTask({ prompt: 'a lighthouse at dusk', model: 'nano-banana-2', resolution: '2K', n: 1, taskMs: 1 });
        const answered = { ...newRunRecord(request, new Date()), task_id: taskId, status: 'queued' };
        const sending = newRunRecord(request, new Date(Date.now() + 1));
        const empty = newRunRecord(request, new Date(Date.now() + 2));
        const refused = { ...newRunRecord(request, new Date(Date.now() + 3)), status: 'submit_failed', finished_at: new Date().toISOString() };
        const live = newRunRecord(request, new Date(Date.now() + 4));
        for (const r of [answered, sending, empty, refused]) {
          assert.ok((await ledger.reserve({ ...pendingEntry(store, r), pid: dead }, { daily: 0, monthly: 0 })).ok);
          await store.markInProgress(r.run_id, true);
        }
        // A live window (this process) between its ledger entry and its record: its entry is its own to settle.
        assert.ok((await ledger.reserve(pendingEntry(store, live), { daily: 0, monthly: 0 })).ok);
        await store.markInProgress(live.run_id, true);
        await store.write(answered);
        await store.write(sending);
        await store.write(refused); // the window died between the refusal on disk and the ledger
        const before = (await ledger.read()).entries;
        assert.deepEqual(before.map((e) => currentOutcome(e)), ['unconfirmed', 'unconfirmed', 'unconfirmed', 'unconfirmed', 'pending'], 'a dead window\'s pending entries count as unconfirmed');

        const runs = service({}, ledgerGate(ledger, () => ({ daily: 0, monthly: 0 })));
        const done = ended(runs);
        await runs.resumeUnfinished([store]);
        await done;
        await runs.flushed();
        const after = new Map((await ledger.read()).entries.map((e) => [e.runId, e]));
        assert.deepEqual([after.get(answered.run_id)!.outcome, after.get(answered.run_id)!.taskId], ['accepted', taskId]);
        assert.equal(after.get(sending.run_id)!.outcome, 'unconfirmed');
        assert.equal(after.get(empty.run_id)!.outcome, 'notSent', 'the record comes before the request: nothing was sent');
        assert.equal(after.get(refused.run_id)!.outcome, 'refused', 'settled from the record: not counted');
        assert.equal(after.get(live.run_id)!.outcome, 'pending', 'a live window\'s entry is never settled by another');
        assert.equal(standIn.submissions().length, 0);
      } finally {
        rmSync(ledgerDir, { recursive: true, force: true });
      }
    });

    it('a marked run folder without a record (nothing was sent) is removed', async () => {
      const runId = newRunRecord(request, new Date()).run_id;
      await store.markInProgress(runId, true);
      const runs = service();
      const summary = await runs.resumeUnfinished([store]);
      assert.equal(summary.abandoned, 1);
      assert.ok(!existsSync(store.runDir(runId)));
    });

    it('the task id and the marker are on disk before the request leaves', async () => {
      standIn.configure({ submitAnswerDelayMs: 300 });
      const runs = service();
      const done = ended(runs);
      let seen: { marked: string[]; status?: string } | undefined;
      const stop = standIn.onRequest((r, phase) => {
        if (r.endpoint !== 'submit' || phase !== 'received') return;
        const runId = readdirSync(store.root).find((n) => !n.startsWith('.'))!;
        seen = { marked: readdirSync(store.outputsDir(runId)).filter((n) => n === IN_PROGRESS_MARKER), status: JSON.parse(readFileSync(store.resultJsonPath(runId), 'utf8')).status };
      });
      const result = await runs.submit(store, request);
      stop();
      assert.ok(result.kind === 'submitted');
      assert.deepEqual(seen, { marked: [IN_PROGRESS_MARKER], status: 'submitting' });
      await done;
    });

    it('a lock or lease of a dead process is broken at once; a lease planted far in the future holds nothing', async () => {
      const dead = await deadPid();
      const outputs = await store.ensureRunFolder(newRunRecord(request, new Date()).run_id);
      const lock = join(outputs, '.lock');
      writeFileSync(lock, `${dead}@${THIS_HOST}:0123456789ab`);
      const start = Date.now();
      await withFileLock(lock, async () => undefined, { staleMs: 10_000 });
      assert.ok(Date.now() - start < 1000, `took ${Date.now() - start} ms`);
      assert.ok(!existsSync(lock));
      assert.equal(isLeaseLive({ owner: 'x', expiresAt: Date.now() + 365 * 86_400_000, pid: process.pid, host: THIS_HOST }), false);
      assert.equal(isLeaseLive({ owner: 'x', expiresAt: Date.now() + 20_000, pid: dead, host: THIS_HOST }), false);
      assert.equal(isLeaseLive({ owner: 'x', expiresAt: Date.now() + 20_000, pid: process.ppid, host: THIS_HOST }), true);
    });

    it('the submit of a failed request ends with one `ended` event and no marker', async () => {
      standIn.configure({ faults: [{ endpoint: 'submit', kind: 'http500' }] });
      const runs = service();
      const events: RunEvent[] = [];
      runs.onDidChange((e) => events.push(e));
      const result = await runs.submit(store, request);
      assert.equal(result.kind, 'failed');
      await runs.flushed();
      assert.deepEqual(events.filter((e) => e.kind === 'ended').map((e) => e.kind === 'ended' && e.reason), ['submitFailed']);
      assert.deepEqual(await store.inProgressRunIds(), []);
      assert.deepEqual(readdirSync(store.outputsDir(result.kind === 'failed' ? result.run.record.run_id : '')).sort(), ['result.json', 'result.md']);
    });
  });

  it('Retry-After spaces the next status read', async () => {
    standIn.configure({ faults: [{ endpoint: 'status', kind: 'http503', retryAfter: '2', times: 2 }] });
    const once = new CreatOkClient({ baseUrl: standIn.url, apiKey: () => KEY, readRetry: { maxAttempts: 1, baseDelayMs: 5, maxDelayMs: 10, maxRetryAfterMs: 10 } });
    client = once;
    const runs = service();
    const done = ended(runs);
    const result = await runs.submit(store, request);
    assert.ok(result.kind === 'submitted');
    await done;
    const reads = standIn.requests().filter((r) => r.endpoint === 'status').map((r) => r.at);
    assert.ok(reads.length >= 3);
    assert.ok(reads[1]! - reads[0]! >= 1900, `second read ${reads[1]! - reads[0]!} ms after the first`);
    assert.ok(reads[2]! - reads[1]! >= 1900, `third read ${reads[2]! - reads[1]!} ms after the second`);
  });
});
