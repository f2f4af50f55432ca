// A reference image from the Explorer, in a real VS Code: right-click → Use as Reference Image
// → the panel shows it → Generate → the modal lists it → confirm → the stand-in received the
// same bytes and a submission with the returned key, and result.json records it.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { explorerAction, modalDialog, screenshot, waitFor, webviewFrame } from './harness/browser';
import { startUiSession, type UiSession } from './session';
import { gradientPng } from '../standin/png';

const mug = gradientPng(96, 96, 21);

describe('Reference images from the Explorer', function () {
  this.timeout(240_000);
  let s: UiSession;
  before(async () => (s = await startUiSession({ queuedMs: 500, taskMs: 2000 }, { 'mug.png': mug })));
  after(async () => s?.close());
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && s) await screenshot(s.browser.page, `failure-${this.currentTest.title.replace(/\W+/g, '-')}`);
  });

  it('uploads the right-clicked image, then submits its key, and records it', async () => {
    const page = s.browser.page;
    await explorerAction(page, 'mug.png', 'Use as Reference Image');
    const frame = webviewFrame(page);
    await frame.locator('.reference-name', { hasText: 'mug.png' }).waitFor({ timeout: 60_000 });
    await frame.getByLabel('Prompt', { exact: true }).fill('This mug on a beach at sunset, in the style of the reference');
    await waitFor('the style-transfer guess', async () => ((await frame.getByLabel('Use case').inputValue()) === 'styleTransfer' ? true : undefined));
    await screenshot(page, '20-reference-in-panel');
    await frame.getByRole('button', { name: 'Generate' }).click();
    const dialog = modalDialog(page);
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await dialog.innerText(), /Reference images: mug\.png/);
    assert.equal(s.standIn.uploads().length, 0, 'nothing is uploaded before the confirmation');
    await screenshot(page, '21-reference-confirmation');
    await dialog.getByRole('button', { name: 'Generate' }).click();

    const upload = await waitFor('the upload', () => s.standIn.uploads()[0]);
    assert.equal(upload.sha256, createHash('sha256').update(mug).digest('hex'), 'the same bytes');
    assert.equal(upload.contentType, 'image/png');
    const submission = await waitFor('the submission', () => s.standIn.acceptedSubmissions()[0]);
    assert.deepEqual((submission.body as { imageObjectKeys?: string[] }).imageObjectKeys, [upload.objectKey]);
    assert.equal(s.standIn.submissions().length, 1);

    const root = join(s.workspace, 'generate-image', '.artifacts');
    const record = await waitFor('result.json with the reference', () => {
      const [runId] = existsSync(root) ? readdirSync(root).filter((n) => !n.startsWith('.')) : [];
      if (!runId) return undefined;
      const file = join(root, runId, 'outputs', 'result.json');
      const r = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { references?: unknown[]; status: string }) : undefined;
      return r?.references && r.status === 'succeeded' ? r : undefined;
    }, 60_000);
    assert.deepEqual(record.references, [{ path: 'mug.png', size: mug.length, type: 'image/png', objectKey: upload.objectKey }]);
    await screenshot(page, '22-reference-done');
  });
});
