// From a generated image to the user's work: insert it where they write (Markdown, HTML, or a
// path), copy a Markdown link, save a copy elsewhere, and remember where "Generate Image from
// Selection" was asked so the result goes back there. Insert and Copy Markdown Link link a copy
// of the image in the project (core/projectCopies.ts decides where), never the run folder, which
// many repositories ignore.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import * as z from 'zod/mini';
import { altText, imageMarkup, markupKindOf, nameFromPrompt, relativeImagePath } from '../core/imageUse';
import type { Logger } from '../core/log';
import { copyTarget, CopyRefusedError, placeProjectCopy } from '../core/projectCopies';
import type { RunService } from '../core/runs/runService';
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

  constructor(
    private readonly index: RunIndex,
    private readonly runs: RunService,
    /** creatok.imagesFolder ('' = none). */
    private readonly imagesFolder: () => string,
    private readonly logger: Logger,
  ) {
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
    const copy = await this.projectCopy(image, editor.document);
    if (!copy) return false;
    const markup = imageMarkup(markupKindOf(editor.document.languageId), this.linkTo(copy, editor.document, image), altText(image.record.prompt));
    const selections = editor.selections;
    const done = await editor.edit((edit) => {
      for (const selection of selections) edit.replace(selection, selectionTarget ? `\n${markup}\n` : markup);
    });
    if (done) vscode.window.setStatusBarMessage(vscode.l10n.t('Inserted the image.'), 3000);
    return done;
  }

  /** The Markdown link to the image's project copy, relative to the last active document (or the workspace). */
  async markdownLink(image: GeneratedImage): Promise<string | undefined> {
    const document = (await this.editorForInsert(false))?.document;
    const copy = await this.projectCopy(image, document);
    return copy ? imageMarkup('markdown', this.linkTo(copy, document, image), altText(image.record.prompt)) : undefined;
  }

  async copyMarkdownLink(image: GeneratedImage): Promise<boolean> {
    const link = await this.markdownLink(image);
    if (!link) return false;
    await vscode.env.clipboard.writeText(link);
    vscode.window.setStatusBarMessage(vscode.l10n.t('Copied the Markdown link.'), 3000);
    return true;
  }

  /**
   * The image as one of the project's files, for `document`: copied where the copy rule says
   * (markdown.copyFiles.destination, creatok.imagesFolder, the document's folder; `images/` for
   * an untitled document), or an equal copy already there; listed in the run's record. Undefined,
   * with the reason said, when it may not be copied.
   */
  async projectCopy(image: GeneratedImage, document: vscode.TextDocument | undefined): Promise<string | undefined> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage(vscode.l10n.t('Restricted Mode: trust this folder to copy generated images into it.'));
      return undefined;
    }
    const fileDocument = document?.uri.scheme === 'file' ? document : undefined;
    const root = (fileDocument && vscode.workspace.getWorkspaceFolder(fileDocument.uri)?.uri.fsPath) ?? image.store.workspaceFolder;
    const target = copyTarget({
      documentPath: fileDocument?.uri.fsPath,
      workspaceFolder: root,
      rules: copyRules(fileDocument, (m) => this.logger.warn(m)),
      matches: (glob) => !!fileDocument && vscode.languages.match({ pattern: glob }, fileDocument) > 0,
      imagesFolder: this.imagesFolder(),
      fileName: nameFromPrompt(image.record.prompt || image.record.run_id) + path.extname(image.file).toLowerCase(),
    });
    try {
      const placed = await placeProjectCopy(image.file, target.file, root);
      const listed = path.relative(image.store.workspaceFolder, placed.file).split(path.sep).join('/');
      this.logger.info(`copy: ${placed.reused ? 'linked the equal copy' : 'copied the image to'} ${listed} (${target.origin})`);
      if (!(await this.runs.addCopies(image.store, image.record.run_id, [listed]))) this.logger.warn(`copy: run ${image.record.run_id} could not list ${listed}`);
      return placed.file;
    } catch (error) {
      const where = vscode.workspace.asRelativePath(target.file, false);
      const message = error instanceof CopyRefusedError ? copyRefusalText(error, where) : vscode.l10n.t('The image could not be copied to {0}: {1}', where, (error as Error).message);
      this.logger.warn(`copy: ${(error as Error).message}`);
      void vscode.window.showWarningMessage(message);
      return undefined;
    }
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
  private async editorForInsert(show = true): Promise<vscode.TextEditor | undefined> {
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
    if (!last) return show ? this.textTabEditor() : undefined;
    if (vscode.window.visibleTextEditors.includes(last)) return last;
    // Hidden behind a webview (the gallery, the panel): shown again, with the cursor where it was.
    if (last.document.isClosed) return undefined;
    return show ? vscode.window.showTextDocument(last.document, { viewColumn: last.viewColumn, selection: last.selection, preserveFocus: false }) : last;
  }

  /**
   * No text editor was active since this window's extension started (it started while a webview
   * had the focus): the text tab of the active group (else of any group), shown again, with the
   * cursor where VS Code kept it.
   */
  private async textTabEditor(): Promise<vscode.TextEditor | undefined> {
    const groups = [vscode.window.tabGroups.activeTabGroup, ...vscode.window.tabGroups.all];
    for (const group of groups) {
      const tab = [group.activeTab, ...group.tabs].find((t) => t?.input instanceof vscode.TabInputText);
      if (!tab) continue;
      const document = await vscode.workspace.openTextDocument((tab.input as vscode.TabInputText).uri);
      return vscode.window.showTextDocument(document, { viewColumn: group.viewColumn, preserveFocus: false });
    }
    return undefined;
  }

  /** A link to `file`: relative to the document's folder; for an untitled document (or none), to the workspace. */
  private linkTo(file: string, document: vscode.TextDocument | undefined, image: GeneratedImage): string {
    if (document && document.uri.scheme === 'file') return relativeImagePath(path.dirname(document.uri.fsPath), file);
    return relativeImagePath(image.store.workspaceFolder, file);
  }
}

/** Why a copy was refused, in the user's language. */
export function copyRefusalText(error: CopyRefusedError, where: string): string {
  switch (error.reason) {
    case 'outside':
      return vscode.l10n.t('The image was not copied: {0} is outside the workspace. Nothing was written.', where);
    case 'git':
      return vscode.l10n.t('The image was not copied: {0} is inside .git. Nothing was written.', where);
    case 'link':
      return vscode.l10n.t('The image was not copied: {0} goes through a symbolic link. Nothing was written.', where);
  }
}

const copyRulesSchema = z.record(z.string(), z.string());

/** The user's `markdown.copyFiles.destination` for the document; anything else than glob → path is ignored (and logged). */
function copyRules(document: vscode.TextDocument | undefined, warn: (message: string) => void): Record<string, string> {
  if (!document) return {};
  const raw = vscode.workspace.getConfiguration('markdown', document.uri).get<unknown>('copyFiles.destination') ?? {};
  const parsed = copyRulesSchema.safeParse(raw);
  if (!parsed.success) warn('markdown.copyFiles.destination is not a map of globs to paths; it is not used for generated images');
  return parsed.success ? parsed.data : {};
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
