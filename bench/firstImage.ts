// Part of bench/first-image.sh: with `npm run demo` running, a person's first image: open the
// VS Code address, palette → Generate Image → a prompt → Generate → confirm, until the image
// file is in the workspace. Prints the seconds it took. Args: the VS Code address, the workspace.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser, modalDialog, runCommand, waitFor, webviewFrame } from '../test/e2e/harness/browser';

function savedImages(workspace: string): string[] {
  const root = join(workspace, 'generate-image', '.artifacts');
  if (!existsSync(root)) return [];
  return readdirSync(root).flatMap((run) => {
    const images = join(root, run, 'outputs', 'images');
    return existsSync(images) ? readdirSync(images).filter((f) => /\.(png|jpe?g|webp|gif)$/.test(f)) : [];
  });
}

async function main(): Promise<void> {
  const [url, workspace] = process.argv.slice(2);
  if (!url || !workspace) throw new Error('usage: firstImage.js <VS Code address> <workspace>');
  const before = savedImages(workspace).length;
  const started = Date.now();
  const browser = await launchBrowser();
  try {
    const page = browser.page;
    await page.goto(url);
    await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
    await runCommand(page, 'CreatOK: Generate Image');
    const frame = webviewFrame(page);
    await frame.getByLabel('Prompt', { exact: true }).waitFor({ state: 'visible', timeout: 60_000 });
    await frame.getByLabel('Prompt', { exact: true }).fill('A lighthouse on a cliff at dusk, warm light, watercolor');
    await frame.getByRole('button', { name: 'Generate' }).click();
    const dialog = modalDialog(page);
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
    await dialog.getByRole('button', { name: 'Generate' }).click();
    await waitFor('the image on disk', () => (savedImages(workspace).length > before ? true : undefined), 120_000, 200);
    console.log(`first image: ${((Date.now() - started) / 1000).toFixed(1)} s from opening the address`);
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
