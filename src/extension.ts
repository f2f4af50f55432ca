// Entry point: composes the services once and registers the commands, views and panel. No
// logic of its own: the run service owns runs, the flow owns Generate, the views listen.
import * as vscode from 'vscode';
import type { PanelForm } from './core/panelMessages';
import { RunIndex } from './core/runs/runIndex';
import { RunService } from './core/runs/runService';
import { ArtifactStore } from './core/runs/store';
import { TaskWatcher } from './core/watcher';
import { ApiKeyStore } from './vscode/apiKey';
import { ApiKeyCommands } from './vscode/apiKeyCommands';
import { clientFactory } from './vscode/clientFactory';
import { CatalogService } from './vscode/catalogService';
import { registerChatTools } from './vscode/chatToolsRegistration';
import { Commands } from './vscode/commandIds';
import { GenerateFlow, type ConfirmRequest } from './vscode/generateFlow';
import { GeneratePanel, PANEL_VIEW_TYPE } from './vscode/generatePanel';
import { channelLogger } from './vscode/logger';
import { PanelController } from './vscode/panelController';
import { RunNotifications } from './vscode/runNotifications';
import { SettingsCache, type Settings } from './vscode/settings';
import { SpendTracker } from './vscode/spend';
import { registerSpending } from './vscode/spending/spendingRegistration';
import { MissingImageCommands } from './vscode/missingImagesRegistration';
import { GalleryCommands } from './vscode/gallery/gallery';
import { IMAGE_DRAG_MIME, ImageDropProvider, TasksDragController } from './vscode/imageDrop';
import { SpendLedger } from './core/spend/ledger';
import { ledgerGate } from './core/spend/ledgerGate';
import type { SpendLimits } from './core/spend/ledgerEntries';
import { DurationMemory } from './vscode/durationMemory';
import { ImageActions } from './vscode/imageActions';
import { registerImageCommands } from './vscode/imageCommands';
import { imageSaver } from './vscode/imageSaver';
import { TaskResumer, type ResumeMode } from './vscode/tasks/resume';
import { TasksStatusBar } from './vscode/tasks/statusBar';
import { registerTasksCommands } from './vscode/tasks/tasksCommands';
import { TasksView } from './vscode/tasks/tasksView';
import { WorkspaceStores } from './vscode/workspaceStores';

/** Set by the first statement of the first bundle file evaluated (esbuild's banner). */
const loadStart = (globalThis as { __creatokLoadStart?: unknown }).__creatokLoadStart;

/** Returned by activate() in test mode only, for the integration tests. */
export interface TestingApi {
  /** Milliseconds spent evaluating the start-up modules (after Node read, parsed and linked them) plus running activate(). */
  activationMs: number;
  /** The same, per stage: bundle evaluated, activate() called, services built, Tasks view built, done. */
  activationStages: string;
  setConfirm(confirm: ConfirmRequest | undefined): void;
  flow: GenerateFlow;
  runs: RunService;
  resumer: TaskResumer;
  tasksView: TasksView;
  panel: PanelController;
  images: ImageActions;
  /** The Tasks view's drag side and the editors' drop side (a test cannot make a real tree drag). */
  tasksDrag: TasksDragController;
  imageDrop: ImageDropProvider;
  /** The spend ledger's file (in global storage). */
  ledgerFile: string;
}

export function activate(context: vscode.ExtensionContext): { testing?: TestingApi } {
  const marks: Record<string, number> = { evaluated: moduleEvaluated, activating: performance.now() };
  const channel = vscode.window.createOutputChannel('CreatOK', { log: true });
  const logger = channelLogger(channel);
  context.subscriptions.push(channel);

  const apiKeys = new ApiKeyStore(context.secrets);
  const settingsCache = new SettingsCache((m) => logger.warn(m));
  const workspaceStores = new WorkspaceStores();
  context.subscriptions.push(settingsCache, workspaceStores);
  const settings = (): Settings => settingsCache.current();
  const getClient = clientFactory(settings, () => apiKeys.get(), logger);
  const store = (): ArtifactStore | undefined => workspaceStores.primary();
  const catalog = new CatalogService(getClient, async () => !!(await apiKeys.get()), logger);
  const watcher = new TaskWatcher({ client: { getTaskStatus: (id, o) => getClient().getTaskStatus(id, o) }, logger, budgetMs: () => settings().watchBudgetMs });
  // One spend ledger for every workspace and window of this profile; every paid submit passes its gate.
  const ledger = new SpendLedger(context.globalStorageUri.fsPath, {
    onMovedAside: (aside, problem) => void vscode.window.showWarningMessage(vscode.l10n.t('{0} It was kept as {1}; spending is counted again from the run folders.', problem, aside)),
  });
  const limits = (): SpendLimits => ({ daily: settings().dailyCreditLimit, monthly: settings().monthlyCreditLimit });
  const runs = new RunService({ client: getClient, watcher, logger, saveImages: imageSaver(() => settings().imagesFolder, logger), gate: ledgerGate(ledger, limits) });
  const notifications = new RunNotifications(runs, (m) => logger.error(m));
  // Disposed in this order: the run service stops (and lets go of its leases) before the watcher.
  context.subscriptions.push(runs, watcher, notifications);

  let confirm: ConfirmRequest | undefined;
  const index = new RunIndex([...workspaceStores.list]);
  // Before any view hears of the change: the index lists the new folders' runs.
  context.subscriptions.push(workspaceStores.onDidChange((list) => index.setStores([...list])));
  const spend = new SpendTracker(ledger, runs, logger);
  context.subscriptions.push(workspaceStores.onDidChange((list) => vscode.workspace.isTrusted && void spend.importFolders([...list])));
  const durations = new DurationMemory(context.globalState, runs);
  context.subscriptions.push(spend, durations);
  const flow = new GenerateFlow({
    limits,
    spend: () => spend.recount(),
    durations: () => durations.all(),
    client: getClient,
    catalog: () => catalog.get(),
    store,
    apiKeys,
    runs,
    notifications,
    logger,
    get confirm() {
      return confirm;
    },
  });

  marks.services = performance.now();
  const tasksView = new TasksView(index, runs, workspaceStores.onDidChange);
  const statusBar = new TasksStatusBar(runs, spend);
  const resumer = new TaskResumer({ runs, notifications, logger, stores: () => index.storesList, store });
  const imageOrigins = (): string[] => {
    const origin = settings().baseUrl;
    return origin.startsWith('http://') ? [origin] : [];
  };
  const images = new ImageActions(index, runs, () => settings().imagesFolder, logger);
  const panelHost = new PanelController({
    catalog: (force) => catalog.get(force),
    flow,
    runs,
    store,
    logger,
    showLog: () => channel.show(true),
    images,
    memento: context.workspaceState,
    currentPanel: () => GeneratePanel.current,
  });
  const tasksDrag = new TasksDragController();
  const imageDrop = new ImageDropProvider(index, runs, images);
  const showPanel = (): GeneratePanel => GeneratePanel.show(context.extensionUri, panelHost, logger, imageOrigins());
  context.subscriptions.push(
    tasksView,
    statusBar,
    panelHost,
    images,
    ...registerImageCommands({ actions: images, index, runs, panel: panelHost, showPanel: () => void showPanel() }),
    { dispose: () => GeneratePanel.current?.dispose() },
    tasksView.bindTo(vscode.window.createTreeView('creatok.tasks', { treeDataProvider: tasksView, showCollapseAll: false, dragAndDropController: tasksDrag }), spend),
    vscode.languages.registerDocumentDropEditProvider({ scheme: 'file' }, imageDrop, { dropMimeTypes: [IMAGE_DRAG_MIME], providedDropEditKinds: [ImageDropProvider.kind] }),
    ...registerTasksCommands({ index, view: tasksView, runs, resumer, openPanelWith: (form: Partial<PanelForm>) => showPanel().prefill(form) }),
    vscode.commands.registerCommand(Commands.resumeTask, (taskId?: unknown, mode?: unknown) =>
      resumer.resumeById(typeof taskId === 'string' ? taskId : undefined, mode === 'once' || mode === 'watch' ? (mode as ResumeMode) : undefined),
    ),
  );

  marks.tasks = performance.now();
  context.subscriptions.push(
    vscode.commands.registerCommand(Commands.generateImage, () => void showPanel()),
    // Explorer: right-click one or several images → Use as Reference Image.
    vscode.commands.registerCommand(Commands.useAsReference, async (uri?: vscode.Uri, uris?: vscode.Uri[]) => {
      const picked = (uris && uris.length > 0 ? uris : uri ? [uri] : []).filter((u) => u.scheme === 'file');
      showPanel();
      return panelHost.addReferences(picked.map((u) => u.fsPath));
    }),
    new ApiKeyCommands(apiKeys, context.secrets, () => catalog.invalidate(), logger),
    vscode.commands.registerCommand(Commands.showLog, () => channel.show(true)),
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel) {
        GeneratePanel.revive(panel, context.extensionUri, panelHost, logger, imageOrigins());
      },
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('creatok.baseUrl')) catalog.invalidate();
    }),
    ...registerChatTools({ flow, runs, resumer, store, logger }),
    ...registerSpending(spend, logger),
    new GalleryCommands({
      index,
      runs,
      images,
      logger,
      extensionUri: context.extensionUri,
      runDeleted: (store, runId) => tasksView.runRemoved(store, runId),
      vary: (image) => {
        showPanel();
        return panelHost.vary(image);
      },
      useAsReference: (file) => {
        showPanel();
        return panelHost.addReferences([file]);
      },
    }),
    new MissingImageCommands({
      runs,
      flow,
      logger,
      openPanelFor: (prompt, fill) => {
        showPanel();
        panelHost.prefillForMissingImage(prompt, fill);
      },
    }),
  );

  // Runs left unfinished by a reload, another window or a crash are followed again, but only
  // in a trusted workspace: in Restricted Mode nothing found on disk is acted on.
  const resumeUnfinished = (): void => {
    // Older runs join the spend ledger once per folder, also only from a trusted workspace.
    void spend.importFolders(index.storesList);
    void runs.resumeUnfinished(index.storesList).then(
      (r) =>
        r.followed + r.completing + r.unconfirmed + r.abandoned > 0 &&
        logger.info(`resume: ${r.followed} followed again, ${r.completing} saving their images, ${r.unconfirmed} now unconfirmed, ${r.abandoned} empty run folders removed`),
      (e: Error) => logger.error(`resume: ${e.message}`),
    );
  };
  if (vscode.workspace.isTrusted) resumeUnfinished();
  else logger.info('restricted mode: runs on disk are listed, not resumed, until the folder is trusted');
  context.subscriptions.push(vscode.workspace.onDidGrantWorkspaceTrust(resumeUnfinished));

  marks.done = performance.now();
  const start = typeof loadStart === 'number' ? loadStart : NaN;
  // evaluated = the start-up modules ran (Node reads, parses and links an ES module graph
  // before any of it runs: not counted); activate = this function. The gap between them is the
  // extension host's own work, not ours; `stages` shows it.
  const activationMs = marks.evaluated - start + (marks.done - marks.activating);
  const stages = Object.entries(marks).map(([name, at]) => `${name} +${(at - start).toFixed(1)}`).join(', ');
  logger.info(`activation stages (ms since the first start-up module began evaluating): ${stages}`);
  logger.info(`activated in ${activationMs.toFixed(1)} ms (VS Code ${vscode.version}, language ${vscode.env.language})`);

  if (context.extensionMode === vscode.ExtensionMode.Test) {
    return { testing: { activationMs, activationStages: stages, setConfirm: (c) => (confirm = c), flow, runs, resumer, tasksView, panel: panelHost, images, tasksDrag, imageDrop, ledgerFile: ledger.file } };
  }
  return {};
}

export function deactivate(): void {}

/** When the bundle's own code finished evaluating (everything above it is imports). */
const moduleEvaluated = performance.now();
