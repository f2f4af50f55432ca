// The page of every webview of the extension (the panel, the gallery): a strict CSP with a fresh
// nonce for the one script, styles and images only from the extension (and the origins given),
// the UI language, and one empty root element the script fills.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

export interface WebviewPage {
  webview: vscode.Webview;
  extensionUri: vscode.Uri;
  /** The bundle under dist/, and the page's stylesheet under media/ (after the shared base.css). */
  script: string;
  style: string;
  title: string;
  /** The id of the root element the script fills. */
  rootId: string;
  /** More image sources than the webview's own (https:, data:, a local test server). */
  imageSources?: string[];
}

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function webviewHtml(page: WebviewPage): string {
  const { webview } = page;
  const script = webview.asWebviewUri(vscode.Uri.joinPath(page.extensionUri, 'dist', page.script));
  const styles = ['base.css', page.style].map((name) => webview.asWebviewUri(vscode.Uri.joinPath(page.extensionUri, 'media', name)));
  const nonce = randomBytes(24).toString('base64');
  const img = [webview.cspSource, ...(page.imageSources ?? [])].join(' ');
  const csp = `default-src 'none'; img-src ${img}; style-src ${webview.cspSource}; script-src 'nonce-${nonce}'; font-src ${webview.cspSource};`;
  return `<!DOCTYPE html>
<html lang="${escapeHtml(vscode.env.language)}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${styles.map((style) => `<link href="${style}" rel="stylesheet">`).join('\n')}
<title>${escapeHtml(page.title)}</title>
</head>
<body>
<main id="${page.rootId}" aria-busy="true"></main>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}
