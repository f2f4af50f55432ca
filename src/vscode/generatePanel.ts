// The Generate Image panel: one webview panel, focused if already open. It only shows and
// asks; every call to CreatOK is made by the extension host.
import * as vscode from 'vscode';
import { panelSchemas, type HostToWebview, type PanelForm, type ReplyResult, type RunView, type WebviewToHost } from '../core/panelMessages';
import type { Logger } from '../core/log';
import { Disposable } from './disposable';
import { webviewHtml } from './webviewHtml';

export const PANEL_VIEW_TYPE = 'creatok.generateImage';

export interface PanelHost {
  /** Builds the `init` message (strings, catalogue, prefill). */
  initMessage(): Promise<HostToWebview>;
  /** Answers one request; a thrown error is shown in the panel. */
  /** Handles a request; what it returns goes back in the request's reply. */
  onMessage(message: Exclude<WebviewToHost, { type: 'ready' }>, panel: GeneratePanel): Promise<ReplyResult | void>;
  /** The webview has its init message; `runId` is the run it showed before a reload. */
  ready(panel: GeneratePanel, runId: string | undefined): void;
  /** The panel was closed. */
  closed(panel: GeneratePanel): void;
}

/** The bundle, the styles, and the run folders of the workspace (for the saved images): nothing else. */
function resourceRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  const artifacts = (vscode.workspace.workspaceFolders ?? []).map((f) => vscode.Uri.joinPath(f.uri, 'generate-image', '.artifacts'));
  return [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media'), ...artifacts];
}


export class GeneratePanel extends Disposable {
  static current: GeneratePanel | undefined;

  private ready = false;
  private readonly queue: HostToWebview[] = [];

  static show(extensionUri: vscode.Uri, host: PanelHost, logger: Logger, imageOrigins: string[]): GeneratePanel {
    if (GeneratePanel.current) {
      GeneratePanel.current.panel.reveal(undefined, false);
      return GeneratePanel.current;
    }
    const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, vscode.l10n.t('Generate Image'), vscode.ViewColumn.Active, {
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: resourceRoots(extensionUri),
    });
    GeneratePanel.current = new GeneratePanel(panel, extensionUri, host, logger, imageOrigins);
    return GeneratePanel.current;
  }

  /** Restores a panel VS Code kept across a reload. */
  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, host: PanelHost, logger: Logger, imageOrigins: string[]): GeneratePanel {
    GeneratePanel.current?.dispose();
    panel.webview.options = { enableScripts: true, localResourceRoots: resourceRoots(extensionUri) };
    GeneratePanel.current = new GeneratePanel(panel, extensionUri, host, logger, imageOrigins);
    return GeneratePanel.current;
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    private readonly host: PanelHost,
    private readonly logger: Logger,
    imageOrigins: string[],
  ) {
    super();
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.png');
    panel.webview.html = this.html(imageOrigins);
    this._register(panel.onDidDispose(() => this.dispose()));
    this._register(panel.webview.onDidReceiveMessage((raw: unknown) => void this.receive(raw)));
  }

  /** Sends a message to the webview; after the panel closed, nothing (never "Webview is disposed"). */
  private withWebviewSources(run: RunView): RunView {
    const webview = this.panel.webview;
    return { ...run, images: run.images.map((i) => (i.localPath ? { ...i, localSrc: webview.asWebviewUri(vscode.Uri.file(i.localPath)).toString() } : i)) };
  }

  post(message: HostToWebview): void {
    if (this.isDisposed) return;
    // A run's saved images are shown through webview resource URIs.
    if (message.type === 'run') message = { ...message, run: this.withWebviewSources(message.run) };
    if (message.type === 'reply' && message.result?.kind === 'run') message = { ...message, result: { ...message.result, run: this.withWebviewSources(message.result.run) } };
    const checked = panelSchemas().hostToWebviewSchema.parse(message);
    if (!this.ready) {
      this.queue.push(checked);
      return;
    }
    this.send(checked);
  }

  prefill(form: Partial<PanelForm>): void {
    this.post({ type: 'prefill', form });
  }

  override dispose(): void {
    if (this.isDisposed) return;
    if (GeneratePanel.current === this) GeneratePanel.current = undefined;
    super.dispose();
    this.panel.dispose();
    this.host.closed(this);
  }

  private send(message: HostToWebview): void {
    if (this.isDisposed) return;
    this.panel.webview.postMessage(message).then(undefined, (e: Error) => this.logger.warn(`panel: a message was not delivered: ${e.message}`));
  }

  private async receive(raw: unknown): Promise<void> {
    const parsed = panelSchemas().webviewToHostSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.join('.') || 'message';
      this.logger.warn(`panel: refused a malformed message (${where}: ${issue?.message ?? 'invalid'})`);
      const requestId = typeof raw === 'object' && raw !== null && Number.isInteger((raw as { requestId?: unknown }).requestId) ? (raw as { requestId: number }).requestId : undefined;
      if (requestId !== undefined) this.post({ type: 'reply', requestId, error: vscode.l10n.t('The panel sent something the extension could not read ({0}). Nothing was sent to CreatOK.', where) });
      return;
    }
    const message = parsed.data;
    if (message.type === 'ready') {
      this.ready = false;
      try {
        this.send(panelSchemas().hostToWebviewSchema.parse(await this.host.initMessage()));
      } catch (error) {
        this.logger.error(`panel: could not start: ${(error as Error).message}`);
        void vscode.window.showErrorMessage(vscode.l10n.t('The Generate Image panel could not start: {0}', (error as Error).message));
      }
      this.ready = true;
      for (const queued of this.queue.splice(0)) this.send(queued);
      this.host.ready(this, message.runId);
      return;
    }
    try {
      const result = await this.host.onMessage(message, this);
      this.post({ type: 'reply', requestId: message.requestId, ...(result ? { result } : {}) });
    } catch (error) {
      this.logger.error(`panel: handling ${message.type} failed: ${(error as Error).stack ?? error}`);
      this.post({ type: 'reply', requestId: message.requestId, error: vscode.l10n.t('Something went wrong: {0}', (error as Error).message ?? String(error)) });
    }
  }

  private html(imageOrigins: string[]): string {
    return webviewHtml({
      webview: this.panel.webview,
      extensionUri: this.extensionUri,
      script: 'webview.js',
      style: 'panel.css',
      title: vscode.l10n.t('Generate Image'),
      rootId: 'app',
      imageSources: ['https:', 'data:', ...imageOrigins],
    });
  }
}
