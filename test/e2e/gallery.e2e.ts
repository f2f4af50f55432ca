// The CreatOK Gallery in a real VS Code: three finished runs and a failed one are three image
// tiles and a failed tile; a search word narrows the grid and the count says so; a run started
// from the panel appears as a running tile and turns into its image; keyboard only: Ctrl+F, type,
// Tab to the grid, an arrow to a tile, Enter opens the image.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newRunRecord } from '../../src/core/runs/lifecycle';
import type { RunRecord } from '../../src/core/runs/record';
import { newRunId } from '../../src/core/runs/runId';
import { gradientPng } from '../standin/png';
import { modalDialog, runCommand, screenshot, waitFor, webviewFrame } from './harness/browser';
import { showTasksView, taskRow } from './harness/workbench';
import { startUiSession, type UiSession } from './session';

const request = { prompt: '', model: 'nano-banana-2', modelLabel: 'Nano Banana 2', resolution: '2K', aspectRatio: '1:1', n: 1, estimatedCredits: 2, currency: 'credits' };

/** A finished (or failed) run folder as the extension writes one. */
function plantRun(workspace: string, prompt: string, minutesAgo: number, failed = false): string {
  const at = new Date(Date.now() - minutesAgo * 60_000);
  const runId = newRunId(at);
  const outputs = join(workspace, 'generate-image', '.artifacts', runId, 'outputs');
  mkdirSync(join(outputs, 'images'), { recursive: true });
  const record: RunRecord = {
    ...newRunRecord({ ...request, prompt }, at, runId),
    task_id: `task_${runId.replace(/\W/g, '')}`,
    status: failed ? 'failed' : 'succeeded',
    finished_at: at.toISOString(),
    ...(failed ? { error: { kind: 'taskFailed', message: 'The prompt was refused by the content policy.' } } : { images: ['https://cdn.example/x.png'], local_images: ['images/image_1.png'] }),
  };
  if (!failed) writeFileSync(join(outputs, 'images', 'image_1.png'), gradientPng(64, 64, minutesAgo));
  writeFileSync(join(outputs, 'result.json'), JSON.stringify(record));
  return runId;
}

describe('The CreatOK Gallery in a real VS Code', function () {
  this.timeout(300_000);
  let s: UiSession;
  let mugRun = '';
  before(async () => {
    s = await startUiSession({ queuedMs: 1500, taskMs: 8000 }, {}, {
      prepare: (workspace) => {
        plantRun(workspace, 'A lighthouse on a cliff at dusk', 30);
        mugRun = plantRun(workspace, 'A ceramic mug on a wooden table', 20);
        plantRun(workspace, 'A red fox asleep in the snow', 10);
        plantRun(workspace, 'A forbidden picture', 5, true);
      },
    });
  });
  after(async () => s?.close());
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && s) await screenshot(s.browser.page, `failure-${this.currentTest.title.replace(/\W+/g, '-')}`);
  });

  /** The one webview on screen (a hidden panel's frame stays in the page). */
  const gallery = () => s.browser.page.frameLocator('iframe.webview.ready >> visible=true').frameLocator('iframe#active-frame');

  it('shows 3 image tiles and 1 failed tile; a search word narrows to the matching tile and the count says so', async () => {
    const page = s.browser.page;
    await runCommand(page, 'CreatOK: Open Gallery');
    await page.locator('.tabs-container .tab', { hasText: 'CreatOK Gallery' }).waitFor({ timeout: 30_000 });
    const frame = gallery();
    await frame.locator('li.tile').first().waitFor({ state: 'visible', timeout: 60_000 });
    await waitFor('4 tiles', async () => ((await frame.locator('li.tile').count()) === 4 ? true : undefined));
    assert.equal(await frame.locator('li.tile img').count(), 3, 'three image tiles');
    const failed = frame.locator('li.tile.state-failed');
    assert.equal(await failed.count(), 1);
    assert.match(await failed.innerText(), /content policy/);
    assert.equal(await frame.locator('.count').innerText(), '4 of 4 images');
    await waitFor('the images to load', async () => ((await frame.locator('li.tile img').evaluateAll((imgs) => imgs.every((i) => (i as HTMLImageElement).naturalWidth > 0))) ? true : undefined));
    await screenshot(page, '80-gallery');
    await frame.getByLabel('Search prompts').first().fill('fox');
    await waitFor('one tile', async () => ((await frame.locator('li.tile').count()) === 1 ? true : undefined));
    assert.match(await frame.locator('li.tile').innerText(), /A red fox asleep in the snow/);
    assert.equal(await frame.locator('.count').innerText(), '1 of 4 images');
    await frame.getByLabel('Search prompts').first().fill('');
    await waitFor('4 tiles again', async () => ((await frame.locator('li.tile').count()) === 4 ? true : undefined));
  });

  it('compares 2 selected tiles side by side, with their models', async () => {
    const page = s.browser.page;
    const frame = gallery();
    await frame.locator('li.tile', { hasText: 'A ceramic mug' }).click({ modifiers: ['Control'] });
    await frame.locator('li.tile', { hasText: 'A lighthouse on a cliff' }).locator('input.pick').check();
    await frame.getByRole('button', { name: 'Compare (2)' }).click();
    const region = frame.getByRole('region', { name: 'Compare' });
    await region.waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(await region.locator('figure img').count(), 2);
    const captions = await region.locator('figcaption').allInnerTexts();
    assert.ok(captions.some((c) => c.includes('A ceramic mug') && c.includes('nano-banana-2')) && captions.some((c) => c.includes('A lighthouse') && c.includes('nano-banana-2')), captions.join(' | '));
    await screenshot(page, '82-gallery-compare');
    await frame.getByRole('button', { name: 'Back to the gallery' }).click();
    await frame.locator('li.tile').first().waitFor({ state: 'visible' });
    const checked = frame.locator('li.tile input.pick:checked');
    while ((await checked.count()) > 0) await checked.first().uncheck();
  });

  it('keyboard only: Ctrl+F, type, Tab to the grid, an arrow to a tile, Enter opens the image preview', async () => {
    const page = s.browser.page;
    const frame = gallery();
    await frame.locator('h1').click(); // the gallery has the focus
    await page.keyboard.press('Control+F');
    await waitFor('the search to have the focus', async () => ((await frame.locator('input[type=search]').evaluate((e) => e === document.activeElement)) ? true : undefined));
    await page.keyboard.type('a');
    await waitFor('tiles for "a"', async () => ((await frame.locator('.count').innerText()).startsWith('4 of') ? true : undefined));
    // From the search through the three filters to the grid's one tab stop.
    for (let i = 0; i < 4; i++) await page.keyboard.press('Tab');
    await waitFor('a tile to have the focus', async () => ((await frame.locator('li.tile:focus').count()) === 1 ? true : undefined));
    const labels = await frame.locator('li.tile').evaluateAll((tiles) => tiles.map((t) => t.getAttribute('aria-label')));
    assert.equal(await frame.locator('li.tile:focus').getAttribute('aria-label'), labels[0], 'Tab reaches the first tile');
    await page.keyboard.press('ArrowRight');
    assert.equal(await frame.locator('li.tile:focus').getAttribute('aria-label'), labels[1], 'the arrow moves to the next tile');
    assert.match(labels[1] ?? '', /A red fox asleep in the snow/, 'newest first: the failed run, then the fox');
    // The grid is one stop: Shift+Tab leaves it for the filters (never through the failed tile's
    // buttons), Tab comes back to the fox tile, and Tab again goes into the fox tile's own controls.
    await page.keyboard.press('Shift+Tab');
    assert.equal(await frame.locator(':focus').evaluate((e) => e.tagName), 'SELECT', 'out of the grid to the Period filter');
    await page.keyboard.press('Tab');
    assert.equal(await frame.locator('li.tile:focus').getAttribute('aria-label'), labels[1], 'back to the tile it left');
    await page.keyboard.press('Tab');
    assert.match((await frame.locator(':focus').getAttribute('aria-label')) ?? '', /^Select .*A red fox asleep in the snow/);
    await page.keyboard.press('Shift+Tab');
    assert.equal(await frame.locator('li.tile:focus').getAttribute('aria-label'), labels[1]);
    await page.keyboard.press('Enter');
    await page.locator('.tabs-container .tab', { hasText: 'image_1.png' }).waitFor({ timeout: 30_000 });
  });

  it('a run started from the panel appears as a running tile and turns into its image', async () => {
    const page = s.browser.page;
    await runCommand(page, 'View: Close All Editors');
    await runCommand(page, 'CreatOK: Generate Image');
    const panel = webviewFrame(page);
    await panel.getByLabel('Prompt', { exact: true }).waitFor({ state: 'visible', timeout: 60_000 });
    await panel.getByLabel('Prompt', { exact: true }).fill('A paper lantern floating on a river at night');
    await panel.getByRole('button', { name: 'Generate' }).click();
    const dialog = modalDialog(page);
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
    await dialog.getByRole('button', { name: 'Generate' }).click();
    await panel.getByText(/Queued|Generating/).first().waitFor({ timeout: 30_000 });
    await runCommand(page, 'View: Close All Editors');
    await runCommand(page, 'CreatOK: Open Gallery');
    const frame = gallery();
    const lantern = frame.locator('li.tile', { hasText: 'A paper lantern floating' });
    // The task takes 9.5 s at the stand-in: first a running tile, then, without a reload, its image.
    await lantern.locator('.placeholder', { hasText: 'Generating…' }).waitFor({ state: 'visible', timeout: 30_000 });
    await screenshot(page, '81-gallery-running-tile');
    await lantern.locator('img').waitFor({ state: 'visible', timeout: 60_000 });
    assert.equal(await lantern.locator('.placeholder').count(), 0);
  });

  it('Delete Run… on a tile: after the modal the run folder is gone, its tile and its Tasks view row too', async () => {
    const page = s.browser.page;
    const frame = gallery();
    const artifacts = join(s.workspace, 'generate-image', '.artifacts');
    assert.ok(existsSync(join(artifacts, mugRun)));
    await showTasksView(page);
    await taskRow(page, 'A ceramic mug').waitFor({ state: 'visible', timeout: 30_000 });
    const mug = frame.locator('li.tile', { hasText: 'A ceramic mug' });
    await mug.getByRole('button', { name: /^Delete Run…/ }).click();
    const dialog = modalDialog(page);
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
    const text = await dialog.innerText();
    assert.ok(text.includes('Its 1 images') && text.includes('go to the trash'), text);
    await screenshot(page, '83-gallery-delete');
    await dialog.getByRole('button', { name: 'Move to Trash' }).click();
    // Where the machine has no trash (a server without one), the extension asks before deleting for good.
    const gone = await waitFor('the run folder to go (or the second question)', async () => {
      if (!existsSync(join(artifacts, mugRun))) return 'trash';
      return (await dialog.getByRole('button', { name: 'Delete Permanently' }).count()) > 0 ? 'ask' : undefined;
    });
    if (gone === 'ask') await dialog.getByRole('button', { name: 'Delete Permanently' }).click();
    await waitFor('the run folder to be gone', () => (existsSync(join(artifacts, mugRun)) ? undefined : true));
    console.log(`      (deleted ${gone === 'trash' ? 'to the trash' : 'permanently: no trash here'})`);
    await waitFor('the tile to go', async () => ((await mug.count()) === 0 ? true : undefined));
    await waitFor('the Tasks view row to go', async () => ((await taskRow(page, 'A ceramic mug').count()) === 0 ? true : undefined));
    assert.ok(readdirSync(artifacts).length >= 3, 'the other runs stay');
  });
});
