// The process the crash harness kills: the real run service, store, spend ledger and client
// against the stand-in, as a window would run them.
//   node out/bench/crashClient.js submit <workspace> <standInUrl> <key> <ledgerDir>
//     one paid run, followed to its end; prints `@write` before each result.json is renamed into
//     place and `@lock` after each lock file is taken, then pauses a moment there (a window for
//     the harness's SIGKILL), and `@recorded <ms>` with the time from CreatOK's answer to the
//     durable record.
//   node out/bench/crashClient.js resume <workspace> <standInUrl> <key> <ledgerDir>
//     a fresh start: resumeUnfinished, then waits until every run it took up has ended; prints
//     `@resumed {"summary":…,"ms":…}`.
import { promises as fsp } from 'node:fs';
import { CreatOkClient } from '../src/core/api/client';
import type { Logger } from '../src/core/log';
import { RunService } from '../src/core/runs/runService';
import { ArtifactStore, type StoreFs } from '../src/core/runs/store';
import { SpendLedger } from '../src/core/spend/ledger';
import { ledgerGate } from '../src/core/spend/ledgerGate';
import { entriesOfStore } from '../src/core/spend/ledgerImport';
import { TaskWatcher } from '../src/core/watcher';

const CRASH_REQUEST = { prompt: 'a lighthouse at dusk', model: 'nano-banana-2', modelLabel: 'Nano Banana 2', resolution: '2K', aspectRatio: '16:9', n: 2, estimatedCredits: 4, currency: 'credits' };

/** How long the client waits at each instrumented point (the harness kills within it); 0 for undisturbed measurements. */
const PAUSE_MS = Number(process.env.CRASH_PAUSE_MS ?? 25);

const say = (line: string): void => void process.stdout.write(`${line}\n`);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The real file system, with a line and a pause at the points the harness kills at. */
const instrumented: StoreFs = {
  ...fsp,
  rename: (async (from: string, to: string) => {
    if (String(to).endsWith('result.json')) {
      say('@write');
      if (PAUSE_MS > 0) await sleep(PAUSE_MS);
    }
    return fsp.rename(from, to);
  }) as StoreFs['rename'],
  writeFile: (async (file: string, data: string, options?: { flag?: string }) => {
    await fsp.writeFile(file, data, options);
    if (options?.flag === 'wx' && String(file).endsWith('.lock')) {
      say('@lock');
      if (process.env.CRASH_DEBUG) say(`@where ${new Error().stack?.split('\n').slice(2, 12).map((l) => l.trim()).join(' | ')}`);
      if (PAUSE_MS > 0) await sleep(PAUSE_MS);
    }
  }) as StoreFs['writeFile'],
};

const logger: Logger = {
  trace: () => undefined,
  info: (m) => {
    const recorded = /recorded ([\d.]+) ms after the answer/.exec(m);
    if (recorded) say(`@recorded ${recorded[1]}`);
  },
  warn: () => undefined,
  error: (m) => say(`@error ${m}`),
};

async function main(): Promise<void> {
  const [mode, workspace, url, key, ledgerDir] = process.argv.slice(2);
  if ((mode !== 'submit' && mode !== 'resume') || !workspace || !url || !key || !ledgerDir) throw new Error('usage: crashClient.js submit|resume <workspace> <standInUrl> <key> <ledgerDir>');
  const store = new ArtifactStore(workspace, { fs: instrumented });
  const client = new CreatOkClient({ baseUrl: url, apiKey: () => key });
  const watcher = new TaskWatcher({ client, interval: () => 100 });
  // The spend ledger beside the workspace (a window's global storage), written through the same instrumented file system.
  const ledger = new SpendLedger(ledgerDir, { fs: instrumented });
  const runs = new RunService({ client: () => client, watcher, logger, leaseMs: 3000, observeMs: 100, gate: ledgerGate(ledger, () => ({ daily: 1000, monthly: 0 })) });
  const ended = new Promise<void>((resolve) => runs.onDidChange((e) => e.kind === 'ended' && resolve()));
  // As a window's start: the folder's older runs join the ledger once (this also breaks a dead window's ledger lock).
  await ledger.importOnce(workspace, () => entriesOfStore(store));
  if (mode === 'submit') {
    const result = await runs.submit(store, CRASH_REQUEST);
    if (result.kind === 'submitted') await ended;
    await runs.flushed();
    say(`@done ${result.kind}`);
  } else {
    const start = performance.now();
    const summary = await runs.resumeUnfinished([store]);
    do {
      await runs.flushed();
      await sleep(20);
    } while (runs.followed().length > 0);
    await runs.flushed();
    say(`@resumed ${JSON.stringify({ summary, ms: Math.round(performance.now() - start) })}`);
  }
  runs.dispose();
  watcher.dispose();
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    say(`@error ${error.message}`);
    process.exit(1);
  },
);
