// What the spend ledger holds, as data and pure functions: one entry per paid submit (or per
// run imported from an older run folder), what each outcome counts, today's and this month's
// spend by the local calendar, and whether a request fits the user's limits.
import * as z from 'zod/mini';
import { isProcessAlive, THIS_HOST } from '../processes';

/**
 * - pending: written under the ledger's lock before the request leaves; counts (it may be charged)
 * - accepted: CreatOK answered with a task id; counts (a failed task too, until CreatOK says otherwise)
 * - refused: CreatOK answered with an error: nothing was charged
 * - unconfirmed: the answer was lost (or the window died while sending); counts
 * - notSent: the run folder could not be written, so the request never left; does not count
 */
export const OUTCOMES = ['pending', 'accepted', 'refused', 'unconfirmed', 'notSent'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const ledgerEntrySchema = z.object({
  /** When the submit was made (ISO), or the imported run was created. */
  at: z.string().check(z.minLength(1), z.maxLength(40)),
  /** The workspace folder of the run (its path on this machine). */
  folder: z.string().check(z.maxLength(4096)),
  runId: z.string().check(z.minLength(1), z.maxLength(200)),
  taskId: z.nullable(z.string().check(z.maxLength(200))),
  model: z.string().check(z.maxLength(200)),
  resolution: z.string().check(z.maxLength(40)),
  n: z.int().check(z.positive(), z.maximum(1000)),
  /** CreatOK's estimate when the request was confirmed; null when the price list was unknown. */
  credits: z.nullable(z.number().check(z.nonnegative(), z.maximum(1_000_000))),
  outcome: z.enum(OUTCOMES),
  /** The start of the prompt, for the spending view. */
  prompt: z.optional(z.string().check(z.maxLength(200))),
  /** Who wrote a pending entry: a pending entry whose process is gone became `unconfirmed`. */
  pid: z.optional(z.int()),
  host: z.optional(z.string().check(z.maxLength(300))),
  /** `import`: read from an older run folder when the ledger began. */
  source: z.optional(z.enum(['submit', 'import'])),
});
export type LedgerEntry = z.infer<typeof ledgerEntrySchema>;

/** How long a pending entry of another machine (whose process cannot be checked) stays pending. */
export const FOREIGN_PENDING_MS = 15 * 60_000;

/** The entry as it stands now: pending whose writer is gone is unconfirmed. */
export function currentOutcome(entry: LedgerEntry, now: Date = new Date()): Outcome {
  if (entry.outcome !== 'pending') return entry.outcome;
  const host = entry.host ?? THIS_HOST;
  if (host === THIS_HOST) return entry.pid !== undefined && !isProcessAlive(entry.pid, host) ? 'unconfirmed' : 'pending';
  return now.getTime() - Date.parse(entry.at) > FOREIGN_PENDING_MS ? 'unconfirmed' : 'pending';
}

/** Whether an outcome is counted as spent: everything CreatOK may have charged. */
export function outcomeCounts(outcome: Outcome): boolean {
  return outcome === 'pending' || outcome === 'accepted' || outcome === 'unconfirmed';
}

/** The credits an entry counts now (0 when it does not count, or its price is unknown). */
export function countedCredits(entry: LedgerEntry, now: Date = new Date()): number {
  return outcomeCounts(currentOutcome(entry, now)) ? (entry.credits ?? 0) : 0;
}

/** A local calendar day `YYYY-MM-DD` and month `YYYY-MM` of a moment, in this process's time zone. */
export function localDay(at: Date): string {
  return `${localMonth(at)}-${String(at.getDate()).padStart(2, '0')}`;
}
export function localMonth(at: Date): string {
  return `${at.getFullYear()}-${String(at.getMonth() + 1).padStart(2, '0')}`;
}

export interface Spend {
  today: number;
  month: number;
}

/** The estimated credits spent today and this month, by the local calendar. */
export function spendOf(entries: readonly LedgerEntry[], now: Date = new Date()): Spend {
  const day = localDay(now);
  const month = localMonth(now);
  let spent: Spend = { today: 0, month: 0 };
  for (const entry of entries) {
    const at = new Date(entry.at);
    if (Number.isNaN(at.getTime())) continue;
    const credits = countedCredits(entry, now);
    if (credits === 0 || localMonth(at) !== month) continue;
    spent = { today: spent.today + (localDay(at) === day ? credits : 0), month: spent.month + credits };
  }
  return spent;
}

export interface SpendLimits {
  /** creatok.dailyCreditLimit; 0 = none. */
  daily: number;
  /** creatok.monthlyCreditLimit; 0 = none. */
  monthly: number;
}

export type LimitCheck =
  | { ok: true; spend: Spend }
  /** `unknownCost`: a limit is set and the request's price is not known, so it cannot be kept. */
  | { ok: false; kind: 'daily' | 'monthly' | 'unknownCost'; limit: number; spend: Spend; credits: number | null };

/** Whether a request of `credits` fits both limits, given what the ledger counts now. */
export function checkLimits(spend: Spend, limits: SpendLimits, credits: number | null): LimitCheck {
  const daily = limits.daily > 0 ? limits.daily : 0;
  const monthly = limits.monthly > 0 ? limits.monthly : 0;
  if (daily === 0 && monthly === 0) return { ok: true, spend };
  if (credits === null) return { ok: false, kind: 'unknownCost', limit: daily || monthly, spend, credits };
  if (daily > 0 && spend.today + credits > daily) return { ok: false, kind: 'daily', limit: daily, spend, credits };
  if (monthly > 0 && spend.month + credits > monthly) return { ok: false, kind: 'monthly', limit: monthly, spend, credits };
  return { ok: true, spend };
}

/** The same run in the ledger: one entry per workspace folder and run id. */
export const entryKey = (entry: Pick<LedgerEntry, 'folder' | 'runId'>): string => `${entry.folder}\u0000${entry.runId}`;
