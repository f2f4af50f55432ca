// The host side of the Generate Image panel: answers its messages, and holds its reference
// images (paths stay on the host; the webview sees names, sizes and small previews).
import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import type { Logger } from '../core/log';
import type { Catalog } from '../core/models';
import { toPanelCatalog } from '../core/panelCatalog';
import type { HostToWebview, ReferenceView, WebviewToHost } from '../core/panelMessages';
import { inspectReference, type ReferenceFile } from '../core/references';
import type { ArtifactStore } from '../core/runs/store';
import { openResultFile, revealRunFolder, type GenerateController } from './generateController';
import type { GeneratePanel, PanelHost } from './generatePanel';
import { refineWithChatModel } from './promptRefiner';
import { referenceProblemText } from './userMessages';
import { webviewStrings } from './webviewStrings';

/** Images up to this size are previewed as data: URIs; larger ones show their name only. */
const THUMBNAIL_MAX_BYTES = 2 * 1024 * 1024;

export interface PanelControllerDeps {
  catalog: (force?: boolean) => Promise<Catalog>;
  controller: GenerateController;
  store: () => ArtifactStore | undefined;
  logger: Logger;
  showLog: () => void;
}

interface HeldReference extends ReferenceFile {
  id: string;
}

export class PanelController implements PanelHost {
  private references: HeldReference[] = [];
  private nextId = 1;
  private panel: GeneratePanel | undefined;

  constructor(private readonly deps: PanelControllerDeps) {}

  /** The reference images now in the panel (for the generate flow and the tests). */
  get referenceFiles(): ReferenceFile[] {
    return this.references.map(({ id: _id, ...file }) => file);
  }

  async initMessage(): Promise<HostToWebview> {
    return { type: 'init', strings: webviewStrings(), catalog: toPanelCatalog(await this.deps.catalog()) };
  }

  /** The panel's webview is ready (first open or a reload of the webview). */
  ready(panel: GeneratePanel): void {
    this.panel = panel;
    void this.postReferences();
  }

  /** Adds files as references; each refused one is named in a message. Returns the problems. */
  async addReferences(files: string[]): Promise<string[]> {
    const checks = await Promise.all(files.map((f) => inspectReference(f)));
    const problems: string[] = [];
    for (const check of checks) {
      if (check.ok) {
        if (!this.references.some((r) => r.file === check.reference.file)) this.references.push({ ...check.reference, id: String(this.nextId++) });
      } else {
        problems.push(referenceProblemText(check));
      }
    }
    if (problems.length > 0) void vscode.window.showWarningMessage(problems.join(' '));
    await this.postReferences();
    return problems;
  }

  clearReferences(): void {
    this.references = [];
    void this.postReferences();
  }

  async onMessage(message: WebviewToHost, panel: GeneratePanel): Promise<void> {
    this.panel = panel;
    const ws = this.deps.store();
    switch (message.type) {
      case 'generate': {
        await this.deps.controller.generate(
          message.form,
          (run) => panel.post({ type: 'run', run }),
          (problems) => panel.post({ type: 'problems', problems: problems.map((m) => ({ field: 'form', message: m })) }),
          this.referenceFiles,
        );
        panel.post({ type: 'generateDone', requestId: message.requestId });
        break;
      }
      case 'addReferences': {
        const picked = await vscode.window.showOpenDialog({
          canSelectMany: true,
          openLabel: vscode.l10n.t('Use as Reference'),
          title: vscode.l10n.t('Add reference image'),
          filters: { [vscode.l10n.t('Images')]: ['png', 'jpg', 'jpeg', 'webp', 'gif'] },
        });
        if (picked) await this.addReferences(picked.filter((u) => u.scheme === 'file').map((u) => u.fsPath));
        break;
      }
      case 'removeReference':
        this.references = this.references.filter((r) => r.id !== message.id);
        await this.postReferences();
        break;
      case 'copy':
        await vscode.env.clipboard.writeText(message.text);
        vscode.window.setStatusBarMessage(vscode.l10n.t('Copied to the clipboard.'), 3000);
        break;
      case 'openResult':
        if (ws) await openResultFile(ws, message.runId);
        break;
      case 'revealRun':
        if (ws) await revealRunFolder(ws, message.runId);
        break;
      case 'setApiKey':
        await vscode.commands.executeCommand('creatok.setApiKey');
        break;
      case 'showLog':
        this.deps.showLog();
        break;
      case 'reloadModels':
        panel.post({ type: 'catalog', catalog: toPanelCatalog(await this.deps.catalog(true)) });
        break;
      case 'refinePrompt': {
        const suggestion = await refineWithChatModel(message.prompt, message.useCase, this.deps.logger);
        panel.post(suggestion ? { type: 'refineSuggestion', text: suggestion } : { type: 'refineGuided' });
        break;
      }
      case 'ready':
        break;
    }
  }

  private async postReferences(): Promise<void> {
    if (!this.panel) return;
    const items: ReferenceView[] = await Promise.all(
      this.references.map(async (r) => ({ id: r.id, name: r.name, size: r.size, thumbnail: await thumbnail(r) })),
    );
    this.panel.post({ type: 'references', items });
  }
}

async function thumbnail(reference: ReferenceFile): Promise<string | null> {
  if (reference.size > THUMBNAIL_MAX_BYTES) return null;
  try {
    return `data:${reference.mime};base64,${(await fs.readFile(reference.file)).toString('base64')}`;
  } catch {
    return null;
  }
}

