// The Spending view ("CreatOK: Show Spending"): from the spend ledger, the credits of each of
// the last 30 local days (with the runs behind a day) and of each month, by model and by
// workspace folder; "Export CSV" writes every entry. It only reads; the ledger's owner is the
// run service's submit gate, and the view follows the SpendTracker's changes.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LedgerSnapshot } from '../../core/spend/ledger';
import { KEPT_MONTHS, MAX_LEDGER_ENTRIES } from '../../core/spend/ledger';
import { currentOutcome, type LedgerEntry, type Outcome } from '../../core/spend/ledgerEntries';
import { dailySpend, monthlySpend, spendCsv, type SpendGroup, type SpendPeriod } from '../../core/spend/spendReport';
import type { SpendTracker } from '../spend';
import { ledgerProblemText } from '../userMessages';

export type SpendingNode =
  | { kind: 'problem'; text: string }
  | { kind: 'dropped'; count: number }
  | { kind: 'days'; periods: SpendPeriod[] }
  | { kind: 'months'; periods: SpendPeriod[] }
  | { kind: 'day'; period: SpendPeriod }
  | { kind: 'month'; period: SpendPeriod }
  | { kind: 'groups'; by: 'model' | 'folder'; groups: SpendGroup[] }
  | { kind: 'group'; by: 'model' | 'folder'; group: SpendGroup }
  | { kind: 'entry'; entry: LedgerEntry };

export function outcomeText(outcome: Outcome): string {
  switch (outcome) {
    case 'pending':
      return vscode.l10n.t('being sent');
    case 'accepted':
      return vscode.l10n.t('accepted');
    case 'refused':
      return vscode.l10n.t('refused (not charged)');
    case 'unconfirmed':
      return vscode.l10n.t('unconfirmed (may be charged)');
    case 'notSent':
      return vscode.l10n.t('not sent');
  }
}

function creditsText(g: SpendGroup): string {
  const runs = g.runs === 1 ? vscode.l10n.t('{0} credits · 1 run', g.credits) : vscode.l10n.t('{0} credits · {1} runs', g.credits, g.runs);
  return g.unpriced > 0 ? vscode.l10n.t('{0} ({1} of unknown price)', runs, g.unpriced) : runs;
}

/** The view's rows, loaded on first use (spendingRegistration.ts refreshes them on every change). */
export class SpendingView implements Pick<vscode.TreeDataProvider<SpendingNode>, 'getChildren' | 'getTreeItem'> {
  constructor(private readonly spend: SpendTracker) {}

  async getChildren(node?: SpendingNode): Promise<SpendingNode[]> {
    if (!node) return this.roots(await this.spend.snapshot());
    switch (node.kind) {
      case 'days':
        return node.periods.map((period) => ({ kind: 'day', period }));
      case 'months':
        return node.periods.map((period) => ({ kind: 'month', period }));
      case 'day':
        return node.period.entries.map((entry) => ({ kind: 'entry', entry }));
      case 'month':
        return [
          { kind: 'groups', by: 'model', groups: node.period.byModel },
          { kind: 'groups', by: 'folder', groups: node.period.byFolder },
        ];
      case 'groups':
        return node.groups.map((group) => ({ kind: 'group', by: node.by, group }));
      default:
        return [];
    }
  }

  private roots(snapshot: LedgerSnapshot): SpendingNode[] {
    const now = new Date();
    const nodes: SpendingNode[] = [];
    if (snapshot.problem) nodes.push({ kind: 'problem', text: ledgerProblemText(snapshot.problemKind, this.spend.ledger.file, snapshot.problem) });
    if (snapshot.entries.length === 0) return nodes; // the view's welcome text says why it is empty
    nodes.push({ kind: 'days', periods: dailySpend(snapshot.entries, now) }, { kind: 'months', periods: monthlySpend(snapshot.entries, now) });
    if (snapshot.dropped > 0) nodes.push({ kind: 'dropped', count: snapshot.dropped });
    return nodes;
  }

  getTreeItem(node: SpendingNode): vscode.TreeItem {
    const expanded = vscode.TreeItemCollapsibleState.Expanded;
    const collapsed = vscode.TreeItemCollapsibleState.Collapsed;
    switch (node.kind) {
      case 'problem': {
        const item = new vscode.TreeItem(node.text);
        item.iconPath = new vscode.ThemeIcon('warning');
        return item;
      }
      case 'dropped': {
        const item = new vscode.TreeItem(vscode.l10n.t('{0} older runs are no longer kept', node.count));
        item.tooltip = vscode.l10n.t('The spend ledger keeps the last {0} months and at most {1} runs.', KEPT_MONTHS, MAX_LEDGER_ENTRIES);
        item.iconPath = new vscode.ThemeIcon('info');
        return item;
      }
      case 'days': {
        const item = new vscode.TreeItem(vscode.l10n.t('Last 30 days'), expanded);
        item.description = vscode.l10n.t('{0} credits', node.periods.reduce((sum, p) => sum + p.credits, 0));
        item.id = 'days';
        return item;
      }
      case 'months': {
        const item = new vscode.TreeItem(vscode.l10n.t('By month'), collapsed);
        item.id = 'months';
        return item;
      }
      case 'day':
      case 'month': {
        const item = new vscode.TreeItem(periodLabel(node.period.key), collapsed);
        item.description = creditsText(node.period);
        item.id = `${node.kind}:${node.period.key}`;
        item.iconPath = new vscode.ThemeIcon(node.kind === 'day' ? 'calendar' : 'graph');
        item.accessibilityInformation = { label: `${periodLabel(node.period.key)}: ${creditsText(node.period)}` };
        return item;
      }
      case 'groups':
        return new vscode.TreeItem(node.by === 'model' ? vscode.l10n.t('By model') : vscode.l10n.t('By workspace folder'), collapsed);
      case 'group': {
        const item = new vscode.TreeItem(node.by === 'folder' ? path.basename(node.group.key) || node.group.key : node.group.key);
        item.description = creditsText(node.group);
        if (node.by === 'folder') item.tooltip = node.group.key;
        return item;
      }
      case 'entry':
        return entryItem(node.entry);
    }
  }
}

function periodLabel(key: string): string {
  const [y, m, d] = key.split('-').map(Number);
  const date = new Date(y!, (m ?? 1) - 1, d ?? 1);
  return d === undefined
    ? date.toLocaleDateString(vscode.env.language, { year: 'numeric', month: 'long' })
    : date.toLocaleDateString(vscode.env.language, { weekday: 'short', year: 'numeric', month: 'short', day: 'numeric' });
}

function entryItem(entry: LedgerEntry): vscode.TreeItem {
  const outcome = currentOutcome(entry);
  const item = new vscode.TreeItem(entry.prompt?.trim() || entry.runId);
  const credits = entry.credits === null ? vscode.l10n.t('price unknown') : vscode.l10n.t('{0} credits', entry.credits);
  item.description = `${entry.model} · ${entry.resolution} · ×${entry.n} · ${credits} · ${outcomeText(outcome)}`;
  const tooltip = new vscode.MarkdownString();
  tooltip.appendText(`${new Date(entry.at).toLocaleString(vscode.env.language)}\n`);
  tooltip.appendText(vscode.l10n.t('Workspace folder: {0}', entry.folder) + '\n');
  tooltip.appendText(vscode.l10n.t('Run: {0}', entry.runId) + '\n');
  if (entry.taskId) tooltip.appendText(vscode.l10n.t('Task ID: {0}', entry.taskId) + '\n');
  item.tooltip = tooltip;
  item.iconPath = new vscode.ThemeIcon(outcome === 'accepted' ? 'pass' : outcome === 'unconfirmed' || outcome === 'pending' ? 'question' : 'circle-slash');
  return item;
}

/** "Export CSV": every ledger entry, to a file the user picks (or `given`, when a caller names one). */
export async function exportSpendingCsv(spend: SpendTracker, given?: vscode.Uri): Promise<vscode.Uri | undefined> {
  const snapshot = await spend.ledger.read();
  if (snapshot.problem) {
    void vscode.window.showErrorMessage(ledgerProblemText(snapshot.problemKind, spend.ledger.file, snapshot.problem));
    return undefined;
  }
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const name = `creatok-spending-${new Date().toISOString().slice(0, 10)}.csv`;
  const target = given ?? await vscode.window.showSaveDialog({
    title: vscode.l10n.t('Export Spending as CSV'),
    defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
    filters: { CSV: ['csv'] },
  });
  if (!target) return undefined;
  await vscode.workspace.fs.writeFile(target, Buffer.from(spendCsv(snapshot.entries), 'utf8'));
  void vscode.window.showInformationMessage(vscode.l10n.t('Exported {0} runs to {1}.', snapshot.entries.length, vscode.workspace.asRelativePath(target, false)));
  return target;
}
