// The Spending view and its commands, registered at start-up; the view's rows and the CSV
// export (spendingView.ts) are loaded when first shown or used.
import * as vscode from 'vscode';
import { Commands } from '../commandIds';
import { Disposable } from '../disposable';
import type { SpendTracker } from '../spend';
import type { SpendingNode, SpendingView } from './spendingView';

/** The view's provider at start-up: its answers come from the SpendingView once loaded. */
class SpendingRows extends Disposable implements vscode.TreeDataProvider<SpendingNode> {
  private readonly changed = this._register(new vscode.EventEmitter<SpendingNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  private loaded: Promise<SpendingView> | undefined;

  constructor(private readonly spend: SpendTracker) {
    super();
    this._register(spend.onDidChange(() => this.changed.fire(undefined)));
  }

  view(): Promise<SpendingView> {
    this.loaded ??= import('./spendingView').then(({ SpendingView }) => new SpendingView(this.spend));
    return this.loaded;
  }

  async getChildren(node?: SpendingNode): Promise<SpendingNode[]> {
    return (await this.view()).getChildren(node);
  }

  async getTreeItem(node: SpendingNode): Promise<vscode.TreeItem> {
    return (await this.view()).getTreeItem(node);
  }
}

export function registerSpending(spend: SpendTracker): vscode.Disposable[] {
  const rows = new SpendingRows(spend);
  const tree = vscode.window.createTreeView('creatok.spending', { treeDataProvider: rows });
  const describe = async (): Promise<void> => {
    const s = await spend.spend();
    tree.description = vscode.l10n.t('Today: {0} · this month: {1}', s.today, s.month);
  };
  void describe();
  return [
    rows,
    tree,
    spend.onDidChange(() => void describe()),
    vscode.commands.registerCommand(Commands.showSpending, async () => {
      spend.refresh();
      await vscode.commands.executeCommand('creatok.spending.focus');
    }),
    vscode.commands.registerCommand(Commands.spendingExportCsv, async (target?: unknown) => {
      const { exportSpendingCsv } = await import('./spendingView');
      return exportSpendingCsv(spend, target instanceof vscode.Uri ? target : undefined);
    }),
    vscode.commands.registerCommand(Commands.spendingRefresh, () => spend.refresh()),
  ];
}
