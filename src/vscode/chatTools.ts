// Language-model tools for VS Code's chat agents, under the same rules as the panel: the
// extension's own modal confirmation with the estimated credits always comes before a paid
// call (whatever the chat's tool-confirmation setting), and checking a task costs nothing.
// Loaded when a chat first uses one (chatToolsRegistration.ts registers them).
import { promises as fs } from 'node:fs';
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
import { imagesOfRun } from './imageActions';
import type { TaskResumer } from './tasks/resume';
import { GENERATE_TOOL } from './chatToolsRegistration';
import { referenceProblemText } from './userMessages';

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

/** An image part is at most this large (the model sees it; a larger image is named, not sent). */
export const MAX_IMAGE_PART_BYTES = 1024 * 1024;
/** At most this many images are shown to the model in one result. */
const MAX_IMAGE_PARTS = 4;
const IMAGE_MIME: Record<string, string> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.webp': 'image/webp' };

/**
 * A run's description, then each saved image as an image part the model can see, beside its
 * workspace-relative path (its thumbnail when one is saved and the image is too large; when
 * neither fits in 1 MB, the text says so).
 */
async function withImages(description: Record<string, unknown>, record: RunRecord, store: ArtifactStore): Promise<vscode.LanguageModelToolResult> {
  const parts: (vscode.LanguageModelTextPart | vscode.LanguageModelDataPart)[] = [new vscode.LanguageModelTextPart(JSON.stringify(description, null, 2))];
  const images = await imagesOfRun(store, record);
  for (const image of images.slice(0, MAX_IMAGE_PARTS)) {
    const shown = await imagePartFile(image.file, store, record, image.index);
    const relative = path.relative(store.workspaceFolder, image.file).split(path.sep).join('/');
    if (!shown) {
      parts.push(new vscode.LanguageModelTextPart(`Image ${image.index + 1}: ${relative} (not shown: larger than 1 MB and no thumbnail was saved)`));
      continue;
    }
    parts.push(new vscode.LanguageModelTextPart(`Image ${image.index + 1}: ${relative}${shown.thumbnail ? ' (its thumbnail is shown)' : ''}`));
    if (vscode.LanguageModelDataPart?.image) parts.push(vscode.LanguageModelDataPart.image(shown.bytes, shown.mime));
  }
  if (images.length > MAX_IMAGE_PARTS) parts.push(new vscode.LanguageModelTextPart(`${images.length - MAX_IMAGE_PARTS} more image(s) are saved in the run folder and not shown.`));
  return new vscode.LanguageModelToolResult(parts);
}

/** The bytes to show for an image: the image when it fits, else its saved thumbnail when that fits. */
async function imagePartFile(file: string, store: ArtifactStore, record: RunRecord, index: number): Promise<{ bytes: Uint8Array; mime: string; thumbnail: boolean } | undefined> {
  const fitting = async (candidate: string): Promise<{ bytes: Uint8Array; mime: string } | undefined> => {
    const mime = IMAGE_MIME[path.extname(candidate).toLowerCase()];
    const stat = await fs.lstat(candidate).catch(() => undefined);
    return mime && stat?.isFile() && stat.size <= MAX_IMAGE_PART_BYTES ? { bytes: await fs.readFile(candidate), mime } : undefined;
  };
  const image = await fitting(file);
  if (image) return { ...image, thumbnail: false };
  // Too large: its thumbnail, looked for only now.
  const thumbnail = (await store.thumbnailPaths(record.run_id, index + 1))[index];
  const small = thumbnail ? await fitting(thumbnail) : undefined;
  return small ? { ...small, thumbnail: true } : undefined;
}

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
    workspace_files: (record.local_images ?? []).map((f) => (f ? path.relative(store.workspaceFolder, path.join(outputs, f)).split(path.sep).join('/') : null)),
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
        return withImages(describeRun(this.deps.runs, final, result.run.store), final, result.run.store);
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
      return withImages(describeRun(this.deps.runs, final, store), final, store);
    }
    return withImages(describeRun(this.deps.runs, record, store, outcome.message), record, store);
  }
}
