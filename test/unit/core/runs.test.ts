import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mergeRecords, type ReadResult, type RunRecord } from '../../../src/core/runs/record';
import { newRecoveryRecord, newRunRecord } from '../../../src/core/runs/lifecycle';
import { durationsOf, unconfirmedOf } from '../../../src/core/runs/history';
import { RunIndex } from '../../../src/core/runs/runIndex';
import { classifyStatus, isFinalStatus, isResumable, promptHead, runPhase, runTags } from '../../../src/core/runs/runStatus';
import { ArtifactStore } from '../../../src/core/runs/store';
import { checkTaskId } from '../../../src/core/taskId';

const request = { prompt: 'a fox', model: 'nano-banana-2', modelLabel: 'Nano Banana 2', resolution: '2K', aspectRatio: '1:1', n: 1, estimatedCredits: 2, currency: 'credits' };
const at = (iso: string): RunRecord => newRunRecord(request, new Date(iso));

describe('task id validation', () => {
  it('accepts ids the API hands out, trimmed', () => {
    assert.deepEqual(checkTaskId('  task_0da06f57b559 '), { ok: true, taskId: 'task_0da06f57b559' });
    assert.ok(checkTaskId('a1b2-c3:d4.e5').ok);
  });
  it('refuses empty, overlong, path-like and odd ids', () => {
    assert.deepEqual(checkTaskId('   '), { ok: false, problem: 'empty' });
    assert.deepEqual(checkTaskId('x'.repeat(129)), { ok: false, problem: 'tooLong' });
    assert.deepEqual(checkTaskId('../../etc/passwd'), { ok: false, problem: 'pathSeparator' });
    assert.deepEqual(checkTaskId('a\\b'), { ok: false, problem: 'pathSeparator' });
    assert.deepEqual(checkTaskId('task id'), { ok: false, problem: 'invalidCharacters' });
    assert.deepEqual(checkTaskId('-rf'), { ok: false, problem: 'invalidCharacters' });
  });
});

describe('merging writes from two windows', () => {
  it('never loses a task id or images an earlier write recorded', () => {
    const disk = { ...at('2026-01-01T00:00:00Z'), task_id: 't1', status: 'succeeded', images: ['u1'], local_images: ['images/image_1.png'], finished_at: '2026-01-01T00:01:00Z' };
    const stale = { ...at('2026-01-01T00:00:00Z'), run_id: disk.run_id, task_id: null, status: 'running', updated_at: '2026-01-01T00:00:30Z' };
    const merged = mergeRecords(disk, stale);
    assert.equal(merged.task_id, 't1');
    assert.deepEqual(merged.images, ['u1']);
    assert.deepEqual(merged.local_images, ['images/image_1.png']);
    assert.equal(merged.status, 'succeeded', 'a final state is never replaced by a running one');
    assert.equal(merged.updated_at, disk.updated_at > stale.updated_at ? disk.updated_at : stale.updated_at);
  });
  it('takes newer facts from the later write', () => {
    const disk = { ...at('2026-01-01T00:00:00Z'), task_id: 't1', status: 'queued' };
    const next = { ...disk, status: 'succeeded', images: ['u1', 'u2'] };
    assert.deepEqual(mergeRecords(disk, next).images, ['u1', 'u2']);
    assert.equal(mergeRecords(disk, next).status, 'succeeded');
  });
  it('is what the store does on every write', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'creatok-merge-'));
    try {
      const store = new ArtifactStore(dir);
      const first = { ...at('2026-01-01T00:00:00Z'), task_id: 't9', status: 'queued' };
      await store.write(first);
      await store.write({ ...first, task_id: null, status: 'running' }); // a window that missed the task id
      const back = await store.read(first.run_id);
      assert.ok(back.ok);
      assert.equal(back.record.task_id, 't9');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('run state for the view', () => {
  const base = { ...at('2026-01-01T00:00:00Z'), task_id: 't' };
  it('names each state', () => {
    assert.equal(runPhase({ ...base, status: 'queued' }, true), 'queued');
    assert.equal(runPhase({ ...base, status: 'running' }, true), 'running');
    assert.equal(runPhase({ ...base, status: 'rendering' }, true), 'running', 'an unknown server status is in progress');
    assert.equal(runPhase({ ...base, status: 'running' }, false), 'stopped');
    assert.equal(runPhase({ ...base, status: 'succeeded' }, false), 'succeeded');
    assert.equal(runPhase({ ...base, status: 'submit_failed' }, false), 'failed');
    assert.equal(runPhase({ ...base, status: 'unconfirmed', task_id: null }, false), 'unconfirmed');
    assert.equal(runPhase({ ...base, status: 'submitting', task_id: null }, true), 'submitting');
    assert.equal(runPhase({ ...base, status: 'submitting', task_id: null }, false), 'unknown', 'a submit nobody is sending any more');
  });
  it('classifies every status one way, for every view', () => {
    // "pending" was queued for the panel and running for the tree: one answer now.
    for (const s of ['pending', 'queued', 'submitted']) assert.equal(classifyStatus(s), 'queued', s);
    for (const s of ['running', 'processing', 'rendering']) assert.equal(classifyStatus(s), 'running', s);
    assert.equal(classifyStatus('submit_failed'), 'submitFailed');
    assert.equal(runPhase({ ...base, status: 'pending' }, true), 'queued');
    for (const s of ['succeeded', 'failed', 'submit_failed']) assert.ok(isFinalStatus(s), s);
    for (const s of ['pending', 'running', 'unconfirmed', 'submitting', 'unknown']) assert.ok(!isFinalStatus(s), s);
  });
  it('offers resume only for unfinished runs with a task id', () => {
    assert.ok(isResumable({ ...base, status: 'running' }));
    assert.ok(!isResumable({ ...base, status: 'succeeded' }));
    assert.ok(!isResumable({ ...base, status: 'unconfirmed', task_id: null }));
  });
  it('tags items for their menus', () => {
    const tags = runTags({ ok: true, record: { ...base, status: 'succeeded', images: ['u'], local_images: [null] } }, false).split(' ');
    for (const t of ['run', 'hasResult', 'succeeded', 'hasTask', 'hasImages', 'downloadIncomplete', 'hasPrompt']) assert.ok(tags.includes(t), t);
    assert.ok(!tags.includes('resumable'));
    assert.ok(runTags({ ok: true, record: { ...base, status: 'running' } }, true).includes('watching'));
    assert.ok(runTags({ ok: true, record: { ...base, status: 'running' } }, true, true).split(' ').includes('unsaved'));
    assert.equal(runTags({ ok: false, reason: 'invalid', message: 'x' }, false), 'run broken invalid');
  });
  it('shortens prompts to one line', () => {
    assert.equal(promptHead('a\n  b   c'), 'a b c');
    assert.equal(promptHead('x'.repeat(100), 10), 'xxxxxxxxx…');
  });
  it('recovery runs learn their count from the images', () => {
    const r = newRecoveryRecord('task_1', new Date());
    assert.equal(r.source, 'resume');
    assert.equal(r.prompt, '');
  });
});

describe('run index (the Tasks view source)', () => {
  let dir: string;
  let store: ArtifactStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'creatok-index-'));
    store = new ArtifactStore(dir);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('lists newest first, pages, and reads good, partial, corrupt and foreign folders without failing', async () => {
    const good = at('2026-01-03T00:00:00Z');
    await store.write(good);
    const older = at('2026-01-01T00:00:00Z');
    await store.write(older);
    mkdirSync(join(store.root, '20260102-000000-000-corrup', 'outputs'), { recursive: true });
    writeFileSync(join(store.root, '20260102-000000-000-corrup', 'outputs', 'result.json'), '{"run_id":');
    mkdirSync(join(store.root, '20260102-000000-000-nofile'), { recursive: true });
    mkdirSync(join(store.root, '20260102-000000-000-foreig', 'outputs'), { recursive: true });
    writeFileSync(join(store.root, '20260102-000000-000-foreig', 'outputs', 'result.json'), JSON.stringify({ images: 'not a list' }));
    // written by another tool in the same layout, with fields we do not know
    const cli = { ...at('2026-01-02T12:00:00Z'), extra_cli_field: { x: 1 } };
    await store.write(cli);

    const index = new RunIndex([store]);
    const page = await index.page(3);
    assert.deepEqual(page.map((e) => e.runId), [good.run_id, cli.run_id, '20260102-000000-000-nofile']);
    const all = await index.page(100);
    assert.equal(all.length, 6);
    const reasons = await Promise.all(all.map(async (e) => {
      const r = await index.read(e);
      return r.ok ? 'ok' : r.reason;
    }));
    assert.deepEqual(reasons.sort(), ['invalid', 'invalid', 'missing', 'ok', 'ok', 'ok']);
    const cliRead = await index.read(all[1]!);
    assert.ok(cliRead.ok && (cliRead.record as Record<string, unknown>).extra_cli_field, 'unknown fields survive');
  });

  it('adds new runs in order, and re-reads only what changed', async () => {
    const a = { ...at('2026-01-01T00:00:00Z'), task_id: 'task_a', status: 'queued' };
    await store.write(a);
    const index = new RunIndex([store]);
    await index.refresh();
    const b = at('2026-02-01T00:00:00Z');
    await store.write(b);
    assert.ok(index.add(store, b.run_id));
    assert.ok(!index.add(store, b.run_id));
    assert.equal((await index.page(1))[0]!.runId, b.run_id);
    await store.write({ ...a, status: 'succeeded' });
    const entry = index.invalidate(store, a.run_id)!;
    const reread = await index.read(entry);
    assert.ok(reread.ok && reread.record.status === 'succeeded');
  });

  it('marks runs in progress for the activation event, and lists them', async () => {
    const a = at('2026-01-01T00:00:00Z');
    await store.write(a);
    await store.markInProgress(a.run_id, true);
    assert.deepEqual(await store.inProgressRunIds(), [a.run_id]);
    await store.markInProgress(a.run_id, false);
    assert.deepEqual(await store.inProgressRunIds(), []);
  });
});

describe('recent runs (one read for the confirmation warning and the expected duration)', () => {
  it('finds unconfirmed runs of the last day among the newest 30, and the durations of finished ones', () => {
    const now = Date.parse('2026-01-02T12:00:00Z');
    const run = (iso: string, fields: Partial<RunRecord>): RunRecord => ({ ...at(iso), ...fields });
    const records = [
      run('2026-01-02T11:00:00Z', { status: 'unconfirmed' }),
      run('2026-01-02T10:00:00Z', { status: 'succeeded', task_id: 't1', finished_at: '2026-01-02T10:00:30Z' }),
      run('2026-01-02T09:00:00Z', { status: 'succeeded', task_id: 't2', finished_at: '2026-01-02T09:00:20Z', source: 'resume' }),
      run('2025-12-31T09:00:00Z', { status: 'unconfirmed' }),
    ];
    assert.deepEqual(unconfirmedOf(records, now).map((r) => r.created_at), ['2026-01-02T11:00:00.000Z'], 'older than a day: not warned of');
    assert.deepEqual(unconfirmedOf(records, now, 24 * 3600_000, 0), [], 'only the newest `look` runs');
    assert.deepEqual(durationsOf(records).map((d) => d.durationMs), [30_000], 'resumed runs do not count');
  });
});


describe('the run index under changes', () => {
  it('never caches (or answers with) a record older than one an invalidate announced: a read overtaken is read again', async () => {
    const older = { ...newRunRecord(request, new Date()), status: 'running', task_id: 't' };
    const newer = { ...older, status: 'succeeded' };
    let onDisk = older;
    const releases: (() => void)[] = [];
    // A store whose reads finish only when the test lets them (the first one slower than the second).
    const store = {
      root: '/ws/generate-image/.artifacts',
      read: (): Promise<ReadResult> => {
        const seen = onDisk;
        return new Promise((resolve) => releases.push(() => resolve({ ok: true, record: seen })));
      },
    } as unknown as ArtifactStore;
    const index = new RunIndex([store]);
    index.add(store, older.run_id);
    const entry = index.invalidate(store, older.run_id)!;
    const first = index.read(entry); // reads the older state, slowly
    onDisk = newer;
    index.invalidate(store, older.run_id); // the run ended: its file changed
    const second = index.read(entry);
    releases[1]!(); // the newer read answers first
    assert.equal(((await second) as { record: RunRecord }).record.status, 'succeeded');
    releases[0]!(); // then the older one: overtaken, so its answer is dropped for the newer state
    assert.equal(((await first) as { record: RunRecord }).record.status, 'succeeded', 'the overtaken read answers with the newer state');
    assert.equal(releases.length, 2, 'the newer state was cached: no third read');
    assert.equal(((await index.read(entry)) as { record: RunRecord }).record.status, 'succeeded', 'and the cache holds it');
  });
});
