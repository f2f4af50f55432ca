// From a generated image to the user's work, as a person does it in a real VS Code: the
// panel's result actions, Insert Generated Image from the palette into a Markdown file (a copy
// beside it), and a
// new panel after a reload that starts from the last choices.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { modalDialog, runCommand, screenshot, waitFor, webviewFrame } from './harness/browser';
import { startUiSession, type UiSession } from './session';

describe('Using a generated image', function () {
  this.timeout(300_000);
  let s: UiSession;
  before(async () => (s = await startUiSession({ queuedMs: 500, taskMs: 2000 }, { 'notes.md': '# Notes\n\n' })));
  after(async () => s?.close());
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && s) await screenshot(s.browser.page, `failure-${this.currentTest.title.replace(/\W+/g, '-')}`);
  });

  async function openPanel(): Promise<ReturnType<typeof webviewFrame>> {
    await runCommand(s.browser.page, 'CreatOK: Generate Image');
    const frame = webviewFrame(s.browser.page);
    await frame.getByLabel('Prompt', { exact: true }).waitFor({ state: 'visible', timeout: 60_000 });
    return frame;
  }

  it('shows Insert, Copy Markdown Link, Save As… and Vary on each saved image', async () => {
    const page = s.browser.page;
    const frame = await openPanel();
    await frame.getByLabel('Prompt', { exact: true }).fill('A fox reading a book under a lamp');
    await frame.getByLabel('Model').selectOption('nano-banana-pro');
    await frame.getByLabel('Resolution').selectOption('4K');
    await frame.getByLabel('Aspect ratio').selectOption('16:9');
    await frame.getByLabel('Number of images').selectOption('2');
    await frame.getByRole('button', { name: 'Generate' }).click();
    const dialog = modalDialog(page);
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
    await dialog.getByRole('button', { name: 'Generate' }).click();
    await frame.locator('.phase-succeeded').waitFor({ state: 'visible', timeout: 60_000 });
    // Each button is named with its image's number for screen readers; its text stays short.
    for (const n of [1, 2]) {
      for (const name of [`Insert image ${n}`, `Copy Markdown Link of image ${n}`, `Save As… image ${n}`, `Vary image ${n}`]) {
        await frame.getByRole('button', { name, exact: true }).waitFor({ state: 'visible', timeout: 30_000 });
      }
    }
    assert.deepEqual(await frame.getByRole('button', { name: /^Insert image \d+$/ }).allTextContents(), ['Insert', 'Insert'], 'one per image');
    await frame.getByRole('button', { name: 'Vary image 2', exact: true }).scrollIntoViewIfNeeded();
    await screenshot(page, '51-panel-result-actions');
  });

  it('inserts the picked image into a Markdown file from the palette, with a path that resolves', async () => {
    const page = s.browser.page;
    await runCommand(page, 'View: Close All Editors');
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'notes.md' }).first().click();
    await page.locator('.tabs-container .tab', { hasText: 'notes.md' }).first().waitFor({ timeout: 30_000 });
    await page.locator('.monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+End');
    await runCommand(page, 'CreatOK: Insert Generated Image');
    const rows = page.locator('.quick-input-list .monaco-list-row', { hasText: 'A fox reading a book' });
    await waitFor('the two images in the picker', async () => ((await rows.count()) === 2 ? true : undefined), 30_000);
    await page.locator('.quick-input-list .monaco-list-row .quick-input-list-icon, .quick-input-list .monaco-list-row .codicon').first().waitFor({ timeout: 10_000 }).catch(() => undefined);
    await screenshot(page, '50-insert-quickpick');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Control+S');
    const file = join(s.workspace, 'notes.md');
    const saved = await waitFor('the saved Markdown', () => {
      const text = readFileSync(file, 'utf8');
      return /!\[A fox reading a book under a lamp\]\(([^)]+)\)/.exec(text) ?? undefined;
    }, 30_000);
    const target = join(dirname(file), saved[1]!);
    // A copy of the image in the project, beside the document and named from the prompt, never the hidden run folder.
    assert.equal(saved[1]!, 'a-fox-reading-a-book-under-a-lamp.png');
    assert.ok(existsSync(target), target);
  });

  it('after a reload, a new panel starts from the last model, resolution and aspect ratio', async () => {
    const page = s.browser.page;
    await runCommand(page, 'View: Close All Editors');
    await runCommand(page, 'Developer: Reload Window');
    await page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
    const frame = await openPanel();
    await waitFor('the last choices', async () => ((await frame.getByLabel('Resolution').inputValue()) === '4K' ? true : undefined), 30_000);
    assert.equal(await frame.getByLabel('Model').inputValue(), 'nano-banana-pro');
    assert.equal(await frame.getByLabel('Aspect ratio').inputValue(), '16:9');
    assert.equal(await frame.getByLabel('Number of images').inputValue(), '2');
  });
});
