// "CreatOK: Open Gallery" and the gallery's commands, registered at start-up; the gallery itself
// (its index, its panel, its webview strings and messages) is loaded when first used: the
// command, a tab restored after a reload. Its tile commands do nothing before (no tile exists).
import * as vscode from 'vscode';
import { TILE_ACTIONS } from '../../core/gallery/galleryActions';
import type { Logger } from '../../core/log';
import type { RunIndex } from '../../core/runs/runIndex';
import type { RunService } from '../../core/runs/runService';
import type { ArtifactStore } from '../../core/runs/store';
import { Commands } from '../commandIds';
import { Disposable } from '../disposable';
import type { GeneratedImage, ImageActions } from '../imageActions';
import { FirstUse } from '../firstUse';
import type { Gallery } from './galleryPanel';

export const GALLERY_VIEW_TYPE = 'creatok.gallery';

export interface GalleryDeps {
  index: RunIndex;
  runs: RunService;
  images: ImageActions;
  logger: Logger;
  extensionUri: vscode.Uri;
  /** A run folder was deleted here: the Tasks view drops its row. */
  runDeleted: (store: ArtifactStore, runId: string) => void;
  /** Vary (the panel with the same prompt and settings, the image as reference) and Use as Reference Image (added to the panel's references). */
  vary: (image: GeneratedImage) => Promise<unknown>;
  useAsReference: (file: string) => Promise<unknown>;
}

export class GalleryCommands extends Disposable {
  private readonly gallery: FirstUse<Gallery>;

  constructor(deps: GalleryDeps) {
    super();
    this.gallery = this._register(new FirstUse(() => vscode.l10n.t('the gallery'), () => import('./galleryPanel').then(({ Gallery }) => new Gallery(deps)), deps.logger));
    this._register(vscode.commands.registerCommand(Commands.openGallery, async () => void (await this.gallery.get()).open()));
    for (const action of TILE_ACTIONS) {
      this._register(vscode.commands.registerCommand(`creatok.gallery.${action}`, async (context?: { key?: unknown; index?: unknown }) => (await this.gallery.started)?.tileAction(action, context)));
    }
    this._register(
      vscode.window.registerWebviewPanelSerializer(GALLERY_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel: vscode.WebviewPanel) => (await this.gallery.get()).revive(panel),
      }),
    );
  }
}
