// Run ids: sortable by time, unique, safe as a folder name on every OS.
import { randomBytes } from 'node:crypto';

const RUN_ID_PATTERN = /^\d{8}-\d{6}-\d{3}-[a-z0-9]{6}$/;

export function newRunId(now: Date = new Date(), random: () => Buffer = () => randomBytes(6)): string {
  const p = (v: number, width = 2): string => String(v).padStart(width, '0');
  const stamp = `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}-${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}-${p(now.getUTCMilliseconds(), 3)}`;
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const suffix = Array.from(random().subarray(0, 6), (b) => alphabet[b % alphabet.length]).join('');
  return `${stamp}-${suffix}`;
}

export function isRunId(value: string): boolean {
  return RUN_ID_PATTERN.test(value);
}
