// Drag and drop from the Tasks view into an editor: a finished run (its first image) or one of
// its image rows carries a small reference (artifacts folder, run id, image number) in the drag;
// dropping it into a document inserts the same markup as Insert Generated Image at the drop
// position (Markdown, HTML; the copy's relative path elsewhere), with the same copy rule.
import * as vscode from 'vscode';
import * as z from 'zod/mini';
import { altText, imageMarkup, markupKindOf, relativeImagePath } from '../core/imageUse';
import { runKey, type RunIndex, type RunEntry } from '../core/runs/runIndex';
import type { RunService } from '../core/runs/runService';
import * as path from 'node:path';
import { imagesOfRun, type GeneratedImage, type ImageActions } from './imageActions';
import { isImageNode, type TaskNode } from './tasks/tasksView';

/** The drag's data type (a tree drag also carries VS Code's own `application/vnd.code.tree.creatok.tasks`). */
export const IMAGE_DRAG_MIME = 'application/vnd.creatok.image+json';

const dragSchema = z.object({ root: z.string().check(z.maxLength(4096)), runId: z.string().check(z.maxLength(200)), index: z.int().check(z.minimum(-1), z.maximum(100)) }); // -1: the run's first saved image
type DragData = z.infer<typeof dragSchema>;

/** The Tasks view's drag side: what a dragged row carries. Only the first row of a selection is dragged. */
export class TasksDragController implements vscode.TreeDragAndDropController<TaskNode> {
  readonly dragMimeTypes = [IMAGE_DRAG_MIME];
  readonly dropMimeTypes: string[] = [];

  handleDrag(source: readonly TaskNode[], dataTransfer: vscode.DataTransfer): void {
    const node = source[0];
    const data: DragData | undefined = isImageNode(node) ? { root: node.entry.store.root, runId: node.entry.runId, index: node.index } : node && 'runId' in node ? { root: node.store.root, runId: node.runId, index: -1 } : undefined;
    if (data) dataTransfer.set(IMAGE_DRAG_MIME, new vscode.DataTransferItem(JSON.stringify(data)));
  }
}

/** The editor's drop side, for every file document. */
export class ImageDropProvider implements vscode.DocumentDropEditProvider {
  static readonly kind = vscode.DocumentDropOrPasteEditKind.Empty.append('creatok', 'generatedImage');

  constructor(
    private readonly index: RunIndex,
    private readonly runs: RunService,
    private readonly images: ImageActions,
  ) {}

  async provideDocumentDropEdits(document: vscode.TextDocument, _position: vscode.Position, dataTransfer: vscode.DataTransfer, token: vscode.CancellationToken): Promise<vscode.DocumentDropEdit | undefined> {
    const raw = await dataTransfer.get(IMAGE_DRAG_MIME)?.asString();
    if (!raw || token.isCancellationRequested) return undefined;
    let parsed;
    try {
      parsed = dragSchema.safeParse(JSON.parse(raw));
    } catch {
      return undefined; // not JSON: not ours
    }
    if (!parsed.success) return undefined;
    const image = await this.imageOf(parsed.data);
    if (!image) {
      void vscode.window.showWarningMessage(vscode.l10n.t('This run has no saved image to insert.'));
      return undefined;
    }
    const copy = await this.images.projectCopy(image, document);
    if (!copy || token.isCancellationRequested) return undefined;
    const link = document.uri.scheme === 'file' ? relativeImagePath(path.dirname(document.uri.fsPath), copy) : relativeImagePath(image.store.workspaceFolder, copy);
    return new vscode.DocumentDropEdit(imageMarkup(markupKindOf(document.languageId), link, altText(image.record.prompt)), vscode.l10n.t('Insert generated image'), ImageDropProvider.kind);
  }

  /** The dragged image (a run's first saved one for `index` -1), from a run folder the workspace lists. */
  private async imageOf(data: DragData): Promise<GeneratedImage | undefined> {
    const store = this.index.storesList.find((s) => s.root === data.root);
    if (!store) return undefined;
    const entry: RunEntry = { key: runKey(store, data.runId), runId: data.runId, store };
    const latest = await this.runs.latest(entry).catch(() => undefined);
    if (!latest?.ok) return undefined;
    const images = await imagesOfRun(store, latest.record);
    return data.index < 0 ? images[0] : images.find((i) => i.index === data.index);
  }
}
