// The actions on a run in the Tasks view: resume, check once, open result, open images, copy
// the URLs, reveal the folder, retry the downloads, generate again with the same settings.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunFollower } from '../../core/runs/follower';
import { saveRunImages } from '../../core/runs/images';
import type { RunRecord } from '../../core/runs/record';
import type { RunEntry, RunIndex } from '../../core/runs/runIndex';
import type { PanelForm } from '../../core/panelMessages';
import type { ArtifactStore } from '../../core/runs/store';
import type { TaskResumer } from './resume';
import type { TasksView } from './tasksView';

export interface TasksCommandDeps {
  index: RunIndex;
  view: TasksView;
  follower: RunFollower;
  resumer: TaskResumer;
  followWithProgress: (record: RunRecord, store: ArtifactStore) => void;
  openPanelWith: (form: Partial<PanelForm>) => void;
}

function isEntry(value: unknown): value is RunEntry {
  return !!value && typeof value === 'object' && 'runId' in value && 'store' in value;
}

export function registerTasksCommands(deps: TasksCommandDeps): vscode.Disposable[] {
  /** The run behind a view item (or the selected one), with its record when readable. */
  const runOf = async (arg: unknown): Promise<{ entry: RunEntry; record?: RunRecord } | undefined> => {
    if (!isEntry(arg)) return undefined;
    const result = await deps.index.read(arg);
    return { entry: arg, record: result.ok ? result.record : undefined };
  };
  const command = (id: string, run: (arg: unknown) => unknown): vscode.Disposable => vscode.commands.registerCommand(id, run);

  return [
    command('creatok.tasks.refresh', () => deps.view.refresh()),
    command('creatok.tasks.showMore', () => deps.view.showMore()),
    command('creatok.tasks.resume', async (arg) => {
      const run = await runOf(arg);
      if (run?.record?.task_id) deps.followWithProgress(run.record, run.entry.store);
    }),
    command('creatok.tasks.checkOnce', async (arg) => {
      const run = await runOf(arg);
      if (run?.record?.task_id) return deps.resumer.resume(run.record.task_id, 'once');
      return undefined;
    }),
    command('creatok.tasks.stopWatching', async (arg) => {
      const run = await runOf(arg);
      if (run?.record?.task_id) deps.follower.stop(run.record.task_id);
    }),
    command('creatok.tasks.openResult', async (arg) => {
      const run = await runOf(arg);
      if (!run) return;
      const file = run.record ? run.entry.store.resultMdPath(run.entry.runId) : run.entry.store.resultJsonPath(run.entry.runId);
      try {
        await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: true });
      } catch {
        await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(run.entry.store.runDir(run.entry.runId)));
      }
    }),
    command('creatok.tasks.openImages', async (arg) => {
      const run = await runOf(arg);
      if (!run?.record) return;
      const outputs = run.entry.store.outputsDir(run.entry.runId);
      for (const [i, url] of run.record.images.entries()) {
        const local = run.record.local_images?.[i];
        if (local) await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(path.join(outputs, local)), { preview: false });
        else await vscode.env.openExternal(vscode.Uri.parse(url, true));
      }
    }),
    command('creatok.tasks.copyUrls', async (arg) => {
      const run = await runOf(arg);
      if (!run?.record || run.record.images.length === 0) return;
      await vscode.env.clipboard.writeText(run.record.images.join('\n'));
      vscode.window.setStatusBarMessage(vscode.l10n.t('Copied {0} image URLs.', run.record.images.length), 3000);
    }),
    command('creatok.tasks.reveal', async (arg) => {
      const run = await runOf(arg);
      if (run) await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(run.entry.store.runDir(run.entry.runId)));
    }),
    command('creatok.tasks.retryDownload', async (arg) => {
      const run = await runOf(arg);
      if (!run?.record) return;
      const record = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Saving the images…') },
        () => saveRunImages({ ...run.record!, download_error: null }, run.entry.store),
      );
      await run.entry.store.write(record);
      deps.view.runChanged(run.entry.store, run.entry.runId);
      if (record.download_error) void vscode.window.showErrorMessage(vscode.l10n.t('Some images could not be saved: {0}', record.download_error));
      else vscode.window.setStatusBarMessage(vscode.l10n.t('The images are saved in the run folder.'), 3000);
    }),
    command('creatok.tasks.generateAgain', async (arg) => {
      const run = await runOf(arg);
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
