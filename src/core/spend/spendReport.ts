// The spending view's figures and the CSV export, as pure functions of the ledger's entries:
// per local day for the last 30 days (with the runs behind each day), per local month, and
// each by model and by workspace folder. Only what counts is summed (see ledgerEntries).
import { countedCredits, currentOutcome, localDay, localMonth, outcomeCounts, type LedgerEntry, type Outcome } from './ledgerEntries';

export interface SpendGroup {
  /** `YYYY-MM-DD`, `YYYY-MM`, a model id or a folder path. */
  key: string;
  credits: number;
  /** Runs that count. */
  runs: number;
  /** Runs whose price was not known (counted with 0 credits). */
  unpriced: number;
}

export interface SpendPeriod extends SpendGroup {
  byModel: SpendGroup[];
  byFolder: SpendGroup[];
  /** Every entry of the period, counted or not, newest first. */
  entries: LedgerEntry[];
}

function group(entries: readonly LedgerEntry[], keyOf: (e: LedgerEntry) => string, now: Date): SpendGroup[] {
  const groups = new Map<string, SpendGroup>();
  for (const entry of entries) {
    const key = keyOf(entry);
    const g = groups.get(key) ?? { key, credits: 0, runs: 0, unpriced: 0 };
    const counted = outcomeCounts(currentOutcome(entry, now));
    groups.set(key, {
      key,
      credits: g.credits + countedCredits(entry, now),
      runs: g.runs + (counted ? 1 : 0),
      unpriced: g.unpriced + (counted && entry.credits === null ? 1 : 0),
    });
  }
  return [...groups.values()];
}


function periods(entries: readonly LedgerEntry[], keyOf: (at: Date) => string, keys: string[], now: Date): SpendPeriod[] {
  const within = new Set(keys);
  const byKey = new Map<string, LedgerEntry[]>();
  for (const entry of entries) {
    const at = new Date(entry.at);
    if (Number.isNaN(at.getTime())) continue;
    const key = keyOf(at);
    if (!within.has(key)) continue;
    const list = byKey.get(key);
    if (list) list.push(entry);
    else byKey.set(key, [entry]);
  }
  return keys.flatMap((key) => {
    const list = (byKey.get(key) ?? []).sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
    if (list.length === 0) return [];
    const [total] = group(list, () => key, now);
    const byCredits = (a: SpendGroup, b: SpendGroup): number => b.credits - a.credits || a.key.localeCompare(b.key);
    return [{ ...total!, byModel: group(list, (e) => e.model, now).sort(byCredits), byFolder: group(list, (e) => e.folder, now).sort(byCredits), entries: list }];
  });
}

/** The last `days` local days that have entries, newest first. */
export function dailySpend(entries: readonly LedgerEntry[], now: Date = new Date(), days = 30): SpendPeriod[] {
  const keys = Array.from({ length: days }, (_, i) => localDay(new Date(now.getFullYear(), now.getMonth(), now.getDate() - i, 12)));
  return periods(entries, localDay, keys, now);
}

/** Every local month that has entries (at most `months`), newest first. */
export function monthlySpend(entries: readonly LedgerEntry[], now: Date = new Date(), months = 25): SpendPeriod[] {
  const keys = Array.from({ length: months }, (_, i) => localMonth(new Date(now.getFullYear(), now.getMonth() - i, 1)));
  return periods(entries, localMonth, keys, now);
}

const CSV_COLUMNS = ['time', 'local_day', 'workspace_folder', 'run_id', 'task_id', 'model', 'resolution', 'images', 'estimated_credits', 'outcome', 'counted_credits', 'prompt'] as const;

/** One CSV cell: quoted when needed; a leading = + - @ (a formula in a spreadsheet) is escaped with '. */
function cell(value: string | number | null): string {
  let text = value === null ? '' : String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Every entry, oldest first, as CSV (RFC 4180, CRLF line ends). */
export function spendCsv(entries: readonly LedgerEntry[], now: Date = new Date()): string {
  const rows = [...entries]
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at))
    .map((e) => {
      const outcome: Outcome = currentOutcome(e, now);
      const at = new Date(e.at);
      return [e.at, Number.isNaN(at.getTime()) ? '' : localDay(at), e.folder, e.runId, e.taskId, e.model, e.resolution, e.n, e.credits, outcome, countedCredits(e, now), e.prompt ?? ''].map(cell).join(',');
    });
  return [CSV_COLUMNS.join(','), ...rows].join('\r\n') + '\r\n';
}
