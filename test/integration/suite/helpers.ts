// What the integration suites share: the extension's testing API, the workspace folder, a panel
// form, and waiting for a condition.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { TestingApi } from '../../../src/extension';
import type { PanelForm } from '../../../src/core/panelMessages';

export const EXTENSION_ID = 'creatok.creatok-image';

export async function testing(): Promise<TestingApi> {
  const extension = vscode.extensions.getExtension<{ testing?: TestingApi }>(EXTENSION_ID);
  assert.ok(extension, 'the extension is installed');
  const api = await extension.activate();
  assert.ok(api.testing, 'the extension runs in test mode');
  return api.testing;
}

export function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'a workspace folder is open');
  return folder.uri.fsPath;
}

export const form = (prompt: string, extra: Partial<PanelForm> = {}): PanelForm => ({
  prompt,
  useCase: 'general',
  useCaseChosen: false,
  model: 'nano-banana-2',
  modelChosen: true,
  resolution: '2K',
  aspectRatio: '1:1',
  n: 1,
  ...extra,
});

export function until<T>(what: string, check: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const end = Date.now() + timeoutMs;
    const tick = (): void => {
      const value = check();
      if (value !== undefined) return resolve(value);
      if (Date.now() > end) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 50);
    };
    tick();
  });
}
