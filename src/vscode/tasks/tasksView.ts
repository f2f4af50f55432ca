// The Tasks view: one item per run, newest first, from the run folders on disk in every
// workspace folder. Reads lazily (a page at a time), and a file watcher updates one item.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunFollower } from '../../core/runs/follower';
import { RUNS_PAGE_SIZE, RunIndex, type RunEntry } from '../../core/runs/runIndex';
import { promptHead, runState, runTags, type RunState } from '../../core/runs/runState';
import type { ReadResult } from '../../core/runs/store';
import { ArtifactStore } from '../../core/runs/store';


export type TaskNode = RunEntry | { kind: 'more' };

const isMore = (node: TaskNode): node is { kind: 'more' } => 'kind' in node;

const STATE_ICONS: Record<RunState, [string, string | undefined]> = {
  queued: ['clock', 'charts.yellow'],
  running: ['sync~spin', 'charts.blue'],
  succeeded: ['pass', 'testing.iconPassed'],
  failed: ['error', 'testing.iconFailed'],
  stopped: ['debug-pause', undefined],
  unknown: ['question', undefined],
};

export function stateLabel(state: RunState): string {
  switch (state) {
    case 'queued':
      return vscode.l10n.t('queued');
    case 'running':
      return vscode.l10n.t('generating');
    case 'succeeded':
      return vscode.l10n.t('done');
    case 'failed':
      return vscode.l10n.t('failed');
    case 'stopped':
      return vscode.l10n.t('not watched');
    case 'unknown':
      return vscode.l10n.t('unknown');
  }
}

function age(iso: string, now = Date.now()): string {
  const seconds = Math.round((Date.parse(iso) - now) / 1000);
  const format = new Intl.RelativeTimeFormat(vscode.env.language, { numeric: 'auto' });
  const abs = Math.abs(seconds);
  if (!Number.isFinite(seconds)) return '';
  if (abs < 60) return format.format(seconds, 'second');
  if (abs < 3600) return format.format(Math.round(seconds / 60), 'minute');
  if (abs < 86_400) return format.format(Math.round(seconds / 3600), 'hour');
  return format.format(Math.round(seconds / 86_400), 'day');
}

export function storesOfWorkspace(): ArtifactStore[] {
  return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => new ArtifactStore(f.uri.fsPath));
}

export class TasksView implements vscode.TreeDataProvider<TaskNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TaskNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private pageSize = RUNS_PAGE_SIZE;
  private shown: RunEntry[] = [];

  constructor(
    readonly index: RunIndex,
    private readonly follower: RunFollower,
  ) {
    this.watchFolders();
    this.disposables.push(
      vscode.workspace.onDidChangeWorkspaceFolders(() => {
        this.index.setStores(storesOfWorkspace());
        this.watchFolders();
        this.refresh();
      }),
    );
    const sub = follower.onUpdate((u) => {
      if (u.started || u.ended) this.runChanged(u.store, u.record.run_id);
    });
    this.disposables.push({ dispose: () => sub.dispose() });
  }

  private folderWatchers: vscode.Disposable[] = [];

  private watchFolders(): void {
    this.folderWatchers.forEach((d) => d.dispose());
    this.folderWatchers = [];
    for (const store of this.index.storesList) {
      const workspace = path.dirname(path.dirname(store.root));
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(workspace), 'generate-image/.artifacts/*/outputs/result.json'));
      const runIdOf = (uri: vscode.Uri): string => path.basename(path.dirname(path.dirname(uri.fsPath)));
      watcher.onDidChange((uri) => this.runChanged(store, runIdOf(uri)));
      watcher.onDidCreate((uri) => this.runChanged(store, runIdOf(uri)));
      watcher.onDidDelete((uri) => {
        this.index.remove(store, runIdOf(uri));
        this.changed.fire(undefined);
      });
      this.folderWatchers.push(watcher);
    }
  }

  /** One run's files changed: re-read only that item (or add it when it is new). */
  runChanged(store: ArtifactStore, runId: string): void {
    const entry = this.index.invalidate(store, runId);
    if (entry && this.shown.includes(entry)) this.changed.fire(entry);
    else if (!entry && this.index.add(store, runId)) this.changed.fire(undefined);
  }

  refresh(): void {
    void this.index.refresh().then(() => this.changed.fire(undefined));
  }

  showMore(): void {
    this.pageSize += RUNS_PAGE_SIZE;
    this.changed.fire(undefined);
  }

  async getChildren(node?: TaskNode): Promise<TaskNode[]> {
    if (node) return [];
    this.shown = await this.index.page(this.pageSize);
    return this.index.size > this.shown.length ? [...this.shown, { kind: 'more' }] : this.shown;
  }

  async getTreeItem(node: TaskNode): Promise<vscode.TreeItem> {
    if (isMore(node)) {
      const item = new vscode.TreeItem(vscode.l10n.t('Show older runs'));
      item.iconPath = new vscode.ThemeIcon('history');
      item.command = { command: 'creatok.tasks.showMore', title: vscode.l10n.t('Show older runs') };
      item.contextValue = 'more';
      return item;
    }
    return this.itemFor(node, await this.index.read(node));
  }

  private itemFor(entry: RunEntry, result: ReadResult): vscode.TreeItem {
    if (!result.ok) {
      const item = new vscode.TreeItem(entry.runId);
      item.id = entry.key;
      item.description = result.reason === 'missing' ? vscode.l10n.t('no result.json') : vscode.l10n.t('unreadable result.json');
      item.tooltip = result.message;
      item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
      item.contextValue = runTags(result, false);
      item.resourceUri = vscode.Uri.file(entry.store.runDir(entry.runId));
      return item;
    }
    const record = result.record;
    const watching = !!record.task_id && this.follower.isFollowing(record.task_id);
    const state = runState(record, watching);
    const label = record.prompt ? promptHead(record.prompt) : vscode.l10n.t('Task {0}', record.task_id ?? entry.runId);
    const item = new vscode.TreeItem(label);
    item.id = entry.key;
    item.description = [record.model, stateLabel(state), age(record.created_at)].filter(Boolean).join(' · ');
    const [icon, color] = STATE_ICONS[state];
    item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
    item.contextValue = runTags(result, watching);
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.supportHtml = false;
    tooltip.appendText(record.prompt || vscode.l10n.t('(prompt not known: resumed by task ID)'));
    tooltip.appendMarkdown('\n\n---\n\n');
    tooltip.appendText(vscode.l10n.t('State: {0}', stateLabel(state)) + '\n');
    tooltip.appendText(vscode.l10n.t('Task ID: {0}', record.task_id ?? '-') + '\n');
    if (record.model) tooltip.appendText(vscode.l10n.t('Model: {0}', record.model) + '\n');
    if (record.estimated_credits !== null) tooltip.appendText(vscode.l10n.t('Estimated cost: {0} credits', record.estimated_credits) + '\n');
    tooltip.appendText(vscode.l10n.t('Started: {0}', new Date(record.created_at).toLocaleString(vscode.env.language)) + '\n');
    tooltip.appendText(vscode.l10n.t('Updated: {0}', new Date(record.updated_at).toLocaleString(vscode.env.language)));
    if (record.error) tooltip.appendText('\n' + record.error.message);
    item.tooltip = tooltip;
    item.command = { command: 'creatok.tasks.openResult', title: vscode.l10n.t('Open result'), arguments: [entry] };
    return item;
  }

  dispose(): void {
    this.folderWatchers.forEach((d) => d.dispose());
    this.disposables.forEach((d) => d.dispose());
  }
}
