// Restricted Mode: what is read from a workspace (run records) is only shown until the user
// trusts the folder. Actions that would act on it ask for trust first.
import * as vscode from 'vscode';

/** True in a trusted workspace; otherwise says why nothing happens and offers to manage trust. */
export async function requireTrust(): Promise<boolean> {
  if (vscode.workspace.isTrusted) return true;
  const manage = vscode.l10n.t('Manage Workspace Trust');
  const choice = await vscode.window.showWarningMessage(
    vscode.l10n.t('This folder is open in Restricted Mode: its image runs are listed, but not resumed or opened, until you trust it.'),
    manage,
  );
  if (choice === manage) await vscode.commands.executeCommand('workbench.trust.manage');
  return false;
}
