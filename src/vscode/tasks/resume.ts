// "Resume Task by ID" (a task from a colleague or the CreatOK CLI; never asks for the prompt)
// and "check once" on a run: the words and pickers around the run service's checkTask.
import * as vscode from 'vscode';
import { CreatOkError } from '../../core/api/errors';
import type { Logger } from '../../core/log';
import type { RunRecord } from '../../core/runs/record';
import type { RunService, RunSnapshot } from '../../core/runs/runService';
import { classifyStatus } from '../../core/runs/runStatus';
import type { ArtifactStore } from '../../core/runs/store';
import { checkTaskId, MAX_TASK_ID_LENGTH, type TaskIdProblem } from '../../core/taskId';
import { showProblem, withAbortSignal } from '../notify';
import type { RunNotifications } from '../runNotifications';
import { openResultFile } from '../runNotifications';
import { describeError, describeTaskFailure } from '../userMessages';

export type ResumeMode = 'once' | 'watch';

export interface ResumeOutcome {
  status: 'succeeded' | 'failed' | 'inProgress' | 'notFound' | 'error' | 'cancelled';
  taskId?: string;
  runId?: string;
  record?: RunRecord;
  store?: ArtifactStore;
  message?: string;
}

export interface ResumeDeps {
  runs: RunService;
  notifications: RunNotifications;
  logger: Logger;
  /** Every workspace folder's run store (a task is looked for in all of them). */
  stores: () => readonly ArtifactStore[];
  /** Where new recovery runs are written (the first workspace folder). */
  store: () => ArtifactStore | undefined;
}

export function taskIdProblemText(problem: TaskIdProblem): string {
  switch (problem) {
    case 'empty':
      return vscode.l10n.t('Enter a task ID.');
    case 'tooLong':
      return vscode.l10n.t('A task ID has at most {0} characters.', MAX_TASK_ID_LENGTH);
    case 'pathSeparator':
      return vscode.l10n.t('A task ID has no slashes or "..".');
    case 'invalidCharacters':
      return vscode.l10n.t('A task ID has only letters, digits, "-", "_", "." and ":".');
  }
}

export class TaskResumer {
  constructor(private readonly deps: ResumeDeps) {}

  /** The command: asks for the id and the mode unless given. */
  async resumeById(taskIdArg?: string, modeArg?: ResumeMode): Promise<ResumeOutcome> {
    let taskId = taskIdArg;
    if (taskId === undefined) {
      taskId = await vscode.window.showInputBox({
        title: vscode.l10n.t('Resume Task by ID'),
        prompt: vscode.l10n.t('The ID of a CreatOK image task, for example from the CreatOK website or a colleague.'),
        placeHolder: 'task_…',
        ignoreFocusOut: true,
        validateInput: (value) => {
          const checked = checkTaskId(value);
          return checked.ok ? undefined : taskIdProblemText(checked.problem);
        },
      });
      if (taskId === undefined) return { status: 'cancelled' };
    }
    const checked = checkTaskId(taskId);
    if (!checked.ok) {
      void vscode.window.showErrorMessage(taskIdProblemText(checked.problem));
      return { status: 'error', message: taskIdProblemText(checked.problem) };
    }
    let mode = modeArg;
    if (mode === undefined) {
      const once = { label: vscode.l10n.t('Check once'), description: vscode.l10n.t('Look at the task now, then stop'), mode: 'once' as const };
      const watch = { label: vscode.l10n.t('Keep watching'), description: vscode.l10n.t('Follow the task until it ends'), mode: 'watch' as const };
      const picked = await vscode.window.showQuickPick([watch, once], { title: vscode.l10n.t('Resume task {0}', checked.taskId) });
      if (!picked) return { status: 'cancelled' };
      mode = picked.mode;
    }
    return this.resume(checked.taskId, mode);
  }

  /** Checks a task once, records it, and then keeps watching it when asked (or offered). */
  async resume(givenId: string, mode: ResumeMode): Promise<ResumeOutcome> {
    // Every caller (the command, the Tasks view, a chat tool) gets the same check of the id.
    const checked = checkTaskId(givenId);
    if (!checked.ok) return { status: 'error', message: taskIdProblemText(checked.problem) };
    const taskId = checked.taskId;
    const target = this.deps.store();
    if (!target) {
      const message = vscode.l10n.t('Open a folder first: the images and their record are saved in the workspace.');
      void vscode.window.showWarningMessage(message);
      return { status: 'error', taskId, message };
    }
    let result;
    try {
      result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Checking task {0}…', taskId), cancellable: true },
        (_progress, token) => withAbortSignal(token, (signal) => this.deps.runs.checkTask(taskId, this.deps.stores(), target, { keepWatching: mode === 'watch', signal })),
      );
    } catch (error) {
      if (error instanceof CreatOkError && error.kind === 'cancelled') return { status: 'cancelled', taskId };
      if (error instanceof CreatOkError && error.kind === 'notFound') {
        const message = vscode.l10n.t('CreatOK does not know the task {0}. Check the ID; nothing was saved.', taskId);
        void vscode.window.showWarningMessage(message);
        return { status: 'notFound', taskId, message };
      }
      const plain = describeError(error, 'other');
      void showProblem(plain, error);
      return { status: 'error', taskId, message: plain.message };
    }
    const run = result.run;
    const { record, store } = run;
    const base = { taskId, runId: record.run_id, record, store };
    if (result.kind === 'following') {
      return { status: 'inProgress', ...base, message: vscode.l10n.t('This task is already being watched.') };
    }
    const status = classifyStatus(record.status);
    if (status === 'succeeded') {
      const message = vscode.l10n.t('Task {0} is done: {1} images, saved in the workspace.', taskId, record.images.length);
      void this.offerResult(message, record, store);
      return { status: 'succeeded', ...base, message };
    }
    if (status === 'failed') {
      const plain = describeTaskFailure(record.error?.message);
      void showProblem(plain, undefined, () => openResultFile(store, record.run_id));
      return { status: 'failed', ...base, message: plain.message };
    }
    const stillText =
      status === 'queued'
        ? vscode.l10n.t('Task {0} is still queued: CreatOK has not started it yet.', taskId)
        : vscode.l10n.t('Task {0} is still being generated ({1}).', taskId, record.status);
    if (mode === 'watch') {
      this.deps.notifications.showProgress(run);
    } else {
      const keep = vscode.l10n.t('Keep checking');
      void vscode.window.showInformationMessage(stillText, keep).then((choice) => {
        if (choice === keep) this.followWithProgress(run);
      });
    }
    return { status: 'inProgress', ...base, message: stillText };
  }

  /** Follows a run again, with a progress notification (Tasks view "Resume", "Keep checking"). */
  followWithProgress(run: Pick<RunSnapshot, 'record' | 'store'>): void {
    this.deps.notifications.showProgress(this.deps.runs.follow(run.store, run.record));
  }

  private async offerResult(message: string, record: RunRecord, store: ArtifactStore): Promise<void> {
    const open = vscode.l10n.t('Open result');
    if ((await vscode.window.showInformationMessage(message, open)) === open) {
      await openResultFile(store, record.run_id);
    }
  }
}
