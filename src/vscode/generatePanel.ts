// The Generate Image panel: one webview panel, focused if already open. It only shows and
// asks; every call to CreatOK is made by the extension host.
import * as vscode from 'vscode';
import { panelSchemas, type HostToWebview, type PanelForm, type WebviewToHost } from '../core/panelMessages';
import type { Logger } from '../core/log';

export const PANEL_VIEW_TYPE = 'creatok.generateImage';

export interface PanelHost {
  /** Builds the `init` message (strings, catalogue, prefill). */
  initMessage(): Promise<HostToWebview>;
  onMessage(message: WebviewToHost, panel: GeneratePanel): void | Promise<void>;
  /** Called once the webview has its init message. */
  ready?(panel: GeneratePanel): void;
}

/** The bundle, the styles, and the run folders of the workspace (for the saved images): nothing else. */
function resourceRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  const artifacts = (vscode.workspace.workspaceFolders ?? []).map((f) => vscode.Uri.joinPath(f.uri, 'generate-image', '.artifacts'));
  return [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media'), ...artifacts];
}

function nonce(): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let text = '';
  for (let i = 0; i < 32; i++) text += chars.charAt(Math.floor(Math.random() * chars.length));
  return text;
}

export class GeneratePanel {
  static current: GeneratePanel | undefined;

  private readonly disposables: vscode.Disposable[] = [];
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
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.png');
    panel.webview.html = this.html(imageOrigins);
    panel.onDidDispose(() => this.dispose(), null, this.disposables);
    panel.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw), null, this.disposables);
  }

  post(message: HostToWebview): void {
    if (message.type === 'run') {
      const webview = this.panel.webview;
      const images = message.run.images.map((i) => (i.localPath ? { ...i, localSrc: webview.asWebviewUri(vscode.Uri.file(i.localPath)).toString() } : i));
      message = { ...message, run: { ...message.run, images } };
    }
    const checked = panelSchemas().hostToWebviewSchema.parse(message);
    if (!this.ready) {
      this.queue.push(checked);
      return;
    }
    void this.panel.webview.postMessage(checked);
  }

  prefill(form: Partial<PanelForm>): void {
    this.post({ type: 'prefill', form });
  }

  dispose(): void {
    if (GeneratePanel.current === this) GeneratePanel.current = undefined;
    this.panel.dispose();
    while (this.disposables.length) this.disposables.pop()?.dispose();
  }

  private async receive(raw: unknown): Promise<void> {
    const parsed = panelSchemas().webviewToHostSchema.safeParse(raw);
    if (!parsed.success) {
      this.logger.warn(`panel: ignored a malformed message: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      return;
    }
    const message = parsed.data;
    if (message.type === 'ready') {
      this.ready = false;
      await this.panel.webview.postMessage(panelSchemas().hostToWebviewSchema.parse(await this.host.initMessage()));
      this.ready = true;
      for (const queued of this.queue.splice(0)) void this.panel.webview.postMessage(queued);
      this.host.ready?.(this);
      return;
    }
    try {
      await this.host.onMessage(message, this);
    } catch (error) {
      this.logger.error(`panel: handling ${message.type} failed: ${(error as Error).stack ?? error}`);
    }
  }

  private html(imageOrigins: string[]): string {
    const webview = this.panel.webview;
    const script = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview.js'));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'panel.css'));
    const n = nonce();
    const img = [webview.cspSource, 'https:', 'data:', ...imageOrigins].join(' ');
    const csp = `default-src 'none'; img-src ${img}; style-src ${webview.cspSource}; script-src 'nonce-${n}'; font-src ${webview.cspSource};`;
    return `<!DOCTYPE html>
<html lang="${vscode.env.language}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link href="${style}" rel="stylesheet">
<title>${escapeHtml(vscode.l10n.t('Generate Image'))}</title>
</head>
<body>
<main id="app" aria-busy="true"></main>
<script nonce="${n}" src="${script}"></script>
</body>
</html>`;
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
