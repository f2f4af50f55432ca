// What the run service's events become as notifications: a progress notification for a run
// someone is waiting on (it always closes: on the run's one `ended` event, or when this object
// is disposed), a message at the end of every followed run, and a warning with "Copy task ID"
// and "Retry saving" when a run's record could not be written.
import * as vscode from 'vscode';
import type { RunEvent, RunService, RunSnapshot } from '../core/runs/runService';
import type { ArtifactStore } from '../core/runs/store';
import { Commands } from './commandIds';
import { Disposable } from './disposable';
import { showProblem } from './notify';
import { endMessage, toRunView } from './runPresenter';
import { describeError } from './userMessages';

export class RunNotifications extends Disposable {
  /** Closes the progress notifications still open (on dispose). */
  private readonly openProgress = new Set<() => void>();

  constructor(
    private readonly runs: RunService,
    private readonly logError: (message: string) => void,
  ) {
    super();
    this._register(runs.onDidChange((event) => void this.onEvent(event).catch((e: Error) => this.logError(`notifications: ${e.message}`))));
    this._register({ dispose: () => this.openProgress.forEach((close) => close()) });
  }

  /** A progress notification for a followed run, until it ends; its Cancel stops watching. */
  showProgress(run: RunSnapshot): void {
    const taskId = run.record.task_id;
    if (!taskId || !run.following || this.isDisposed) return;
    const runId = run.record.run_id;
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('CreatOK'), cancellable: true },
      (progress, token) =>
        new Promise<void>((resolve) => {
          const subscriptions: { dispose(): unknown }[] = [];
          const close = (): void => {
            subscriptions.forEach((s) => s.dispose());
            this.openProgress.delete(close);
            resolve();
          };
          this.openProgress.add(close);
          const report = (snapshot: RunSnapshot, trouble?: string): void => {
            const view = toRunView(snapshot);
            progress.report({ message: trouble ?? [view.message, snapshot.elsewhere ? vscode.l10n.t('(in another window)') : ''].filter(Boolean).join(' ') });
          };
          report(run);
          subscriptions.push(
            this.runs.onDidChange((event) => {
              if (event.run.record.run_id !== runId || event.run.store.root !== run.store.root) return;
              if (event.kind === 'ended') return close();
              if (event.kind === 'trouble') {
                const trouble = describeError(event.error, 'watch');
                return report(event.run, [trouble.message, trouble.hint].filter(Boolean).join(' '));
              }
              report(event.run);
            }),
            token.onCancellationRequested(() => this.runs.stop(taskId)),
          );
          // It may have ended before this notification subscribed.
          if (!this.runs.isFollowing(taskId)) close();
        }),
    );
  }

  private async onEvent(event: RunEvent): Promise<void> {
    if (event.kind === 'ended') await this.announceEnd(event);
    else if (event.kind === 'saveFailed') await this.announceSaveFailed(event.run, event.error);
    else if (event.kind === 'saved') vscode.window.setStatusBarMessage(vscode.l10n.t('The run record is saved in the workspace now.'), 5000);
  }

  private async announceEnd(event: Extract<RunEvent, { kind: 'ended' }>): Promise<void> {
    const { record, store } = event.run;
    if (event.run.elsewhere) return; // the window that followed it tells
    if (event.reason === 'succeeded' && record.download_error_kind === 'disk') {
      await announceDiskProblem(this.runs, store, record.run_id, record.download_error ?? '');
      return;
    }
    if (event.reason === 'succeeded') {
      const saved = record.local_images?.filter(Boolean).length ?? 0;
      const text =
        saved === record.images.length
          ? vscode.l10n.t('Your images are ready ({0}).', record.images.length)
          : vscode.l10n.t('Your images are ready ({0}), but {1} could not be saved in the workspace: their links are in the result.', record.images.length, record.images.length - saved);
      const openResult = vscode.l10n.t('Open result');
      const reveal = vscode.l10n.t('Reveal run folder');
      const choice = await vscode.window.showInformationMessage(text, openResult, reveal);
      if (choice === openResult) await openResultFile(store, record.run_id);
      if (choice === reveal) await revealRunFolder(store, record.run_id);
      return;
    }
    const message = endMessage(event.reason, record, event.error);
    if (!message) return;
    if (event.reason === 'budgetExhausted') void vscode.window.showInformationMessage(message.message);
    else if (event.reason !== 'stopped') await showProblem(message, event.error, () => openResultFile(store, record.run_id));
  }

  private async announceSaveFailed(run: RunSnapshot, error: Error): Promise<void> {
    const { record, store } = run;
    const copy = vscode.l10n.t('Copy task ID');
    const retry = vscode.l10n.t('Retry saving');
    const details = vscode.l10n.t('Details');
    const text = record.task_id
      ? vscode.l10n.t('CreatOK accepted task {0}, but its record could not be saved in the workspace: {1}. The task is kept and followed; saving is retried.', record.task_id, error.message)
      : vscode.l10n.t('The run record could not be saved in the workspace: {0}. Saving is retried.', error.message);
    const choice = await vscode.window.showWarningMessage(text, ...(record.task_id ? [copy] : []), retry, details);
    if (choice === copy && record.task_id) {
      await vscode.env.clipboard.writeText(record.task_id);
      vscode.window.setStatusBarMessage(vscode.l10n.t('Copied the task ID.'), 3000);
    }
    if (choice === retry) await retrySaving(this.runs, store, record.run_id);
    if (choice === details) await vscode.commands.executeCommand(Commands.showLog);
  }
}

/**
 * The images of a run could not be written because of this machine's disk (full, read-only,
 * not permitted): said as such, with Reveal and Retry (never retried as a network fault).
 */
export async function announceDiskProblem(runs: RunService, store: ArtifactStore, runId: string, detail: string): Promise<void> {
  const reveal = vscode.l10n.t('Reveal run folder');
  const retry = vscode.l10n.t('Retry');
  const choice = await vscode.window.showErrorMessage(
    vscode.l10n.t('The images could not be saved: the disk is full or the folder cannot be written. Free some space or fix the permissions, then retry. ({0})', detail),
    reveal,
    retry,
  );
  if (choice === reveal) await revealRunFolder(store, runId);
  if (choice === retry) await retryDownloadsWithProgress(runs, store, runId);
}

/** "Retry Downloads": saves a run's missing images again, and says how it went (a failure as a failure). */
export async function retryDownloadsWithProgress(runs: RunService, store: ArtifactStore, runId: string): Promise<void> {
  const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Saving the images…') }, () =>
    runs.retryDownloads(store, runId),
  );
  if (result.kind === 'busy') void vscode.window.showInformationMessage(vscode.l10n.t('This run is being watched; its images are saved when it ends.'));
  else if (result.kind === 'unreadable') void vscode.window.showErrorMessage(result.message);
  else if (result.kind === 'failed' && result.run.record.download_error_kind === 'disk') void announceDiskProblem(runs, store, runId, result.message);
  else if (result.kind === 'failed') void vscode.window.showErrorMessage(vscode.l10n.t('Some images could not be saved: {0}', result.message));
  else vscode.window.setStatusBarMessage(vscode.l10n.t('The images are saved in the run folder.'), 3000);
}

/** "Retry saving": tries the write now, and says how it went. */
export async function retrySaving(runs: RunService, store: ArtifactStore, runId: string): Promise<boolean> {
  const saved = await runs.retrySave(store, runId);
  if (saved) vscode.window.setStatusBarMessage(vscode.l10n.t('The run record is saved in the workspace now.'), 5000);
  else void vscode.window.showWarningMessage(vscode.l10n.t('The run record still cannot be saved: {0}', runs.snapshot(store, runId)?.unsaved ?? ''));
  return saved;
}

export async function openResultFile(store: ArtifactStore, runId: string): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(store.resultMdPath(runId)));
  await vscode.window.showTextDocument(doc, { preview: false });
}

export async function revealRunFolder(store: ArtifactStore, runId: string): Promise<void> {
  await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(store.resultJsonPath(runId)));
}
