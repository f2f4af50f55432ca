// The API key: VS Code's SecretStorage first, the CREATOK_API_KEY environment variable as a
// fallback. Never in settings, logs or artifacts.
import * as vscode from 'vscode';
import { API_KEYS_PAGE } from '../core/api/client';
import { isHeaderSafe } from '../core/urlPolicy';

const SECRET_KEY = 'creatok.apiKey';

/** Why a typed key cannot be used (it must fit in an HTTP header as it is), or undefined. */
function keyProblem(key: string): string | undefined {
  if (!key) return undefined;
  if (/\s/.test(key)) return vscode.l10n.t('An API key has no spaces.');
  if (!isHeaderSafe(key)) return vscode.l10n.t('An API key has only visible ASCII characters; this one has an invisible or non-ASCII character (copied from a web page?).');
  return undefined;
}

export class ApiKeyStore {
  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  async get(): Promise<string | undefined> {
    // Secret storage can fail (a locked keyring, a browser without it): the environment still counts.
    const stored = await this.secrets.get(SECRET_KEY).then(
      (value) => value,
      () => undefined,
    );
    if (stored) return stored;
    const fromEnv = this.env.CREATOK_API_KEY?.trim();
    return fromEnv || undefined;
  }

  async set(key: string): Promise<void> {
    await this.secrets.store(SECRET_KEY, key.trim());
  }

  async clear(): Promise<void> {
    await this.secrets.delete(SECRET_KEY);
  }

  /** Asks for a key (password input). Returns it, or undefined when the user cancelled. */
  async prompt(reason?: string): Promise<string | undefined> {
    const getKey = vscode.l10n.t('Get an API key');
    const input = vscode.window.createInputBox();
    input.title = vscode.l10n.t('CreatOK API key');
    input.password = true;
    input.ignoreFocusOut = true;
    input.placeholder = 'ok_...';
    input.prompt = reason ?? vscode.l10n.t('Paste your CreatOK API key. You can create one on the API keys page.');
    input.buttons = [{ iconPath: new vscode.ThemeIcon('link-external'), tooltip: getKey }];
    const value = await new Promise<string | undefined>((resolve) => {
      const done = (v: string | undefined): void => {
        resolve(v);
        input.dispose();
      };
      input.onDidTriggerButton(() => void vscode.env.openExternal(vscode.Uri.parse(API_KEYS_PAGE)));
      input.onDidChangeValue((v) => {
        input.validationMessage = keyProblem(v.trim());
      });
      input.onDidAccept(() => {
        const v = input.value.trim();
        if (!v || keyProblem(v)) return;
        done(v);
      });
      input.onDidHide(() => done(undefined));
      input.show();
    });
    if (value) await this.set(value);
    return value;
  }

  /** The key, asking for it when there is none. */
  async ensure(): Promise<string | undefined> {
    return (await this.get()) ?? this.prompt(vscode.l10n.t('To generate images, paste your CreatOK API key. You can create one on the API keys page.'));
  }
}
