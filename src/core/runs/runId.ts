// Run ids: sortable by time, unique, safe as a folder name on every OS.
import { randomBytes } from 'node:crypto';

// Ten random characters (50 bits), so ids made in the same millisecond (two windows, a burst of
// runs) never meet; ids of earlier versions had six, and are still read.
const RUN_ID_PATTERN = /^\d{8}-\d{6}-\d{3}-[a-z0-9]{6}(?:[a-z0-9]{4})?$/;
/** 32 letters: each random byte gives 5 unbiased bits. */
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

export function newRunId(now: Date = new Date(), random: () => Buffer = () => randomBytes(10)): string {
  const p = (v: number, width = 2): string => String(v).padStart(width, '0');
  const stamp = `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}-${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}-${p(now.getUTCMilliseconds(), 3)}`;
  const suffix = Array.from(random().subarray(0, 10), (b) => ALPHABET[b & 31]).join('');
  return `${stamp}-${suffix}`;
}

export function isRunId(value: string): boolean {
  return RUN_ID_PATTERN.test(value);
}
