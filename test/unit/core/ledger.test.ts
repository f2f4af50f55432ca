// The spend ledger: what counts, by the local calendar; the limits checked under one lock by
// several processes; entries that survive a crash; the import of older runs; the bounds; the
// spending view's figures and the CSV.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { newRunRecord } from '../../../src/core/runs/lifecycle';
import type { RunRecord } from '../../../src/core/runs/record';
import { ArtifactStore } from '../../../src/core/runs/store';
import { THIS_HOST } from '../../../src/core/processes';
import { LEDGER_FILE, LedgerUnreadableError, SpendLedger } from '../../../src/core/spend/ledger';
import { checkLimits, currentOutcome, spendOf, type LedgerEntry } from '../../../src/core/spend/ledgerEntries';
import { entriesOfStore, entryFromRecord } from '../../../src/core/spend/ledgerImport';
import { dailySpend, monthlySpend, spendCsv } from '../../../src/core/spend/spendReport';

const request = { prompt: 'a lighthouse at dusk', model: 'nano-banana-2', modelLabel: 'Nano Banana 2', resolution: '2K', aspectRatio: '16:9', n: 2, estimatedCredits: 4, currency: 'credits' };

const entry = (at: Date, fields: Partial<LedgerEntry> = {}): LedgerEntry => ({
  at: at.toISOString(),
  folder: '/work/a',
  runId: `run-${at.getTime()}-${Math.random().toString(16).slice(2, 8)}`,
  taskId: 'task_1',
  model: 'nano-banana-2',
  resolution: '2K',
  n: 1,
  credits: 2,
  outcome: 'accepted',
  ...fields,
});

/** A pid that names no live process: a child that has exited. */
async function deadPid(): Promise<number> {
  const child = execFile(process.execPath, ['-e', '0']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

describe('the spend ledger: what counts', () => {
  it('counts accepted, unconfirmed and pending runs; never refused or unsent ones, nor a negative figure', async () => {
    const now = new Date(2026, 10, 25, 15);
    const dead = await deadPid();
    const entries = [
      entry(new Date(2026, 10, 25, 9), { credits: 4 }),
      entry(new Date(2026, 10, 25, 10), { credits: 3, outcome: 'unconfirmed', taskId: null }),
      entry(new Date(2026, 10, 25, 11), { credits: 1, outcome: 'pending', taskId: null, pid: process.pid, host: THIS_HOST }),
      entry(new Date(2026, 10, 25, 11), { credits: 8, outcome: 'refused', taskId: null }),
      entry(new Date(2026, 10, 25, 12), { credits: 16, outcome: 'notSent', taskId: null }),
      entry(new Date(2026, 10, 25, 13), { credits: null }),
      entry(new Date(2026, 10, 3), { credits: 5 }),
      entry(new Date(2026, 9, 30), { credits: 100 }),
      entry(new Date(2026, 10, 25, 14), { credits: 6, outcome: 'pending', taskId: null, pid: dead, host: THIS_HOST }),
    ];
    assert.deepEqual(spendOf(entries, now), { today: 14, month: 19 });
    assert.equal(currentOutcome(entries[8]!, now), 'unconfirmed', 'pending, its process gone: unconfirmed');
    assert.equal(currentOutcome(entries[2]!, now), 'pending', 'pending, its process alive');
    // Of another machine: pending for 15 minutes, then unconfirmed.
    const foreign = entry(new Date(2026, 10, 25, 14, 50), { outcome: 'pending', pid: 1, host: 'elsewhere' });
    assert.equal(currentOutcome(foreign, now), 'pending');
    assert.equal(currentOutcome(foreign, new Date(2026, 10, 25, 15, 6)), 'unconfirmed');
  });

  it('checks the daily and the monthly limit; an unknown price never fits a limit; 0 is no limit', () => {
    const spend = { today: 2, month: 10 };
    assert.equal(checkLimits(spend, { daily: 0, monthly: 0 }, null).ok, true);
    assert.equal(checkLimits(spend, { daily: 4, monthly: 0 }, 2).ok, true);
    assert.deepEqual(checkLimits(spend, { daily: 3, monthly: 0 }, 2), { ok: false, kind: 'daily', limit: 3, spend, credits: 2 });
    assert.deepEqual(checkLimits(spend, { daily: 0, monthly: 11 }, 2), { ok: false, kind: 'monthly', limit: 11, spend, credits: 2 });
    assert.equal(checkLimits(spend, { daily: 0, monthly: 12 }, 2).ok, true);
    assert.equal(checkLimits(spend, { daily: 0, monthly: 12 }, null).ok, false);
  });

  describe('by the local calendar (TZ=America/Los_Angeles)', () => {
    const previous = process.env.TZ;
    before(() => {
      process.env.TZ = 'America/Los_Angeles';
    });
    after(() => {
      if (previous === undefined) delete process.env.TZ;
      else process.env.TZ = previous;
    });

    it('counts a run of 30 November at 16:30 on 30 November, when UTC is already in December', () => {
      const now = new Date(2026, 10, 30, 16, 30); // local: 30 Nov 16:30; UTC: 1 Dec 00:30
      assert.equal(now.getTimezoneOffset(), 480, 'the time zone took effect');
      assert.equal(now.getUTCMonth(), 11, 'UTC is in December');
      const entries = [entry(new Date(2026, 10, 30, 9), { credits: 10 }), entry(new Date(2026, 10, 30, 16, 10), { credits: 2 }), entry(new Date(2026, 10, 29, 23, 59), { credits: 1 })];
      assert.deepEqual(spendOf(entries, now), { today: 12, month: 13 });
      // And at 00:10 on 1 December (local), November's runs are last month's.
      assert.deepEqual(spendOf(entries, new Date(2026, 11, 1, 0, 10)), { today: 0, month: 0 });
      const days = dailySpend(entries, now).map((d) => [d.key, d.credits]);
      assert.deepEqual(days, [
        ['2026-11-30', 12],
        ['2026-11-29', 1],
      ]);
      assert.deepEqual(monthlySpend(entries, now).map((m) => [m.key, m.credits]), [['2026-11', 13]]);
    });
  });
});

describe('the spend ledger file', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'creatok-ledger-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a pending entry only when it fits, and settles it with its task id', async () => {
    const ledger = new SpendLedger(dir);
    const first = entry(new Date(), { outcome: 'pending', taskId: null, pid: process.pid, host: THIS_HOST });
    assert.equal((await ledger.reserve(first, { daily: 3, monthly: 0 })).ok, true);
    const second = entry(new Date(), { outcome: 'pending', taskId: null });
    const refused = await ledger.reserve(second, { daily: 3, monthly: 0 });
    assert.ok(!refused.ok && refused.kind === 'daily' && refused.spend.today === 2, 'a pending run counts');
    assert.deepEqual((await ledger.read()).entries.map((e) => e.runId), [first.runId], 'nothing written for a refusal');
    assert.equal(await ledger.settle(first, 'accepted', 'task_42'), true);
    const [settled] = (await ledger.read()).entries;
    assert.equal(settled!.outcome, 'accepted');
    assert.equal(settled!.taskId, 'task_42');
    assert.equal(settled!.pid, undefined, 'a settled entry names no process');
    assert.equal(await ledger.settle({ folder: '/nowhere', runId: 'x' }, 'refused'), false);
    assert.deepEqual(readdirSync(dir).sort(), [LEDGER_FILE], 'no lock or temp file left');
  });

  it('lets exactly one of several processes racing for room for one run through (and two of five for room for two)', async function () {
    this.timeout(30_000);
    const worker = join(__dirname, '..', 'workers', 'ledgerReserver.js');
    const run = promisify(execFile);
    for (const [workers, limit, expected] of [
      [2, 3, 1],
      [5, 4, 2],
    ] as const) {
      rmSync(join(dir, LEDGER_FILE), { force: true });
      const startAt = Date.now() + 700;
      const results = await Promise.all(Array.from({ length: workers }, (_, i) => run(process.execPath, [worker, dir, `run-${i}`, '2', String(limit), String(startAt)])));
      const outputs = results.map((r) => r.stdout.trim());
      assert.equal(outputs.filter((o) => o === 'ok').length, expected, outputs.join(', '));
      assert.ok(outputs.filter((o) => o !== 'ok').every((o) => o === 'refused daily'), outputs.join(', '));
      const read = await new SpendLedger(dir).read();
      assert.equal(read.entries.length, expected, 'one entry per run sent, none lost');
    }
  });

  it('counts a run whose window was killed between "pending" and the answer as unconfirmed', async function () {
    this.timeout(15_000);
    const worker = join(__dirname, '..', 'workers', 'ledgerReserver.js');
    await assert.rejects(promisify(execFile)(process.execPath, [worker, dir, 'run-crashed', '2', '0', '0', 'crash']), (error: { signal?: string }) => error.signal === 'SIGKILL', 'the worker was killed');
    const read = await new SpendLedger(dir).read();
    assert.equal(read.entries.length, 1);
    assert.equal(read.entries[0]!.outcome, 'pending', 'on disk: pending');
    assert.equal(currentOutcome(read.entries[0]!), 'unconfirmed', 'its process is gone: unconfirmed');
    assert.deepEqual(spendOf(read.entries), { today: 2, month: 2 });
    assert.ok(!existsSync(join(dir, `${LEDGER_FILE}.lock`)), 'the lock was released before the crash');
  });

  it('imports a folder\'s older runs once (a second window adds nothing), keeping entries it already has', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'creatok-ledger-ws-'));
    try {
      const store = new ArtifactStore(workspace);
      const at = new Date();
      const accepted: RunRecord = { ...newRunRecord(request, at), task_id: 'task_old', status: 'succeeded' };
      const unconfirmed: RunRecord = { ...newRunRecord(request, at), status: 'unconfirmed' };
      const refused: RunRecord = { ...newRunRecord(request, at), status: 'submit_failed' };
      const recovered: RunRecord = { ...newRunRecord(request, at, undefined, 'resume'), task_id: 'task_elsewhere', status: 'succeeded' };
      const planted: RunRecord = { ...newRunRecord(request, at), task_id: 'task_neg', status: 'succeeded', estimated_credits: -50 };
      for (const r of [accepted, unconfirmed, refused, recovered, planted]) await store.write(r);
      const ledger = new SpendLedger(dir);
      const already = entry(new Date(), { folder: workspace, runId: accepted.run_id, credits: 4, outcome: 'accepted' });
      await ledger.reserve({ ...already, outcome: 'pending' }, { daily: 0, monthly: 0 });
      await ledger.settle(already, 'accepted', 'task_old');
      const added = await Promise.all([ledger.importOnce(workspace, () => entriesOfStore(store)), new SpendLedger(dir).importOnce(workspace, () => entriesOfStore(store))]);
      assert.deepEqual(added.sort(), [0, 3], 'imported once, by one of the two');
      const read = await ledger.read();
      assert.deepEqual(read.imported, [workspace]);
      const byRun = new Map(read.entries.map((e) => [e.runId, e]));
      assert.equal(byRun.get(accepted.run_id)!.source, undefined, 'the entry it had is kept, not doubled');
      assert.equal(byRun.get(unconfirmed.run_id)!.outcome, 'unconfirmed');
      assert.equal(byRun.get(refused.run_id)!.outcome, 'refused');
      assert.equal(byRun.get(planted.run_id)!.credits, 0, 'a negative figure never lowers the sum');
      assert.ok(!byRun.has(recovered.run_id), 'a run resumed by task id was paid where it was started');
      assert.deepEqual(spendOf(read.entries), { today: 8, month: 8 });
      assert.equal(entryFromRecord({ ...accepted, created_at: 'never' }, workspace), undefined);
    } finally {
      rmSync(workspace, { recursive: true, force: true });
    }
  });

  it('still counts a run whose record grew past what can be read (2 MB)', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'creatok-ledger-ws-'));
    try {
      const store = new ArtifactStore(workspace);
      const record: RunRecord = { ...newRunRecord(request, new Date()), task_id: 'task_big', status: 'succeeded' };
      const ledger = new SpendLedger(dir);
      const pending = { ...entry(new Date(), { folder: workspace, runId: record.run_id, credits: 4, outcome: 'pending', taskId: null }) };
      assert.ok((await ledger.reserve(pending, { daily: 0, monthly: 0 })).ok);
      await ledger.settle(pending, 'accepted', 'task_big');
      await store.write(record);
      // Many images with long signed URLs, written by another tool: 2 MB.
      writeFileSync(store.resultJsonPath(record.run_id), JSON.stringify({ ...record, images: Array.from({ length: 2000 }, (_, i) => `https://cdn.example/${i}?sig=${'x'.repeat(1000)}`) }));
      assert.ok(readFileSync(store.resultJsonPath(record.run_id)).length > 2_000_000);
      const read = await store.read(record.run_id);
      assert.ok(!read.ok && read.reason === 'tooLarge', 'the record cannot be read');
      assert.deepEqual(spendOf((await ledger.read()).entries), { today: 4, month: 4 }, 'the ledger still counts it');
    } finally {
      rmSync(workspace, { recursive: true, force: true });
    }
  });

  it('skips an entry that fails its schema (and counts it); moves a file that is not a ledger aside, never deleting it', async () => {
    const good = entry(new Date(), { credits: 3 });
    writeFileSync(join(dir, LEDGER_FILE), JSON.stringify({ version: 1, imported: [], entries: [good, { ...good, runId: 'bad', credits: -1 }, 'junk'] }));
    const ledger = new SpendLedger(dir);
    const read = await ledger.read();
    assert.deepEqual(read.entries.map((e) => e.runId), [good.runId]);
    assert.equal(read.invalid, 2);

    writeFileSync(join(dir, LEDGER_FILE), '{"version":1,"imported":[],"entr');
    const moved: string[] = [];
    const broken = new SpendLedger(dir, { onMovedAside: (aside) => moved.push(aside) });
    assert.match((await broken.read()).problem ?? '', /not valid JSON/);
    // With a limit set, it is never replaced by an empty ledger (that would count 0): refused, nothing changes.
    await assert.rejects(broken.reserve(entry(new Date(), { outcome: 'pending' }), { daily: 10, monthly: 0 }), LedgerUnreadableError);
    await assert.rejects(broken.settle({ folder: '/work/a', runId: 'x' }, 'accepted'), LedgerUnreadableError);
    assert.equal(await broken.importOnce('/work/a', async () => [entry(new Date())]), 0, 'no import into a ledger that cannot be read');
    assert.equal(readFileSync(join(dir, LEDGER_FILE), 'utf8'), '{"version":1,"imported":[],"entr');
    assert.equal(moved.length, 0);
    // With no limit, a submit moves it aside and the ledger begins again.
    assert.ok((await broken.reserve(entry(new Date(), { outcome: 'pending' }), { daily: 0, monthly: 0 })).ok);
    assert.equal(moved.length, 1);
    assert.equal(readFileSync(moved[0]!, 'utf8'), '{"version":1,"imported":[],"entr', 'kept as it was');
    assert.equal((await broken.read()).entries.length, 1);
  });

  it('keeps 25 months: older entries are dropped and counted', async () => {
    const now = new Date(2026, 10, 15);
    const ledger = new SpendLedger(dir, { now: () => now });
    const old = entry(new Date(2024, 9, 31)); // 25 months before November 2026 began: October 2024
    const kept = entry(new Date(2024, 10, 1));
    writeFileSync(join(dir, LEDGER_FILE), JSON.stringify({ version: 1, imported: [], entries: [old, kept] }));
    await ledger.reserve(entry(now, { outcome: 'pending' }), { daily: 0, monthly: 0 });
    const read = await ledger.read();
    assert.deepEqual(read.entries.map((e) => e.runId).sort(), [kept.runId, read.entries.find((e) => e.runId !== kept.runId)!.runId].sort());
    assert.ok(!read.entries.some((e) => e.runId === old.runId));
    assert.equal(read.dropped, 1);
  });
});

describe('the spending report', () => {
  it('groups a day\'s runs by model and folder, newest first, with unpriced runs named', () => {
    const now = new Date(2026, 10, 25, 15);
    const entries = [
      entry(new Date(2026, 10, 25, 9), { model: 'seedream-5.0-lite', folder: '/w/site', credits: 6 }),
      entry(new Date(2026, 10, 25, 10), { model: 'nano-banana-2', folder: '/w/docs', credits: 2 }),
      entry(new Date(2026, 10, 25, 11), { model: 'nano-banana-2', folder: '/w/docs', credits: null }),
      entry(new Date(2026, 10, 25, 12), { model: 'nano-banana-2', folder: '/w/docs', credits: 9, outcome: 'refused' }),
      entry(new Date(2026, 9, 2), { credits: 7 }),
    ];
    const [today, ...rest] = dailySpend(entries, now);
    assert.equal(rest.length, 0, 'October 2 is more than 30 days ago');
    assert.equal(today!.key, '2026-11-25');
    assert.deepEqual([today!.credits, today!.runs, today!.unpriced], [8, 3, 1]);
    assert.deepEqual(today!.byModel.map((g) => [g.key, g.credits, g.runs]), [['seedream-5.0-lite', 6, 1], ['nano-banana-2', 2, 2]]);
    assert.deepEqual(today!.byFolder.map((g) => [g.key, g.credits]), [['/w/site', 6], ['/w/docs', 2]]);
    assert.equal(today!.entries.length, 4, 'the refused run is listed (counted 0)');
    assert.ok(Date.parse(today!.entries[0]!.at) > Date.parse(today!.entries[3]!.at), 'newest first');
    assert.deepEqual(monthlySpend(entries, now).map((m) => [m.key, m.credits]), [['2026-11', 8], ['2026-10', 7]]);
  });

  it('exports CSV with quoted cells and spreadsheet formulas defused', () => {
    const csv = spendCsv([entry(new Date(2026, 10, 25, 9), { prompt: '=HYPERLINK("x"), "quoted", two\nlines', folder: '/w/a,b' })], new Date(2026, 10, 25, 10));
    const [head, row, end] = csv.split('\r\n');
    assert.equal(head, 'time,local_day,workspace_folder,run_id,task_id,model,resolution,images,estimated_credits,outcome,counted_credits,prompt');
    assert.ok(row!.includes(',"/w/a,b",'), row);
    assert.ok(row!.endsWith(`,accepted,2,"'=HYPERLINK(""x""), ""quoted"", two\nlines"`), row);
    assert.equal(end, '');
  });
});
