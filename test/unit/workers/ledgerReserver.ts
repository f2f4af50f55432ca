// A second window for the ledger tests: reserves one run in the spend ledger under its lock.
// Args: ledgerDir runId credits dailyLimit startAtMs [crash]
//   prints `ok` or `refused <kind>`; with `crash`, it is killed (SIGKILL) right after a
//   successful reserve, before any answer: its entry stays `pending` with a dead pid.
import { SpendLedger } from '../../../src/core/spend/ledger';
import { THIS_HOST } from '../../../src/core/processes';

async function main(): Promise<void> {
  const [dir, runId, credits, limit, startAt, crash] = process.argv.slice(2);
  const ledger = new SpendLedger(dir!);
  // Every worker starts at the same moment: the race is on the lock, not on process start-up.
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAt) - Date.now())));
  const check = await ledger.reserve(
    { at: new Date().toISOString(), folder: '/workspace/b', runId: runId!, taskId: null, model: 'nano-banana-2', resolution: '1K', n: 1, credits: Number(credits), outcome: 'pending', pid: process.pid, host: THIS_HOST, source: 'submit' },
    { daily: Number(limit), monthly: 0 },
  );
  process.stdout.write(check.ok ? 'ok\n' : `refused ${check.kind}\n`);
  if (check.ok && crash === 'crash') process.kill(process.pid, 'SIGKILL');
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(error.stack ?? error.message);
    process.exit(1);
  },
);
