// "CreatOK: Open Gallery": one editor tab, "CreatOK Gallery", restored after a reload. A grid of
// every image of every workspace folder, newest first; running and failed runs are tiles too.
// Search and filters run in the host over the gallery index (never a re-read per keystroke);
// the webview gets one page of tiles at a time. It shows and asks; the host acts.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { GalleryIndex } from '../../core/gallery/galleryIndex';
import { searchGallery, type GalleryItem } from '../../core/gallery/galleryItems';
import type { TileAction } from '../../core/gallery/galleryActions';
import { gallerySchemas, WRITING_ACTIONS, type GalleryToHost, type GalleryTile, type HostToGallery } from '../../core/gallery/galleryMessages';
import { runKey } from '../../core/runs/runIndex';
import { promptHead } from '../../core/runs/runStatus';
import { isLeaseLive, type ArtifactStore } from '../../core/runs/store';
import { Disposable } from '../disposable';
import { imagesOfRun } from '../imageActions';
import { ageText } from '../runPresenter';
import { requireTrust } from '../trust';
import { webviewHtml } from '../webviewHtml';
import { GALLERY_VIEW_TYPE, type GalleryDeps } from './gallery';


/** The strings the gallery webview shows (it has no l10n of its own). */
function galleryStrings(): Record<string, string> {
  return {
    title: vscode.l10n.t('CreatOK Gallery'),
    search: vscode.l10n.t('Search prompts'),
    model: vscode.l10n.t('Model'),
    allModels: vscode.l10n.t('All models'),
    state: vscode.l10n.t('State'),
    allStates: vscode.l10n.t('All states'),
    running: vscode.l10n.t('Running'),
    succeeded: vscode.l10n.t('Finished'),
    failed: vscode.l10n.t('Failed'),
    period: vscode.l10n.t('Period'),
    today: vscode.l10n.t('Today'),
    week: vscode.l10n.t('This week'),
    all: vscode.l10n.t('All'),
    count: vscode.l10n.t('{0} of {1} images'),
    reading: vscode.l10n.t('{0} of {1} images so far (reading {2} older runs…)'),
    none: vscode.l10n.t('No image matches. Change the search or the filters.'),
    empty: vscode.l10n.t('No images yet: generate one with CreatOK: Generate Image.'),
    more: vscode.l10n.t('Show more'),
    open: vscode.l10n.t('Open'),
    insert: vscode.l10n.t('Insert'),
    copyMarkdown: vscode.l10n.t('Copy Markdown Link'),
    reveal: vscode.l10n.t('Reveal in Explorer'),
    saveAs: vscode.l10n.t('Save As…'),
    vary: vscode.l10n.t('Vary'),
    useAsReference: vscode.l10n.t('Use as Reference Image'),
    delete: vscode.l10n.t('Delete Run…'),
    runningTile: vscode.l10n.t('Generating…'),
    failedTile: vscode.l10n.t('Not generated: {0}'),
    credits: vscode.l10n.t('{0} credits'),
    tileLabel: vscode.l10n.t('Image {0} of "{1}"'),
    select: vscode.l10n.t('Select {0} to compare'),
    selectShort: vscode.l10n.t('Select'),
    compare: vscode.l10n.t('Compare ({0})'),
    compareAtMost: vscode.l10n.t('Compare takes at most {0} images.'),
    compareTitle: vscode.l10n.t('Compare'),
    back: vscode.l10n.t('Back to the gallery'),
  };
}


/** The gallery's host side, loaded when first used (see gallery.ts): the index and the one panel. */
export class Gallery extends Disposable {
  private panel: GalleryPanel | undefined;
  readonly items: GalleryIndex;

  constructor(private readonly deps: GalleryDeps) {
    super();
    this.items = new GalleryIndex(
      deps.index,
      (store, runId) => {
        const held = deps.runs.snapshot(store, runId);
        return held ? { record: held.record, following: held.following } : undefined;
      },
      () => this.panel?.changed(),
    );
    this._register(
      deps.runs.onDidChange((event) => {
        void this.items.update(event.run.store, event.run.record.run_id).then(() => this.panel?.changed());
      }),
    );
    this._register({ dispose: () => this.panel?.dispose() });
  }

  /** A tile's context menu command (VS Code passes the tile's data-vscode-context). */
  async tileAction(action: TileAction, context?: { key?: unknown; index?: unknown }): Promise<void> {
    if (!this.panel || typeof context?.key !== 'string' || typeof context.index !== 'number') return;
    try {
      await this.panel.act(context.key, context.index, action);
    } catch (error) {
      void vscode.window.showWarningMessage((error as Error).message);
    }
  }

  /** The tab restored after a reload. */
  revive(panel: vscode.WebviewPanel): void {
    this.panel?.dispose();
    this.panel = this.attach(panel);
  }

  open(): GalleryPanel {
    if (this.panel) {
      this.panel.webviewPanel.reveal(undefined, false);
      return this.panel;
    }
    const panel = vscode.window.createWebviewPanel(GALLERY_VIEW_TYPE, vscode.l10n.t('CreatOK Gallery'), vscode.ViewColumn.Active, { enableScripts: true, retainContextWhenHidden: false });
    this.panel = this.attach(panel);
    return this.panel;
  }

  private attach(panel: vscode.WebviewPanel): GalleryPanel {
    const attached = new GalleryPanel(panel, this.deps, this);
    attached.onDispose(() => {
      if (this.panel === attached) this.panel = undefined;
    });
    return attached;
  }

  /** The item of a tile, if it is still there. */
  async item(key: string): Promise<GalleryItem | undefined> {
    return (await this.items.all()).find((i) => i.key === key);
  }
}

export class GalleryPanel extends Disposable {
  private readonly disposeListeners: (() => void)[] = [];

  constructor(
    readonly webviewPanel: vscode.WebviewPanel,
    private readonly deps: GalleryDeps,
    private readonly gallery: Gallery,
  ) {
    super();
    const roots = [vscode.Uri.joinPath(deps.extensionUri, 'dist'), vscode.Uri.joinPath(deps.extensionUri, 'media'), ...deps.index.storesList.map((s) => vscode.Uri.file(s.root))];
    webviewPanel.webview.options = { enableScripts: true, localResourceRoots: roots };
    webviewPanel.iconPath = vscode.Uri.joinPath(deps.extensionUri, 'media', 'icon.png');
    webviewPanel.webview.html = this.html();
    this._register(webviewPanel.onDidDispose(() => this.dispose()));
    this._register(webviewPanel.webview.onDidReceiveMessage((raw: unknown) => void this.receive(raw)));
    // Back in view: other windows may have added or removed runs meanwhile.
    this._register(
      webviewPanel.onDidChangeViewState((e) => {
        if (e.webviewPanel.visible) {
          this.gallery.items.reload();
          this.changed();
        }
      }),
    );
  }

  onDispose(listener: () => void): void {
    this.disposeListeners.push(listener);
  }

  override dispose(): void {
    if (this.isDisposed) return;
    super.dispose();
    this.webviewPanel.dispose();
    for (const listener of this.disposeListeners.splice(0)) listener();
  }

  /** Tells the webview to ask again (a run started, changed or ended). */
  changed(): void {
    this.post({ type: 'changed' });
  }

  private post(message: HostToGallery): void {
    if (this.isDisposed) return;
    const checked = gallerySchemas().hostToWebviewSchema.parse(message);
    this.webviewPanel.webview.postMessage(checked).then(undefined, (e: Error) => this.deps.logger.warn(`gallery: a message was not delivered: ${e.message}`));
  }

  private async receive(raw: unknown): Promise<void> {
    const parsed = gallerySchemas().webviewToHostSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      this.deps.logger.warn(`gallery: refused a malformed message (${issue?.path.join('.') || 'message'}: ${issue?.message ?? 'invalid'})`);
      const requestId = typeof raw === 'object' && raw !== null && Number.isInteger((raw as { requestId?: unknown }).requestId) ? (raw as { requestId: number }).requestId : undefined;
      if (requestId !== undefined) this.post({ type: 'reply', requestId, error: vscode.l10n.t('The gallery sent something the extension could not read.') });
      return;
    }
    const message = parsed.data;
    try {
      await this.handle(message);
    } catch (error) {
      this.deps.logger.error(`gallery: ${message.type} failed: ${(error as Error).message}`);
      if ('requestId' in message) this.post({ type: 'reply', requestId: message.requestId, error: vscode.l10n.t('Something went wrong: {0}', (error as Error).message) });
    }
  }

  private async handle(message: GalleryToHost): Promise<void> {
    switch (message.type) {
      case 'ready': {
        const models = [...new Set((await this.gallery.items.all()).map((i) => i.model).filter(Boolean))].sort();
        this.post({ type: 'init', strings: galleryStrings(), models, readOnly: !vscode.workspace.isTrusted });
        return;
      }
      case 'query': {
        const { query } = message;
        const result = searchGallery(await this.gallery.items.all(), { text: query.text, period: query.period, ...(query.model ? { model: query.model } : {}), ...(query.state ? { state: query.state } : {}) });
        const tiles: GalleryTile[] = [];
        for (const item of result.items) {
          if (tiles.length >= query.limit) break;
          tiles.push(...this.tilesOf(item).slice(0, query.limit - tiles.length));
        }
        this.post({ type: 'results', requestId: message.requestId, tiles, matched: result.matchedImages, total: result.totalImages, more: result.matchedImages > tiles.length, reading: this.gallery.items.pending });
        return;
      }
      case 'tileAction':
        await this.act(message.key, message.index, message.action);
        this.post({ type: 'reply', requestId: message.requestId });
        return;
    }
  }

  /** A run's tiles: one per saved image, or one for a running or failed run. */
  private tilesOf(item: GalleryItem): GalleryTile[] {
    const base = {
      key: item.key,
      prompt: item.prompt.slice(0, 300),
      model: item.model.slice(0, 200),
      resolution: item.resolution.slice(0, 50),
      age: ageText(new Date(item.createdAt).toISOString()).slice(0, 100),
      credits: item.credits,
      state: item.state,
      ...(item.reason ? { reason: item.reason.slice(0, 500) } : {}),
    };
    if (item.images.length === 0) return [{ ...base, index: 0, src: '' }];
    const uri = (file: string): string => this.webviewPanel.webview.asWebviewUri(vscode.Uri.file(file)).toString();
    return item.images.map((file, index) => {
      const thumbnail = item.thumbnails?.[index];
      return { ...base, index, src: uri(file), ...(thumbnail ? { thumb: uri(thumbnail) } : {}) };
    });
  }

  async act(key: string, index: number, action: Extract<GalleryToHost, { type: 'tileAction' }>['action']): Promise<void> {
    // Restricted Mode: what writes or sends asks for trust first (the webview does not offer it).
    if (WRITING_ACTIONS.includes(action) && !(await requireTrust())) return;
    const item = await this.gallery.item(key);
    if (action === 'delete') {
      if (item) await this.deleteRun(item);
      return;
    }
    const file = item?.images[index];
    if (!item || !file) throw new Error(vscode.l10n.t('This image is not saved in the workspace.'));
    switch (action) {
      case 'open':
        await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(file), { preview: false, viewColumn: vscode.ViewColumn.Beside });
        return;
      case 'reveal':
        await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(file));
        return;
      case 'useAsReference':
        await this.deps.useAsReference(file);
        return;
      case 'insert':
      case 'copyMarkdown':
      case 'saveAs':
      case 'vary': {
        const store = this.storeOf(item);
        const latest = store ? await this.deps.runs.latest({ store, runId: item.runId }) : undefined;
        const image = store && latest?.ok ? (await imagesOfRun(store, latest.record)).find((i) => path.resolve(i.file) === path.resolve(file)) : undefined;
        if (!image) throw new Error(vscode.l10n.t('This image is not saved in the workspace.'));
        if (action === 'insert') await this.deps.images.insert(image);
        else if (action === 'copyMarkdown') await this.deps.images.copyMarkdownLink(image);
        else if (action === 'saveAs') await this.deps.images.saveAs(image);
        else await this.deps.vary(image);
        return;
      }
    }
  }

  /**
   * Delete Run…: after a modal naming how many images go, the run folder moves to the OS trash
   * (asked again before deleting for good where there is no trash); never while a window
   * follows the run. The Tasks view and the gallery drop it; the spend ledger keeps what it cost.
   */
  private async deleteRun(item: GalleryItem): Promise<void> {
    const store = this.storeOf(item);
    if (!store) throw new Error(vscode.l10n.t('This run is no longer in the workspace.'));
    const latest = await this.deps.runs.latest({ store, runId: item.runId });
    const taskId = latest.ok ? latest.record.task_id : null;
    const lease = await store.readLease(item.runId).catch(() => undefined);
    if ((taskId && this.deps.runs.isFollowing(taskId)) || (lease && isLeaseLive(lease))) {
      void vscode.window.showWarningMessage(vscode.l10n.t('This run is still being followed, so it is not deleted. Wait until it ends, or stop watching it first.'));
      return;
    }
    const folder = vscode.Uri.file(store.runDir(item.runId));
    const where = vscode.workspace.asRelativePath(folder, false);
    const toTrash = vscode.l10n.t('Move to Trash');
    const choice = await vscode.window.showWarningMessage(
      vscode.l10n.t('Delete the run "{0}"?', promptHead(item.prompt, 60) || item.runId),
      {
        modal: true,
        detail:
          item.images.length > 0
            ? vscode.l10n.t('Its {0} images and its record ({1}) go to the trash. Copies in your project stay, and what it cost stays in your spending.', item.images.length, where)
            : vscode.l10n.t('Its record ({0}) goes to the trash. What it cost stays in your spending.', where),
      },
      toTrash,
    );
    if (choice !== toTrash) return;
    try {
      await vscode.workspace.fs.delete(folder, { recursive: true, useTrash: true });
    } catch (error) {
      this.deps.logger.warn(`gallery: the trash could not take ${where}: ${(error as Error).message}`);
      const permanently = vscode.l10n.t('Delete Permanently');
      const again = await vscode.window.showWarningMessage(vscode.l10n.t('The trash cannot be used here. Delete {0} permanently?', where), { modal: true, detail: (error as Error).message }, permanently);
      if (again !== permanently) return;
      await vscode.workspace.fs.delete(folder, { recursive: true, useTrash: false });
    }
    this.deps.logger.info(`gallery: deleted run ${item.runId} (${item.images.length} images)`);
    this.gallery.items.remove(store, item.runId);
    this.deps.runDeleted(store, item.runId);
    this.changed();
  }

  /** The artifacts folder a gallery item's run is in (its key is the run index's key). */
  private storeOf(item: GalleryItem): ArtifactStore | undefined {
    return this.deps.index.storesList.find((s) => runKey(s, item.runId) === item.key);
  }

  private html(): string {
    return webviewHtml({ webview: this.webviewPanel.webview, extensionUri: this.deps.extensionUri, script: 'gallery.js', style: 'gallery.css', title: vscode.l10n.t('CreatOK Gallery'), rootId: 'gallery' });
  }

}
