// A run always ends and the panel is never stuck, in a real VS Code: the panel closed while its
// run goes on, a run folder that cannot be created, an overlong prompt, a key refused during a
// reference upload, and a panel restored after a reload.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { explorerAction, modalDialog, notification, runCommand, screenshot, waitFor, webviewFrame } from './harness/browser';
import { startUiSession, type UiSession } from './session';
import { statusBarItem } from './harness/workbench';
import { filesUnder } from './harness/files';
import { gradientPng } from '../standin/png';

const artifacts = (workspace: string): string => join(workspace, 'generate-image', '.artifacts');
const runIds = (workspace: string): string[] => (existsSync(artifacts(workspace)) ? readdirSync(artifacts(workspace)).filter((n) => !n.startsWith('.')).sort() : []);
const readResult = (workspace: string, runId: string): Record<string, unknown> | undefined => {
  const file = join(artifacts(workspace), runId, 'outputs', 'result.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : undefined;
};

/** The error lines of the CreatOK log channel, and "Webview is disposed" anywhere in the logs. */
function logErrors(home: string): string[] {
  const logs = filesUnder(home, /CreatOK\.log$/);
  assert.ok(logs.length > 0, 'the CreatOK log is found');
  const creatok = logs.flatMap((f) => readFileSync(f, 'utf8').split('\n').filter((l) => /\[error\]/.test(l)));
  const disposed = filesUnder(home, /\.log$/).flatMap((f) => readFileSync(f, 'utf8').split('\n').filter((l) => /Webview is disposed/.test(l)));
  return [...creatok, ...disposed];
}

describe('Runs always end; the panel is never stuck', function () {
  this.timeout(300_000);
  let s: UiSession;
  const png = gradientPng(64, 64, 5);
  before(async () => (s = await startUiSession({ queuedMs: 800, taskMs: 3000 }, { 'cup.png': png })));
  after(async () => s?.close());
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && s) await screenshot(s.browser.page, `failure-${this.currentTest.title.replace(/\W+/g, '-')}`);
    s?.standIn.reset();
  });

  async function openPanel(): Promise<ReturnType<typeof webviewFrame>> {
    await runCommand(s.browser.page, 'CreatOK: Generate Image');
    const frame = webviewFrame(s.browser.page);
    await frame.getByLabel('Prompt', { exact: true }).waitFor({ state: 'visible', timeout: 60_000 });
    return frame;
  }

  async function generateFromPanel(prompt: string): Promise<ReturnType<typeof webviewFrame>> {
    const frame = await openPanel();
    await frame.getByLabel('Prompt', { exact: true }).fill(prompt);
    await frame.getByRole('button', { name: 'Generate' }).click();
    const dialog = modalDialog(s.browser.page);
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
    await dialog.getByRole('button', { name: 'Generate' }).click();
    return frame;
  }

  it('closing the panel mid-run: the run still ends, images on disk, notification gone, status bar cleared, no error logged', async () => {
    const page = s.browser.page;
    await generateFromPanel('A harbor at night with fishing boats [slow:9000]');
    await statusBarItem(page, '1 generating').waitFor({ state: 'visible', timeout: 30_000 });
    await notification(page, /Queued|Generating/).waitFor({ state: 'visible', timeout: 30_000 });
    await runCommand(page, 'View: Close All Editors');
    await waitFor('the panel to close', async () => ((await page.locator('iframe.webview.ready').count()) === 0 ? true : undefined), 30_000);
    const [runId] = runIds(s.workspace);
    assert.ok(runId);
    const done = await waitFor('the run to succeed with its images saved', () => {
      const r = readResult(s.workspace, runId);
      return r?.status === 'succeeded' && (r.local_images as unknown[] | undefined)?.every(Boolean) ? r : undefined;
    }, 60_000);
    for (const local of done.local_images as string[]) assert.ok(existsSync(join(artifacts(s.workspace), runId, 'outputs', local)), local);
    await waitFor('the status bar to clear', async () => ((await statusBarItem(page, /generating/).count()) === 0 ? true : undefined), 30_000);
    await waitFor('the progress notification to close', async () => ((await notification(page, /Queued|Generating/).count()) === 0 ? true : undefined), 30_000);
    await screenshot(page, '30-panel-closed-run-ended');
    assert.deepEqual(logErrors(s.home), []);
    assert.equal(s.standIn.acceptedSubmissions().length, 1);

    // Opened again, the panel shows that run's images rather than an empty result area.
    const frame = await openPanel();
    await frame.locator('.phase-succeeded').waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(await frame.locator('ul.images img').count(), 1);
  });

  it('after a reload, the restored panel shows the run it showed, never a blank result area', async () => {
    const page = s.browser.page;
    const frame = webviewFrame(page);
    await frame.locator('.phase-succeeded').waitFor({ state: 'visible', timeout: 30_000 });
    await runCommand(page, 'Developer: Reload Window');
    await page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
    const restored = webviewFrame(page);
    await restored.locator('.phase-succeeded').waitFor({ state: 'visible', timeout: 90_000 });
    await waitFor('the restored images to load', async () => {
      const images = restored.locator('ul.images img');
      return (await images.count()) > 0 && (await images.evaluateAll((imgs) => imgs.every((i) => (i as HTMLImageElement).naturalWidth > 0))) ? true : undefined;
    });
    await screenshot(page, '31-panel-restored');
  });

  it('a run folder that cannot be created: the panel says so, Generate works again, nothing is sent', async () => {
    const page = s.browser.page;
    // A file where the artifacts folder should be.
    rmSync(join(s.workspace, 'generate-image'), { recursive: true, force: true });
    writeFileSync(join(s.workspace, 'generate-image'), 'not a folder');
    try {
      const frame = await generateFromPanel('A mountain cabin in the snow');
      await frame.getByText('Not sent: the run folder could not be written').waitFor({ timeout: 30_000 });
      const generate = frame.getByRole('button', { name: 'Generate' });
      await waitFor('Generate to be enabled again', async () => ((await generate.isEnabled()) ? true : undefined), 30_000);
      await screenshot(page, '32-artifacts-not-writable');
      assert.equal(s.standIn.submissions().length, 0, '0 submissions');
    } finally {
      rmSync(join(s.workspace, 'generate-image'), { force: true });
      mkdirSync(join(s.workspace, 'generate-image'), { recursive: true });
    }
  });

  it('a 20,001-character prompt: a clear message in the panel, nothing sent', async () => {
    const frame = await openPanel();
    await frame.getByLabel('Prompt', { exact: true }).fill('a'.repeat(20_001));
    await frame.getByRole('button', { name: 'Generate' }).click();
    await frame.getByText(/The prompt is too long \(at most 4000 characters\)/).waitFor({ timeout: 30_000 });
    const generate = frame.getByRole('button', { name: 'Generate' });
    await waitFor('Generate to be enabled again', async () => ((await generate.isEnabled()) ? true : undefined), 30_000);
    assert.equal(await modalDialog(s.browser.page).count(), 0, 'no confirmation');
    assert.equal(s.standIn.submissions().length, 0);
    await frame.getByLabel('Prompt', { exact: true }).fill('');
  });

  it('a key refused while uploading a reference image offers Set API Key', async () => {
    const page = s.browser.page;
    s.standIn.configure({ faults: [{ endpoint: 'presign', kind: 'http401', times: 1 }] });
    await explorerAction(page, 'cup.png', 'Use as Reference Image');
    const frame = webviewFrame(page);
    await frame.locator('.reference-name', { hasText: 'cup.png' }).waitFor({ timeout: 60_000 });
    await frame.getByLabel('Prompt', { exact: true }).fill('This cup on a picnic table');
    await frame.getByRole('button', { name: 'Generate' }).click();
    const dialog = modalDialog(page);
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
    await dialog.getByRole('button', { name: 'Generate' }).click();
    const toast = notification(page, /cup\.png could not be uploaded/);
    await toast.waitFor({ state: 'visible', timeout: 30_000 });
    await toast.getByRole('button', { name: 'Set API Key' }).waitFor({ state: 'visible', timeout: 10_000 });
    await frame.getByRole('button', { name: 'Set API Key' }).waitFor({ state: 'visible', timeout: 10_000 });
    await screenshot(page, '33-upload-key-refused');
    assert.equal(s.standIn.submissions().length, 0);
  });
});
