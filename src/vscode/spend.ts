// What the spend ledger says was spent today and this month, for the Tasks view, the status bar,
// the spending view and the limits. The ledger (core/spend) is shared by every window of the
// profile; this reads it again when a run starts or ends here, when the file changes (another
// window), and when the window gets focus. It also imports each trusted workspace folder's older
// runs once.
import * as vscode from 'vscode';
import { LedgerUnreadableError, type SpendLedger, type LedgerSnapshot } from '../core/spend/ledger';
import { spendOf, type Spend } from '../core/spend/ledgerEntries';
import { entriesOfStore } from '../core/spend/ledgerImport';
import type { RunService } from '../core/runs/runService';
import type { ArtifactStore } from '../core/runs/store';
import type { Logger } from '../core/log';
import { Disposable } from './disposable';

export class SpendTracker extends Disposable {
  private cached: Promise<LedgerSnapshot> | undefined;
  private readonly changed = this._register(new vscode.EventEmitter<Spend>());
  readonly onDidChange = this.changed.event;

  constructor(
    readonly ledger: SpendLedger,
    runs: RunService,
    private readonly logger: Logger,
  ) {
    super();
    this._register(
      runs.onDidChange((event) => {
        if (event.kind === 'started' || event.kind === 'ended' || event.kind === 'saved') this.refresh();
      }),
    );
    this._register(vscode.window.onDidChangeWindowState((state) => state.focused && this.refresh()));
    const watcher = this._register(vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(ledger.dir), 'spend-ledger.json')));
    this._register(watcher.onDidChange(() => this.refresh()));
    this._register(watcher.onDidCreate(() => this.refresh()));
  }

  /** The ledger as last read (read again after a change). */
  snapshot(): Promise<LedgerSnapshot> {
    this.cached ??= this.ledger
      .read()
      .catch((error: Error) => ({ entries: [], imported: [], dropped: 0, invalid: 0, problem: error.message, ...(error instanceof LedgerUnreadableError ? { problemKind: error.problemKind } : {}) }));
    return this.cached;
  }

  async spend(): Promise<Spend> {
    return spendOf((await this.snapshot()).entries);
  }

  /** Counted again from the ledger now (for the limits: never a cached figure). Throws when it cannot count. */
  async recount(): Promise<Spend> {
    const read = await this.ledger.read();
    if (read.problem) throw new LedgerUnreadableError(read.problem, read.problemKind ?? 'unreadable', this.ledger.file);
    return spendOf(read.entries);
  }

  refresh(): void {
    this.cached = undefined;
    void this.spend().then((s) => this.changed.fire(s));
  }

  /** Each folder's runs from before the ledger, once per folder (only for trusted workspaces). */
  async importFolders(stores: readonly ArtifactStore[]): Promise<void> {
    let added = 0;
    for (const store of stores) {
      try {
        added += await this.ledger.importOnce(store.workspaceFolder, () => entriesOfStore(store));
      } catch (error) {
        this.logger.error(`spend: the runs of ${store.workspaceFolder} could not be added to the spend ledger: ${(error as Error).message}`);
      }
    }
    if (added > 0) {
      this.logger.info(`spend: ${added} earlier run(s) added to the spend ledger`);
      this.refresh();
    }
  }

  /** "Today: 6 credits · this month: 40 credits (estimated)". */
  static text(spend: Spend): string {
    return vscode.l10n.t('Today: {0} credits · this month: {1} (estimated)', spend.today, spend.month);
  }
}
