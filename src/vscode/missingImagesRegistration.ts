// Generate the missing image, registered at start-up: the Quick Fix on a Markdown or HTML image
// link whose target is missing, the two commands, and the placing of a finished run's image at
// its link's target. The code (missingImages.ts) is loaded on first use: the first Quick Fix
// asked for in a trusted workspace, a command, or a run with a target that ends.
import * as vscode from 'vscode';
import type { Logger } from '../core/log';
import type { RunRecord } from '../core/runs/record';
import type { RunService } from '../core/runs/runService';
import { Commands } from './commandIds';
import { Disposable } from './disposable';
import { FirstUse } from './firstUse';
import type { GenerateFlow } from './generateFlow';
import type { MissingImages } from './missingImages';

export const MISSING_IMAGE_LANGUAGES = ['markdown', 'html'] as const;

export interface MissingImagesDeps {
  runs: RunService;
  flow: GenerateFlow;
  logger: Logger;
  /** Opens the panel with this prompt; its next Generate is for `fill`. */
  openPanelFor: (prompt: string, fill: NonNullable<RunRecord['fill']>) => void;
}

export class MissingImageCommands extends Disposable {
  private readonly feature: FirstUse<MissingImages>;

  constructor(deps: MissingImagesDeps) {
    super();
    this.feature = this._register(new FirstUse(() => vscode.l10n.t('Generate Missing Image'), () => import('./missingImages').then(({ MissingImages }) => new MissingImages(deps)), deps.logger));
    this._register(
      deps.runs.onDidChange((event) => {
        const fill = event.kind === 'ended' && event.reason === 'succeeded' && !event.run.elsewhere ? event.run.record.fill : undefined;
        if (!fill) return;
        void this.feature.get().then(
          (m) => m.place(event.run),
          () => void vscode.window.showWarningMessage(vscode.l10n.t('The image was not written at {0}: it is in the run folder ({1}).', fill.target, event.run.record.run_id)),
        );
      }),
    );
    this._register(
      vscode.languages.registerCodeActionsProvider(
        MISSING_IMAGE_LANGUAGES.map((language) => ({ language, scheme: 'file' })),
        { provideCodeActions: async (document, range) => (vscode.workspace.isTrusted ? (await this.feature.get()).provideCodeActions(document, range) : []) },
        { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] },
      ),
    );
    this._register(vscode.commands.registerCommand(Commands.generateMissingImage, async (uri?: unknown, offset?: unknown) => (await this.feature.get()).generateOne(uri, offset)));
    this._register(vscode.commands.registerCommand(Commands.generateMissingImages, async () => (await this.feature.get()).generateAllInFile()));
  }
}
