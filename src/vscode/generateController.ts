// "Generate Image" from the panel's button to the images: validate, ask for the key if
// needed, confirm the cost in a modal, submit once, follow the task with withProgress, and
// keep the panel in step. Only one confirmation can be open at a time.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CreatOkClient } from '../core/api/client';
import { CreatOkError } from '../core/api/errors';
import type { Logger } from '../core/log';
import type { Catalog } from '../core/models';
import type { PanelForm, RunView } from '../core/panelMessages';
import { validateChoice, type ResolvedRequest } from '../core/request';
import type { RunFollower, RunUpdate } from '../core/runs/follower';
import { submitRun } from '../core/runs/lifecycle';
import { recentDurations } from '../core/runs/history';
import { expectedDuration } from '../core/pollSchedule';
import type { RunRecord } from '../core/runs/record';
import type { ArtifactStore } from '../core/runs/store';
import type { ApiKeyStore } from './apiKey';
import { inspectReference, ReferenceUploadError, uploadReferences, type ReferenceFile, type UploadedReference } from '../core/references';
import { abortSignalOf, showProblem } from './notify';
import { describeError, describeTaskFailure, describeUnconfirmed, phaseOfStatus, phaseText, problemText, referenceProblemText, type PlainMessage } from './userMessages';

/** Asks the user to confirm a paid request; the integration tests replace it (the test driver skips modals). */
export type ConfirmRequest = (request: ResolvedRequest, references: ReferenceFile[]) => Promise<boolean>;

export interface GenerateDeps {
  client: () => CreatOkClient;
  catalog: () => Promise<Catalog>;
  store: () => ArtifactStore | undefined;
  apiKeys: ApiKeyStore;
  follower: RunFollower;
  logger: Logger;
  showLog: () => void;
  /** The modal confirmation; replaceable only by the integration tests (the test driver skips modals). */
  confirm?: ConfirmRequest;
}

export type GenerateResult =
  | { kind: 'invalid'; problems: string[] }
  | { kind: 'noKey' }
  | { kind: 'noWorkspace' }
  | { kind: 'busy' }
  | { kind: 'declined' }
  | { kind: 'submitFailed'; record: RunRecord; message: PlainMessage }
  | { kind: 'uploadFailed'; message: string }
  | { kind: 'submitted'; record: RunRecord };

export type RunViewSink = (view: RunView) => void;

export class GenerateController {
  private busy = false;
  private consecutiveSubmitFailures = 0;

  constructor(private readonly deps: GenerateDeps) {
    // Every run that ends says so, wherever it was started (panel, resume, start-up).
    deps.follower.onUpdate((update) => {
      if (update.ended) void this.announceEnd(update, update.store);
    });
  }

  get isBusy(): boolean {
    return this.busy;
  }

  /** One click of Generate. A second click while the first is being confirmed or sent does nothing. */
  async generate(form: PanelForm, sink: RunViewSink, onProblems: (problems: string[]) => void, references: ReferenceFile[] = []): Promise<GenerateResult> {
    if (this.busy) {
      this.deps.logger.info('generate: ignored a second request while one is being confirmed or sent');
      return { kind: 'busy' };
    }
    this.busy = true;
    try {
      return await this.generateOnce(form, sink, onProblems, references);
    } finally {
      this.busy = false;
    }
  }

  private async generateOnce(form: PanelForm, sink: RunViewSink, onProblems: (problems: string[]) => void, added: ReferenceFile[]): Promise<GenerateResult> {
    const store = this.deps.store();
    if (!store) {
      void vscode.window.showWarningMessage(vscode.l10n.t('Open a folder first: the images and their record are saved in the workspace.'));
      return { kind: 'noWorkspace' };
    }
    const catalog = await this.deps.catalog();
    const validation = validateChoice(catalog, {
      prompt: form.prompt,
      model: form.model,
      resolution: form.resolution,
      aspectRatio: form.aspectRatio,
      n: form.n,
      referenceCount: added.length,
    });
    // Each reference is looked at again: it may have been moved, emptied or replaced since.
    const checks = await Promise.all(added.map((r) => inspectReference(r.file)));
    const referenceProblems = checks.flatMap((c) => (c.ok ? [] : [referenceProblemText(c)]));
    if (!validation.ok || referenceProblems.length > 0) {
      const problems = [...(validation.ok ? [] : validation.problems.map(problemText)), ...referenceProblems];
      onProblems(problems);
      return { kind: 'invalid', problems };
    }
    const references = checks.flatMap((c) => (c.ok ? [c.reference] : []));
    onProblems([]);
    if (!(await this.deps.apiKeys.ensure())) return { kind: 'noKey' };

    const request = validation.request;
    if (!(await (this.deps.confirm ?? ((r, refs) => this.confirm(r, refs)))(request, references))) {
      this.deps.logger.info('generate: the user declined; nothing was sent');
      sink({ runId: '', taskId: null, phase: 'cancelled', status: 'cancelled', message: phaseText('cancelled', ''), images: [] });
      return { kind: 'declined' };
    }

    let uploaded: UploadedReference[] = [];
    if (references.length > 0) {
      sink({ runId: '', taskId: null, phase: 'uploading', status: 'uploading', message: phaseText('uploading', ''), images: [] });
      try {
        uploaded = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('CreatOK'), cancellable: true },
          (progress, token) =>
            uploadReferences(this.deps.client(), references, {
              signal: abortSignalOf(token),
              onProgress: (done, total) => progress.report({ message: vscode.l10n.t('Uploading reference images ({0} of {1})…', Math.min(done + 1, total), total), increment: 100 / total }),
            }),
        );
      } catch (error) {
        const message = uploadFailureText(error);
        this.deps.logger.error(`upload: ${(error as Error).message}`);
        sink({ runId: '', taskId: null, phase: 'failed', status: 'upload_failed', message, hint: vscode.l10n.t('Nothing was generated and no credits were used.'), images: [] });
        void vscode.window.showErrorMessage(`${message} ${vscode.l10n.t('Nothing was generated and no credits were used.')}`);
        return { kind: 'uploadFailed', message };
      }
    }

    sink({ runId: '', taskId: null, phase: 'submitting', status: 'submitting', message: phaseText('submitting', ''), images: [] });
    const outcome = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('CreatOK'), cancellable: false },
      async (progress) => {
        progress.report({ message: phaseText('submitting', '') });
        return submitRun(this.deps.client(), store, request, {
          references: uploaded.map((r) => ({ path: vscode.workspace.asRelativePath(r.file, false), size: r.size, type: r.mime, objectKey: r.objectKey })),
        });
      },
    );
    if (outcome.error) {
      this.consecutiveSubmitFailures++;
      const message = this.submitFailureMessage(outcome.error);
      sink(toRunView(outcome.record, message));
      void showProblem(message, outcome.error, () => openResultFile(store, outcome.record.run_id));
      return { kind: 'submitFailed', record: outcome.record, message };
    }
    this.consecutiveSubmitFailures = 0;
    sink(toRunView(outcome.record));
    const expectedMs = expectedDuration(await recentDurations(store).catch(() => []), { model: request.model, resolution: request.resolution, n: request.n });
    if (expectedMs !== undefined) this.deps.logger.info(`watch: similar runs here took about ${Math.round(expectedMs / 1000)} s`);
    this.followWithProgress(outcome.record, store, sink, expectedMs);
    return { kind: 'submitted', record: outcome.record };
  }

  private submitFailureMessage(error: Error): PlainMessage {
    const message = describeError(error, 'submit');
    if (this.consecutiveSubmitFailures >= 3 && !(error instanceof CreatOkError && error.kind === 'unauthorized')) {
      return { ...message, hint: `${message.hint ?? ''} ${vscode.l10n.t('Sending keeps failing: updating the CreatOK Image extension may help.')}`.trim() };
    }
    return message;
  }

  /** The modal: model, resolution, count, aspect ratio, estimated credits, reference images. */
  private async confirm(request: ResolvedRequest, references: ReferenceFile[]): Promise<boolean> {
    const generate = vscode.l10n.t('Generate');
    const credits =
      request.estimatedCredits === null
        ? vscode.l10n.t('Estimated cost: unknown (the price list could not be loaded)')
        : vscode.l10n.t('Estimated cost: {0} credits', request.estimatedCredits);
    const detail = [
      vscode.l10n.t('Model: {0}', request.modelLabel),
      vscode.l10n.t('Resolution: {0}', request.resolution),
      vscode.l10n.t('Number of images: {0}', request.n),
      vscode.l10n.t('Aspect ratio: {0}', request.aspectRatio),
      ...(references.length > 0 ? [vscode.l10n.t('Reference images: {0}', references.map((r) => r.name).join(', '))] : []),
      credits,
    ].join('\n');
    const choice = await vscode.window.showWarningMessage(
      vscode.l10n.t('Generate with CreatOK? This uses paid credits.'),
      { modal: true, detail },
      generate,
    );
    return choice === generate;
  }

  /** Follows a submitted run: progress notification, panel, and a message at the end. */
  followWithProgress(record: RunRecord, store: ArtifactStore, sink?: RunViewSink, expectedMs?: number): void {
    const taskId = record.task_id;
    if (!taskId) return;
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('CreatOK'), cancellable: true },
      (progress, token) =>
        new Promise<void>((resolve) => {
          progress.report({ message: phaseText(phaseOfStatus(record.status), record.status) });
          const subscription = this.deps.follower.onUpdate((update) => {
            if (update.record.run_id !== record.run_id) return;
            const view = toRunView(update.record, messageOfUpdate(update), store.outputsDir(update.record.run_id));
            if (update.ended === 'stopped' || update.ended === 'budgetExhausted') view.phase = 'stopped';
            sink?.(view);
            progress.report({ message: update.trouble ? `${view.message} ${view.hint ?? ''}` : view.message });
            if (update.ended) {
              subscription.dispose();
              resolve();
            }
          });
          token.onCancellationRequested(() => this.deps.follower.stop(taskId));
          this.deps.follower.follow(record, store, { expectedMs, startedAt: Date.parse(record.created_at) });
        }),
    );
  }

  private async announceEnd(update: RunUpdate, store: ArtifactStore): Promise<void> {
    const { record } = update;
    const openResult = vscode.l10n.t('Open result');
    const reveal = vscode.l10n.t('Reveal run folder');
    if (update.ended === 'succeeded') {
      const saved = record.local_images?.filter(Boolean).length ?? 0;
      const text =
        saved === record.images.length
          ? vscode.l10n.t('Your images are ready ({0}).', record.images.length)
          : vscode.l10n.t('Your images are ready ({0}), but {1} could not be saved in the workspace: their links are in the result.', record.images.length, record.images.length - saved);
      const choice = await vscode.window.showInformationMessage(text, openResult, reveal);
      if (choice === openResult) await openResultFile(store, record.run_id);
      if (choice === reveal) await revealRunFolder(store, record.run_id);
      return;
    }
    const message = messageOfUpdate(update);
    if (!message) return;
    if (update.ended === 'failed' || update.ended === 'notFound' || update.ended === 'unauthorized') {
      await showProblem(message, update.error, () => openResultFile(store, record.run_id));
    } else if (update.ended === 'budgetExhausted') {
      void vscode.window.showInformationMessage(message.message);
    }
  }

}

function messageOfUpdate(update: RunUpdate): PlainMessage | undefined {
  if (update.trouble) return describeError(update.trouble, 'watch');
  switch (update.ended) {
    case 'failed':
      return describeTaskFailure(update.record.error?.message);
    case 'notFound':
    case 'unauthorized':
      return describeError(update.error, 'watch');
    case 'budgetExhausted':
      return { message: vscode.l10n.t('Still running after the watch time: stopped watching. Resume it later from its task ID.') };
    case 'stopped':
      return { message: phaseText('stopped', '') };
    default:
      return undefined;
  }
}

export function toRunView(record: RunRecord, message?: PlainMessage, outputsDir?: string): RunView {
  const phase = record.status === 'submit_failed' ? 'failed' : phaseOfStatus(record.status);
  const plain = message ?? (phase === 'failed' ? describeTaskFailure(record.error?.message) : phase === 'unconfirmed' ? describeUnconfirmed() : undefined);
  return {
    runId: record.run_id,
    taskId: record.task_id,
    phase,
    status: record.status,
    message: plain?.message ?? phaseText(phase, record.status),
    hint: plain?.hint,
    action: plain?.action,
    progress: record.progress ?? null,
    images: record.images.map((url, i) => {
      const local = record.local_images?.[i];
      return { url, thumbnailUrl: record.thumbnails?.[i] ?? null, ...(local && outputsDir ? { localPath: path.join(outputsDir, local) } : {}) };
    }),
  };
}

export async function openResultFile(store: ArtifactStore, runId: string): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(store.resultMdPath(runId)));
  await vscode.window.showTextDocument(doc, { preview: false });
}

export async function revealRunFolder(store: ArtifactStore, runId: string): Promise<void> {
  await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(store.resultJsonPath(runId)));
}

/** Which reference image failed to upload, and why, in plain words. */
function uploadFailureText(error: unknown): string {
  if (error instanceof ReferenceUploadError) {
    if (error.reason === 'upload') {
      const why = describeError(error.cause, 'upload');
      return vscode.l10n.t('The reference image {0} could not be uploaded: {1}', error.reference.name, why.message);
    }
    return referenceProblemText({ ok: false, file: error.reference.file, name: error.reference.name, problem: error.reason });
  }
  return vscode.l10n.t('A reference image could not be uploaded.');
}
