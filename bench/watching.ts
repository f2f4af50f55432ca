// Benchmark 1, watching economy against the skill's own client (a status read every 3 s), in
// three cases run side by side, each with its own stand-in:
//   a. the stand-in reports `progress` (not promised by the contract);
//   b. no `progress` and no history (the contract's leanest answer, a first run);
//   c. no `progress`, with a history of similar runs off by up to ±30 %.
// For each: detection latency (from the moment the stand-in finished a task to the moment the
// watcher saw it) and status reads, ours / 3 s polling, with the targets.
import { CreatOkClient } from '../src/core/api/client';
import { isTerminalStatus } from '../src/core/api/schemas';
import { TaskWatcher } from '../src/core/watcher';
import { startStandIn } from '../test/standin/server';
import { countingFetch, mean, sleep, table } from './common';

const KEY = 'ok_bench_key';
const TASKS = Number(process.env.BENCH_TASKS ?? 10);
const MIN_MS = 6_500;
const MAX_MS = 61_500;

interface CaseResult {
  name: string;
  latencyRatio: number;
  readsRatio: number;
  ours: { latency: number; reads: number };
  base: { latency: number; reads: number };
  target: string;
  met: boolean;
}

async function runCase(name: string, options: { progress: boolean; historyError?: number; seed: number }): Promise<Omit<CaseResult, 'target' | 'met'>> {
  const standIn = await startStandIn({ apiKey: KEY, queuedMs: 1000, omitProgress: !options.progress });
  const durations = Array.from({ length: TASKS }, (_, i) => Math.round(MIN_MS + (i * (MAX_MS - MIN_MS)) / Math.max(1, TASKS - 1)));
  const ids = durations.map((taskMs, i) => standIn.createTask({ prompt: `bench ${i}`, model: 'nano-banana-2', resolution: '2K', n: 1, taskMs, queuedMs: 1000 }));
  const finishedAt = new Map(standIn.tasks().map((t) => [t.taskId, t.finishedAt]));
  let seed = options.seed;
  const random = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647);

  const ours = { status: 0, other: 0 };
  const ourSeen = new Map<string, number>();
  const watcher = new TaskWatcher({ client: new CreatOkClient({ baseUrl: standIn.url, apiKey: () => KEY, fetch: countingFetch(ours) }) });
  const oursDone = new Promise<void>((resolve) =>
    watcher.onEvent((e) => {
      if (e.type === 'status' && isTerminalStatus(e.status.status) && !ourSeen.has(e.taskId)) ourSeen.set(e.taskId, Date.now());
      if (ourSeen.size === ids.length) resolve();
    }),
  );
  ids.forEach((id, i) => {
    const error = options.historyError === undefined ? undefined : 1 + (random() * 2 - 1) * options.historyError;
    watcher.watch(id, error === undefined ? {} : { expectedMs: durations[i]! * error });
  });

  const base = { status: 0, other: 0 };
  const baseSeen = new Map<string, number>();
  const baseClient = new CreatOkClient({ baseUrl: standIn.url, apiKey: () => KEY, fetch: countingFetch(base) });
  const baseline = Promise.all(
    ids.map(async (id) => {
      for (;;) {
        const { status } = await baseClient.getTaskStatus(id);
        if (isTerminalStatus(status.status)) return baseSeen.set(id, Date.now());
        await sleep(3000);
      }
    }),
  );
  await Promise.all([oursDone, baseline]);
  watcher.dispose();
  await standIn.close();
  const latency = (seen: Map<string, number>): number => mean(ids.map((id) => seen.get(id)! - finishedAt.get(id)!));
  const result = { ours: { latency: latency(ourSeen), reads: ours.status / TASKS }, base: { latency: latency(baseSeen), reads: base.status / TASKS } };
  return { name, ...result, latencyRatio: result.ours.latency / result.base.latency, readsRatio: result.ours.reads / result.base.reads };
}

async function main(): Promise<void> {
  const started = Date.now();
  const [withProgress, blind, history] = await Promise.all([
    runCase('a. progress reported', { progress: true, seed: 1 }),
    runCase('b. no progress, no history', { progress: false, seed: 2 }),
    runCase('c. no progress, history ±30 %', { progress: false, historyError: 0.3, seed: 3 }),
  ]);
  const results: CaseResult[] = [
    { ...withProgress, target: 'latency <= 0.5x', met: withProgress.latencyRatio <= 0.5 },
    { ...blind, target: 'latency <= 1x and reads <= 1x', met: blind.latencyRatio <= 1.02 && blind.readsRatio <= 1.0 },
    { ...history, target: 'latency <= 0.75x, reads <= 1x', met: history.latencyRatio <= 0.75 && history.readsRatio <= 1.0 },
  ];
  console.log(`watching economy: ${TASKS} tasks of ${MIN_MS / 1000}–${MAX_MS / 1000} s per case, three cases side by side, wall time ${((Date.now() - started) / 1000).toFixed(0)} s`);
  console.log(
    table([
      ['case', 'mean latency ms (ours / 3 s)', 'latency ratio', 'reads/task (ours / 3 s)', 'reads ratio', 'target', 'met'],
      ...results.map((r) => [
        r.name,
        `${r.ours.latency.toFixed(0)} / ${r.base.latency.toFixed(0)}`,
        `${r.latencyRatio.toFixed(2)}x`,
        `${r.ours.reads.toFixed(1)} / ${r.base.reads.toFixed(1)}`,
        `${r.readsRatio.toFixed(2)}x`,
        r.target,
        r.met ? 'met' : 'NOT met',
      ]),
    ]),
  );
  console.log('(b: the same fixed 3 s interval as the baseline; a 2 % tolerance on latency covers request jitter)');
  if (results.some((r) => !r.met)) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
