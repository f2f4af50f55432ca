// The Tasks view, the status bar and Resume Task by ID in a real VS Code, and a crash of the
// extension host in the middle of a watch.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { modalDialog, notification, runCommand, screenshot, waitFor, webviewFrame } from './harness/browser';
import { startUiSession, type UiSession } from './session';
import { rowAction, showTasksView, statusBarItem, taskRow } from './harness/workbench';

const artifacts = (workspace: string): string => join(workspace, 'generate-image', '.artifacts');

/** The run folders (not the artifacts folder's own `.lock` file, which comes and goes). */
function runIds(workspace: string): string[] {
  return existsSync(artifacts(workspace)) ? readdirSync(artifacts(workspace), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort() : [];
}

/** result.json of a run, parsed; throws if it exists but does not parse (it never should). */
function result(workspace: string, runId: string): Record<string, unknown> | undefined {
  const file = join(artifacts(workspace), runId, 'outputs', 'result.json');
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

async function generate(s: UiSession, prompt: string): Promise<void> {
  const page = s.browser.page;
  await runCommand(page, 'CreatOK: Generate Image');
  const frame = webviewFrame(page);
  await frame.getByLabel('Prompt', { exact: true }).waitFor({ state: 'visible', timeout: 60_000 });
  await frame.getByLabel('Prompt', { exact: true }).fill(prompt);
  await frame.getByRole('button', { name: 'Generate' }).click();
  const dialog = modalDialog(page);
  await dialog.waitFor({ state: 'visible', timeout: 30_000 });
  await dialog.getByRole('button', { name: 'Generate' }).click();
}

describe('Tasks: status bar, Tasks view, resume', function () {
  this.timeout(300_000);
  let s: UiSession;
  before(async () => (s = await startUiSession({ queuedMs: 1000, taskMs: 4000 })));
  after(async () => s?.close());
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && s) await screenshot(s.browser.page, `failure-${this.currentTest.title.replace(/\W+/g, '-')}`);
  });

  it('counts a running task in the status bar, lists it in the Tasks view, and clears when it ends', async () => {
    const page = s.browser.page;
    await generate(s, 'A lighthouse in a storm [slow:9000]');
    const item = statusBarItem(page, '1 generating');
    await item.waitFor({ state: 'visible', timeout: 30_000 });
    await item.click(); // reveals the Tasks view
    const row = taskRow(page, 'A lighthouse in a storm');
    await row.waitFor({ state: 'visible', timeout: 30_000 });
    await screenshot(page, '10-tasks-running');
    await waitFor('the status bar to clear', async () => ((await statusBarItem(page, /generating/).count()) === 0 ? true : undefined), 60_000);
    await page.locator('.pane-body .monaco-list-row', { hasText: 'A lighthouse in a storm' }).filter({ hasText: 'done' }).first().waitFor({ timeout: 30_000 });
    const [runId] = runIds(s.workspace);
    const r = await waitFor('the images on disk', () => {
      const rec = result(s.workspace, runId!);
      return Array.isArray(rec?.local_images) && (rec.local_images as unknown[]).every(Boolean) ? rec : undefined;
    });
    for (const local of r.local_images as string[]) assert.ok(existsSync(join(artifacts(s.workspace), runId!, 'outputs', local)), local);
    await screenshot(page, '11-tasks-done');
  });

  it('copies the image URLs and opens the result from the view', async () => {
    const page = s.browser.page;
    await showTasksView(page);
    await rowAction(page, 'A lighthouse in a storm', 'Copy Image URLs');
    const [runId] = runIds(s.workspace);
    const images = result(s.workspace, runId!)!.images as string[];
    // What VS Code wrote to the browser's clipboard (a read can hang without focus: time-boxed).
    await page.bringToFront();
    const readClipboard = (): Promise<string> =>
      Promise.race([
        page.evaluate(() => navigator.clipboard.readText()).catch(() => ''),
        new Promise<string>((resolve) => setTimeout(() => resolve(''), 1000)),
      ]);
    const clipboard = await waitFor('the clipboard to hold the URLs', async () => {
      const text = await readClipboard();
      return text === images.join('\n') ? text : undefined;
    });
    assert.equal(clipboard, images.join('\n'));
    await taskRow(page, 'A lighthouse in a storm').click();
    await page.locator('.tabs-container .tab', { hasText: 'result.md' }).first().waitFor({ timeout: 30_000 });
  });

  it('resumes watching a run that was left unwatched', async () => {
    const page = s.browser.page;
    s.standIn.reset();
    await generate(s, 'A paper lantern festival [slow:30000]');
    await statusBarItem(page, '1 generating').waitFor({ state: 'visible', timeout: 30_000 });
    // Cancelling the progress notification stops watching; the task goes on.
    const toast = notification(page, /Queued|Generating/);
    await toast.waitFor({ state: 'visible', timeout: 30_000 });
    await toast.hover();
    await toast.getByRole('button', { name: /Cancel/ }).click();
    await waitFor('the status bar to clear', async () => ((await statusBarItem(page, /generating/).count()) === 0 ? true : undefined), 30_000);
    await showTasksView(page);
    const row = page.locator('.pane-body .monaco-list-row', { hasText: 'A paper lantern festival' }).filter({ hasText: 'not watched' }).first();
    await row.waitFor({ timeout: 30_000 });
    await screenshot(page, '12-tasks-stopped');
    await rowAction(page, 'A paper lantern festival', 'Resume Watching');
    // Watched again: the row leaves "not watched" and the run ends with its images on disk.
    await page.locator('.pane-body .monaco-list-row', { hasText: 'A paper lantern festival' }).filter({ hasText: /generating|queued|done/ }).first().waitFor({ timeout: 30_000 });
    await page.locator('.pane-body .monaco-list-row', { hasText: 'A paper lantern festival' }).filter({ hasText: 'done' }).first().waitFor({ timeout: 60_000 });
    const runId = runIds(s.workspace).find((id) => String(result(s.workspace, id)?.prompt).startsWith('A paper lantern'))!;
    await waitFor('the images on disk', () => ((result(s.workspace, runId)?.local_images as unknown[] | undefined)?.every(Boolean) ? true : undefined));
    assert.equal(s.standIn.submissions().length, 1, 'resuming sends nothing new');
  });

  it('finishes a task started outside VS Code with Resume Task by ID, and writes its run folder', async () => {
    const page = s.browser.page;
    const taskId = s.standIn.createTask({ prompt: 'from the CLI', model: 'nano-banana-pro', resolution: '2K', n: 2, taskMs: 5000 });
    const before = new Set(runIds(s.workspace));
    await runCommand(page, 'CreatOK: Resume Task by ID');
    const input = page.locator('.quick-input-widget input');
    await input.fill('bad/id');
    await page.locator('.quick-input-widget', { hasText: 'slashes' }).waitFor({ timeout: 10_000 });
    await input.fill(taskId);
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Keep watching' }).first().click();
    const runId = await waitFor('a new run folder', () => runIds(s.workspace).find((id) => !before.has(id)), 30_000);
    const done = await waitFor('the task to finish', () => {
      const rec = result(s.workspace, runId);
      return rec?.status === 'succeeded' && (rec.local_images as unknown[] | undefined)?.every(Boolean) ? rec : undefined;
    }, 60_000).catch((error: Error) => {
      const rec = result(s.workspace, runId);
      throw new Error(`${error.message}; the record: ${JSON.stringify({ status: rec?.status, n: rec?.n, images: (rec?.images as unknown[] | undefined)?.length, local_images: rec?.local_images, download_error: rec?.download_error, error: rec?.error })}`);
    });
    assert.equal(done.task_id, taskId);
    assert.equal(done.source, 'resume');
    assert.equal((done.images as string[]).length, 2);
    await screenshot(page, '13-resumed-by-id');
  });
});

describe('A crash of the extension host while a task is watched', function () {
  this.timeout(300_000);
  let s: UiSession;
  before(async () => (s = await startUiSession({ queuedMs: 1000, taskMs: 4000 })));
  after(async () => s?.close());

  it('picks the task up again after a restart: images on disk, one submission, result.json valid throughout', async () => {
    const invalid: string[] = [];
    let runId: string | undefined;
    const checker = setInterval(() => {
      for (const id of runIds(s.workspace)) {
        try {
          result(s.workspace, id);
        } catch (e) {
          invalid.push(`${id}: ${(e as Error).message}`);
        }
      }
    }, 25);
    try {
      await generate(s, 'A slow sunrise over the mountains [slow:25000]');
      runId = await waitFor('the run folder with its task id', () => {
        const id = runIds(s.workspace)[0];
        return id && result(s.workspace, id)?.task_id ? id : undefined;
      }, 30_000);
      await waitFor('the task to be watched', () => (s.standIn.tasks()[0]?.polls ?? 0) > 0 ? true : undefined, 30_000);
      await s.crashAndRestart();
      const done = await waitFor('the task to finish after the restart', () => {
        const rec = result(s.workspace, runId!);
        return rec?.status === 'succeeded' && (rec.local_images as unknown[] | undefined)?.every(Boolean) ? rec : undefined;
      }, 120_000);
      await screenshot(s.browser.page, '14-after-crash');
      assert.equal(s.standIn.acceptedSubmissions().length, 1, 'no second submission');
      for (const local of done.local_images as string[]) assert.ok(existsSync(join(artifacts(s.workspace), runId, 'outputs', local)));
      // The record is written first, the marker cleared a moment later.
      await waitFor('the in-progress marker to be cleared', () => (existsSync(join(artifacts(s.workspace), runId!, 'outputs', '.in-progress')) ? undefined : true), 15_000);
    } finally {
      clearInterval(checker);
    }
    assert.deepEqual(invalid, [], 'result.json parsed at every check');
  });

  it('finishes an image download cut off by the crash: the whole image saved, no .part left, one submission', async () => {
    s.standIn.reset();
    // About 300 KB trickled at 25 KB/s: the image takes some 12 s, time enough to crash in the middle.
    s.standIn.configure({ imageBytes: 300_000, imageBytesPerSecond: 25_000 });
    const before = new Set(runIds(s.workspace));
    await generate(s, 'A kite caught in a slow download');
    const runId = await waitFor('the new run folder with its task id', () => runIds(s.workspace).find((id) => !before.has(id) && result(s.workspace, id)?.task_id), 30_000);
    const outputs = join(artifacts(s.workspace), runId, 'outputs');
    const images = join(outputs, 'images');
    const partFiles = (): string[] => (existsSync(images) ? readdirSync(images).filter((name) => name.endsWith('.part')) : []);
    // A download under way: its temp file (`.image_1.<pid>.<hex>.part`) holds some bytes already.
    const part = await waitFor('a .part file with bytes in the images folder', () => partFiles().find((name) => statSync(join(images, name)).size > 0), 60_000, 50);
    assert.match(part, /^\.image_1\.\d+\.[0-9a-f]{8}\.part$/);
    // While VS Code is down (nothing of it runs): images at full speed again, so that the
    // restarted extension can finish; and what the kill left on disk, looked at after the restart.
    let atCrash: { part: boolean; image: boolean; marker: boolean; record?: Record<string, unknown> } | undefined;
    await s.crashAndRestart(() => {
      s.standIn.configure({ imageBytesPerSecond: null });
      atCrash = { part: existsSync(join(images, part)), image: existsSync(join(images, 'image_1.png')), marker: existsSync(join(outputs, '.in-progress')), record: result(s.workspace, runId) };
    });
    // Killed in the middle of the download, after the record said succeeded: what the start-up resume finds.
    assert.ok(atCrash?.part, 'the killed download left its .part file');
    assert.ok(!atCrash.image, 'the image was not complete when the host was killed');
    assert.ok(atCrash.marker, 'the run was still marked in progress');
    assert.equal(atCrash.record?.status, 'succeeded');
    assert.ok(!(atCrash.record.local_images as unknown[] | undefined)?.[0], `local_images at the crash: ${JSON.stringify(atCrash.record.local_images)}`);
    // Nothing done by hand from here: the extension finishes the run at its start.
    const saved = join(images, 'image_1.png');
    await waitFor('image_1.png after the restart', () => (existsSync(saved) ? true : undefined), 120_000);
    await waitFor('the in-progress marker to be cleared', () => (existsSync(join(outputs, '.in-progress')) ? undefined : true), 30_000);
    await screenshot(s.browser.page, '15-after-crash-mid-download');
    const record = result(s.workspace, runId)!;
    assert.equal(record.status, 'succeeded');
    assert.ok((record.local_images as unknown[]).includes('images/image_1.png'), `local_images: ${JSON.stringify(record.local_images)}`);
    assert.deepEqual(partFiles(), [], 'no .part file left in the images folder');
    const url = (record.images as string[])[0]!;
    const served = await fetch(url);
    assert.equal(served.status, 200, url);
    const expected = Buffer.from(await served.arrayBuffer());
    const onDisk = readFileSync(saved);
    assert.equal(onDisk.length, expected.length, 'the saved image has the served length');
    assert.ok(onDisk.equals(expected), 'the saved image has the served bytes');
    assert.equal(s.standIn.acceptedSubmissions().length, 1, 'exactly one submission');
  });
});
