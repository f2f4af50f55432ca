// Language-model tools for VS Code's chat agents, under the same rules as the panel: the
// extension's own modal confirmation with the estimated credits always comes before a paid
// call (whatever the chat's tool-confirmation setting), and checking a task costs nothing.
import * as path from 'node:path';
import * as vscode from 'vscode';
import * as z from 'zod/mini';
import type { Logger } from '../core/log';
import { guessUseCase, recommendFrom, USE_CASES, type Catalog } from '../core/models';
import { inspectReference, type ReferenceFile } from '../core/references';
import type { RunFollower } from '../core/runs/follower';
import { isFinalRunStatus, type RunRecord } from '../core/runs/record';
import type { ArtifactStore } from '../core/runs/store';
import { defaultsFor } from '../core/request';
import type { GenerateController } from './generateController';
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
  controller: GenerateController;
  follower: RunFollower;
  resumer: TaskResumer;
  catalog: () => Promise<Catalog>;
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
function describeRun(record: RunRecord, store: ArtifactStore, message?: string): Record<string, unknown> {
  const outputs = store.outputsDir(record.run_id);
  return {
    status: record.status,
    task_id: record.task_id,
    run_folder: store.runDir(record.run_id),
    images: record.images,
    local_files: (record.local_images ?? []).map((f) => (f ? path.join(outputs, f) : null)),
    ...(record.error ? { error: record.error.message } : {}),
    ...(message ? { message } : {}),
  };
}

/** Resolves when the follower has finished the run (or at once if it already has). */
function runEnded(follower: RunFollower, record: RunRecord, store: ArtifactStore, token: vscode.CancellationToken): Promise<RunRecord> {
  return new Promise((resolve) => {
    const subscription = follower.onUpdate((u) => {
      if (u.record.run_id === record.run_id && u.ended) {
        subscription.dispose();
        resolve(u.record);
      }
    });
    token.onCancellationRequested(() => {
      subscription.dispose();
      void store.read(record.run_id).then((r) => resolve(r.ok ? r.record : record));
    });
    if (!record.task_id || !follower.isFollowing(record.task_id)) {
      void store.read(record.run_id).then((r) => {
        if (r.ok && isFinalRunStatus(r.record.status)) {
          subscription.dispose();
          resolve(r.record);
        }
      });
    }
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
    for (const given of input.referenceImages ?? []) {
      const file = path.isAbsolute(given) ? given : path.join(path.dirname(path.dirname(store.root)), given);
      const check = await inspectReference(file);
      if (!check.ok) return text({ status: 'not_generated', message: referenceProblemText(check) });
      references.push(check.reference);
    }
    const catalog = await this.deps.catalog();
    const useCase = input.useCase ?? guessUseCase(input.prompt, { hasReferences: references.length > 0 });
    const modelId =
      input.model ??
      recommendFrom(catalog.models.map((m) => ({ id: m.id, resolutions: m.limits.resolutions })), catalog.defaultModel, useCase, input.resolution).modelId;
    const model = catalog.models.find((m) => m.id === modelId);
    const defaults = model ? defaultsFor(model) : { resolution: '2K', aspectRatio: '1:1', n: 1 };
    let problems: string[] = [];
    const result = await this.deps.controller.generate(
      {
        prompt: input.prompt,
        useCase,
        useCaseChosen: input.useCase !== undefined,
        model: modelId,
        modelChosen: true,
        resolution: input.resolution ?? defaults.resolution,
        aspectRatio: input.aspectRatio ?? defaults.aspectRatio,
        n: input.count ?? defaults.n,
      },
      () => undefined,
      (p) => (problems = p),
      references,
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
        return text({ status: 'not_generated', message: `${result.message} Nothing was generated and no credits were used.` });
      case 'submitFailed':
        return text({ ...describeRun(result.record, store), message: [result.message.message, result.message.hint].filter(Boolean).join(' ') });
      case 'submitted': {
        const final = await runEnded(this.deps.follower, result.record, store, token);
        return text(describeRun(final, store));
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
    const outcome = await this.deps.resumer.resume(parsed.data.taskId, parsed.data.keepWatching ? 'watch' : 'once');
    const store = this.deps.store();
    if (!outcome.record || !store) return text({ status: outcome.status, task_id: parsed.data.taskId, message: outcome.message });
    if (parsed.data.keepWatching && outcome.status === 'inProgress') {
      const final = await runEnded(this.deps.follower, outcome.record, store, token);
      return text(describeRun(final, store));
    }
    return text(describeRun(outcome.record, store, outcome.message));
  }
}

export function registerChatTools(deps: ChatToolDeps): vscode.Disposable[] {
  if (!vscode.lm?.registerTool) return [];
  return [vscode.lm.registerTool(GENERATE_TOOL, new GenerateImageTool(deps)), vscode.lm.registerTool(CHECK_TOOL, new CheckImageTaskTool(deps))];
}
