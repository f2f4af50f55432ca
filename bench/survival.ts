// Benchmark 2, survival: 50 runs through the extension's own path (RunService.submit → follow →
// TaskWatcher → result.json) while 30 % of all read answers are faulty: 500, an HTML 502,
// 503 and 429 with Retry-After, malformed JSON, a non-zero code, a connection reset, and a
// hang past the client's timeout. Prints completed / failed / lost / duplicate submissions.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreatOkClient } from '../src/core/api/client';
import { RunService } from '../src/core/runs/runService';
import { ArtifactStore } from '../src/core/runs/store';
import { TaskWatcher } from '../src/core/watcher';
import { startStandIn, type FaultRule } from '../test/standin/server';
import { table } from './common';

const KEY = 'ok_bench_key';
const RUNS = Number(process.env.BENCH_RUNS ?? 50);
const FAULT_RATE = 0.3;
const KINDS: Omit<FaultRule, 'endpoint'>[] = [
  { kind: 'http500' },
  { kind: 'html502' },
  { kind: 'http503', retryAfter: '1' },
  { kind: 'http429', retryAfter: '1' },
  { kind: 'malformedJson' },
  { kind: 'apiError' },
  { kind: 'reset' },
  { kind: 'hang' },
];

/** First-match rules whose probabilities add up to FAULT_RATE, spread evenly over the kinds. */
function faultRules(endpoint: FaultRule['endpoint']): FaultRule[] {
  const each = FAULT_RATE / KINDS.length;
  return KINDS.map((k, i) => ({ ...k, endpoint, probability: each / (1 - i * each) }));
}

async function main(): Promise<void> {
  const standIn = await startStandIn({ apiKey: KEY, queuedMs: 500, taskMs: 3000, seed: 42 });
  standIn.configure({ faults: [...faultRules('status'), ...faultRules('capabilities')] });
  const dir = mkdtempSync(join(tmpdir(), 'creatok-survival-'));
  const store = new ArtifactStore(dir);
  const client = new CreatOkClient({ baseUrl: standIn.url, apiKey: () => KEY, timeoutMs: 1500 });
  const watcher = new TaskWatcher({ client, budgetMs: 5 * 60_000 });
  const runs = new RunService({ client: () => client, watcher });
  const request = { prompt: 'survival', model: 'nano-banana-2', modelLabel: 'Nano Banana 2', resolution: '2K', aspectRatio: '1:1', n: 1, estimatedCredits: 2, currency: 'credits' };
  const ended = new Map<string, string>();
  let troubles = 0;
  runs.onDidChange((e) => {
    if (e.kind === 'trouble') troubles++;
    if (e.kind === 'ended') ended.set(e.run.record.run_id, e.reason);
  });

  const started = Date.now();
  const capabilities = await client.getCapabilities().then(() => 'read', (e: Error) => `failed: ${e.message}`);
  // Each accepted submit is followed by the run service at once.
  const outcomes = await Promise.all(Array.from({ length: RUNS }, () => runs.submit(store, request)));
  const runIds = outcomes.flatMap((o) => ('run' in o ? [o.run.record.run_id] : []));
  while (ended.size < outcomes.filter((o) => o.kind === 'submitted').length && Date.now() - started < 6 * 60_000) await new Promise((r) => setTimeout(r, 200));
  await runs.flushed();
  runs.dispose();
  watcher.dispose();

  let completed = 0;
  let failed = 0;
  let lost = 0;
  for (const id of runIds) {
    const r = await store.read(id);
    if (r.ok && r.record.status === 'succeeded' && r.record.images.length === 1) completed++;
    else if (r.ok && (r.record.status === 'failed' || r.record.status === 'submit_failed')) failed++;
    else lost++;
  }
  const accepted = standIn.acceptedSubmissions();
  const keys = new Set(accepted.map((s) => s.idempotencyKey));
  const duplicates = accepted.length - RUNS + (RUNS - keys.size);
  const statusRequests = standIn.requests().filter((r) => r.endpoint === 'status');
  const faulted = statusRequests.filter((r) => r.fault).length;
  await standIn.close();
  rmSync(dir, { recursive: true, force: true });

  console.log(`survival: ${RUNS} runs, ${(FAULT_RATE * 100).toFixed(0)} % of read answers faulty (capabilities ${capabilities}); wall time ${((Date.now() - started) / 1000).toFixed(0)} s`);
  console.log(`status requests: ${statusRequests.length}, faulty: ${faulted} (${((faulted / statusRequests.length) * 100).toFixed(0)} %), transient troubles reported: ${troubles}`);
  console.log(table([['completed', 'failed', 'lost', 'duplicate submissions'], [completed, failed, lost, duplicates]]));
  const met = completed === RUNS && lost === 0 && duplicates === 0;
  console.log(`target: ${RUNS} completed, 0 lost, 0 duplicates: ${met ? 'met' : 'NOT met'}`);
  if (!met) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
