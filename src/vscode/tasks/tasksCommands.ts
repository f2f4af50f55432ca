// The actions on a run in the Tasks view: resume, check once, stop, open result, open images,
// copy the URLs or the task id, reveal the folder, retry the downloads or the save, generate
// again with the same settings. Every change to a run goes through the run service.
import * as vscode from 'vscode';
import type { PanelForm } from '../../core/panelMessages';
import type { RunRecord } from '../../core/runs/record';
import type { RunEntry, RunIndex } from '../../core/runs/runIndex';
import type { RunService } from '../../core/runs/runService';
import { Commands, RUN_ACTION_TAGS } from '../commandIds';
import { isAllowedUrl } from '../../core/urlPolicy';
import { runTags } from '../../core/runs/runStatus';
import { retryDownloadsWithProgress, retrySaving } from '../runNotifications';
import { ageText, runLabel, runStateText } from '../runPresenter';
import { requireTrust } from '../trust';
import type { TaskResumer } from './resume';
import type { TasksView } from './tasksView';

/** An action on a run's row (its menus' tag decides which runs it applies to). */
type RunAction = keyof typeof RUN_ACTION_TAGS;

export interface TasksCommandDeps {
  index: RunIndex;
  view: TasksView;
  runs: RunService;
  resumer: TaskResumer;
  openPanelWith: (form: Partial<PanelForm>) => void;
}

function isEntry(value: unknown): value is RunEntry {
  return !!value && typeof value === 'object' && 'runId' in value && 'store' in value;
}

export function registerTasksCommands(deps: TasksCommandDeps): vscode.Disposable[] {
  /** The run behind a view item, with its latest record (the run service's, else the file's). */
  const runOf = async (arg: unknown, action: RunAction): Promise<{ entry: RunEntry; record?: RunRecord } | undefined> => {
    const entry = isEntry(arg) ? arg : arg === undefined ? await chooseRun(RUN_ACTION_TAGS[action]) : undefined;
    if (!entry) return undefined;
    const result = await deps.runs.latest(entry);
    return { entry, record: result.ok ? result.record : undefined };
  };
  /**
   * A row's action that reached its command without its run: VS Code forgets the rows while it
   * lists them again, so a click at that moment comes without one (or a keybinding ran it).
   * Asks which run, among the listed runs whose rows offer the action (their tag), instead of
   * doing nothing.
   */
  const chooseRun = async (tag: string): Promise<RunEntry | undefined> => {
    const item = async (entry: RunEntry): Promise<(vscode.QuickPickItem & { entry: RunEntry }) | undefined> => {
      const read = await deps.runs.latest(entry);
      const held = deps.runs.snapshot(entry.store, entry.runId);
      const following = read.ok && !!read.record.task_id && deps.runs.isFollowing(read.record.task_id);
      if (!runTags(read, following, !!held?.unsaved).split(' ').includes(tag)) return undefined;
      if (!read.ok) return { label: entry.runId, entry };
      const record = read.record;
      return { label: runLabel(record), description: [record.model, runStateText({ record, following }), ageText(record.created_at)].filter(Boolean).join(' · '), entry };
    };
    const items = (await Promise.all((await deps.view.listedRuns()).map(item))).filter((i) => i !== undefined);
    if (items.length === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('No run in the Tasks view can do that now.'));
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(items, { placeHolder: vscode.l10n.t('Which run? (The list was changing as you clicked.)') });
    return picked?.entry;
  };
  const command = (id: string, run: (arg: unknown) => unknown): vscode.Disposable => vscode.commands.registerCommand(id, run);

  return [
    command(Commands.tasksRefresh, () => deps.view.refresh()),
    command(Commands.tasksShowMore, () => deps.view.showMore()),
    command(Commands.tasksResume, async (arg) => {
      const run = await runOf(arg, Commands.tasksResume);
      if (run?.record?.task_id && (await requireTrust())) deps.resumer.followWithProgress({ record: run.record, store: run.entry.store });
    }),
    command(Commands.tasksCheckOnce, async (arg) => {
      const run = await runOf(arg, Commands.tasksCheckOnce);
      if (run?.record?.task_id && (await requireTrust())) return deps.resumer.resume(run.record.task_id, 'once');
      return undefined;
    }),
    command(Commands.tasksStopWatching, async (arg) => {
      const run = await runOf(arg, Commands.tasksStopWatching);
      if (run?.record?.task_id) deps.runs.stop(run.record.task_id);
    }),
    command(Commands.tasksOpenResult, async (arg) => {
      const run = await runOf(arg, Commands.tasksOpenResult);
      if (!run) return;
      const file = run.record ? run.entry.store.resultMdPath(run.entry.runId) : run.entry.store.resultJsonPath(run.entry.runId);
      try {
        await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: true });
      } catch {
        await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(run.entry.store.runDir(run.entry.runId)));
      }
    }),
    command(Commands.tasksOpenImages, async (arg) => {
      const run = await runOf(arg, Commands.tasksOpenImages);
      if (!run?.record || !(await requireTrust())) return;
      let refused = 0;
      for (const [i, url] of run.record.images.entries()) {
        // The saved copy when it really is a file in the run's images folder, else the link
        // when it is an https: one; anything else (command:, file:, vscode: …) is never opened.
        const local = await run.entry.store.localImagePath(run.entry.runId, run.record.local_images?.[i]);
        if (local) await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(local), { preview: false });
        else if (isAllowedUrl(url)) await vscode.env.openExternal(vscode.Uri.parse(url, true));
        else refused++;
      }
      if (refused > 0) void vscode.window.showWarningMessage(vscode.l10n.t('{0} image links were not opened: they are not https: links.', refused));
    }),
    command(Commands.tasksCopyUrls, async (arg) => {
      const run = await runOf(arg, Commands.tasksCopyUrls);
      if (!run?.record || run.record.images.length === 0) return;
      await vscode.env.clipboard.writeText(run.record.images.join('\n'));
      vscode.window.setStatusBarMessage(vscode.l10n.t('Copied {0} image URLs.', run.record.images.length), 3000);
    }),
    command(Commands.tasksCopyTaskId, async (arg) => {
      const run = await runOf(arg, Commands.tasksCopyTaskId);
      if (!run?.record?.task_id) return;
      await vscode.env.clipboard.writeText(run.record.task_id);
      vscode.window.setStatusBarMessage(vscode.l10n.t('Copied the task ID.'), 3000);
    }),
    command(Commands.tasksReveal, async (arg) => {
      const run = await runOf(arg, Commands.tasksReveal);
      if (run) await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(run.entry.store.runDir(run.entry.runId)));
    }),
    command(Commands.tasksRetryDownload, async (arg) => {
      const run = await runOf(arg, Commands.tasksRetryDownload);
      if (!run?.record || !(await requireTrust())) return;
      await retryDownloadsWithProgress(deps.runs, run.entry.store, run.entry.runId);
    }),
    command(Commands.tasksRetrySave, async (arg) => {
      const run = await runOf(arg, Commands.tasksRetrySave);
      if (run) await retrySaving(deps.runs, run.entry.store, run.entry.runId);
    }),
    command(Commands.tasksGenerateAgain, async (arg) => {
      const run = await runOf(arg, Commands.tasksGenerateAgain);
      if (!run?.record) return;
      const r = run.record;
      deps.openPanelWith({
        prompt: r.prompt,
        model: r.model,
        modelChosen: true,
        resolution: r.resolution,
        ...(r.aspect_ratio ? { aspectRatio: r.aspect_ratio } : {}),
        n: r.n,
      });
    }),
  ];
}
