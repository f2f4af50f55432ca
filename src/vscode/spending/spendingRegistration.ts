// The Spending view and its commands, registered at start-up; the view's rows and the CSV
// export (spendingView.ts) are loaded when first shown or used.
import * as vscode from 'vscode';
import type { Logger } from '../../core/log';
import { Commands } from '../commandIds';
import { Disposable } from '../disposable';
import { FirstUse } from '../firstUse';
import type { SpendTracker } from '../spend';
import type { SpendingNode, SpendingView } from './spendingView';

/** The view's provider at start-up: its answers come from the SpendingView once loaded. */
class SpendingRows extends Disposable implements vscode.TreeDataProvider<SpendingNode> {
  private readonly changed = this._register(new vscode.EventEmitter<SpendingNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  readonly view: FirstUse<SpendingView>;

  constructor(spend: SpendTracker, logger: Logger) {
    super();
    this.view = this._register(new FirstUse(() => vscode.l10n.t('the Spending view'), () => import('./spendingView').then(({ SpendingView }) => new SpendingView(spend)), logger));
    this._register(spend.onDidChange(() => this.changed.fire(undefined)));
  }

  async getChildren(node?: SpendingNode): Promise<SpendingNode[]> {
    return (await this.view.get()).getChildren(node);
  }

  async getTreeItem(node: SpendingNode): Promise<vscode.TreeItem> {
    return (await this.view.get()).getTreeItem(node);
  }
}

export function registerSpending(spend: SpendTracker, logger: Logger): vscode.Disposable[] {
  const rows = new SpendingRows(spend, logger);
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
      await rows.view.get();
      const { exportSpendingCsv } = await import('./spendingView');
      return exportSpendingCsv(spend, target instanceof vscode.Uri ? target : undefined);
    }),
    vscode.commands.registerCommand(Commands.spendingRefresh, () => spend.refresh()),
  ];
}
