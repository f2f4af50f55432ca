// The status-bar item: hidden when nothing runs, else a spinning icon and "2 generating",
// a tooltip listing the runs, and a click that reveals the Tasks view.
import * as vscode from 'vscode';
import type { RunFollower } from '../../core/runs/follower';
import { promptHead, runState } from '../../core/runs/runState';
import { stateLabel } from './tasksView';

export class TasksStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('creatok.tasks', vscode.StatusBarAlignment.Left, 50);
  private readonly subscription: { dispose(): void };

  constructor(private readonly follower: RunFollower) {
    this.item.name = vscode.l10n.t('CreatOK tasks');
    this.item.command = 'creatok.tasks.focus';
    this.subscription = follower.onUpdate(() => this.render());
    this.render();
  }

  render(): void {
    const runs = this.follower.followed();
    if (runs.length === 0) {
      this.item.hide();
      return;
    }
    this.item.text = `$(sync~spin) ${vscode.l10n.t('{0} generating', runs.length)}`;
    const tooltip = new vscode.MarkdownString();
    for (const { record } of runs) {
      const name = record.prompt ? promptHead(record.prompt, 50) : vscode.l10n.t('Task {0}', record.task_id ?? '');
      tooltip.appendText(`${name}: ${stateLabel(runState(record, true))}\n`);
    }
    tooltip.appendText(vscode.l10n.t('Click to show the CreatOK tasks.'));
    this.item.tooltip = tooltip;
    this.item.accessibilityInformation = { label: vscode.l10n.t('{0} images being generated', runs.length) };
    this.item.show();
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}
