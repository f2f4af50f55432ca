// Images that become the project's own files, inside a real extension host against the stand-in:
// Insert links a copy where markdown.copyFiles.destination says; the Quick Fix "Generate Missing
// Image with CreatOK…" writes the image exactly at the link's target; "Generate Missing Images
// in File" does three with one confirmation; another format is saved beside with the link updated.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { RunEvent } from '../../../src/core/runs/runService';
import { requestOfForm } from '../../../src/vscode/panelController';
import { form, testing, until, workspaceRoot } from './helpers';
import { standIn } from './standInControl';

type Ended = Extract<RunEvent, { kind: 'ended' }>;

/** Every run that ends from now on (runs of earlier tests may still end: look runs up by id). */
async function endedRuns(): Promise<{ list: Ended[]; of(runId: string): Promise<Ended>; dispose(): void }> {
  const list: Ended[] = [];
  const subscription = (await testing()).runs.onDidChange((e) => e.kind === 'ended' && list.push(e));
  return { list, of: (runId) => until(`run ${runId} to end`, () => list.find((e) => e.run.record.run_id === runId), 60_000), dispose: () => subscription.dispose() };
}

const runImage = (end: Ended): string => join(workspaceRoot(), 'generate-image', '.artifacts', end.run.record.run_id, 'outputs', end.run.record.local_images![0]!);

/** The Quick Fix offered at `offset` of the document, if any. */
async function quickFixAt(uri: vscode.Uri, line: number, character: number): Promise<vscode.CodeAction | undefined> {
  const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, new vscode.Range(line, character, line, character), vscode.CodeActionKind.QuickFix.value);
  return actions.find((a) => a.title === 'Generate Missing Image with CreatOK…');
}

export function projectFilesSuite(): void {
  describe('Images that become the project\'s own files', () => {
    const docs = (): string => join(workspaceRoot(), 'project-docs');
    beforeEach(async () => {
      await standIn.reset();
      (await testing()).setConfirm(async () => true);
      rmSync(docs(), { recursive: true, force: true });
      mkdirSync(docs(), { recursive: true });
    });
    afterEach(async () => {
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
      (await testing()).setConfirm(undefined);
    });

    it('copies into the folder markdown.copyFiles.destination names for the document', async () => {
      const api = await testing();
      const markdown = vscode.workspace.getConfiguration('markdown');
      await markdown.update('copyFiles.destination', { '**/*.md': '${documentDirName}/media/${fileName}' }, vscode.ConfigurationTarget.Workspace);
      const ended = await endedRuns();
      try {
        const g = await api.flow.generate(requestOfForm(form('A lantern in the rain')));
        assert.ok(g.kind === 'submitted', g.kind);
        const end = await ended.of(g.run.record.run_id);
        const page = join(docs(), 'guide', 'page.md');
        mkdirSync(join(page, '..'), { recursive: true });
        writeFileSync(page, '\n');
        await vscode.window.showTextDocument(vscode.Uri.file(page));
        assert.equal(await vscode.commands.executeCommand('creatok.insertImage', { runId: end.run.record.run_id, index: 0 }), true);
        const copy = join(docs(), 'guide', 'media', 'a-lantern-in-the-rain.png');
        assert.ok(existsSync(copy), readdirSync(join(docs(), 'guide')).join(', '));
        assert.deepEqual(readFileSync(copy), readFileSync(runImage(end)));
        assert.match(vscode.window.activeTextEditor!.document.getText(), /!\[A lantern in the rain\]\(media\/a-lantern-in-the-rain\.png\)/);
      } finally {
        ended.dispose();
        await markdown.update('copyFiles.destination', undefined, vscode.ConfigurationTarget.Workspace);
      }
    });

    it('a run dragged from the Tasks view (or one of its image rows) drops as ![ALT](RELPATH) to a project copy', async () => {
      const api = await testing();
      const ended = await endedRuns();
      try {
        const g = await api.flow.generate(requestOfForm(form('Two paper boats', { n: 2 })));
        assert.ok(g.kind === 'submitted', g.kind);
        const end = await ended.of(g.run.record.run_id);
        const page = join(docs(), 'drop.md');
        writeFileSync(page, 'Boats:\n');
        const document = await vscode.workspace.openTextDocument(vscode.Uri.file(page));
        const entry = (await api.tasksView.getChildren()).find((n) => 'runId' in n && n.runId === end.run.record.run_id);
        assert.ok(entry, 'the run is a row of the Tasks view');
        const rows = await api.tasksView.getChildren(entry);
        assert.equal(rows.length, 2, 'one child row per image');
        for (const [node, index] of [[entry, 0], [rows[1]!, 1]] as const) {
          const transfer = new vscode.DataTransfer();
          api.tasksDrag.handleDrag([node], transfer);
          const edit = await api.imageDrop.provideDocumentDropEdits(document, new vscode.Position(1, 0), transfer, new vscode.CancellationTokenSource().token);
          const expectedName = index === 0 ? 'two-paper-boats.png' : 'two-paper-boats-2.png';
          assert.equal(edit?.insertText, `![Two paper boats](${expectedName})`);
          assert.deepEqual(readFileSync(join(docs(), expectedName)), readFileSync(join(workspaceRoot(), 'generate-image', '.artifacts', end.run.record.run_id, 'outputs', end.run.record.local_images![index]!)));
        }
        const html = join(docs(), 'drop.html');
        writeFileSync(html, '<p></p>\n');
        const transfer = new vscode.DataTransfer();
        api.tasksDrag.handleDrag([entry], transfer);
        const htmlEdit = await api.imageDrop.provideDocumentDropEdits(await vscode.workspace.openTextDocument(vscode.Uri.file(html)), new vscode.Position(0, 3), transfer, new vscode.CancellationTokenSource().token);
        assert.equal(htmlEdit?.insertText, '<img src="two-paper-boats.png" alt="Two paper boats" />', 'the equal copy beside it is linked');
      } finally {
        ended.dispose();
      }
    });

    it('Quick Fix: the panel gets the alt text; the image is written exactly at the link\'s target, the document untouched, 1 submission', async () => {
      const api = await testing();
      // A file name of its own: a document still open from an earlier test would be read from memory, not from disk.
      const page = join(docs(), 'bikes.md');
      const text = '# Bikes\n\n![A red bicycle leaning on a wall](img/bike.png)\n';
      writeFileSync(page, text);
      const document = await vscode.workspace.openTextDocument(vscode.Uri.file(page));
      await vscode.window.showTextDocument(document);
      assert.equal(await quickFixAt(document.uri, 0, 2), undefined, 'nothing offered away from an image');
      const action = await quickFixAt(document.uri, 2, 10);
      assert.ok(action?.command, 'offered on the missing image');
      assert.ok(action.kind?.value.startsWith('quickfix'));
      const ended = await endedRuns();
      try {
        await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
        assert.equal(api.panel.lastPrefill?.prompt, 'A red bicycle leaning on a wall', 'exactly that prompt');
        assert.equal(api.panel.pendingFill?.target, 'project-docs/img/bike.png');
        const reply = await api.panel.generate(form('A red bicycle leaning on a wall'));
        assert.ok(reply?.kind === 'run', JSON.stringify(reply));
        const end = await ended.of(reply.run.runId);
        const target = join(docs(), 'img', 'bike.png');
        await until('the image at the link\'s target', () => (existsSync(target) ? true : undefined));
        assert.deepEqual(readFileSync(target), readFileSync(runImage(end)), 'the served bytes');
        assert.equal(document.getText(), text, 'the document needs no edit');
        assert.equal((await standIn.submissions()).length, 1);
        assert.equal(await quickFixAt(document.uri, 2, 10), undefined, 'no longer missing: no Quick Fix');
      } finally {
        ended.dispose();
      }
    });

    it('Generate Missing Images in File: one confirmation listing 3 prompts and the total, 3 submissions, 3 files at their targets', async () => {
      const api = await testing();
      const details: string[] = [];
      api.setConfirm(async (_r, _refs, context) => (details.push(`${context.text.message}\n${context.text.detail}`), true));
      mkdirSync(join(docs(), 'art'), { recursive: true });
      writeFileSync(join(docs(), 'art', 'there.png'), 'already here');
      const page = join(docs(), 'gallery.md');
      writeFileSync(page, '![A paper crane](art/crane.png)\n![](art/blue-whale.webp)\n<img src="art/owl.png" alt="An owl at night">\n![there](art/there.png) ![web](https://example.com/x.png) ![again](art/crane.png)\n');
      await vscode.window.showTextDocument(vscode.Uri.file(page));
      const ended = await endedRuns();
      try {
        assert.equal(await vscode.commands.executeCommand('creatok.generateMissingImages'), 3);
        assert.equal(details.length, 1, 'one confirmation');
        for (const expected of ['Generate 3 missing images', '"A paper crane"', '"blue whale"', '"An owl at night"', 'Total estimated cost:']) assert.ok(details[0]!.includes(expected), `${expected}:\n${details[0]}`);
        assert.equal((await standIn.submissions()).length, 3);
        await until('3 runs to end', () => (ended.list.filter((e) => e.run.record.fill?.target.startsWith('project-docs/art/')).length >= 3 ? true : undefined), 60_000);
        for (const file of ['crane.png', 'blue-whale.png', 'owl.png']) await until(file, () => (existsSync(join(docs(), 'art', file)) ? true : undefined));
        assert.equal(readFileSync(join(docs(), 'art', 'there.png'), 'utf8'), 'already here', 'an existing image is left alone');
        // The stand-in serves PNG: the .webp link now names the .png saved beside it.
        await until('the link to be updated', () => (vscode.window.activeTextEditor?.document.getText().includes('![](art/blue-whale.png)') ? true : undefined));
        assert.ok(!existsSync(join(docs(), 'art', 'blue-whale.webp')), 'no PNG bytes under a .webp name');
      } finally {
        ended.dispose();
      }
    });
  });
}
