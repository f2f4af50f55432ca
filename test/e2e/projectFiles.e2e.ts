// Images that become the project's own files, as a person uses them in a real VS Code against
// the stand-in: in a git repository that ignores generate-image/, Insert writes a copy beside the
// document that git does not ignore; a drag from the Tasks view drops ![ALT](RELPATH); the Quick
// Fix on a missing image generates it at the link's target; the file command does three.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { modalDialog, runCommand, screenshot, waitFor, webviewFrame } from './harness/browser';
import { showTasksView, taskRow } from './harness/workbench';
import { startUiSession, type UiSession } from './session';

const BIKE = '# Bikes\n\n![A red bicycle leaning on a wall](img/bike.png)\n';
const THREE = '# Gallery\n\n![A paper crane on a desk](art/crane.png)\n\n![A blue whale in deep water](art/whale.png)\n\n![An owl at night](art/owl.png)\n';

describe('Images that become the project\'s own files in a real VS Code', function () {
  this.timeout(300_000);
  let s: UiSession;
  before(async () => {
    s = await startUiSession({ queuedMs: 500, taskMs: 2000 }, {}, {
      prepare: (workspace) => {
        mkdirSync(join(workspace, 'docs', 'guide'), { recursive: true });
        writeFileSync(join(workspace, 'docs', 'guide', 'page.md'), '# Guide\n\n');
        writeFileSync(join(workspace, 'docs', 'page.md'), BIKE);
        writeFileSync(join(workspace, 'docs', 'drop.md'), 'Dropped:\n\n');
        writeFileSync(join(workspace, 'docs', 'three.md'), THREE);
        writeFileSync(join(workspace, '.gitignore'), 'generate-image/\n');
        execFileSync('git', ['init', '-q'], { cwd: workspace });
      },
    });
  });
  after(async () => s?.close());
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && s) await screenshot(s.browser.page, `failure-${this.currentTest.title.replace(/\W+/g, '-')}`);
  });

  /** Opens a workspace file in an editor (Go to File, the row of exactly that folder). */
  async function openFile(page: Page, relative: string): Promise<void> {
    const name = relative.split('/').pop()!;
    const folder = relative.split('/').slice(0, -1).join('/');
    const escape = (t: string): string => t.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    // The row whose description is exactly the folder: `page.md docs`, not `page.md docs/guide`.
    const row = page
      .locator('.quick-input-list .monaco-list-row', { hasText: name })
      .filter({ has: page.locator('.label-description', { hasText: new RegExp(`^\\s*${escape(folder)}\\s*$`) }) })
      .first();
    await waitFor(`${relative} in Go to File`, async () => {
      await page.keyboard.press('Escape');
      await runCommand(page, 'Go to File...');
      await page.locator('.quick-input-widget input').fill(relative);
      return (await row.waitFor({ state: 'visible', timeout: 5000 }).then(() => true).catch(() => false)) ? true : undefined;
    }, 60_000);
    await row.click();
    await page.locator('.tabs-container .tab.active', { hasText: name }).waitFor({ timeout: 30_000 });
    await page.locator('.monaco-editor .view-lines').first().click();
  }

  /** The first image saved for a task, from its run folder (downloaded and checked there). */
  function runImageOfTask(taskId: string): Buffer {
    const root = join(s.workspace, 'generate-image', '.artifacts');
    for (const run of readdirSync(root).filter((n) => !n.startsWith('.'))) {
      const record = JSON.parse(readFileSync(join(root, run, 'outputs', 'result.json'), 'utf8')) as { task_id: string | null };
      if (record.task_id === taskId) return readFileSync(join(root, run, 'outputs', 'images', 'image_1.png'));
    }
    throw new Error(`no run folder for task ${taskId}`);
  }

  /** Confirms the one modal that opens, and returns its text. */
  async function confirmModal(page: Page): Promise<string> {
    const dialog = modalDialog(page);
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
    const text = await dialog.innerText();
    await dialog.getByRole('button', { name: 'Generate' }).click();
    await waitFor('the dialog to close', async () => ((await dialog.count()) === 0 ? true : undefined));
    return text;
  }

  it('inserts a copy beside the document that git does not ignore; a second Insert adds no file', async () => {
    const page = s.browser.page;
    await runCommand(page, 'CreatOK: Generate Image');
    const frame = webviewFrame(page);
    await frame.getByLabel('Prompt', { exact: true }).waitFor({ state: 'visible', timeout: 60_000 });
    await frame.getByLabel('Prompt', { exact: true }).fill('A lighthouse keeper reading by lamplight');
    await frame.getByLabel('Model').selectOption('nano-banana-2');
    await frame.getByLabel('Number of images').selectOption('2');
    await frame.getByRole('button', { name: 'Generate' }).click();
    await confirmModal(page);
    await frame.locator('.phase-succeeded').waitFor({ state: 'visible', timeout: 60_000 });

    await openFile(page, 'docs/guide/page.md');
    await page.keyboard.press('Control+End');
    await runCommand(page, 'CreatOK: Insert Generated Image');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'A lighthouse keeper' }).first().waitFor({ timeout: 30_000 });
    await page.keyboard.press('Enter');
    const copy = join(s.workspace, 'docs', 'guide', 'a-lighthouse-keeper-reading-by-lamplight.png');
    await waitFor('the copy beside the document', () => (existsSync(copy) ? true : undefined));
    const [runId] = readdirSync(join(s.workspace, 'generate-image', '.artifacts')).filter((n) => !n.startsWith('.'));
    assert.deepEqual(readFileSync(copy), readFileSync(join(s.workspace, 'generate-image', '.artifacts', runId!, 'outputs', 'images', 'image_1.png')), 'the served bytes');
    assert.equal(spawnSync('git', ['check-ignore', '-q', 'docs/guide/a-lighthouse-keeper-reading-by-lamplight.png'], { cwd: s.workspace }).status, 1, 'git does not ignore the copy');
    assert.equal(spawnSync('git', ['check-ignore', '-q', `generate-image/.artifacts/${runId}/outputs/images/image_1.png`], { cwd: s.workspace }).status, 0, 'while it ignores the run folder');
    await runCommand(page, 'CreatOK: Insert Generated Image');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'A lighthouse keeper' }).first().waitFor({ timeout: 30_000 });
    await page.keyboard.press('Enter');
    await page.keyboard.press('Control+S');
    const text = await waitFor('the saved document with two links', () => {
      const t = readFileSync(join(s.workspace, 'docs', 'guide', 'page.md'), 'utf8');
      return t.split('](a-lighthouse-keeper-reading-by-lamplight.png)').length === 3 ? t : undefined;
    });
    assert.match(text, /!\[A lighthouse keeper reading by lamplight\]\(a-lighthouse-keeper-reading-by-lamplight\.png\)/, 'the link resolves from the document');
    assert.deepEqual(readdirSync(join(s.workspace, 'docs', 'guide')).sort(), ['a-lighthouse-keeper-reading-by-lamplight.png', 'page.md'], 'the second Insert added no file');
    await screenshot(page, '60-insert-project-copy');
  });

  it('drops ![ALT](RELPATH) where a run is dragged from the Tasks view', async () => {
    const page = s.browser.page;
    await runCommand(page, 'View: Close All Editors');
    await openFile(page, 'docs/drop.md');
    await showTasksView(page);
    const row = taskRow(page, 'A lighthouse keeper');
    await row.waitFor({ state: 'visible', timeout: 30_000 });
    const lines = page.locator('.monaco-editor .view-lines').first();
    const box = (await lines.boundingBox())!;
    // A drop into the editor, as a person makes it: hold Shift over the text, let go on the last line.
    const from = (await row.boundingBox())!;
    await page.mouse.move(from.x + from.width / 3, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + 60, box.y + 30, { steps: 8 });
    await page.keyboard.down('Shift');
    await page.mouse.move(box.x + 62, box.y + 32, { steps: 4 });
    await page.mouse.up();
    await page.keyboard.up('Shift');
    await page.keyboard.press('Control+S');
    const text = await waitFor('the dropped link', () => {
      const t = readFileSync(join(s.workspace, 'docs', 'drop.md'), 'utf8');
      return t.includes('![A lighthouse keeper reading by lamplight](a-lighthouse-keeper-reading-by-lamplight.png)') ? t : undefined;
    });
    assert.ok(text.startsWith('Dropped:'), text);
    assert.ok(existsSync(join(s.workspace, 'docs', 'a-lighthouse-keeper-reading-by-lamplight.png')));
    await screenshot(page, '61-dropped-from-tasks');
  });

  it('the Quick Fix generates the missing image exactly at the link\'s target; the document is unchanged, 1 submission', async () => {
    const page = s.browser.page;
    s.standIn.reset();
    await runCommand(page, 'View: Close All Editors');
    await openFile(page, 'docs/page.md');
    await page.locator('.monaco-editor .view-line', { hasText: 'img/bike.png' }).first().click({ position: { x: 60, y: 5 } }); // on the link's alt text (the line's middle may lie past its end)
    await page.keyboard.press('Control+.');
    const fix = page.locator('.action-widget .monaco-list-row', { hasText: 'Generate Missing Image with CreatOK…' }).first();
    await fix.waitFor({ state: 'visible', timeout: 30_000 });
    await screenshot(page, '62-quick-fix');
    await fix.click();
    const frame = webviewFrame(page);
    await waitFor('the prompt from the alt text', async () => ((await frame.getByLabel('Prompt', { exact: true }).inputValue().catch(() => '')) === 'A red bicycle leaning on a wall' ? true : undefined), 60_000);
    await frame.getByRole('button', { name: 'Generate' }).click();
    const modal = await confirmModal(page);
    assert.ok(modal.includes('Prompt: "A red bicycle leaning on a wall"'), modal);
    const target = join(s.workspace, 'docs', 'img', 'bike.png');
    await waitFor('the image at the link\'s target', () => (existsSync(target) ? true : undefined), 60_000);
    const [task] = s.standIn.tasks();
    assert.deepEqual(readFileSync(target), runImageOfTask(task!.taskId), 'the served bytes (as saved in the run folder)');
    assert.equal(readFileSync(join(s.workspace, 'docs', 'page.md'), 'utf8'), BIKE, 'the document needs no edit');
    assert.equal(await page.locator('.tabs-container .tab.dirty', { hasText: 'page.md' }).count(), 0, 'nor is it edited in the editor');
    assert.equal(s.standIn.submissions().length, 1);
  });

  it('Generate Missing Images in File: one confirmation listing 3 prompts and the total, 3 submissions, 3 files', async () => {
    const page = s.browser.page;
    s.standIn.reset();
    await runCommand(page, 'View: Close All Editors');
    await openFile(page, 'docs/three.md');
    await runCommand(page, 'CreatOK: Generate Missing Images in File');
    const dialog = modalDialog(page);
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
    await screenshot(page, '63-missing-images-confirmation');
    const text = await confirmModal(page);
    for (const expected of ['A paper crane on a desk', 'A blue whale in deep water', 'An owl at night', 'Total estimated cost:']) assert.ok(text.includes(expected), `${expected}:\n${text}`);
    for (const name of ['crane.png', 'whale.png', 'owl.png']) await waitFor(name, () => (existsSync(join(s.workspace, 'docs', 'art', name)) ? true : undefined), 60_000);
    assert.equal(s.standIn.submissions().length, 3);
    assert.equal(readFileSync(join(s.workspace, 'docs', 'three.md'), 'utf8'), THREE);
  });
});
