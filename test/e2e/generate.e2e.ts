// A person's path through "Generate Image" in a real VS Code (code-server + headless chromium):
// palette → panel filled by its labels → Generate → modal → confirm → progress → images,
// then result.json on disk equal to what the stand-in returned. Screenshots of each step.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { modalDialog, notification, runCommand, screenshot, waitFor, webviewFrame } from './harness/browser';
import { startUiSession, TEST_KEY, type UiSession } from './session';

function runFolders(workspace: string): string[] {
  const root = join(workspace, 'generate-image', '.artifacts');
  return existsSync(root) ? readdirSync(root).filter((n) => !n.startsWith('.')).sort() : []; // not the artifacts folder's .lock
}

function readResult(workspace: string, runId: string): Record<string, unknown> | undefined {
  const file = join(workspace, 'generate-image', '.artifacts', runId, 'outputs', 'result.json');
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined; // never expected: writes are atomic; the assertion below catches it
  }
}

describe('Generate Image in a real VS Code', function () {
  this.timeout(240_000);
  let s: UiSession;

  before(async () => {
    s = await startUiSession();
  });
  after(async () => s?.close());
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && s) await screenshot(s.browser.page, `failure-${this.currentTest.title.replace(/\W+/g, '-')}`);
  });

  async function openPanel(): Promise<ReturnType<typeof webviewFrame>> {
    const page = s.browser.page;
    await runCommand(page, 'CreatOK: Generate Image');
    const frame = webviewFrame(page);
    await frame.getByLabel('Prompt', { exact: true }).waitFor({ state: 'visible', timeout: 60_000 });
    return frame;
  }

  // First in this session: in code-server the walkthrough evaluates an onContext completion
  // event when it registers the steps; a later change of the key was not seen (see CONTRIBUTING).
  it('has a walkthrough whose key step is done when a key is there (CREATOK_API_KEY)', async () => {
    const page = s.browser.page;
    await runCommand(page, 'Welcome: Open Walkthrough...');
    await page.locator('.quick-input-widget input').fill('CreatOK');
    const item = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Get Started with CreatOK Image' }).first();
    await item.waitFor({ state: 'visible', timeout: 30_000 });
    await page.keyboard.press('Enter');
    const walkthrough = page.locator('.gettingStartedContainer');
    for (const title of ['Set your API key', 'Generate your first image', 'Find your results', 'Use a reference image', 'Use your image', 'Find everything you made']) {
      await walkthrough.getByText(title, { exact: true }).first().waitFor({ timeout: 30_000 });
    }
    await screenshot(page, '08-walkthrough');
    const checked = (title: string) => walkthrough.locator('.getting-started-step', { hasText: title }).first().locator('.codicon-getting-started-step-checked');
    // The key comes from CREATOK_API_KEY here: the key step is done (creatok.hasApiKey), with no
    // click; cancelling Set API Key would not have completed it.
    await checked('Set your API key').waitFor({ timeout: 30_000 });
    assert.equal(await checked('Use a reference image').count(), 0);
    assert.equal(await checked('Use your image').count(), 0);
    await screenshot(page, '09-walkthrough-step-done');
    await runCommand(page, 'View: Close All Editors');
  });

  it('generates from the panel and records the run in the workspace', async () => {
    const page = s.browser.page;
    const frame = await openPanel();
    await screenshot(page, '01-panel-open');

    await frame.getByLabel('Prompt', { exact: true }).fill('Product shot of a ceramic coffee mug on a wooden table, soft morning light');
    // The recommendation follows the words: a product shot → Nano Banana Pro.
    await waitFor('the recommendation', async () => ((await frame.getByLabel('Model').inputValue()) === 'nano-banana-pro' ? true : undefined));
    assert.equal(await frame.getByLabel('Use case').inputValue(), 'product');
    await frame.getByLabel('Resolution').selectOption('4K');
    await frame.getByLabel('Aspect ratio').selectOption('16:9');
    await frame.getByLabel('Number of images').selectOption('2');
    // Seedream cannot do 1K: the option is not offered when it is chosen.
    await frame.getByLabel('Model').selectOption('seedream-5.0-lite');
    const seedreamResolutions = await frame.getByLabel('Resolution').locator('option').allTextContents();
    assert.deepEqual(seedreamResolutions, ['2K', '4K']);
    await frame.getByLabel('Model').selectOption('nano-banana-pro');
    await frame.getByLabel('Resolution').selectOption('4K');
    await frame.getByText('Estimated cost: 8 credits').waitFor(); // 4 credits per 4K image × 2
    await screenshot(page, '02-panel-filled');

    await frame.getByRole('button', { name: 'Generate' }).click();
    const dialog = modalDialog(page);
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
    const text = await dialog.innerText();
    for (const expected of ['Nano Banana Pro', 'Resolution: 4K', 'Number of images: 2', 'Aspect ratio: 16:9', 'Estimated cost: 8 credits']) {
      assert.ok(text.includes(expected), `the modal shows "${expected}":\n${text}`);
    }
    assert.equal(s.standIn.submissions().length, 0, 'nothing is sent before the confirmation');
    await screenshot(page, '03-confirmation');
    await dialog.getByRole('button', { name: 'Generate' }).click();

    await notification(page, /Queued|Generating/).waitFor({ state: 'visible', timeout: 30_000 });
    await screenshot(page, '04-progress');

    const images = frame.locator('ul.images img');
    await frame.locator('.phase-succeeded').waitFor({ state: 'visible', timeout: 60_000 });
    assert.equal(await images.count(), 2);
    await waitFor('the images to load', async () => (await images.evaluateAll((imgs) => imgs.every((i) => (i as HTMLImageElement).naturalWidth > 0)) ? true : undefined));
    await screenshot(page, '05-images');

    assert.equal(s.standIn.acceptedSubmissions().length, 1);
    const task = s.standIn.tasks()[0]!;
    assert.equal(task.model, 'nano-banana-pro');
    assert.equal(task.resolution, '4K');
    assert.equal(task.n, 2);
    assert.equal(task.aspectRatio, '16:9');

    const [runId] = runFolders(s.workspace);
    assert.ok(runId, 'a run folder exists');
    const result = await waitFor('result.json to say succeeded', () => {
      const r = readResult(s.workspace, runId);
      return r?.status === 'succeeded' ? r : undefined;
    });
    assert.equal(result.task_id, task.taskId);
    const answer = (await (await fetch(`${s.standIn.url}/api/open/skills/tasks/status?task_id=${task.taskId}&task_type=image_generation`, {
      headers: { Authorization: `Bearer ${TEST_KEY}` },
    })).json()) as { data: { result: { images: { url: string }[] } } };
    assert.deepEqual(result.images, answer.data.result.images.map((i) => i.url), 'image URLs byte-for-byte as the stand-in returned them');
    const shownUrls = await frame.locator('.image-url').allTextContents();
    assert.deepEqual(shownUrls, result.images, 'the panel shows the URLs verbatim');
    assert.ok(existsSync(join(s.workspace, 'generate-image', '.artifacts', runId, 'outputs', 'result.md')));
    assert.equal(result.estimated_credits, 8);
  });

  it('sends nothing when the confirmation is cancelled', async () => {
    const page = s.browser.page;
    s.standIn.reset();
    const frame = await openPanel();
    await frame.getByLabel('Prompt', { exact: true }).fill('A watercolor illustration of a fox in the snow');
    await frame.getByRole('button', { name: 'Generate' }).click();
    const dialog = modalDialog(page);
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await frame.getByText('Not generated: you cancelled').waitFor({ timeout: 30_000 });
    await screenshot(page, '06-cancelled');
    assert.equal(s.standIn.submissions().length, 0);
  });

  it('opens one confirmation for a double click, and sends exactly one task', async () => {
    const page = s.browser.page;
    s.standIn.reset();
    const frame = await openPanel();
    await frame.getByLabel('Prompt', { exact: true }).fill('Quick draft of a robot mascot');
    const generate = frame.getByRole('button', { name: 'Generate' });
    await generate.dblclick();
    const dialog = modalDialog(page);
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(await dialog.count(), 1, 'one modal');
    await dialog.getByRole('button', { name: 'Generate' }).click();
    await frame.locator('.phase-succeeded').waitFor({ state: 'visible', timeout: 60_000 });
    await waitFor('the dialog to be gone', async () => ((await dialog.count()) === 0 ? true : undefined));
    assert.equal(s.standIn.submissions().length, 1, 'exactly one submission');
  });

  it('offers to refine a vague prompt, and the guided refinement builds a richer one without sending anything', async () => {
    const page = s.browser.page;
    s.standIn.reset();
    const frame = await openPanel();
    await frame.getByLabel('Prompt', { exact: true }).fill('a cat');
    const refine = frame.getByRole('button', { name: 'Refine prompt' });
    await refine.waitFor({ state: 'visible', timeout: 10_000 });
    await refine.click();
    // No chat model in this VS Code: the guided refinement (no network) is offered.
    await frame.getByLabel('Style').selectOption({ label: 'Watercolor' });
    await frame.getByLabel('Lighting').selectOption({ label: 'Golden hour' });
    await frame.getByText('a cat, a soft watercolor painting, warm golden-hour light.').waitFor();
    await screenshot(page, '07-refine-guided');
    await frame.getByRole('button', { name: 'Use this prompt' }).click();
    assert.equal(await frame.getByLabel('Prompt', { exact: true }).inputValue(), 'a cat, a soft watercolor painting, warm golden-hour light.');
    await waitFor('the notice to go', async () => ((await refine.isVisible()) ? undefined : true));
    assert.equal(s.standIn.requests().filter((r) => r.endpoint === 'submit').length, 0, 'refining sends nothing');
  });

});
