// The commands that take a generated image into the user's work: Insert Generated Image,
// Generate Image from Selection, and the Tasks view's Insert into Editor, Copy Markdown Link,
// Save Image As… and Use as Reference Image (vary a result).
import * as vscode from 'vscode';
import type { RunEntry, RunIndex } from '../core/runs/runIndex';
import type { RunService } from '../core/runs/runService';
import { Commands } from './commandIds';
import { imagesOfRun, type GeneratedImage, type ImageActions } from './imageActions';
import type { PanelController } from './panelController';
import { isImageNode } from './tasks/tasksView';
import { requireTrust } from './trust';

export interface ImageCommandDeps {
  actions: ImageActions;
  index: RunIndex;
  runs: RunService;
  panel: PanelController;
  /** Opens (or focuses) the Generate Image panel. */
  showPanel: () => void;
}

const isEntry = (value: unknown): value is RunEntry => !!value && typeof value === 'object' && 'runId' in value && 'store' in value;

export function registerImageCommands(deps: ImageCommandDeps): vscode.Disposable[] {
  const { actions } = deps;
  /** The images of the run behind a Tasks view item, one picked when there are several. */
  const imageOfEntry = async (arg: unknown, title: string): Promise<GeneratedImage | undefined> => {
    const entry = isImageNode(arg) ? arg.entry : arg;
    if (!isEntry(entry)) return undefined;
    const latest = await deps.runs.latest(entry);
    if (!latest.ok) return undefined;
    const images = await imagesOfRun(entry.store, latest.record);
    // An image row: that image; a run row: the one picked when there are several.
    return isImageNode(arg) ? images.find((i) => i.index === arg.index) : actions.pick(images, title);
  };

  return [
    // Palette (and keybindings): `{ runId, index }` inserts that image without the picker.
    vscode.commands.registerCommand(Commands.insertImage, async (target?: { runId?: unknown; index?: unknown }) => {
      const all = await actions.allImages();
      const chosen =
        target && typeof target.runId === 'string'
          ? all.find((i) => i.record.run_id === target.runId && i.index === (typeof target.index === 'number' ? target.index : 0))
          : await actions.pick(all, vscode.l10n.t('Insert Generated Image'));
      return chosen && (await requireTrust()) ? actions.insert(chosen) : false;
    }),
    vscode.commands.registerCommand(Commands.generateFromSelection, () => {
      const editor = vscode.window.activeTextEditor;
      const text = editor?.selections.map((s) => editor.document.getText(s)).join('\n').trim();
      if (!editor || !text) {
        void vscode.window.showInformationMessage(vscode.l10n.t('Select the text to generate an image from first.'));
        return;
      }
      actions.rememberSelection(editor);
      deps.showPanel();
      deps.panel.prefill({ prompt: text });
    }),
    vscode.commands.registerCommand(Commands.tasksInsert, async (arg: unknown) => {
      const image = await imageOfEntry(arg, vscode.l10n.t('Insert into Editor'));
      if (image && (await requireTrust())) await actions.insert(image);
    }),
    vscode.commands.registerCommand(Commands.tasksCopyMarkdownLink, async (arg: unknown) => {
      const image = await imageOfEntry(arg, vscode.l10n.t('Copy Markdown Link'));
      // It copies the image into the project: only in a trusted folder.
      if (image && (await requireTrust())) await actions.copyMarkdownLink(image);
    }),
    vscode.commands.registerCommand(Commands.tasksSaveImageAs, async (arg: unknown) => {
      const image = await imageOfEntry(arg, vscode.l10n.t('Save Image As'));
      if (image && (await requireTrust())) await actions.saveAs(image);
    }),
    vscode.commands.registerCommand(Commands.tasksUseAsReference, async (arg: unknown) => {
      const image = await imageOfEntry(arg, vscode.l10n.t('Use as Reference Image'));
      if (!image || !(await requireTrust())) return undefined;
      deps.showPanel();
      return deps.panel.vary(image);
    }),
  ];
}
