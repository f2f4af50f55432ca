// Language-model tools for VS Code's chat agents, under the same rules as the panel: the
// extension's own modal confirmation with the estimated credits always comes before a paid
// call (whatever the chat's tool-confirmation setting), and checking a task costs nothing.
import * as path from 'node:path';
import * as vscode from 'vscode';
import * as z from 'zod/mini';
import type { Logger } from '../core/log';
import { USE_CASES } from '../core/models';
import { inspectReference, resolveInsideFolders, type ReferenceFile } from '../core/references';
import type { RunRecord } from '../core/runs/record';
import type { RunService, RunSnapshot } from '../core/runs/runService';
import { runPhase } from '../core/runs/runStatus';
import type { ArtifactStore } from '../core/runs/store';
import type { GenerateFlow } from './generateFlow';
import type { TaskResumer } from './tasks/resume';
import { referenceProblemText } from './userMessages';

export const GENERATE_TOOL = 'creatok_generate_image';
export const CHECK_TOOL = 'creatok_check_image_task';

const generateInputSchema = z.object({
  prompt: z.string().check(z.minLength(1), z.maxLength(20_000)),
  useCase: z.optional(z.enum(USE_CASES)),
  model: z.optional(z.string()),
  resolution: z.optional(z.string()),
  aspectRatio: z.optional(z.string()),
  count: z.optional(z.int().check(z.minimum(1), z.maximum(100))),
  referenceImages: z.optional(z.array(z.string()).check(z.maxLength(20))),
});
export type GenerateToolInput = z.infer<typeof generateInputSchema>;

const checkInputSchema = z.object({
  taskId: z.string().check(z.minLength(1), z.maxLength(200)),
  keepWatching: z.optional(z.boolean()),
});
export type CheckToolInput = z.infer<typeof checkInputSchema>;

export interface ChatToolDeps {
  flow: GenerateFlow;
  runs: RunService;
  resumer: TaskResumer;
  store: () => ArtifactStore | undefined;
  logger: Logger;
}

const text = (value: unknown): vscode.LanguageModelToolResult =>
  new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(typeof value === 'string' ? value : JSON.stringify(value, null, 2))]);

function badInput(error: z.core.$ZodError): vscode.LanguageModelToolResult {
  const issue = error.issues[0];
  return text({ status: 'invalid_input', message: `${issue?.path.join('.') || 'input'}: ${issue?.message ?? 'invalid'}` });
}

/** What a tool returns for a run: the URLs verbatim, the local files and the run folder. */
function describeRun(runs: RunService, record: RunRecord, store: ArtifactStore, message?: string): Record<string, unknown> {
  const outputs = store.outputsDir(record.run_id);
  const following = !!record.task_id && runs.isFollowing(record.task_id);
  return {
    status: record.status,
    // The same classification the Tasks view, status bar and panel show.
    state: runPhase(record, following),
    following,
    task_id: record.task_id,
    run_folder: store.runDir(record.run_id),
    images: record.images,
    local_files: (record.local_images ?? []).map((f) => (f ? path.join(outputs, f) : null)),
    ...(record.copies && record.copies.length > 0 ? { copies: record.copies } : {}),
    ...(record.error ? { error: record.error.message } : {}),
    ...(message ? { message } : {}),
  };
}

/** Resolves with the run's record when the run service says it ended (at once if it is not followed). */
function runEnded(runs: RunService, run: Pick<RunSnapshot, 'record' | 'store'>, token: vscode.CancellationToken): Promise<RunRecord> {
  return new Promise((resolve) => {
    const latest = (): RunRecord => runs.snapshot(run.store, run.record.run_id)?.record ?? run.record;
    const done = (record: RunRecord): void => {
      subscription.dispose();
      cancel.dispose();
      resolve(record);
    };
    const subscription = runs.onDidChange((event) => {
      if (event.kind === 'ended' && event.run.record.run_id === run.record.run_id && event.run.store.root === run.store.root) done(event.run.record);
    });
    const cancel = token.onCancellationRequested(() => done(latest()));
    if (!run.record.task_id || !runs.isFollowing(run.record.task_id)) done(latest());
  });
}

export class GenerateImageTool implements vscode.LanguageModelTool<GenerateToolInput> {
  constructor(private readonly deps: ChatToolDeps) {}

  prepareInvocation(): vscode.PreparedToolInvocation {
    // No chat confirmation here on purpose: the extension's own modal, with the estimated
    // credits, always asks before anything is paid for.
    return { invocationMessage: vscode.l10n.t('Preparing an image with CreatOK…') };
  }

  async invoke(options: vscode.LanguageModelToolInvocationOptions<GenerateToolInput>, token: vscode.CancellationToken): Promise<vscode.LanguageModelToolResult> {
    const parsed = generateInputSchema.safeParse(options.input);
    if (!parsed.success) return badInput(parsed.error);
    const input = parsed.data;
    const store = this.deps.store();
    if (!store) return text({ status: 'not_generated', message: 'No workspace folder is open; images and their record are saved in the workspace.' });

    const references: ReferenceFile[] = [];
    const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
    for (const given of input.referenceImages ?? []) {
      // Only files inside the workspace folders (after following links) can be sent.
      const inside = await resolveInsideFolders(given, folders);
      if (!inside.ok) {
        const why = inside.reason === 'missing' ? 'does not exist' : 'is outside the workspace folders (only images inside the workspace can be used)';
        return text({ status: 'not_generated', message: `The reference image ${JSON.stringify(given)} ${why}. Nothing was sent.` });
      }
      const check = await inspectReference(inside.file);
      if (!check.ok) return text({ status: 'not_generated', message: referenceProblemText(check) });
      references.push(check.reference);
    }
    let problems: string[] = [];
    // The same resolution as the panel's: what the input leaves out is recommended or defaulted.
    const result = await this.deps.flow.generate(
      { prompt: input.prompt, useCase: input.useCase, model: input.model, resolution: input.resolution, aspectRatio: input.aspectRatio, n: input.count },
      references,
      { problems: (p) => (problems = p) },
      { requestedBy: GENERATE_TOOL },
    );
    this.deps.logger.info(`tool ${GENERATE_TOOL}: ${result.kind}`);
    switch (result.kind) {
      case 'declined':
        return text({ status: 'not_generated', message: 'The user declined the confirmation. Nothing was sent and no credits were used.' });
      case 'invalid':
        return text({ status: 'not_generated', message: problems.join(' ') });
      case 'noKey':
        return text({ status: 'not_generated', message: 'No CreatOK API key is set. The user can run "CreatOK: Set API Key".' });
      case 'noWorkspace':
        return text({ status: 'not_generated', message: 'No workspace folder is open.' });
      case 'busy':
        return text({ status: 'not_generated', message: 'Another generation is being confirmed or sent; try again when it is done.' });
      case 'uploadFailed':
      case 'notStarted':
      case 'overLimit':
        return text({ status: 'not_generated', message: [result.message.message, result.message.hint].filter(Boolean).join(' ') });
      case 'submitFailed':
        return text({ ...describeRun(this.deps.runs, result.run.record, store), message: [result.message.message, result.message.hint].filter(Boolean).join(' ') });
      case 'submitted': {
        const final = await runEnded(this.deps.runs, result.run, token);
        return text(describeRun(this.deps.runs, final, result.run.store));
      }
    }
  }
}

export class CheckImageTaskTool implements vscode.LanguageModelTool<CheckToolInput> {
  constructor(private readonly deps: ChatToolDeps) {}

  prepareInvocation(options: vscode.LanguageModelToolInvocationPrepareOptions<CheckToolInput>): vscode.PreparedToolInvocation {
    return { invocationMessage: vscode.l10n.t('Checking CreatOK task {0}…', String(options.input?.taskId ?? '')) };
  }

  async invoke(options: vscode.LanguageModelToolInvocationOptions<CheckToolInput>, token: vscode.CancellationToken): Promise<vscode.LanguageModelToolResult> {
    const parsed = checkInputSchema.safeParse(options.input);
    if (!parsed.success) return badInput(parsed.error);
    // Like Check Once: reading a task and saving its images acts on the workspace.
    if (!vscode.workspace.isTrusted) {
      return text({ status: 'not_checked', task_id: parsed.data.taskId, message: 'This workspace is in Restricted Mode: tasks are not checked and images are not saved until the user trusts it.' });
    }
    const outcome = await this.deps.resumer.resume(parsed.data.taskId, parsed.data.keepWatching ? 'watch' : 'once');
    const { record, store } = outcome;
    if (!record || !store) return text({ status: outcome.status, task_id: parsed.data.taskId, message: outcome.message });
    if (parsed.data.keepWatching && outcome.status === 'inProgress') {
      const final = await runEnded(this.deps.runs, { record, store }, token);
      return text(describeRun(this.deps.runs, final, store));
    }
    return text(describeRun(this.deps.runs, record, store, outcome.message));
  }
}

export function registerChatTools(deps: ChatToolDeps): vscode.Disposable[] {
  if (!vscode.lm?.registerTool) return [];
  return [vscode.lm.registerTool(GENERATE_TOOL, new GenerateImageTool(deps)), vscode.lm.registerTool(CHECK_TOOL, new CheckImageTaskTool(deps))];
}
