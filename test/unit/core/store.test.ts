import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync, mkdirSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { newRunRecord } from '../../../src/core/runs/lifecycle';
import { isRunId, newRunId } from '../../../src/core/runs/runId';
import { LockTimeoutError, withFileLock } from '../../../src/core/runs/fileLock';
import { ArtifactStore, isLeaseLive, MAX_RECORD_BYTES, MAX_THUMBNAIL_BYTES } from '../../../src/core/runs/store';

const request = { prompt: 'a *cat* <script>', model: 'nano-banana-2', modelLabel: 'Nano Banana 2', resolution: '2K', aspectRatio: '1:1', n: 2, estimatedCredits: 4, currency: 'credits' };

describe('run ids', () => {
  it('sort by time and are safe folder names', () => {
    const a = newRunId(new Date('2026-01-02T03:04:05.006Z'));
    const b = newRunId(new Date('2026-01-02T03:04:05.007Z'));
    assert.match(a, /^20260102-030405-006-[a-z2-7]{10}$/);
    assert.ok(a < b);
    assert.ok(isRunId(a));
    assert.ok(isRunId('20260102-030405-006-abc123'), 'an id of an earlier version is still one');
    assert.ok(!isRunId('20260102-030405-006-abc1234'));
    assert.ok(!isRunId('../etc'));
  });
  it('are unique within the same millisecond', () => {
    const now = new Date();
    // 50 random bits: 20,000 ids in one millisecond meet with a chance of about 2 in 10^7.
    const ids = new Set(Array.from({ length: 20_000 }, () => newRunId(now)));
    assert.equal(ids.size, 20_000);
  });
});

describe('artifact store', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'creatok-store-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes result.json and result.md under generate-image/.artifacts/<run_id>/outputs', async () => {
    const store = new ArtifactStore(dir);
    const record = { ...newRunRecord(request, new Date('2026-01-01T00:00:00Z')), task_id: 'task_1', status: 'queued' };
    await store.write(record);
    const outputs = join(dir, 'generate-image', '.artifacts', record.run_id, 'outputs');
    const json = JSON.parse(readFileSync(join(outputs, 'result.json'), 'utf8'));
    for (const key of ['run_id', 'task_id', 'status', 'prompt', 'model', 'resolution', 'aspect_ratio', 'n', 'estimated_credits', 'images', 'raw', 'error', 'created_at', 'updated_at']) {
      assert.ok(key in json, `result.json has ${key}`);
    }
    assert.equal(json.task_id, 'task_1');
    const md = readFileSync(join(outputs, 'result.md'), 'utf8');
    assert.match(md, /task_1/);
    assert.match(md, /a \\\*cat\\\* \\<script\\>/, 'the prompt is escaped in Markdown');
    assert.deepEqual(readdirSync(outputs).sort(), ['result.json', 'result.md'], 'no temp files are left');
  });

  it('reads back what it wrote, and tells missing, corrupt and foreign files apart', async () => {
    const store = new ArtifactStore(dir);
    const record = newRunRecord(request, new Date());
    await store.write(record);
    const back = await store.read(record.run_id);
    assert.ok(back.ok);
    assert.deepEqual(back.record, record);
    assert.deepEqual((await store.read('20990101-000000-000-aaaaaa')).ok, false);
    const corrupt = join(store.root, 'corrupt', 'outputs');
    mkdirSync(corrupt, { recursive: true });
    writeFileSync(join(corrupt, 'result.json'), '{"run_id": "corr');
    const c = await store.read('corrupt');
    assert.ok(!c.ok && c.reason === 'invalid');
    const foreign = join(store.root, 'foreign', 'outputs');
    mkdirSync(foreign, { recursive: true });
    writeFileSync(join(foreign, 'result.json'), JSON.stringify({ hello: 'world' }));
    const f = await store.read('foreign');
    assert.ok(!f.ok && f.reason === 'invalid');
  });

  it('refuses to write a record that breaks the schema', async () => {
    const store = new ArtifactStore(dir);
    const bad = { ...newRunRecord(request, new Date()), n: 0 };
    await assert.rejects(store.write(bad));
  });

  it('never leaves a half-written result.json: the old one stays until the new one is complete', async () => {
    const store = new ArtifactStore(dir);
    const record = newRunRecord(request, new Date());
    await store.write(record);
    const writes = Array.from({ length: 30 }, (_, i) => store.write({ ...record, status: `s${i}` }));
    const reads = Array.from({ length: 30 }, () => store.read(record.run_id));
    for (const r of await Promise.all(reads)) assert.ok(r.ok, 'every read during writes parses');
    await Promise.all(writes);
  });

  it('finds saved thumbnails by image number, and never one through a link, out of its folder or over 2 MB', async () => {
    const store = new ArtifactStore(dir);
    const record = { ...newRunRecord(request, new Date('2026-01-01T00:00:00Z')), task_id: 'task_1', status: 'succeeded' };
    await store.write(record);
    const thumbs = join(store.outputsDir(record.run_id), 'thumbnails');
    assert.deepEqual(await store.thumbnailPaths(record.run_id, 2), [undefined, undefined], 'no folder: none');
    mkdirSync(thumbs);
    writeFileSync(join(thumbs, 'thumb_1.png'), 'png');
    writeFileSync(join(thumbs, 'thumb_3.webp'), 'webp');
    writeFileSync(join(thumbs, 'thumb_4.png'), Buffer.alloc(MAX_THUMBNAIL_BYTES + 1));
    writeFileSync(join(thumbs, 'thumb_2.svg'), '<svg/>'); // not an image type a thumbnail may have
    writeFileSync(join(dir, 'outside.png'), 'x');
    symlinkSync(join(dir, 'outside.png'), join(thumbs, 'thumb_2.png'));
    assert.deepEqual(await store.thumbnailPaths(record.run_id, 4), [join(thumbs, 'thumb_1.png'), undefined, join(thumbs, 'thumb_3.webp'), undefined]);
    assert.deepEqual(await store.thumbnailPaths(record.run_id, 1), [join(thumbs, 'thumb_1.png')]);
    // A thumbnails folder that is a link is not looked into.
    rmSync(thumbs, { recursive: true });
    mkdirSync(join(dir, 'elsewhere'));
    writeFileSync(join(dir, 'elsewhere', 'thumb_1.png'), 'png');
    symlinkSync(join(dir, 'elsewhere'), thumbs);
    assert.deepEqual(await store.thumbnailPaths(record.run_id, 1), [undefined]);
  });

  it('refuses unsafe run ids', () => {
    const store = new ArtifactStore(dir);
    assert.throws(() => store.runDir('../../etc'));
  });
});

describe('file lock and lease (several windows on one run folder)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'creatok-lock-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('lets one holder in at a time', async () => {
    const lock = join(dir, '.lock');
    let inside = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 8 }, () =>
        withFileLock(lock, async () => {
          inside++;
          most = Math.max(most, inside);
          await new Promise((r) => setTimeout(r, 5));
          inside--;
        }),
      ),
    );
    assert.equal(most, 1);
    assert.deepEqual(readdirSync(dir), [], 'the lock file is gone');
  });

  it('breaks a lock left by a holder that died (older than the stale time), and never one that is fresh', async () => {
    const lock = join(dir, '.lock');
    writeFileSync(lock, 'dead');
    const old = new Date(Date.now() - 60_000);
    utimesSync(lock, old, old);
    assert.equal(await withFileLock(lock, async () => 'in', { staleMs: 10_000 }), 'in');
    writeFileSync(lock, 'alive');
    await assert.rejects(withFileLock(lock, async () => 'in', { staleMs: 10_000, timeoutMs: 200 }), LockTimeoutError);
    assert.equal(readFileSync(lock, 'utf8'), 'alive', 'a fresh lock is left alone');
  });

  it('gives a run to one window at a time; a lease of a process that is gone does not hold', async () => {
    const store = new ArtifactStore(dir);
    const runId = newRunId();
    assert.deepEqual(await store.acquireLease(runId, 'window-a', 10_000), { ok: true });
    const second = await store.acquireLease(runId, 'window-b', 10_000);
    assert.equal(second.ok, false);
    assert.deepEqual(await store.acquireLease(runId, 'window-a', 10_000), { ok: true }, 'the holder renews');
    await store.releaseLease(runId, 'window-b');
    assert.equal((await store.acquireLease(runId, 'window-b', 10_000)).ok, false, 'only the holder releases');
    await store.releaseLease(runId, 'window-a');
    assert.deepEqual(await store.acquireLease(runId, 'window-b', 10_000), { ok: true });
    // A window that crashed: its process is gone, its lease not yet expired.
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadPid = Number(gone.stdout);
    writeFileSync(join(store.outputsDir(runId), '.lease'), JSON.stringify({ owner: 'crashed', expiresAt: Date.now() + 60_000, pid: deadPid, host: hostname() }));
    assert.equal(isLeaseLive({ owner: 'crashed', expiresAt: Date.now() + 60_000, pid: deadPid, host: hostname() }), false);
    assert.deepEqual(await store.acquireLease(runId, 'window-c', 10_000), { ok: true });
  });

  it('does not parse a record over 1 MB, and says why', async () => {
    const store = new ArtifactStore(dir);
    const record = newRunRecord(request, new Date());
    await store.write(record);
    writeFileSync(store.resultJsonPath(record.run_id), JSON.stringify({ ...record, padding: 'x'.repeat(MAX_RECORD_BYTES) }));
    const read = await store.read(record.run_id);
    assert.equal(read.ok, false);
    assert.ok(!read.ok && read.reason === 'tooLarge');
  });
});
