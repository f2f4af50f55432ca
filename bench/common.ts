// Shared pieces of the benchmarks: a counting fetch, statistics, and printing.
import { defaultFetch, type FetchLike } from '../src/core/api/http';

export function countingFetch(counter: { status: number; other: number }): FetchLike {
  return (url, init) => {
    if (url.includes('/tasks/status')) counter.status++;
    else counter.other++;
    return defaultFetch(url, init);
  };
}

export function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export function table(rows: (string | number)[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows.map((r) => r.map((c, i) => String(c).padEnd(widths[i]!)).join('  ')).join('\n');
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
