// Credits a user can trust, in a real VS Code against the stand-in: the daily limit counts every
// workspace of the profile (one spend ledger in global storage), holds when two windows confirm
// at the same moment, and the confirmation shows the prompt it charges for.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { modalDialog, notification, openWorkbench, runCommand, screenshot, waitFor, webviewFrame } from './harness/browser';
import { startUiSession, type UiSession } from './session';

describe('Credits across workspaces and windows in a real VS Code', function () {
  this.timeout(240_000);
  let s: UiSession;
  let folderB: string;

  before(async () => {
    s = await startUiSession({}, {}, {
      userSettings: { 'creatok.dailyCreditLimit': 3 },
      prepare: (_workspace, _standIn, home) => {
        folderB = join(home, 'folder-b');
        mkdirSync(folderB, { recursive: true });
      },
    });
  });
  after(async () => s?.close());
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && s) await screenshot(s.browser.page, `failure-${this.currentTest.title.replace(/\W+/g, '-')}`);
  });

  /** Opens the panel and fills it; resolves once the panel shows the expected price. */
  async function fillPanel(page: Page, prompt: string, resolution: '1K' | '2K', credits: number): Promise<ReturnType<typeof webviewFrame>> {
    await runCommand(page, 'CreatOK: Generate Image');
    const frame = webviewFrame(page);
    await frame.getByLabel('Prompt', { exact: true }).waitFor({ state: 'visible', timeout: 60_000 });
    await frame.getByLabel('Prompt', { exact: true }).fill(prompt);
    await frame.getByLabel('Model').selectOption('nano-banana-2');
    await frame.getByLabel('Resolution').selectOption(resolution);
    await frame.getByLabel('Number of images').selectOption('1');
    await frame.getByText(`Estimated cost: ${credits} credit`).first().waitFor();
    return frame;
  }

  it('counts a run of folder A in folder B: over the limit of 3, refused before any confirmation', async () => {
    const page = s.browser.page;
    const prompt = 'A paper boat on a quiet pond, morning mist';
    const frame = await fillPanel(page, prompt, '2K', 2);
    await frame.getByRole('button', { name: 'Generate' }).click();
    const dialog = modalDialog(page);
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
    const text = await dialog.innerText();
    assert.ok(text.includes(`Prompt: "${prompt}"`), `the modal shows the prompt:\n${text}`);
    assert.ok(!text.includes('chat agent'), text);
    await screenshot(page, '70-confirmation-with-prompt');
    await dialog.getByRole('button', { name: 'Generate' }).click();
    await frame.locator('.phase-succeeded').waitFor({ state: 'visible', timeout: 60_000 });
    assert.equal(s.standIn.submissions().length, 1);

    // Folder B, same profile: the ledger in global storage remembers folder A's 2 credits.
    await openWorkbench(page, s.server.url, folderB);
    const frameB = await fillPanel(page, 'A paper plane over a city', '2K', 2);
    await frameB.getByRole('button', { name: 'Generate' }).click();
    const warning = notification(page, /daily limit of 3 credits \(2 used today\)/);
    await warning.waitFor({ state: 'visible', timeout: 30_000 });
    assert.ok(await warning.getByRole('button', { name: 'Open Settings' }).isVisible(), 'offers Open Settings');
    await frameB.getByText(/daily limit of 3 credits/).first().waitFor({ timeout: 10_000 });
    assert.equal(await modalDialog(page).count(), 0, 'no confirmation');
    assert.equal(s.standIn.submissions().length, 1, '0 submissions from folder B');
    await screenshot(page, '71-refused-in-folder-b');

    // The Spending view, from the same ledger: today's 2 credits, with folder A's run behind them.
    await runCommand(page, 'CreatOK: Show Spending');
    const view = page.locator('.pane', { hasText: /Spending/i });
    await view.locator('.monaco-list-row', { hasText: 'Last 30 days' }).waitFor({ timeout: 30_000 });
    await view.locator('.monaco-list-row', { hasText: /2 credits · 1 run\b/ }).first().waitFor({ timeout: 30_000 });
    await screenshot(page, '72-spending-view');
  });

  it('sends one run when two windows confirm at the same moment with room for one, and the other says why', async () => {
    // 2 of 3 credits are spent today: room for one 1-credit run.
    const pageA = s.browser.page;
    const pageB = await s.browser.context.newPage();
    try {
      await openWorkbench(pageA, s.server.url, s.workspace);
      await openWorkbench(pageB, s.server.url, folderB);
      const before = s.standIn.submissions().length;
      const frames = [await fillPanel(pageA, 'A lantern on a windowsill', '1K', 1), await fillPanel(pageB, 'A kite above a beach', '1K', 1)];
      await frames[0]!.getByRole('button', { name: 'Generate' }).click();
      await frames[1]!.getByRole('button', { name: 'Generate' }).click();
      const dialogs = [modalDialog(pageA), modalDialog(pageB)];
      await Promise.all(dialogs.map((d) => d.waitFor({ state: 'visible', timeout: 30_000 })));
      assert.equal(s.standIn.submissions().length, before, 'both asked; nothing sent yet');
      // Both confirm at once.
      await Promise.all(dialogs.map((d) => d.getByRole('button', { name: 'Generate' }).click()));
      const outcome = await waitFor(
        'one window to succeed and the other to refuse',
        async () => {
          const succeeded = await Promise.all(frames.map((f) => f.locator('.phase-succeeded').count()));
          const refused = await Promise.all([pageA, pageB].map((p) => notification(p, /daily limit of 3 credits \(3 used today\)/).count()));
          const winner = succeeded.findIndex((n) => n > 0);
          return winner >= 0 && refused[1 - winner]! > 0 ? { winner } : undefined;
        },
        90_000,
      );
      assert.equal(s.standIn.submissions().length - before, 1, 'exactly one submission');
      await screenshot([pageA, pageB][1 - outcome.winner]!, '73-second-window-refused');
    } finally {
      await pageB.close();
    }
  });
});
