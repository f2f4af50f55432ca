// Continuing tasks: "Resume Task by ID" (a task from a colleague or the CreatOK CLI; never asks
// for the prompt), "check once" on a run, and watching unfinished runs again at start-up.
import * as vscode from 'vscode';
import type { CreatOkClient } from '../../core/api/client';
import { CreatOkError } from '../../core/api/errors';
import { isTerminalStatus } from '../../core/api/schemas';
import type { Logger } from '../../core/log';
import type { RunFollower } from '../../core/runs/follower';
import { saveRunImages } from '../../core/runs/images';
import { applyTaskStatus, newRecoveryRecord } from '../../core/runs/lifecycle';
import type { RunRecord } from '../../core/runs/record';
import type { RunIndex } from '../../core/runs/runIndex';
import { isResumable } from '../../core/runs/runState';
import type { ArtifactStore } from '../../core/runs/store';
import { checkTaskId, MAX_TASK_ID_LENGTH, type TaskIdProblem } from '../../core/taskId';
import { openResultFile } from '../generateController';
import { abortSignalOf, showProblem } from '../notify';
import { describeError, describeTaskFailure } from '../userMessages';

export type ResumeMode = 'once' | 'watch';

export interface ResumeOutcome {
  status: 'succeeded' | 'failed' | 'inProgress' | 'notFound' | 'error' | 'cancelled';
  taskId?: string;
  runId?: string;
  record?: RunRecord;
  message?: string;
}

export interface ResumeDeps {
  client: () => CreatOkClient;
  index: RunIndex;
  follower: RunFollower;
  logger: Logger;
  /** Follows a run with a progress notification (shared with Generate Image). */
  followWithProgress: (record: RunRecord, store: ArtifactStore) => void;
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
  async resume(taskId: string, mode: ResumeMode): Promise<ResumeOutcome> {
    const found = await this.deps.index.findByTaskId(taskId);
    const store = found?.entry.store ?? this.deps.store();
    if (!store) {
      const message = vscode.l10n.t('Open a folder first: the images and their record are saved in the workspace.');
      void vscode.window.showWarningMessage(message);
      return { status: 'error', taskId, message };
    }
    const existing = found?.result.ok ? found.result.record : undefined;
    if (existing && this.deps.follower.isFollowing(taskId)) {
      return { status: 'inProgress', taskId, runId: existing.run_id, record: existing, message: vscode.l10n.t('This task is already being watched.') };
    }
    let answer;
    try {
      answer = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Checking task {0}…', taskId), cancellable: true },
        (_progress, token) => this.deps.client().getTaskStatus(taskId, { signal: abortSignalOf(token) }),
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
    const now = new Date();
    let record = applyTaskStatus(existing ?? newRecoveryRecord(taskId, now, this.deps.client().baseUrl), answer.status, answer.raw, now);
    if (record.status === 'succeeded') record = await saveRunImages(record, store);
    record = await store.write(record);
    if (isTerminalStatus(record.status)) await store.markInProgress(record.run_id, false);
    this.deps.index.add(store, record.run_id);
    this.deps.logger.info(`resume: task ${taskId} is ${record.status} (run ${record.run_id})`);

    if (record.status === 'succeeded') {
      const message = vscode.l10n.t('Task {0} is done: {1} images, saved in the workspace.', taskId, record.images.length);
      void this.offerResult(message, record, store);
      return { status: 'succeeded', taskId, runId: record.run_id, record, message };
    }
    if (record.status === 'failed') {
      const plain = describeTaskFailure(record.error?.message);
      void showProblem(plain, undefined, () => openResultFile(store, record.run_id));
      return { status: 'failed', taskId, runId: record.run_id, record, message: plain.message };
    }
    const stillText =
      record.status === 'queued'
        ? vscode.l10n.t('Task {0} is still queued: CreatOK has not started it yet.', taskId)
        : vscode.l10n.t('Task {0} is still being generated ({1}).', taskId, record.status);
    if (mode === 'watch') {
      this.deps.followWithProgress(record, store);
    } else {
      const keep = vscode.l10n.t('Keep checking');
      void vscode.window.showInformationMessage(stillText, keep).then((choice) => {
        if (choice === keep) this.deps.followWithProgress(record, store);
      });
    }
    return { status: 'inProgress', taskId, runId: record.run_id, record, message: stillText };
  }

  /** Watches again every run that may still be going on (at start-up: no user action). */
  async resumeUnfinished(): Promise<number> {
    let resumed = 0;
    for (const store of this.deps.index.storesList) {
      const marked = await store.inProgressRunIds();
      for (const runId of marked) {
        const result = await store.read(runId);
        if (!result.ok) continue;
        if (!isResumable(result.record)) {
          await store.markInProgress(runId, false);
          continue;
        }
        if (this.deps.follower.isFollowing(result.record.task_id!)) continue;
        this.deps.logger.info(`resume: watching ${runId} (task ${result.record.task_id}) again`);
        this.deps.follower.follow(result.record, store, { startedAt: Date.parse(result.record.created_at) });
        resumed++;
      }
    }
    return resumed;
  }

  private async offerResult(message: string, record: RunRecord, store: ArtifactStore): Promise<void> {
    const open = vscode.l10n.t('Open result');
    if ((await vscode.window.showInformationMessage(message, open)) === open) {
      await openResultFile(store, record.run_id);
    }
  }
}
