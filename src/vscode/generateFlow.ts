// "Generate Image", wherever it is asked for (panel, chat tool): check the request, ask for the
// key if needed, confirm the cost in a modal, upload the references, and hand the paid submit to
// the run service, which records and follows the run. Only one confirmation at a time.
import * as vscode from 'vscode';
import type { CreatOkClient } from '../core/api/client';
import { CreatOkError } from '../core/api/errors';
import type { Logger } from '../core/log';
import type { Catalog } from '../core/models';
import type { RunView } from '../core/panelMessages';
import { expectedDuration } from '../core/pollSchedule';
import { inspectReference, ReferenceUploadError, uploadReferences, type ReferenceFile, type UploadedReference } from '../core/references';
import { validateGeneration, type GenerationRequest } from '../core/request';
import { checkLimits, type Spend, type SpendLimits } from '../core/spend/ledgerEntries';
import { durationsOf, recentRecords, unconfirmedOf, type RunDuration } from '../core/runs/history';
import type { RunRecord } from '../core/runs/record';
import type { RunService, RunSnapshot, SubmitResult } from '../core/runs/runService';
import type { ArtifactStore } from '../core/runs/store';
import type { ApiKeyStore } from './apiKey';
import { batchConfirmationText, confirmationText, confirmRequest, overLimitMessage, uncountedMessage, type ConfirmRequest } from './confirmation';

export type { ConfirmRequest } from './confirmation';
import { showProblem, withAbortSignal } from './notify';
import { flowView, toRunView } from './runPresenter';
import type { RunNotifications } from './runNotifications';
import { openResultFile } from './runNotifications';
import { describeError, ledgerErrorText, phaseText, problemText, referenceProblemText, type PlainMessage } from './userMessages';

export interface GenerateOptions {
  /** The chat tool that asked for it (its name is shown in the confirmation). */
  requestedBy?: string;
  /** The missing image it is generated for (Generate Missing Image). */
  fill?: RunRecord['fill'];
}


export interface GenerateFlowDeps {
  client: () => CreatOkClient;
  catalog: () => Promise<Catalog>;
  store: () => ArtifactStore | undefined;
  apiKeys: ApiKeyStore;
  runs: RunService;
  notifications: RunNotifications;
  logger: Logger;
  /** The modal confirmation; replaceable only by the integration tests. */
  confirm?: ConfirmRequest;
  /** creatok.dailyCreditLimit and creatok.monthlyCreditLimit (0 = none). */
  limits: () => SpendLimits;
  /** What the spend ledger counts today and this month, read now; throws when it cannot count. */
  spend: () => Promise<Spend>;
  /** Durations of finished runs kept across workspaces. */
  durations: () => RunDuration[];
}

export type GenerateResult =
  | { kind: 'invalid'; problems: string[] }
  | { kind: 'noKey' }
  | { kind: 'noWorkspace' }
  | { kind: 'busy' }
  | { kind: 'declined' }
  | { kind: 'overLimit'; message: PlainMessage }
  | { kind: 'uploadFailed'; message: PlainMessage }
  | { kind: 'notStarted'; message: PlainMessage }
  | { kind: 'submitFailed'; run: RunSnapshot; message: PlainMessage }
  | { kind: 'submitted'; run: RunSnapshot };

/** Where the flow reports its steps (the panel); the run's own events come from the run service. */
export interface FlowListener {
  step?(view: RunView): void;
  problems?(problems: string[]): void;
}

export class GenerateFlow {
  private busy = false;
  private consecutiveSubmitFailures = 0;

  constructor(private readonly deps: GenerateFlowDeps) {}

  /** One Generate. A second one while the first is being confirmed or sent does nothing. */
  async generate(request: GenerationRequest, references: ReferenceFile[] = [], listener: FlowListener = {}, options: GenerateOptions = {}): Promise<GenerateResult> {
    if (this.busy) {
      this.deps.logger.info('generate: ignored a second request while one is being confirmed or sent');
      return { kind: 'busy' };
    }
    this.busy = true;
    try {
      return await this.generateOnce(request, references, listener, options);
    } finally {
      this.busy = false;
    }
  }

  /**
   * What every paid request needs before anything is asked: a folder to record the run in, and
   * a base URL the client accepts. Says what is missing; returns the store, or the result to end with.
   */
  private beforeAnything(listener: FlowListener): { store: ArtifactStore } | { result: GenerateResult } {
    const store = this.deps.store();
    if (!store) {
      void vscode.window.showWarningMessage(vscode.l10n.t('Open a folder first: the images and their record are saved in the workspace.'));
      return { result: { kind: 'noWorkspace' } };
    }
    try {
      this.deps.client(); // a refused base URL: said before anything is asked or paid
    } catch (error) {
      const message = describeError(error, 'other');
      listener.step?.(flowView('notStarted', message));
      void showProblem(message, error);
      return { result: { kind: 'notStarted', message } };
    }
    return { store };
  }

  /** The recent runs whose request may have been accepted without an answer (the confirmation warns of them). */
  private async unconfirmedRuns(store: ArtifactStore): Promise<{ recent: RunRecord[]; unconfirmed: RunRecord[] }> {
    const recent = await recentRecords(store).catch((): RunRecord[] => []);
    const unconfirmed = unconfirmedOf(recent);
    if (unconfirmed.length > 0) this.deps.logger.warn(`generate: ${unconfirmed.length} recent run(s) may have been accepted without an answer: ${unconfirmed.map((r) => r.run_id).join(', ')}`);
    return { recent, unconfirmed };
  }

  private async generateOnce(input: GenerationRequest, added: ReferenceFile[], listener: FlowListener, options: GenerateOptions): Promise<GenerateResult> {
    const ready = this.beforeAnything(listener);
    if ('result' in ready) return ready.result;
    const { store } = ready;
    const validation = validateGeneration(await this.deps.catalog(), { ...input, referenceCount: added.length });
    // Each reference is looked at again: it may have been moved, emptied or replaced since.
    const checks = await Promise.all(added.map((r) => inspectReference(r.file)));
    const referenceProblems = checks.flatMap((c) => (c.ok ? [] : [referenceProblemText(c)]));
    if (!validation.ok || referenceProblems.length > 0) {
      const problems = [...(validation.ok ? [] : validation.problems.map(problemText)), ...referenceProblems];
      listener.problems?.(problems);
      return { kind: 'invalid', problems };
    }
    const references = checks.flatMap((c) => (c.ok ? [c.reference] : []));
    listener.problems?.([]);
    if (!(await this.deps.apiKeys.ensure())) return { kind: 'noKey' };

    const request = validation.request;
    const refused = await this.refusedByLimits(request.estimatedCredits, listener);
    if (refused) return refused;
    // One read of the recent runs serves the warning below and the expected duration later.
    const { recent, unconfirmed } = await this.unconfirmedRuns(store);
    const text = confirmationText(request, references, unconfirmed, options.requestedBy, options.fill?.target);
    if (!(await (this.deps.confirm ?? confirmRequest)(request, references, { unconfirmed, text }))) {
      this.deps.logger.info('generate: the user declined; nothing was sent');
      listener.step?.(flowView('cancelled'));
      return { kind: 'declined' };
    }

    let uploaded: UploadedReference[] = [];
    if (references.length > 0) {
      listener.step?.(flowView('uploading'));
      try {
        uploaded = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('CreatOK'), cancellable: true },
          (progress, token) =>
            withAbortSignal(token, (signal) =>
              uploadReferences(this.deps.client(), references, {
                signal,
                onProgress: (done, total) => progress.report({ message: vscode.l10n.t('Uploading reference images ({0} of {1})…', Math.min(done + 1, total), total), increment: 100 / total }),
              }),
            ),
        );
      } catch (error) {
        const message = uploadFailure(error);
        this.deps.logger.error(`upload: ${(error as Error).message}`);
        listener.step?.(flowView('failed', message));
        // The same next steps as a failed submit: Set API Key for a refused key, and Details.
        void showProblem(message, error instanceof ReferenceUploadError ? error.cause : error);
        return { kind: 'uploadFailed', message };
      }
    }

    listener.step?.(flowView('submitting'));
    // Similar runs of this workspace first; else of every workspace (VS Code's global state).
    const like = { model: request.model, resolution: request.resolution, n: request.n };
    const expectedMs = expectedDuration(durationsOf(recent), like) ?? expectedDuration(this.deps.durations(), like);
    if (expectedMs !== undefined) this.deps.logger.info(`watch: similar runs here took about ${Math.round(expectedMs / 1000)} s`);
    const outcome = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('CreatOK'), cancellable: false },
      async (progress) => {
        progress.report({ message: phaseText('submitting', '') });
        return this.deps.runs.submit(store, request, {
          references: uploaded.map((r) => ({ path: vscode.workspace.asRelativePath(r.file, false), size: r.size, type: r.mime, objectKey: r.objectKey })),
          watch: { expectedMs },
          ...(options.fill ? { fill: options.fill } : {}),
        });
      },
    );
    return this.resultOf(outcome, store, listener);
  }

  /** What a submit's outcome means to the user: said in the panel and a notification. */
  private resultOf(outcome: SubmitResult, store: ArtifactStore, listener: FlowListener): GenerateResult {
    switch (outcome.kind) {
      case 'overLimit':
        // Another window spent the room meanwhile: the gate counted its run under the ledger's lock.
        this.deps.logger.info('generate: refused by the credit limits at the moment of sending; nothing was sent');
        return this.refuse(overLimitMessage(outcome.refusal), listener, outcome.refusal.kind === 'monthly' ? 'creatok.monthlyCreditLimit' : undefined);
      case 'notStarted': {
        const message: PlainMessage = {
          message: phaseText('notStarted', ''),
          hint:
            outcome.where === 'ledger'
              ? vscode.l10n.t('The spend ledger could not be written, so your credit limits could not be kept: {0}', ledgerErrorText(outcome.error))
              : vscode.l10n.t('Check that {0} can be written: {1}', vscode.workspace.asRelativePath(store.root, false), outcome.error.message),
        };
        listener.step?.(flowView('notStarted', message));
        void showProblem(message, outcome.error);
        return { kind: 'notStarted', message };
      }
      case 'failed': {
        this.consecutiveSubmitFailures++;
        const message = this.submitFailureMessage(outcome.error);
        listener.step?.(toRunView(outcome.run, message));
        void showProblem(message, outcome.error, () => openResultFile(store, outcome.run.record.run_id));
        return { kind: 'submitFailed', run: outcome.run, message };
      }
      case 'submitted':
        this.consecutiveSubmitFailures = 0;
        listener.step?.(toRunView(outcome.run));
        this.deps.notifications.showProgress(outcome.run);
        return { kind: 'submitted', run: outcome.run };
    }
  }

  /**
   * The limits before the dialog (the run service's gate checks them again, under the ledger's
   * lock, before sending): a refusal, said, or undefined when `credits` fit.
   */
  private async refusedByLimits(credits: number | null, listener: FlowListener): Promise<GenerateResult | undefined> {
    const limits = this.deps.limits();
    if (limits.daily <= 0 && limits.monthly <= 0) return undefined;
    const spent = await this.deps.spend().catch((error: Error) => error);
    const check = spent instanceof Error ? undefined : checkLimits(spent, limits, credits);
    if (check?.ok) return undefined;
    const message = check ? overLimitMessage(check) : uncountedMessage(spent as Error);
    this.deps.logger.info(`generate: refused by the credit limits before the confirmation (${message.message}); nothing was sent`);
    return this.refuse(message, listener, check?.ok === false && check.kind === 'monthly' ? 'creatok.monthlyCreditLimit' : undefined);
  }

  /**
   * "Generate Missing Images in File": several requests, one confirmation listing each prompt,
   * model, resolution and cost, and the total; then one task each (each through the spend gate),
   * each with the missing image it is for. Returns each submit's result, in order.
   */
  async generateMany(items: { request: GenerationRequest; fill: NonNullable<GenerateOptions['fill']> }[]): Promise<GenerateResult | GenerateResult[]> {
    if (this.busy) return { kind: 'busy' };
    this.busy = true;
    try {
      const ready = this.beforeAnything({});
      if ('result' in ready) return ready.result;
      const { store } = ready;
      const catalog = await this.deps.catalog();
      const validations = items.map((item) => validateGeneration(catalog, { ...item.request, referenceCount: 0 }));
      const problems = validations.flatMap((v, i) => (v.ok ? [] : v.problems.map((p) => `${i + 1}: ${problemText(p)}`)));
      if (problems.length > 0) return { kind: 'invalid', problems };
      const requests = validations.flatMap((v) => (v.ok ? [v.request] : []));
      if (!(await this.deps.apiKeys.ensure())) return { kind: 'noKey' };
      const total = requests.some((r) => r.estimatedCredits === null) ? null : requests.reduce((sum, r) => sum + (r.estimatedCredits ?? 0), 0);
      const refused = await this.refusedByLimits(total, {});
      if (refused) return refused;
      const { unconfirmed } = await this.unconfirmedRuns(store);
      const text = batchConfirmationText(requests, total, unconfirmed);
      if (!(await (this.deps.confirm ?? confirmRequest)(requests[0]!, [], { unconfirmed, text }))) return { kind: 'declined' };
      const results: GenerateResult[] = [];
      for (const [i, request] of requests.entries()) {
        const outcome = await this.deps.runs.submit(store, request, { fill: items[i]!.fill, source: 'panel' });
        results.push(this.resultOf(outcome, store, {}));
        // A refusal, a lost answer or a failed write stops the rest: nothing more is paid for blindly (each said by resultOf).
        if (outcome.kind !== 'submitted') break;
      }
      return results;
    } finally {
      this.busy = false;
    }
  }

  /** A refusal by the limits: said in the panel and in a warning that offers Open Settings. */
  private refuse(message: PlainMessage, listener: FlowListener, setting = 'creatok.dailyCreditLimit'): GenerateResult {
    listener.step?.(flowView('notStarted', message));
    const settings = vscode.l10n.t('Open Settings');
    void vscode.window.showWarningMessage(`${message.message} ${message.hint ?? ''}`.trim(), settings).then((choice) => {
      if (choice === settings) void vscode.commands.executeCommand('workbench.action.openSettings', setting);
    });
    return { kind: 'overLimit', message };
  }

  private submitFailureMessage(error: Error): PlainMessage {
    const message = describeError(error, 'submit');
    if (this.consecutiveSubmitFailures >= 3 && !(error instanceof CreatOkError && error.kind === 'unauthorized')) {
      return { ...message, hint: `${message.hint ?? ''} ${vscode.l10n.t('Sending keeps failing: updating the CreatOK Image extension may help.')}`.trim() };
    }
    return message;
  }
}

/** Which reference image failed to upload, and why, in plain words (with Set API Key for a refused key). */
function uploadFailure(error: unknown): PlainMessage {
  const nothing = vscode.l10n.t('Nothing was generated and no credits were used.');
  if (error instanceof ReferenceUploadError) {
    if (error.reason === 'upload') {
      const why = describeError(error.cause, 'upload');
      return { message: vscode.l10n.t('The reference image {0} could not be uploaded: {1}', error.reference.name, why.message), hint: [why.hint, nothing].filter(Boolean).join(' '), action: why.action };
    }
    return { message: referenceProblemText({ ok: false, file: error.reference.file, name: error.reference.name, problem: error.reason }), hint: nothing };
  }
  return { message: vscode.l10n.t('A reference image could not be uploaded.'), hint: nothing };
}
