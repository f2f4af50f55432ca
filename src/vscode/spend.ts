// What this workspace's runs are estimated to have cost today and this month, for the Tasks
// view, the status bar and the daily limit. Reads only this month's and last month's run
// folders (run ids start with their UTC date), again after a run changes.
import * as vscode from 'vscode';
import { spendOf, type Spend } from '../core/imageUse';
import type { RunRecord } from '../core/runs/record';
import type { RunIndex } from '../core/runs/runIndex';
import type { RunService } from '../core/runs/runService';
import { Disposable } from './disposable';

export class SpendTracker extends Disposable {
  private cached: Promise<Spend> | undefined;
  private readonly changed = this._register(new vscode.EventEmitter<Spend>());
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly index: RunIndex,
    runs: RunService,
  ) {
    super();
    this._register(
      runs.onDidChange((event) => {
        if (event.kind === 'started' || event.kind === 'ended' || event.kind === 'saved') this.refresh();
      }),
    );
  }

  spend(): Promise<Spend> {
    this.cached ??= this.compute().catch(() => ({ today: 0, month: 0 }));
    return this.cached;
  }

  /** Counted again from the run folders now (for the daily limit: never a cached figure). Throws when it cannot count. */
  recount(): Promise<Spend> {
    return this.compute();
  }

  refresh(): void {
    this.cached = undefined;
    void this.spend().then((s) => this.changed.fire(s));
  }

  /** "Today: 6 credits · this month: 40 credits (estimated)". */
  static text(spend: Spend): string {
    return vscode.l10n.t('Today: {0} credits · this month: {1} (estimated)', spend.today, spend.month);
  }

  /** Reads the run folders itself (never re-lists the Tasks view's index under it). */
  private async compute(): Promise<Spend> {
    const now = new Date();
    const prefixes = [now, new Date(now.getFullYear(), now.getMonth() - 1, 15)].map((d) => `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`);
    const records: RunRecord[] = [];
    for (const store of this.index.storesList) {
      for (const runId of (await store.listRunIds()).filter((id) => prefixes.some((p) => id.startsWith(p)))) {
        const read = await store.read(runId);
        if (read.ok) records.push(read.record);
      }
    }
    return spendOf(records, now);
  }
}
