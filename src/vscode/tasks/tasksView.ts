// The Tasks view: one item per run, newest first, from the run folders on disk in every
// workspace folder. Reads lazily (a page at a time). The run service's events and a file
// watcher (runs of other windows) keep it current: a run that changes refreshes its row alone;
// only a run that appears or goes refreshes the list (see runChanged).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { RUNS_PAGE_SIZE, RunIndex, type RunEntry } from '../../core/runs/runIndex';
import type { RunService } from '../../core/runs/runService';
import { runPhase, runTags, classifyStatus } from '../../core/runs/runStatus';
import type { ReadResult } from '../../core/runs/store';
import { ArtifactStore } from '../../core/runs/store';
import { ListingGuard } from '../../core/runs/listingGuard';
import { Commands } from '../commandIds';
import type { Spend } from '../../core/spend/ledgerEntries';
import { SpendTracker } from '../spend';
import { Disposable } from '../disposable';
import { ageText, phaseIcon, runLabel, runStateText, runTooltip } from '../runPresenter';

/** One saved image of a run with several: a child row (dragged, opened, inserted on its own). */
export interface ImageNode {
  kind: 'image';
  entry: RunEntry;
  index: number;
  file: string;
  /** CreatOK's saved thumbnail of it (the row's icon), when there is one. */
  thumbnail?: string;
}

export type TaskNode = RunEntry | { kind: 'more' } | ImageNode;

const isMore = (node: TaskNode): node is { kind: 'more' } => 'kind' in node && node.kind === 'more';
export const isImageNode = (node: unknown): node is ImageNode => !!node && typeof node === 'object' && (node as { kind?: unknown }).kind === 'image';

export class TasksView extends Disposable implements vscode.TreeDataProvider<TaskNode> {
  private readonly changed = this._register(new vscode.EventEmitter<TaskNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  private pageSize = RUNS_PAGE_SIZE;
  /** The runs of the last listing: objects of that listing alone (see ListingGuard). */
  private shown: RunEntry[] = [];
  private listings = 0;
  /** Refreshes again the rows that changed while the whole list was being listed. */
  private readonly guard = this._register(new ListingGuard<RunEntry>((keys) => keys.forEach((key) => this.fireRow(key))));
  /** A finished run's icon (its first image, or CreatOK's thumbnail of it), looked up once per change of the run. */
  private readonly icons = new Map<string, Promise<string | undefined>>();

  constructor(
    readonly index: RunIndex,
    private readonly runs: RunService,
    /** The workspace's stores changed (the index already lists the new ones). */
    storesChanged: vscode.Event<unknown>,
  ) {
    super();
    this.watchFolders();
    this._register({ dispose: () => this.folderWatchers.forEach((d) => d.dispose()) });
    this._register(
      storesChanged(() => {
        this.watchFolders();
        this.refresh();
      }),
    );
    this._register(runs.onDidChange((event) => this.runChanged(event.run.store, event.run.record.run_id)));
  }

  private folderWatchers: vscode.Disposable[] = [];

  /** Shows the Restricted Mode hint on the view while the folder is not trusted; returns the view. */
  bindTo(view: vscode.TreeView<TaskNode>, spend: SpendTracker): vscode.TreeView<TaskNode> {
    // The view's description: today's and this month's estimated credits.
    const describe = (s: Spend): void => {
      view.description = SpendTracker.text(s);
    };
    void spend.spend().then(describe);
    this._register(spend.onDidChange(describe));
    const update = (): void => {
      view.message = vscode.workspace.isTrusted
        ? undefined
        : vscode.l10n.t('Restricted Mode: runs are listed read-only. Trust this folder to resume them or open their images.');
    };
    update();
    this._register(vscode.workspace.onDidGrantWorkspaceTrust(() => (update(), this.refresh())));
    return view;
  }

  private watchFolders(): void {
    this.folderWatchers.forEach((d) => d.dispose());
    this.folderWatchers = [];
    for (const store of this.index.storesList) {
      const workspace = path.dirname(path.dirname(store.root));
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(workspace), 'generate-image/.artifacts/*/outputs/result.json'));
      const runIdOf = (uri: vscode.Uri): string => path.basename(path.dirname(path.dirname(uri.fsPath)));
      // A run this window holds (followed here, or read from the window that follows it) is
      // kept current by the run service's events; the watcher is for everybody else's runs.
      const changed = (uri: vscode.Uri): void => {
        const runId = runIdOf(uri);
        if (!this.runs.snapshot(store, runId)) this.runChanged(store, runId);
      };
      watcher.onDidChange(changed);
      watcher.onDidCreate(changed);
      watcher.onDidDelete((uri) => this.runRemoved(store, runIdOf(uri)));
      this.folderWatchers.push(watcher);
    }
  }

  /**
   * One run's files changed: re-read that item, and refresh its row alone; a run new to the list
   * refreshes the list. A refresh of the whole list makes VS Code forget every row until it is
   * listed again: a click on a row's action meanwhile would reach its command without its run.
   * A row refresh sent while a listing is in flight is dropped, so the guard sends it again
   * once that listing has landed.
   */
  runChanged(store: ArtifactStore, runId: string): void {
    const entry = this.index.invalidate(store, runId);
    if (entry) {
      this.icons.delete(entry.key);
      this.guard.changed(entry.key);
      this.fireRow(entry.key);
    } else if (this.index.add(store, runId)) this.changed.fire(undefined);
  }

  /** Refreshes one run's row, as the element of the last listing (the one VS Code holds). */
  private fireRow(key: string): void {
    const shown = this.shown.find((e) => e.key === key);
    if (shown) this.changed.fire(shown);
  }

  /** A run folder was deleted (Delete Run… in the gallery): its row goes at once. */
  runRemoved(store: ArtifactStore, runId: string): void {
    this.index.remove(store, runId);
    this.icons.clear();
    this.changed.fire(undefined);
  }

  refresh(): void {
    this.icons.clear();
    void this.index.refresh().then(() => this.changed.fire(undefined));
  }

  /** The runs the view lists now (as many as it shows). */
  listedRuns(): Promise<RunEntry[]> {
    return this.index.page(this.pageSize);
  }

  showMore(): void {
    this.pageSize += RUNS_PAGE_SIZE;
    this.changed.fire(undefined);
  }

  async getChildren(node?: TaskNode): Promise<TaskNode[]> {
    if (node) return 'kind' in node ? [] : this.imagesOf(node);
    // Objects of this listing alone, so the guard knows when VS Code has made all of its items;
    // only the latest listing counts (an older one that finishes last is VS Code's to drop).
    const listing = ++this.listings;
    const page = (await this.index.page(this.pageSize)).map((entry) => ({ ...entry }));
    if (listing === this.listings) {
      this.shown = page;
      this.guard.listed(page);
    }
    return this.index.size > page.length ? [...page, { kind: 'more' }] : page;
  }

  /** The saved images of a succeeded run (each a file in its images folder). */
  private async imagesOf(entry: RunEntry): Promise<ImageNode[]> {
    const read = this.runs.snapshot(entry.store, entry.runId)?.record ?? (await this.index.read(entry).then((r) => (r.ok ? r.record : undefined)));
    if (!read || classifyStatus(read.status) !== 'succeeded') return [];
    const local = read.local_images ?? [];
    const files = await Promise.all(local.map((l) => entry.store.localImagePath(entry.runId, l)));
    const thumbnails = read.thumbnails?.some(Boolean) ? await entry.store.thumbnailPaths(entry.runId, local.length) : [];
    return files.flatMap((file, index) => (file ? [{ kind: 'image' as const, entry, index, file, ...(thumbnails[index] ? { thumbnail: thumbnails[index] } : {}) }] : []));
  }

  async getTreeItem(node: TaskNode): Promise<vscode.TreeItem> {
    if (isImageNode(node)) {
      const item = new vscode.TreeItem(vscode.l10n.t('Image {0}', node.index + 1));
      item.id = `${node.entry.key}#${node.index}`;
      item.description = path.basename(node.file);
      item.iconPath = vscode.Uri.file(node.thumbnail ?? node.file);
      item.tooltip = vscode.l10n.t('Drag into a Markdown or HTML file to insert it (a copy goes into the project).');
      item.contextValue = 'image hasLocalImages'; // the image actions of a run apply to it alone
      item.command = { command: 'vscode.open', title: vscode.l10n.t('Open image'), arguments: [vscode.Uri.file(node.file)] };
      return item;
    }
    if (isMore(node)) {
      const item = new vscode.TreeItem(vscode.l10n.t('Show older runs'));
      item.iconPath = new vscode.ThemeIcon('history');
      item.command = { command: Commands.tasksShowMore, title: vscode.l10n.t('Show older runs') };
      item.contextValue = 'more';
      return item;
    }
    try {
      return await this.runItem(node);
    } finally {
      this.guard.made(node);
    }
  }

  private async runItem(node: RunEntry): Promise<vscode.TreeItem> {
    const read = await this.index.read(node);
    const item = this.itemFor(node, read);
    // A finished run shows its first image as its icon (CreatOK's thumbnail of it when saved),
    // and one row per image when it has several.
    if (read.ok && classifyStatus(read.record.status) === 'succeeded') {
      const record = read.record;
      let icon = this.icons.get(node.key);
      if (!icon) {
        icon = (async () => {
          const local = record.local_images ?? [];
          const firstIndex = local.findIndex(Boolean);
          const first = firstIndex < 0 ? undefined : await node.store.localImagePath(node.runId, local[firstIndex]);
          const thumbnail = first && record.thumbnails?.[firstIndex] ? (await node.store.thumbnailPaths(node.runId, firstIndex + 1))[firstIndex] : undefined;
          return thumbnail ?? first;
        })();
        this.icons.set(node.key, icon);
      }
      const file = await icon;
      if (file) item.iconPath = vscode.Uri.file(file);
      if ((read.record.local_images ?? []).filter(Boolean).length > 1) item.collapsibleState = vscode.TreeItemCollapsibleState.Collapsed;
    }
    return item;
  }

  private itemFor(entry: RunEntry, result: ReadResult): vscode.TreeItem {
    // What the run service holds is newer than the file (and may not be on disk yet).
    const held = this.runs.snapshot(entry.store, entry.runId);
    if (held) result = { ok: true, record: held.record };
    if (!result.ok) {
      const item = new vscode.TreeItem(entry.runId);
      item.id = entry.key;
      item.description =
        result.reason === 'missing' ? vscode.l10n.t('no result.json') : result.reason === 'tooLarge' ? vscode.l10n.t('result.json too large to read') : vscode.l10n.t('unreadable result.json');
      item.tooltip = result.message;
      item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
      item.contextValue = runTags(result, false);
      item.resourceUri = vscode.Uri.file(entry.store.runDir(entry.runId));
      return item;
    }
    const record = result.record;
    const shown = { record, following: held?.following ?? (!!record.task_id && this.runs.isFollowing(record.task_id)), elsewhere: held?.elsewhere, unsaved: held?.unsaved };
    const item = new vscode.TreeItem(runLabel(record));
    item.id = entry.key;
    item.description = [record.model, runStateText(shown), ageText(record.created_at)].filter(Boolean).join(' · ');
    item.iconPath = phaseIcon(runPhase(record, shown.following));
    item.contextValue = runTags(result, shown.following, !!shown.unsaved);
    item.tooltip = runTooltip(shown);
    item.command = { command: Commands.tasksOpenResult, title: vscode.l10n.t('Open result'), arguments: [entry] };
    return item;
  }
}
