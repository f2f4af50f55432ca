// Set API Key and Clear API Key, and the creatok.hasApiKey context key (secret storage or
// CREATOK_API_KEY) that completes the walkthrough's key step and shows Clear API Key.
import * as vscode from 'vscode';
import type { Logger } from '../core/log';
import type { ApiKeyStore } from './apiKey';
import { Commands } from './commandIds';
import { Disposable } from './disposable';

export class ApiKeyCommands extends Disposable {
  private hasKey: boolean | undefined;

  constructor(
    private readonly apiKeys: ApiKeyStore,
    secrets: vscode.SecretStorage,
    /** Called after the key changed (the model catalogue is read again). */
    private readonly onKeyChanged: () => void,
    private readonly logger: Logger,
  ) {
    super();
    void this.updateContext();
    this._register(secrets.onDidChange(() => void this.updateContext()));
    // Cheap, and it keeps the walkthrough and the palette right if the first read failed.
    this._register(vscode.window.onDidChangeWindowState((state) => state.focused && void this.updateContext()));
    this._register(vscode.commands.registerCommand(Commands.setApiKey, () => this.set()));
    this._register(vscode.commands.registerCommand(Commands.clearApiKey, () => this.clear()));
  }

  private async set(): Promise<void> {
    const key = await this.apiKeys.prompt();
    if (!key) return;
    this.onKeyChanged();
    await this.updateContext();
    void vscode.window.showInformationMessage(vscode.l10n.t('Your CreatOK API key is saved.'));
  }

  private async clear(): Promise<void> {
    await this.apiKeys.clear();
    this.onKeyChanged();
    await this.updateContext();
    const stillFromEnv = !!(await this.apiKeys.get());
    void vscode.window.showInformationMessage(
      stillFromEnv
        ? vscode.l10n.t('The saved API key is removed. The key from the CREATOK_API_KEY environment variable is still used.')
        : vscode.l10n.t('Your CreatOK API key is removed.'),
    );
  }

  private async updateContext(): Promise<void> {
    const now = !!(await this.apiKeys.get().catch(() => undefined));
    if (now === this.hasKey) return;
    this.hasKey = now;
    await vscode.commands.executeCommand('setContext', 'creatok.hasApiKey', now);
    this.logger.info(`api key: ${now ? 'set' : 'not set'} (creatok.hasApiKey)`);
  }
}
