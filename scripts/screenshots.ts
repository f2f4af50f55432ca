// npm run screenshots: the README's pictures and the walkthrough's, taken from the product as a
// user sees it, so they stay true. A real VS Code (code-server in headless Chromium) with the
// extension installed from its .vsix, against the CreatOK stand-in drawing pictures from the
// prompts (imageStyle 'scene'): no test directives in the prompts, no addresses in view.
// Light and dark themes for the README (docs/images/*-light.png, *-dark.png); the walkthrough's
// own crops in the dark theme (media/walkthrough/*.png).
//   node out/scripts/screenshots.js [--out DIR]   DIR instead of the repository (CI checks the script)
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Page } from 'playwright-core';
import { modalDialog, runCommand, waitFor, webviewFrame } from '../test/e2e/harness/browser';
import { REPO_ROOT } from '../test/e2e/harness/paths';
import { showTasksView, statusBarItem, taskRow } from '../test/e2e/harness/workbench';
import { startUiSession, type UiSession } from '../test/e2e/session';

const THEMES = { light: 'Default Light Modern', dark: 'Default Dark Modern' } as const;

interface Run {
  prompt: string;
  aspectRatio: string;
  count: string;
}

const MUG: Run = { prompt: 'Product shot of a ceramic coffee mug on a wooden table, soft morning light', aspectRatio: '16:9', count: '1' };
const VILLAGE: Run = { prompt: 'A snowy mountain village at night under a full moon, warm windows', aspectRatio: '16:9', count: '1' };
const FOREST: Run = { prompt: 'An autumn forest path in the morning fog, watercolor', aspectRatio: '16:9', count: '1' };
const LIGHTHOUSE: Run = { prompt: 'A lighthouse on a rocky coast at dusk, calm sea, cinematic', aspectRatio: '16:9', count: '2' };

const GUIDE = '# Field guide\n\nThe coast path ends at the old light.\n\n![A lighthouse on a rocky coast at dusk](images/lighthouse.png)\n';

function outDirs(): { readme: string; walkthrough: string } {
  const at = process.argv.indexOf('--out');
  const root = at >= 0 ? process.argv[at + 1] : undefined;
  const dirs = root ? { readme: join(root, 'docs'), walkthrough: join(root, 'walkthrough') } : { readme: join(REPO_ROOT, 'docs', 'images'), walkthrough: join(REPO_ROOT, 'media', 'walkthrough') };
  mkdirSync(dirs.readme, { recursive: true });
  mkdirSync(dirs.walkthrough, { recursive: true });
  return dirs;
}

async function openPanel(page: Page): Promise<ReturnType<typeof webviewFrame>> {
  await runCommand(page, 'CreatOK: Generate Image');
  const frame = webviewFrame(page);
  await frame.getByLabel('Prompt', { exact: true }).waitFor({ state: 'visible', timeout: 60_000 });
  return frame;
}

/** Fills the panel and presses Generate; returns with the confirmation open. */
async function fillAndAsk(page: Page, run: Run): Promise<ReturnType<typeof webviewFrame>> {
  const frame = await openPanel(page);
  await frame.getByLabel('Prompt', { exact: true }).fill(run.prompt);
  await frame.getByLabel('Aspect ratio').selectOption(run.aspectRatio);
  await frame.getByLabel('Number of images').selectOption(run.count);
  await frame.getByRole('button', { name: 'Generate', exact: true }).click();
  await modalDialog(page).waitFor({ state: 'visible', timeout: 30_000 });
  return frame;
}

async function confirm(page: Page): Promise<void> {
  await modalDialog(page).getByRole('button', { name: 'Generate' }).click();
  await modalDialog(page).waitFor({ state: 'hidden', timeout: 30_000 });
}

async function generate(page: Page, run: Run): Promise<void> {
  const frame = await fillAndAsk(page, run);
  await confirm(page);
  await frame.locator('.phase-succeeded').waitFor({ state: 'visible', timeout: 90_000 });
  await page.locator('.notifications-toasts .notification-toast').first().waitFor({ timeout: 10_000 }).catch(() => undefined);
  await runCommand(page, 'Notifications: Clear All Notifications');
}

/** Waits until every image in the frame has loaded (no broken or half-drawn picture in a shot). */
async function imagesLoaded(frame: ReturnType<typeof webviewFrame>, selector: string): Promise<void> {
  await waitFor('the images to load', async () => {
    const states = await frame.locator(selector).evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0));
    return states.length > 0 && states.every(Boolean) ? true : undefined;
  }, 30_000);
}

async function shoot(page: Page, file: string, clip?: { x: number; y: number; width: number; height: number }): Promise<void> {
  // Walkthrough pictures of images ship in the .vsix: JPEG keeps them small.
  await page.screenshot({ path: file, ...(clip ? { clip } : {}), ...(file.endsWith('.jpg') ? { type: 'jpeg' as const, quality: 85 } : {}) });
  console.log(`  ${file}`);
}

/** The box of a workbench part (for the walkthrough's crops). */
async function box(page: Page, selector: string): Promise<{ x: number; y: number; width: number; height: number }> {
  const b = await page.locator(selector).first().boundingBox();
  if (!b) throw new Error(`${selector} is not shown`);
  return b;
}

async function takeTheme(name: keyof typeof THEMES, dirs: { readme: string; walkthrough: string }): Promise<void> {
  console.log(`== ${name} (${THEMES[name]})`);
  const walkthrough = name === 'dark';
  const s: UiSession = await startUiSession(
    { imageStyle: 'scene', imageWidth: 960, imageHeight: 960, thumbnailSize: 480, queuedMs: 1500, taskMs: 6000 },
    {},
    {
      userSettings: { 'workbench.colorTheme': THEMES[name], 'workbench.startupEditor': 'none', 'workbench.tips.enabled': false },
      prepare: (workspace) => {
        mkdirSync(join(workspace, 'docs'), { recursive: true });
        writeFileSync(join(workspace, 'docs', 'guide.md'), GUIDE);
        copyFileSync(join(REPO_ROOT, 'media', 'icon.png'), join(workspace, 'docs', 'logo.png'));
      },
    },
  );
  try {
    const page = s.browser.page;
    const file = (base: string): string => join(dirs.readme, `${base}-${name}.png`);
    // Earlier work, so the Tasks view and the gallery have a history.
    for (const run of [MUG, VILLAGE, FOREST]) await generate(page, run);
    await runCommand(page, 'View: Close All Editors');
    // Toasts would cover the views in the pictures.
    await runCommand(page, 'Notifications: Toggle Do Not Disturb Mode');

    // The confirmation: cost first, then the options, then the prompt it charges for.
    await showTasksView(page);
    const frame = await fillAndAsk(page, LIGHTHOUSE);
    await shoot(page, file('confirmation'));
    await confirm(page);
    // While it runs: the status bar counts it, the Tasks view lists it.
    await statusBarItem(page, '1 generating').waitFor({ state: 'visible', timeout: 30_000 });
    await taskRow(page, 'A lighthouse on a rocky coast').waitFor({ state: 'visible', timeout: 30_000 });
    await frame.locator('.phase-running, .phase-queued').first().waitFor({ state: 'visible', timeout: 30_000 });
    await shoot(page, file('tasks'));
    if (walkthrough) {
      const side = await box(page, '.part.sidebar');
      await shoot(page, join(dirs.walkthrough, 'tasks.png'), { x: side.x, y: side.y, width: side.width, height: Math.min(side.height, 200) });
    }
    await frame.locator('.phase-succeeded').waitFor({ state: 'visible', timeout: 90_000 });
    await imagesLoaded(frame, '.images img');
    await runCommand(page, 'Notifications: Clear All Notifications');
    await frame.locator('.images').scrollIntoViewIfNeeded();
    await shoot(page, file('panel'));
    if (walkthrough) await shoot(page, join(dirs.walkthrough, 'generate.jpg'), await box(page, '.part.editor'));

    // The gallery: every image, newest first, with search and filters.
    await runCommand(page, 'View: Close All Editors');
    await runCommand(page, 'CreatOK: Open Gallery');
    const gallery = webviewFrame(page);
    await waitFor('the gallery\'s tiles', async () => ((await gallery.locator('li.tile img').count()) >= 5 ? true : undefined), 60_000);
    await imagesLoaded(gallery, 'li.tile img');
    await shoot(page, file('gallery'));
    if (walkthrough) await shoot(page, join(dirs.walkthrough, 'gallery.jpg'), await box(page, '.part.editor'));

    // Use your image: Insert Generated Image's picker, with thumbnails.
    await runCommand(page, 'View: Close All Editors');
    await runCommand(page, 'Go to File...');
    await page.keyboard.type('guide.md');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'guide.md' }).first().waitFor({ timeout: 30_000 });
    await page.keyboard.press('Enter');
    await page.locator('.tabs-container .tab.active', { hasText: 'guide.md' }).waitFor({ timeout: 30_000 });
    // The Quick Fix on the missing image (the cursor on its link).
    // The first request for code actions can come before the document reached the extension host.
    const fix = page.locator('.action-widget .monaco-list-row', { hasText: 'Generate Missing Image with CreatOK…' }).first();
    await waitFor('the Quick Fix', async () => {
      await page.locator('.monaco-editor .view-line', { hasText: 'images/lighthouse.png' }).first().click({ position: { x: 60, y: 5 } }); // on the link's alt text
      await page.keyboard.press('Control+.');
      if (await fix.waitFor({ state: 'visible', timeout: 3000 }).then(() => true, () => false)) return true;
      await page.keyboard.press('Escape');
      return undefined;
    }, 60_000, 500);
    await shoot(page, file('quick-fix'));
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+End');
    await runCommand(page, 'CreatOK: Insert Generated Image');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'A lighthouse on a rocky coast' }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await shoot(page, file('insert'));
    if (walkthrough) {
      const picker = await box(page, '.quick-input-widget');
      await shoot(page, join(dirs.walkthrough, 'use-image.png'), { x: picker.x - 8, y: Math.max(0, picker.y - 8), width: picker.width + 16, height: picker.height + 16 });
    }
    await page.keyboard.press('Escape');

    // A reference image: the Explorer's menu on an image file.
    if (walkthrough) {
      await runCommand(page, 'View: Close All Editors');
      await runCommand(page, 'View: Show Explorer');
      const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'logo.png' }).first();
      if (!(await row.isVisible().catch(() => false))) await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'docs' }).first().click();
      await row.waitFor({ state: 'visible', timeout: 30_000 });
      await waitFor('the Explorer menu with Use as Reference Image', async () => {
        await row.click({ button: 'right' });
        const item = page.locator('.monaco-menu .action-label', { hasText: 'Use as Reference Image' });
        if (await item.first().isVisible().catch(() => false)) return true;
        await page.keyboard.press('Escape');
        return undefined;
      }, 60_000, 500);
      const menu = await box(page, '.monaco-menu');
      const side = await box(page, '.part.sidebar');
      const right = Math.max(menu.x + menu.width, side.x + side.width) + 8;
      const viewport = page.viewportSize() ?? { width: 1400, height: 900 };
      await shoot(page, join(dirs.walkthrough, 'reference.png'), { x: side.x, y: side.y, width: Math.min(viewport.width, right) - side.x, height: Math.min(viewport.height, Math.max(menu.y + menu.height + 8, side.y + 360)) - side.y });
      await page.keyboard.press('Escape');
    }
  } catch (error) {
    const shot = join(REPO_ROOT, 'test-results', `screenshots-failure-${name}.png`); // never among the pictures to commit
    mkdirSync(dirname(shot), { recursive: true });
    await s.browser.page.screenshot({ path: shot }).catch(() => undefined);
    console.error(`screenshots: failed; the screen then: ${shot}`);
    throw error;
  } finally {
    await s.close();
  }
}

async function main(): Promise<void> {
  const dirs = outDirs();
  for (const name of Object.keys(THEMES) as (keyof typeof THEMES)[]) await takeTheme(name, dirs);
  console.log('screenshots: done');
}

main().catch((error: Error) => {
  console.error(`screenshots: ${error.stack ?? error.message}`);
  process.exit(1);
});
