// Benchmark 3, downloads: 4 images of about 24 MB each, fetched in parallel by the extension's
// downloader and by `curl --parallel` in the same run (the stand-in runs in its own process).
// Prints wall times and the downloader's peak memory growth (RSS) in this process.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { downloadImage } from '../src/core/download';
import { REPO_ROOT } from '../test/e2e/harness/paths';
import { sleep, table } from './common';

const KEY = 'ok_bench_key';
const IMAGE_BYTES = 24 * 1024 * 1024;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

async function startStandInProcess(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'out', 'test', 'standin', 'main.js'), '--key', KEY, '--image-bytes', String(IMAGE_BYTES), '--task-ms', '300', '--queued-ms', '100'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (d: Buffer) => {
      text += d.toString();
      const match = /STANDIN_URL=(\S+)/.exec(text);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`stand-in exited ${code}`)));
  });
  return { url, child };
}

async function imageUrls(url: string): Promise<string[]> {
  const created = (await (await fetch(`${url}/__standin/tasks`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ prompt: 'big', model: 'nano-banana-2', resolution: '4K', n: 4 }) })).json()) as { task_id: string };
  for (;;) {
    const answer = (await (await fetch(`${url}/api/open/skills/tasks/status?task_id=${created.task_id}&task_type=image_generation`, { headers: { Authorization: `Bearer ${KEY}` } })).json()) as {
      data: { status: string; result?: { images: { url: string }[] } };
    };
    if (answer.data.status === 'succeeded') return answer.data.result!.images.map((i) => i.url);
    await sleep(100);
  }
}

async function ours(urls: string[], dir: string): Promise<{ ms: number; peakGrowth: number; bytes: number }> {
  global.gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  const started = performance.now();
  const results = await Promise.all(urls.map((u, i) => downloadImage(u, dir, `image_${i + 1}`)));
  const ms = performance.now() - started;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  return { ms, peakGrowth: peak - baseline, bytes: results.reduce((a, r) => a + r.bytes, 0) };
}

function curl(urls: string[], dir: string): number {
  const args = ['--parallel', '--parallel-max', String(urls.length), '--silent', '--show-error', '--fail'];
  urls.forEach((u, i) => args.push('-o', join(dir, `curl_${i + 1}.png`), u));
  const started = performance.now();
  const result = spawnSync('curl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  if (result.status !== 0) throw new Error(`curl exited ${result.status}: ${result.stderr.toString()}`);
  return performance.now() - started;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);

async function main(): Promise<void> {
  const { url, child } = await startStandInProcess();
  const dir = mkdtempSync(join(tmpdir(), 'creatok-dl-bench-'));
  try {
    const urls = await imageUrls(url);
    await ours(urls, join(dir, 'warmup')); // the stand-in generates and caches its images on first use
    const oursMs: number[] = [];
    const curlMs: number[] = [];
    let peakGrowth = 0;
    let bytes = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const o = await ours(urls, join(dir, `ours-${round}`));
      oursMs.push(o.ms);
      peakGrowth = Math.max(peakGrowth, o.peakGrowth);
      bytes = o.bytes;
      curlMs.push(curl(urls, dir));
    }
    const ratio = median(oursMs) / median(curlMs);
    console.log(`downloads: 4 images, ${mb(bytes)} MB in all, ${ROUNDS} rounds (median)`);
    console.log(
      table([
        ['client', 'wall time ms', 'peak RSS growth MB'],
        ['extension downloader', median(oursMs).toFixed(0), mb(peakGrowth)],
        ['curl --parallel', median(curlMs).toFixed(0), '-'],
      ]),
    );
    const met = ratio <= 1.25 && peakGrowth < 32 * 1024 * 1024;
    console.log(`time ratio ${ratio.toFixed(2)} × curl; target <= 1.25 × and < 32 MB growth: ${met ? 'met' : 'NOT met'}`);
    if (!met) process.exitCode = 1;
  } finally {
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
