// The host side of the Generate Image panel: answers its requests, holds its reference images
// (paths stay on the host; the webview sees names, sizes and small previews), and shows the
// run it started, from the run service's events. The panel may close at any time: the run goes
// on (notification, status bar), and a reopened or restored panel shows it again.
import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import type { Logger } from '../core/log';
import type { Catalog } from '../core/models';
import { toPanelCatalog } from '../core/panelCatalog';
import type { HostToWebview, IMAGE_ACTIONS, PanelForm, ReferenceView, ReplyResult, RunView, WebviewToHost } from '../core/panelMessages';
import { recentPrompts } from '../core/imageUse';
import { promptHead } from '../core/runs/runStatus';
import { imagesOfRun, type GeneratedImage, type ImageActions } from './imageActions';
import { inspectReference, type ReferenceFile } from '../core/references';
import type { GenerationRequest } from '../core/request';
import type { RunRecord } from '../core/runs/record';
import type { RunService } from '../core/runs/runService';
import { isRunId } from '../core/runs/runId';
import type { ArtifactStore } from '../core/runs/store';
import { Commands } from './commandIds';
import { Disposable } from './disposable';
import type { GenerateFlow } from './generateFlow';
import type { GeneratePanel, PanelHost } from './generatePanel';
import { openResultFile, retrySaving, revealRunFolder } from './runNotifications';
import { endMessage, toRunView } from './runPresenter';
import { describeError, referenceProblemText } from './userMessages';
import { requireTrust } from './trust';

/** Images up to this size are previewed as data: URIs; larger ones show their name only. */
const THUMBNAIL_MAX_BYTES = 2 * 1024 * 1024;

export interface PanelControllerDeps {
  catalog: (force?: boolean) => Promise<Catalog>;
  flow: GenerateFlow;
  runs: RunService;
  store: () => ArtifactStore | undefined;
  logger: Logger;
  showLog: () => void;
  images: ImageActions;
  /** The workspace's memory: the last choices of the panel. */
  memento: vscode.Memento;
  /** The panel now open, if any (messages to it wait until its webview is ready). */
  currentPanel: () => GeneratePanel | undefined;
}

const LAST_CHOICES_KEY = 'creatok.panel.lastChoices';
type LastChoices = Pick<PanelForm, 'model' | 'resolution' | 'aspectRatio' | 'n'>;

interface HeldReference extends ReferenceFile {
  id: string;
}

/** The panel form as a generation request: the panel always says every choice. */
export function requestOfForm(form: PanelForm): GenerationRequest {
  return { prompt: form.prompt, useCase: form.useCase, model: form.model, resolution: form.resolution, aspectRatio: form.aspectRatio, n: form.n };
}

export class PanelController extends Disposable implements PanelHost {
  private references: HeldReference[] = [];
  private nextId = 1;
  private panel: GeneratePanel | undefined;
  /** The run the panel shows (kept while the panel is closed, for when it opens again). */
  private shown: { store: ArtifactStore; runId: string } | undefined;

  constructor(private readonly deps: PanelControllerDeps) {
    super();
    this._register(
      deps.runs.onDidChange((event) => {
        const shown = this.shown;
        if (!shown || event.run.record.run_id !== shown.runId || event.run.store.root !== shown.store.root) return;
        const message = event.kind === 'ended' ? endMessage(event.reason, event.run.record, event.error) : event.kind === 'trouble' ? describeError(event.error, 'watch') : undefined;
        this.postRun(toRunView(event.run, message));
      }),
    );
  }

  /** The reference images now in the panel (for the generate flow and the tests). */
  get referenceFiles(): ReferenceFile[] {
    return this.references.map(({ id: _id, ...file }) => file);
  }

  /** The form the panel starts from: the workspace's last model, resolution, aspect ratio and count. */
  async initMessage(): Promise<HostToWebview> {
    const last = this.deps.memento.get<LastChoices>(LAST_CHOICES_KEY);
    const form = last && typeof last.model === 'string' ? { model: last.model, modelChosen: true, resolution: last.resolution, aspectRatio: last.aspectRatio, n: last.n } : undefined;
    // The panel's strings and the refinement are chunks loaded with the first panel (start-up stays small).
    const { webviewStrings } = await import('./webviewStrings');
    return { type: 'init', strings: webviewStrings(), catalog: toPanelCatalog(await this.deps.catalog()), ...(form ? { form } : {}) };
  }

  /** Fills the panel's form (the open panel, or the next one). */
  prefill(form: Partial<PanelForm>): void {
    this.lastPrefill = form;
    this.deps.currentPanel()?.prefill(form);
  }

  /** What the panel was last filled with (for the tests). */
  lastPrefill: Partial<PanelForm> | undefined;

  /** The missing image the panel's next run is for (Generate Missing Image), until a run is sent. */
  pendingFill: RunRecord['fill'] | undefined;

  /** Fills the prompt for a missing image; the next run sent from the panel is written at its link's target. */
  prefillForMissingImage(prompt: string, fill: NonNullable<RunRecord['fill']>): void {
    this.pendingFill = fill;
    this.prefill({ prompt, modelChosen: false });
  }

  /** "Vary": the same prompt and settings, with that image as the only reference. */
  async vary(image: GeneratedImage): Promise<string[]> {
    this.references = [];
    const problems = await this.addReferences([image.file]);
    const r = image.record;
    this.prefill({ prompt: r.prompt, ...(r.model ? { model: r.model, modelChosen: true } : {}), ...(r.resolution ? { resolution: r.resolution } : {}), ...(r.aspect_ratio ? { aspectRatio: r.aspect_ratio } : {}), n: r.n });
    return problems;
  }

  ready(panel: GeneratePanel, runId: string | undefined): void {
    this.panel = panel;
    void this.postReferences();
    const store = this.deps.store();
    if (runId && store && isRunId(runId) && !this.shown) this.shown = { store, runId };
    void this.showCurrentRun();
  }

  closed(panel: GeneratePanel): void {
    if (this.panel === panel) this.panel = undefined;
    this.pendingFill = undefined;
  }

  /** Generates from a form: the same flow as every other caller; the steps go to the panel. Returns the run it started. */
  async generate(form: PanelForm): Promise<ReplyResult | undefined> {
    this.shown = undefined;
    await this.deps.memento.update(LAST_CHOICES_KEY, { model: form.model, resolution: form.resolution, aspectRatio: form.aspectRatio, n: form.n } satisfies LastChoices);
    const fill = this.pendingFill;
    const result = await this.deps.flow.generate(
      requestOfForm(form),
      this.referenceFiles,
      {
        step: (view) => this.postRun(view),
        problems: (problems) => this.panel?.post({ type: 'problems', problems: problems.map((m) => ({ field: 'form', message: m })) }),
      },
      fill ? { fill } : {},
    );
    // The missing image is for this one attempt (a decline or a refusal too): a later, unrelated run never lands at its target.
    if (!['invalid', 'busy', 'noKey', 'noWorkspace'].includes(result.kind) && this.pendingFill === fill) this.pendingFill = undefined;
    if (result.kind === 'submitted' || result.kind === 'submitFailed') {
      this.shown = { store: result.run.store, runId: result.run.record.run_id };
      // Events that came before `shown` was set are not lost: show the latest state.
      const view = await this.currentRunView();
      if (view) return { kind: 'run', run: view };
    }
    return undefined;
  }

  /** Adds files as references; each refused one is named in a message. Returns the problems. `post`: tell the panel (not when a reply carries them). */
  async addReferences(files: string[], options: { post?: boolean } = {}): Promise<string[]> {
    const checks = await Promise.all(files.map((f) => inspectReference(f)));
    const problems: string[] = [];
    for (const check of checks) {
      if (check.ok) {
        if (!this.references.some((r) => r.file === check.reference.file)) this.references.push({ ...check.reference, id: String(this.nextId++) });
      } else {
        problems.push(referenceProblemText(check));
      }
    }
    if (problems.length > 0) void vscode.window.showWarningMessage(problems.join(' '));
    if (options.post !== false) await this.postReferences();
    return problems;
  }

  clearReferences(): void {
    this.references = [];
    void this.postReferences();
  }

  async onMessage(message: Exclude<WebviewToHost, { type: 'ready' }>, panel: GeneratePanel): Promise<ReplyResult | void> {
    this.panel = panel;
    const ws = this.deps.store();
    switch (message.type) {
      case 'generate':
        return this.generate(message.form);
      case 'addReferences': {
        const picked = await vscode.window.showOpenDialog({
          canSelectMany: true,
          openLabel: vscode.l10n.t('Use as Reference'),
          title: vscode.l10n.t('Add reference image'),
          filters: { [vscode.l10n.t('Images')]: ['png', 'jpg', 'jpeg', 'webp', 'gif'] },
        });
        if (picked) await this.addReferences(picked.filter((u) => u.scheme === 'file').map((u) => u.fsPath), { post: false });
        return { kind: 'references', items: await this.referenceViews() };
      }
      case 'removeReference':
        this.references = this.references.filter((r) => r.id !== message.id);
        return { kind: 'references', items: await this.referenceViews() };
      case 'copy':
        await vscode.env.clipboard.writeText(message.text);
        vscode.window.setStatusBarMessage(vscode.l10n.t('Copied to the clipboard.'), 3000);
        return;
      case 'openResult':
        if (ws && isRunId(message.runId)) await openResultFile(ws, message.runId);
        return;
      case 'revealRun':
        if (ws && isRunId(message.runId)) await revealRunFolder(ws, message.runId);
        return;
      case 'retrySave':
        if (ws && isRunId(message.runId)) await retrySaving(this.deps.runs, ws, message.runId);
        return this.showCurrentRun();
      case 'setApiKey':
        await vscode.commands.executeCommand(Commands.setApiKey);
        return;
      case 'showLog':
        this.deps.showLog();
        return;
      case 'reloadModels':
        return { kind: 'catalog', catalog: toPanelCatalog(await this.deps.catalog(true)) };
      case 'imageAction':
        return this.imageAction(message.runId, message.index, message.action);
      case 'recentPrompts': {
        const records = (await this.deps.images.allRecords()).map((r) => r.record);
        const prompts = recentPrompts(records);
        if (prompts.length === 0) {
          void vscode.window.showInformationMessage(vscode.l10n.t('No prompts yet in this workspace.'));
          return;
        }
        const picked = await vscode.window.showQuickPick(prompts.map((p) => ({ label: promptHead(p, 100), detail: p.length > 100 ? p : undefined, prompt: p })), {
          title: vscode.l10n.t('Recent prompts'),
          placeHolder: vscode.l10n.t('Type to search the prompts'),
          matchOnDetail: true,
        });
        if (!picked) return;
        this.lastPrefill = { prompt: picked.prompt };
        return { kind: 'prefill', form: { prompt: picked.prompt } };
      }
      case 'refinePrompt': {
        const { refineWithChatModel } = await import('./promptRefiner');
        const suggestion = await refineWithChatModel(message.prompt, message.useCase, this.deps.logger);
        return { kind: 'refinement', suggestion: suggestion ?? null };
      }
    }
  }

  private async imageAction(runId: string, index: number, action: (typeof IMAGE_ACTIONS)[number]): Promise<void> {
    if (!(await requireTrust())) return; // every action reads the run, and Insert and Copy Markdown Link write a copy
    const store = this.deps.store();
    if (!store || !isRunId(runId)) return;
    const latest = await this.deps.runs.latest({ store, runId });
    const image = latest.ok ? (await imagesOfRun(store, latest.record)).find((i) => i.index === index) : undefined;
    if (!image) throw new Error(vscode.l10n.t('This image is not saved in the workspace.'));
    switch (action) {
      case 'insert':
        await this.deps.images.insert(image, { fromPanel: true });
        return;
      case 'copyMarkdown':
        await this.deps.images.copyMarkdownLink(image);
        return;
      case 'saveAs':
        await this.deps.images.saveAs(image);
        return;
      case 'vary':
        await this.vary(image);
        return;
    }
  }

  /** Posts the shown run's latest state. */
  private async showCurrentRun(): Promise<void> {
    const view = await this.currentRunView();
    if (view) this.postRun(view);
  }

  /** The shown run's latest state: what the run service holds, else its record on disk. */
  private async currentRunView(): Promise<RunView | undefined> {
    const shown = this.shown;
    if (!shown) return undefined;
    const held = this.deps.runs.snapshot(shown.store, shown.runId);
    if (held) return toRunView(held);
    const read = await shown.store.read(shown.runId);
    return read.ok ? toRunView({ record: read.record, store: shown.store, following: false }) : undefined;
  }

  private postRun(view: RunView): void {
    this.panel?.post({ type: 'run', run: view });
  }

  private referenceViews(): Promise<ReferenceView[]> {
    return Promise.all(this.references.map(async (r) => ({ id: r.id, name: r.name, size: r.size, thumbnail: await thumbnail(r) })));
  }

  /** Tells the panel the references changed by something else than its own request (Explorer, Vary). */
  private async postReferences(): Promise<void> {
    if (!this.panel) return;
    const items = await this.referenceViews();
    this.panel?.post({ type: 'references', items });
  }
}

async function thumbnail(reference: ReferenceFile): Promise<string | null> {
  if (reference.size > THUMBNAIL_MAX_BYTES) return null;
  try {
    return `data:${reference.mime};base64,${(await fs.readFile(reference.file)).toString('base64')}`;
  } catch {
    return null;
  }
}
