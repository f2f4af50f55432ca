// The status-bar item: hidden when nothing runs, else a spinning icon and "2 generating",
// a tooltip listing the runs, and a click that reveals the Tasks view.
import * as vscode from 'vscode';
import type { RunService } from '../../core/runs/runService';
import { Commands } from '../commandIds';
import { Disposable } from '../disposable';
import { runLabel, runStateText } from '../runPresenter';
import type { Spend } from '../../core/spend/ledgerEntries';
import { SpendTracker } from '../spend';

export class TasksStatusBar extends Disposable {
  private readonly item = this._register(vscode.window.createStatusBarItem('creatok.tasks', vscode.StatusBarAlignment.Left, 50));

  private spent: Spend | undefined;

  constructor(
    private readonly runs: RunService,
    spend: SpendTracker,
  ) {
    super();
    this._register(spend.onDidChange((s) => ((this.spent = s), this.render())));
    void spend.spend().then((s) => ((this.spent = s), this.render()));
    this.item.name = vscode.l10n.t('CreatOK tasks');
    this.item.command = Commands.tasksFocus;
    this._register(runs.onDidChange(() => this.render()));
    this.render();
  }

  render(): void {
    const followed = this.runs.followed();
    if (followed.length === 0) {
      this.item.hide();
      return;
    }
    this.item.text = `$(sync~spin) ${vscode.l10n.t('{0} generating', followed.length)}`;
    const tooltip = new vscode.MarkdownString();
    for (const run of followed) tooltip.appendText(`${runLabel(run.record, 50)}: ${runStateText(run)}\n`);
    if (this.spent) tooltip.appendText(SpendTracker.text(this.spent) + '\n');
    tooltip.appendText(vscode.l10n.t('Click to show the CreatOK tasks.'));
    this.item.tooltip = tooltip;
    this.item.accessibilityInformation = { label: vscode.l10n.t('{0} images being generated', followed.length) };
    this.item.show();
  }
}
