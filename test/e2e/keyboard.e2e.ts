// The whole path with the keyboard alone, in the High Contrast theme: open a Markdown file and
// the panel from the palette, type the prompt (it has the focus), Tab to the model and choose one
// with the arrow keys, Ctrl+Enter, confirm the modal with Enter, then Tab to "Insert image 1" and
// press Enter. No mouse event is sent; the screenshots show the panel in high contrast.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { modalDialog, screenshot, waitFor, webviewFrame } from './harness/browser';
import { startUiSession, type UiSession } from './session';

const PROMPT = 'Product shot of a ceramic coffee mug on a wooden table, soft morning light';

/** F1, the command's title, Enter; again (keys only) until the extension host has the command. */
async function paletteByKeys(page: Page, title: string): Promise<void> {
  await waitFor(`the command "${title}"`, async () => {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 5000 });
    await page.keyboard.type(`${title}`);
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    if (await row.isVisible().catch(() => false)) {
      await page.keyboard.press('Enter');
      return true;
    }
    await page.keyboard.press('Escape');
    return undefined;
  }, 90_000, 500);
}

/** What has the focus in the panel: its label for a screen reader, or its id. */
async function focused(frame: FrameLocator): Promise<string> {
  return frame.locator(':focus').evaluate((e) => e.getAttribute('aria-label') ?? (e.id || e.textContent || e.tagName)).catch(() => '');
}

/** Presses `key` until `want` has the focus (at most `max` times). */
async function pressUntil(page: Page, frame: FrameLocator, key: string, want: string, max = 30): Promise<void> {
  for (let i = 0; i < max; i++) {
    if ((await focused(frame)) === want) return;
    await page.keyboard.press(key);
  }
  assert.equal(await focused(frame), want, `${key} never reached ${want}`);
}

describe('Keyboard only, in High Contrast', function () {
  this.timeout(240_000);
  let s: UiSession;

  before(async () => {
    s = await startUiSession({}, { 'notes.md': '# Notes\n\n' }, { userSettings: { 'workbench.colorTheme': 'Default High Contrast' } });
  });
  after(async () => s?.close());
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && s) await screenshot(s.browser.page, `failure-${this.currentTest.title.replace(/\W+/g, '-')}`);
  });

  it('opens the panel, types, chooses a model, generates, confirms and inserts without a mouse', async () => {
    const page = s.browser.page;
    // The document to insert into, opened with Go to File and its end reached with Ctrl+End.
    await paletteByKeys(page, 'Go to File...');
    await page.keyboard.type('notes.md');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'notes.md' }).first().waitFor({ timeout: 30_000 });
    await page.keyboard.press('Enter');
    await page.locator('.tabs-container .tab.active', { hasText: 'notes.md' }).waitFor({ timeout: 30_000 });
    await page.keyboard.press('Control+End');

    await paletteByKeys(page, 'CreatOK: Generate Image');
    const frame = webviewFrame(page);
    await frame.locator('#prompt').waitFor({ state: 'visible', timeout: 60_000 });
    await waitFor('the prompt to have the focus', async () => ((await focused(frame)) === 'prompt' ? true : undefined));
    await page.keyboard.type(PROMPT);
    await waitFor('the recommendation', async () => ((await frame.locator('#model').inputValue()) === 'nano-banana-pro' ? true : undefined));

    // Tab to the model; an arrow key chooses another.
    await pressUntil(page, frame, 'Tab', 'model');
    await page.keyboard.press('ArrowDown');
    await waitFor('the model chosen by key', async () => ((await frame.locator('#model').inputValue()) !== 'nano-banana-pro' ? true : undefined));
    const chosen = await frame.locator('#model').evaluate((e) => (e as HTMLSelectElement).selectedOptions[0]!.textContent!);
    await screenshot(page, '90-keyboard-high-contrast-form');

    // Back to the prompt, and Ctrl+Enter generates.
    await pressUntil(page, frame, 'Shift+Tab', 'prompt');
    await page.keyboard.press('Control+Enter');
    const dialog = modalDialog(page);
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
    assert.ok(((await dialog.textContent()) ?? '').includes(chosen), `the modal names ${chosen}`);
    assert.ok(((await dialog.textContent()) ?? '').includes(PROMPT), 'the modal shows the prompt it charges for');
    // The modal's focus is on its Generate button: Enter confirms.
    await waitFor('the modal\'s focus on Generate', async () => ((await dialog.locator('.dialog-buttons a:focus, .dialog-buttons button:focus').textContent().catch(() => null)) === 'Generate' ? true : undefined));
    await page.keyboard.press('Enter');

    await frame.locator('.phase-succeeded').waitFor({ state: 'visible', timeout: 90_000 });
    assert.equal(s.standIn.submissions().length, 1);
    // The focus came back from the modal to Generate (never lost to the page).
    await waitFor('the focus on Generate', async () => ((await focused(frame)) === 'Generate' ? true : undefined));
    await screenshot(page, '91-keyboard-high-contrast-done');

    // Tab to the first image's Insert: the copy goes beside notes.md and its link into it.
    await pressUntil(page, frame, 'Tab', 'Insert image 1');
    await page.keyboard.press('Enter');
    const copyName = await waitFor('the copy in the project', () => readdirSync(s.workspace).find((n) => n.endsWith('.png')), 30_000);
    assert.match(copyName, /^product-shot-of-a-ceramic/, 'named from the prompt');
    const [runId] = readdirSync(join(s.workspace, 'generate-image', '.artifacts')).filter((n) => !n.startsWith('.'));
    assert.deepEqual(readFileSync(join(s.workspace, copyName)), readFileSync(join(s.workspace, 'generate-image', '.artifacts', runId!, 'outputs', 'images', 'image_1.png')), 'the copy holds the saved image');
    await waitFor('the link in notes.md', async () => ((await page.locator('.monaco-editor .view-lines').first().textContent())?.includes(`](${copyName})`) ? true : undefined));
  });
});
