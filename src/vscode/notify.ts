// Shared ways of telling people something: an error with its next steps, and the bridge from
// VS Code's cancellation to the core's AbortSignal.
import * as vscode from 'vscode';
import { CreatOkError } from '../core/api/errors';
import { Commands } from './commandIds';
import type { PlainMessage } from './userMessages';

/** Runs `work` with a CancellationToken as an AbortSignal (the core's calls); the listener goes with the work. */
export async function withAbortSignal<T>(token: vscode.CancellationToken, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  if (token.isCancellationRequested) controller.abort();
  const listener = token.onCancellationRequested(() => controller.abort());
  try {
    return await work(controller.signal);
  } finally {
    listener.dispose();
  }
}

/**
 * An error message in plain words with its next steps: Set API Key when the key was refused,
 * else Open result (when there is a result), and always Details (the log).
 */
export async function showProblem(message: PlainMessage, error: unknown, openResult?: () => Promise<void>): Promise<void> {
  const details = vscode.l10n.t('Details');
  const setKey = vscode.l10n.t('Set API Key');
  const open = vscode.l10n.t('Open result');
  const unauthorized = error instanceof CreatOkError && error.kind === 'unauthorized';
  const actions = unauthorized ? [setKey, details] : openResult ? [open, details] : [details];
  const choice = await vscode.window.showErrorMessage([message.message, message.hint].filter(Boolean).join(' '), ...actions);
  if (choice === details) await vscode.commands.executeCommand(Commands.showLog);
  if (choice === setKey) await vscode.commands.executeCommand(Commands.setApiKey);
  if (choice === open) {
    // The record may not be on disk (it could not be saved): say so rather than fail silently.
    await openResult?.().catch((e: Error) => vscode.window.showWarningMessage(vscode.l10n.t('The result cannot be opened: {0}', e.message)));
  }
}
