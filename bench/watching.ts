// Benchmark 1, watching economy: 40 tasks with run times spread from 5 s to 90 s, watched at
// the same time by the extension's TaskWatcher and by a baseline that polls every 3 s (what
// the CreatOK skill's own client does). Prints detection latency (from the moment the
// stand-in finished a task to the moment the watcher recorded it) and status requests per task.
import { CreatOkClient } from '../src/core/api/client';
import { isTerminalStatus } from '../src/core/api/schemas';
import { TaskWatcher } from '../src/core/watcher';
import { startStandIn } from '../test/standin/server';
import { countingFetch, mean, percentile, sleep, table } from './common';

const KEY = 'ok_bench_key';
const TASKS = Number(process.env.BENCH_TASKS ?? 40);
const MIN_MS = 5_000;
const MAX_MS = 90_000;

async function main(): Promise<void> {
  const standIn = await startStandIn({ apiKey: KEY, queuedMs: 1000 });
  const durations = Array.from({ length: TASKS }, (_, i) => Math.round(MIN_MS + (i * (MAX_MS - MIN_MS)) / Math.max(1, TASKS - 1)));
  const ids = durations.map((taskMs, i) =>
    standIn.createTask({ prompt: `bench ${i}`, model: 'nano-banana-2', resolution: '2K', n: 1, taskMs, queuedMs: Math.min(1000, taskMs / 2) }),
  );
  const finishedAt = new Map(standIn.tasks().map((t) => [t.taskId, t.finishedAt]));

  // The extension's watcher: one scheduler for all tasks.
  const ours = { status: 0, other: 0 };
  const ourSeen = new Map<string, number>();
  const client = new CreatOkClient({ baseUrl: standIn.url, apiKey: () => KEY, fetch: countingFetch(ours) });
  const watcher = new TaskWatcher({ client });
  const oursDone = new Promise<void>((resolve) =>
    watcher.onEvent((e) => {
      if (e.type === 'status' && isTerminalStatus(e.status.status) && !ourSeen.has(e.taskId)) ourSeen.set(e.taskId, Date.now());
      if (ourSeen.size === ids.length) resolve();
    }),
  );
  for (const id of ids) watcher.watch(id);

  // The baseline: every 3 s per task until terminal.
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
  const started = Date.now();
  await Promise.all([oursDone, baseline]);
  watcher.dispose();
  await standIn.close();

  const latency = (seen: Map<string, number>): number[] => ids.map((id) => seen.get(id)! - finishedAt.get(id)!);
  const ourLatency = latency(ourSeen);
  const baseLatency = latency(baseSeen);
  console.log(`watching economy: ${TASKS} tasks, run times ${MIN_MS / 1000}–${MAX_MS / 1000} s, wall time ${((Date.now() - started) / 1000).toFixed(0)} s`);
  console.log(
    table([
      ['watcher', 'mean latency ms', 'p95 latency ms', 'status requests/task'],
      ['extension (adaptive)', mean(ourLatency).toFixed(0), percentile(ourLatency, 95).toFixed(0), (ours.status / TASKS).toFixed(1)],
      ['baseline (every 3 s)', mean(baseLatency).toFixed(0), percentile(baseLatency, 95).toFixed(0), (base.status / TASKS).toFixed(1)],
    ]),
  );
  const latencyOk = mean(ourLatency) <= mean(baseLatency) / 2;
  const requestsOk = ours.status <= base.status;
  console.log(`target: mean latency <= half the baseline's: ${latencyOk ? 'met' : 'NOT met'}; requests <= baseline: ${requestsOk ? 'met' : 'NOT met'}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
