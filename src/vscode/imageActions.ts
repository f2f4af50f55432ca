// From a generated image to the user's work: insert it where they write (Markdown, HTML, or a
// path), copy a Markdown link, save a copy elsewhere, and remember where "Generate Image from
// Selection" was asked so the result goes back there.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { altText, imageMarkup, markupKindOf, nameFromPrompt, relativeImagePath } from '../core/imageUse';
import type { RunRecord } from '../core/runs/record';
import type { RunIndex } from '../core/runs/runIndex';
import { promptHead } from '../core/runs/runStatus';
import type { ArtifactStore } from '../core/runs/store';
import { Disposable } from './disposable';
import { ageText } from './runPresenter';

/** One saved image of a run, ready to be used. */
export interface GeneratedImage {
  file: string;
  record: RunRecord;
  store: ArtifactStore;
  index: number;
}

/** The saved images of a run that really are files in its images folder. */
export async function imagesOfRun(store: ArtifactStore, record: RunRecord): Promise<GeneratedImage[]> {
  const found = await Promise.all(
    (record.local_images ?? []).map(async (entry, index) => {
      const file = await store.localImagePath(record.run_id, entry);
      return file ? { file, record, store, index } : undefined;
    }),
  );
  return found.filter((i): i is GeneratedImage => i !== undefined);
}

export class ImageActions extends Disposable {
  private lastTextEditor: vscode.TextEditor | undefined = vscode.window.activeTextEditor;
  /** Where "Generate Image from Selection" was asked: the next Insert from the panel goes there. */
  private selectionTarget: { uri: vscode.Uri; position: vscode.Position } | undefined;

  constructor(private readonly index: RunIndex) {
    super();
    this._register(
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        if (editor && editor.document.uri.scheme !== 'output') this.lastTextEditor = editor;
      }),
    );
  }

  /** Remembers the selection a generation was started from. */
  rememberSelection(editor: vscode.TextEditor): void {
    this.selectionTarget = { uri: editor.document.uri, position: editor.selection.end };
  }

  /** The newest `maxRuns` readable runs of the workspace. */
  async allRecords(maxRuns = 200): Promise<{ record: RunRecord; store: ArtifactStore }[]> {
    const entries = await this.index.page(maxRuns);
    const reads = await Promise.all(entries.map(async (entry) => ({ entry, read: await this.index.read(entry) })));
    return reads.flatMap(({ entry, read }) => (read.ok ? [{ record: read.record, store: entry.store }] : []));
  }

  /** Every saved image of the workspace, newest run first. */
  async allImages(maxRuns = 200): Promise<GeneratedImage[]> {
    const lists = await Promise.all((await this.allRecords(maxRuns)).map(({ record, store }) => imagesOfRun(store, record)));
    return lists.flat();
  }

  /** A QuickPick of images with their thumbnails, prompt excerpt, model and age. */
  async pick(images: GeneratedImage[], title: string): Promise<GeneratedImage | undefined> {
    if (images.length === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('No generated images in this workspace yet: generate one first.'));
      return undefined;
    }
    if (images.length === 1) return images[0];
    const items = images.map((image) => ({
      label: image.record.prompt ? promptHead(image.record.prompt, 70) : vscode.l10n.t('Task {0}', image.record.task_id ?? image.record.run_id),
      description: [image.record.model, ageText(image.record.created_at)].filter(Boolean).join(' · '),
      detail: path.basename(image.file),
      iconPath: vscode.Uri.file(image.file),
      image,
    }));
    const picked = await vscode.window.showQuickPick(items, { title, matchOnDescription: true, matchOnDetail: true, placeHolder: vscode.l10n.t('Type to search the prompts') });
    return picked?.image;
  }

  /**
   * Inserts the image at each selection of the active (or last active) editor. From the panel,
   * after "Generate Image from Selection", it goes where that selection was, on its own line.
   */
  async insert(image: GeneratedImage, options: { fromPanel?: boolean } = {}): Promise<boolean> {
    let editor = await this.editorForInsert();
    const selectionTarget = options.fromPanel ? this.selectionTarget : undefined;
    if (selectionTarget) {
      const document = await vscode.workspace.openTextDocument(selectionTarget.uri);
      editor = await vscode.window.showTextDocument(document, { preserveFocus: false });
      editor.selection = new vscode.Selection(selectionTarget.position, selectionTarget.position);
      this.selectionTarget = undefined;
    }
    if (!editor) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Open a text editor first: the image is inserted at its cursor.'));
      return false;
    }
    const markup = this.markupFor(image, editor.document);
    const selections = editor.selections;
    const done = await editor.edit((edit) => {
      for (const selection of selections) edit.replace(selection, selectionTarget ? `\n${markup}\n` : markup);
    });
    if (done) vscode.window.setStatusBarMessage(vscode.l10n.t('Inserted the image.'), 3000);
    return done;
  }

  /** The Markdown link to the image, relative to the last active document (or the workspace). */
  async markdownLink(image: GeneratedImage): Promise<string> {
    const editor = await this.editorForInsert();
    return imageMarkup('markdown', this.relativePath(image, editor?.document), altText(image.record.prompt));
  }

  async copyMarkdownLink(image: GeneratedImage): Promise<void> {
    await vscode.env.clipboard.writeText(await this.markdownLink(image));
    vscode.window.setStatusBarMessage(vscode.l10n.t('Copied the Markdown link.'), 3000);
  }

  /** "Save As…": a copy where the user picks, named from the prompt by default. */
  async saveAs(image: GeneratedImage): Promise<vscode.Uri | undefined> {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(path.dirname(image.file));
    const name = nameFromPrompt(image.record.prompt || image.record.run_id) + path.extname(image.file);
    const target = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.joinPath(folder, name), title: vscode.l10n.t('Save Image As'), filters: { [vscode.l10n.t('Images')]: [path.extname(image.file).slice(1)] } });
    if (!target || target.scheme !== 'file') return undefined;
    await fs.copyFile(image.file, target.fsPath);
    vscode.window.setStatusBarMessage(vscode.l10n.t('Saved {0}.', vscode.workspace.asRelativePath(target, false)), 3000);
    return target;
  }

  /**
   * The editor the user sees: the one of the active tab when it is a text file (waited for, up to
   * a second, when the editor events lag behind the tab that was just shown); when the panel has
   * the focus, the editor the user last wrote in, if it is still open.
   */
  private async editorForInsert(): Promise<vscode.TextEditor | undefined> {
    const input = vscode.window.tabGroups?.activeTabGroup.activeTab?.input;
    const tabUri = input instanceof vscode.TabInputText ? input.uri.toString() : undefined;
    if (tabUri) {
      const ofTab = (): vscode.TextEditor | undefined =>
        [vscode.window.activeTextEditor, ...vscode.window.visibleTextEditors].find((e) => e?.document.uri.toString() === tabUri);
      const found = ofTab() ?? (await nextEditorChange(1000).then(ofTab));
      if (found) return found;
    }
    const active = vscode.window.activeTextEditor;
    if (active) return active;
    const last = this.lastTextEditor;
    return last && vscode.window.visibleTextEditors.includes(last) ? last : undefined;
  }

  private markupFor(image: GeneratedImage, document: vscode.TextDocument): string {
    return imageMarkup(markupKindOf(document.languageId), this.relativePath(image, document), altText(image.record.prompt));
  }

  /** Relative to the document's folder; for an untitled document (or none), to the workspace. */
  private relativePath(image: GeneratedImage, document: vscode.TextDocument | undefined): string {
    if (document && document.uri.scheme === 'file') return relativeImagePath(path.dirname(document.uri.fsPath), image.file);
    return relativeImagePath(image.store.workspaceFolder, image.file);
  }
}

/** Resolves at the next change of the visible or active editors, or after `ms`. */
function nextEditorChange(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      subscriptions.forEach((d) => d.dispose());
      resolve();
    };
    const timer = setTimeout(done, ms);
    const subscriptions = [vscode.window.onDidChangeActiveTextEditor(done), vscode.window.onDidChangeVisibleTextEditors(done)];
  });
}
