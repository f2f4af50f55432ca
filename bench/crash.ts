// The crash harness: child processes running the real core against the stand-in are SIGKILLed
// at five points, then a fresh process resumes, and what is on disk is judged. For each point:
// duplicate submissions, accepted tasks neither recorded nor `unconfirmed`, paid tasks the spend
// ledger does not count, succeeded runs without their images after the restart, leftover
// temp/lock/lease files, recovery time. Exits 1 when any of the first five is not 0.
//   node out/bench/crash.js [--kills N] [--only POINT]     (npm run crash; N per point, default 10)
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runRecordSchema } from '../src/core/runs/record';
import { isFinalStatus, lacksImages } from '../src/core/runs/runStatus';
import { ARTIFACTS_DIR } from '../src/core/runs/store';
import { SpendLedger } from '../src/core/spend/ledger';
import { countedCredits } from '../src/core/spend/ledgerEntries';
import { startStandIn, type StandIn, type StandInConfig } from '../test/standin/server';

const KEY = 'ok_crash_key';
const CLIENT = join(process.cwd(), 'out', 'bench', 'crashClient.js');
const kills = Number(process.argv[process.argv.indexOf('--kills') + 1]) || 10;

type Point = 'during submit' | 'right after the answer' | 'during a record write' | 'during a download' | 'holding a lock';

interface Outcome {
  killed: boolean;
  /** After the resume: runs with a task id that are not final, still marked, or whose listed image files are missing; a resume that hung. */
  unfinished: number;
  duplicates: number;
  lostTasks: number;
  withoutImages: number;
  leftovers: string[];
  unconfirmed: number;
  /** Tasks CreatOK created that the spend ledger does not count (must be 0). */
  uncounted: number;
  /** Ledger entries counted although nothing was sent (the window died between the ledger and the run folder). */
  overcounted: number;
  recoveryMs: number;
}

/** Spawns the client; `onLine` sees each line it prints and may kill it. Resolves with all lines and whether it was killed. */
function runClient(
  mode: 'submit' | 'resume',
  workspace: string,
  standIn: StandIn,
  onLine: (line: string, child: ChildProcess) => void = () => undefined,
  env: Record<string, string> = {},
): Promise<{ lines: string[]; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLIENT, mode, workspace, standIn.url, KEY, ledgerDirOf(workspace)], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
    const lines: string[] = [];
    let rest = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      rest += chunk.toString();
      let at: number;
      while ((at = rest.indexOf('\n')) >= 0) {
        const line = rest.slice(0, at);
        rest = rest.slice(at + 1);
        lines.push(line);
        onLine(line, child);
      }
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      resolve({ lines, killed: signal === 'SIGKILL' });
    });
  });
}

/** Where the client keeps a workspace's spend ledger (a window's global storage). */
const ledgerDirOf = (workspace: string): string => `${workspace}-ledger`;

/** Every leftover temp, lock or lease file under the artifacts folder and in the ledger's folder. */
function leftovers(workspace: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(part|tmp)$|^\.lock|^\.lease$/.test(entry.name)) found.push(full.slice(workspace.length + 1));
    }
  };
  const root = join(workspace, ARTIFACTS_DIR);
  if (existsSync(root)) walk(root);
  const ledgerDir = ledgerDirOf(workspace);
  if (existsSync(ledgerDir)) found.push(...readdirSync(ledgerDir).filter((n) => /\.(tmp|lock)$|\.lock\.stale-/.test(n)).map((n) => `ledger/${n}`));
  return found;
}

function records(workspace: string): ReturnType<typeof runRecordSchema.parse>[] {
  const root = join(workspace, ARTIFACTS_DIR);
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .map((run) => join(root, run, 'outputs', 'result.json'))
    .filter((file) => existsSync(file))
    .map((file) => runRecordSchema.parse(JSON.parse(readFileSync(file, 'utf8'))));
}

/** Counts the client's instrumented events in undisturbed runs (to draw kill moments from), without pauses: also the answer-to-record time. */
async function calibrate(standIn: StandIn): Promise<{ writes: number; locks: number; recordedMs: number[] }> {
  const counts = { writes: [] as number[], locks: [] as number[], recordedMs: [] as number[] };
  for (let i = 0; i < 5; i++) {
    standIn.reset();
    const workspace = mkdtempSync(join(tmpdir(), 'creatok-crash-'));
    const { lines } = await runClient('submit', workspace, standIn, undefined, { CRASH_PAUSE_MS: '0' });
    counts.writes.push(lines.filter((l) => l === '@write').length);
    counts.locks.push(lines.filter((l) => l === '@lock').length);
    for (const l of lines) if (l.startsWith('@recorded ')) counts.recordedMs.push(Number(l.slice(10)));
    rmSync(workspace, { recursive: true, force: true });
    rmSync(ledgerDirOf(workspace), { recursive: true, force: true });
  }
  return { writes: Math.min(...counts.writes), locks: Math.min(...counts.locks), recordedMs: counts.recordedMs };
}

/** The ledger against what CreatOK created: each created task counted once; counted entries beyond them. */
async function ledgerJudgement(workspace: string, created: number): Promise<{ uncounted: number; overcounted: number }> {
  const read = await new SpendLedger(ledgerDirOf(workspace)).read();
  if (read.problem) return { uncounted: created, overcounted: 0 };
  const counted = read.entries.filter((e) => countedCredits(e) > 0).length;
  return { uncounted: Math.max(0, created - counted), overcounted: Math.max(0, counted - created) };
}

const pick = (n: number): number => 1 + Math.floor(Math.random() * n);

async function crashOnce(standIn: StandIn, point: Point, calibration: { writes: number; locks: number }): Promise<Outcome> {
  standIn.reset();
  const slow: Partial<StandInConfig> =
    point === 'during submit' ? { submitAnswerDelayMs: 400 } : point === 'during a download' ? { imageBytes: 200_000, imageBytesPerSecond: 400_000 } : {};
  standIn.configure(slow);
  const workspace = mkdtempSync(join(tmpdir(), 'creatok-crash-'));
  // Known from the child's first line (its first record write comes before any request).
  let target: ChildProcess | undefined;
  const killLater = (ms: number): void => void setTimeout(() => target?.kill('SIGKILL'), ms);
  const stop = standIn.onRequest((record, phase) => {
    if (!target) return;
    if (point === 'during submit' && record.endpoint === 'submit' && phase === 'received') killLater(Math.random() * 300);
    if (point === 'right after the answer' && record.endpoint === 'submit' && phase === 'answered') {
      // At once, or up to 200 ms later: before and after the task id is on disk.
      if (Math.random() < 0.3) target.kill('SIGKILL');
      else killLater(Math.random() * 200);
    }
    if (point === 'during a download' && record.endpoint === 'image' && phase === 'answered') killLater(50 + Math.random() * 300);
  });
  // Any event, the last ones included (a run with fewer events than drawn is not killed, and tried again).
  const nth = point === 'during a record write' ? pick(calibration.writes) : point === 'holding a lock' ? pick(calibration.locks) : 0;
  let seen = 0;
  let lastWhere = '';
  const first = await runClient('submit', workspace, standIn, (line, child) => {
    target = child;
    if (line.startsWith('@where ')) lastWhere = line;
    if ((point === 'during a record write' && line === '@write') || (point === 'holding a lock' && line === '@lock')) {
      if (++seen === nth) child.kill('SIGKILL');
    }
  });
  stop();
  standIn.configure({ submitAnswerDelayMs: 0, imageBytesPerSecond: null });
  const second = await runClient('resume', workspace, standIn);
  const resumed = second.lines.find((l) => l.startsWith('@resumed '));
  const recoveryMs = resumed ? (JSON.parse(resumed.slice(9)) as { ms: number }).ms : NaN;

  const created = standIn.tasks().filter((t) => t.source === 'api');
  const runs = records(workspace);
  const root = join(workspace, ARTIFACTS_DIR);
  const unfinished = runs.filter((r) => {
    if (!r.task_id) return false;
    const outputs = join(root, r.run_id, 'outputs');
    const filesMissing = (r.local_images ?? []).some((f) => f !== null && !existsSync(join(outputs, f)));
    return !isFinalStatus(r.status) || existsSync(join(outputs, '.in-progress')) || filesMissing;
  }).length;
  const outcome: Outcome = {
    killed: first.killed,
    unfinished: unfinished + (second.killed || !resumed ? 1 : 0),
    duplicates: Math.max(0, created.length - 1),
    lostTasks: created.filter((t) => !runs.some((r) => r.task_id === t.taskId) && !runs.some((r) => r.status === 'unconfirmed')).length,
    withoutImages: runs.filter((r) => lacksImages(r)).length,
    leftovers: leftovers(workspace),
    unconfirmed: runs.filter((r) => r.status === 'unconfirmed').length,
    ...(await ledgerJudgement(workspace, created.length)),
    recoveryMs,
  };
  if (process.env.CRASH_DEBUG && outcome.leftovers.length > 0) console.log(`  killed at ${point} #${nth}: ${lastWhere}\n  resume said: ${second.lines.join(' / ')}`);
  rmSync(workspace, { recursive: true, force: true });
  rmSync(ledgerDirOf(workspace), { recursive: true, force: true });
  return outcome;
}

async function main(): Promise<void> {
  const standIn = await startStandIn({ apiKey: KEY, queuedMs: 50, taskMs: 400 });
  try {
    const calibration = await calibrate(standIn);
    const sorted = [...calibration.recordedMs].sort((a, b) => a - b);
    console.log(`crash harness: ${kills} kills per point; an undisturbed run has ${calibration.writes} record writes and ${calibration.locks} locks`);
    console.log(`time from CreatOK's answer to the durable record (task id in result.json): median ${sorted[Math.floor(sorted.length / 2)]?.toFixed(1)} ms, max ${sorted[sorted.length - 1]?.toFixed(1)} ms`);
    const only = process.argv.indexOf('--only');
    const points = (['during submit', 'right after the answer', 'during a record write', 'during a download', 'holding a lock'] as Point[]).filter((p) => only < 0 || p === process.argv[only + 1]);
    const rows: string[][] = [['point', 'killed', 'duplicate submissions', 'accepted tasks lost', 'succeeded without images', 'unfinished after restart', 'leftovers', 'unconfirmed', 'paid tasks not in the ledger', 'counted, never sent', 'recovery ms (median / max)']];
    let failed = false;
    for (const point of points) {
      const outcomes: Outcome[] = [];
      // Until `kills` runs were killed at this point (a draw past a run's last event kills nothing).
      for (let attempt = 0; outcomes.filter((o) => o.killed).length < kills && attempt < kills * 3; attempt++) {
        const outcome = await crashOnce(standIn, point, calibration);
        if (outcome.killed || outcome.unfinished > 0 || outcome.leftovers.length > 0) outcomes.push(outcome);
      }
      const sum = (f: (o: Outcome) => number): number => outcomes.reduce((s, o) => s + f(o), 0);
      const times = outcomes.map((o) => o.recoveryMs).sort((a, b) => a - b);
      const left = outcomes.flatMap((o) => o.leftovers);
      const row = [
        point,
        `${sum((o) => (o.killed ? 1 : 0))}/${kills}`,
        String(sum((o) => o.duplicates)),
        String(sum((o) => o.lostTasks)),
        String(sum((o) => o.withoutImages)),
        String(sum((o) => o.unfinished)),
        String(left.length),
        String(sum((o) => o.unconfirmed)),
        String(sum((o) => o.uncounted)),
        String(sum((o) => o.overcounted)),
        `${times[Math.floor(times.length / 2)]} / ${times[times.length - 1]}`,
      ];
      rows.push(row);
      const bad = sum((o) => o.duplicates) + sum((o) => o.lostTasks) + sum((o) => o.uncounted) + sum((o) => o.withoutImages) + sum((o) => o.unfinished) + left.length;
      if (bad > 0 || sum((o) => (o.killed ? 1 : 0)) < kills) failed = true;
      if (left.length > 0) console.log(`  leftovers after "${point}": ${left.slice(0, 5).join(', ')}`);
    }
    const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
    for (const r of rows) console.log(r.map((cell, c) => cell.padEnd(widths[c]!)).join('  '));
    console.log(failed ? 'crash harness: FAILED (every count must be 0, and each point killed as often as asked)' : 'crash harness: every point 0 duplicates, 0 lost, 0 paid tasks missing from the ledger, 0 without images, 0 unfinished, 0 leftovers');
    process.exitCode = failed ? 1 : 0;
  } finally {
    await standIn.close();
  }
}

void main();
